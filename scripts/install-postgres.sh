#!/usr/bin/env bash
# The PostgreSQL server binaries for the storage tests (tests/assistant/test_storage_sql.py),
# which start a throwaway cluster of their own: initdb, pg_ctl and postgres on the PATH or
# under /usr/lib/postgresql/*/bin. Installed from Debian's packages when missing. Idempotent.
set -euo pipefail

have_server() {
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

if ! have_server; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-cache show postgresql >/dev/null 2>&1; then
        $SUDO apt-get update -qq
    fi
    # The server without its Debian cluster: the tests create and remove their own.
    $SUDO apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null
fi
# initdb refuses to run as root: the tests then run the cluster as this user.
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
fi
