#!/usr/bin/env bash
# Install everything the tests need, then lint, type-check and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
MENTOR_EXTRAS="[test]" scripts/install.sh
# Debian's Chromium and axe-core for the browser tests (widget, reports).
scripts/install-browser.sh
# PostgreSQL server binaries: the storage tests start a throwaway cluster with them.
scripts/install-postgres.sh
# PHP 8.2 for the real Moodle 4.5 of tests/moodle (its source is read from ../shared/moodle).
scripts/install-moodle.sh
# The quality-profile tests use the real EmbeddingGemma weights, provisioned like a user would.
.venv/bin/mentor-assistant models fetch --source registry
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
