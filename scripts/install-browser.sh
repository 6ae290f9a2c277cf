#!/usr/bin/env bash
# What the widget's browser tests need, installed from the package registries only:
# Debian's Chromium (Playwright's own browser download cannot work offline), Python
# Playwright to drive it, and axe-core for the accessibility scan. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    # A fresh machine has empty package lists; refresh them only when chromium is unknown.
    if ! apt-cache show chromium >/dev/null 2>&1; then
        $SUDO apt-get update -qq
    fi
    $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

.venv/bin/python -c "import playwright" 2>/dev/null \
    || .venv/bin/python -m pip install --quiet "playwright>=1.45"

# npm ci reinstalls from scratch: skip it when the locked version is already there.
locked=$(node -p "require('./widget/package-lock.json').packages['node_modules/axe-core'].version")
installed=$(node -p "require('./widget/node_modules/axe-core/package.json').version" 2>/dev/null || true)
if [ "$locked" != "$installed" ]; then
    npm ci --prefix widget --ignore-scripts --no-audit --no-fund --loglevel=error
fi
