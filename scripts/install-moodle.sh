#!/usr/bin/env bash
# PHP 8.2 and the extensions Moodle 4.5 needs, from Debian's packages, for the tests that
# install a throwaway Moodle (tests/moodle/). The Moodle source itself is read from
# ../shared/moodle (see tests/moodle/site.py); PostgreSQL comes from install-postgres.sh.
# Idempotent: nothing is installed when every package is already there.
set -euo pipefail

packages=(php8.2-cli php8.2-pgsql php8.2-xml php8.2-mbstring php8.2-curl php8.2-zip
    php8.2-gd php8.2-intl php8.2-soap php8.2-opcache php8.2-readline)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    # A fresh machine has empty package lists; refresh them only when PHP is unknown.
    if ! apt-cache show php8.2-cli >/dev/null 2>&1; then
        $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
    fi
    $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi
