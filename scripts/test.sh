#!/usr/bin/env bash
# Install everything the tests need, then lint, type-check and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step says how long it took: a slow CI names its slow part.
step() {
    local started=$SECONDS
    "$@"
    echo "== $* : $((SECONDS - started)) s" >&2
}
step env MENTOR_EXTRAS="[test]" scripts/install.sh
# Debian's Chromium and axe-core for the browser tests (widget, reports).
step scripts/install-browser.sh
# PostgreSQL server binaries: the storage tests start a throwaway cluster with them.
step scripts/install-postgres.sh
# PHP 8.2 for the real Moodle 4.5 of tests/moodle (its source is read from ../shared/moodle).
step scripts/install-moodle.sh
# The quality-profile tests use the real EmbeddingGemma weights, provisioned like a user would.
step .venv/bin/mentor-assistant models fetch --source registry
step .venv/bin/ruff check .
step .venv/bin/ruff format --check .
step .venv/bin/mypy
# The slowest tests are listed at the end.
step .venv/bin/python -m pytest --durations=25 "$@"
