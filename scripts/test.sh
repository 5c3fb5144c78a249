#!/usr/bin/env bash
# The test command. On a fresh machine it installs and starts PostgreSQL from
# Debian's packages first; then it runs every test against both backends.
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

postgres_answers() {
    (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
}

start_postgres() {
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        echo "installing PostgreSQL from Debian's packages" >&2
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql postgresql-client
    fi
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    local hba="/etc/postgresql/$version/main/pg_hba.conf"
    # The tests connect as postgres over TCP without a password.
    if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
        sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
    fi
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 60); do
        postgres_answers && return 0
        sleep 1
    done
    echo "PostgreSQL did not start" >&2
    return 1
}

postgres_answers || start_postgres

# The web client's and the dashboard's browser tests drive Debian's headless
# Chromium, the web client's through its WebDriver server (chromium-driver);
# without them the web client's tests fail.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    echo "installing Chromium and chromedriver from Debian's packages" >&2
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; } ||
        echo "could not install chromium and chromium-driver: the browser tests cannot run" >&2
fi

# The catalogue's format tests read Debian's MARC 21 and MARCXML samples
# (idzebra-2.0-examples); without them those tests fail.
if [ ! -d /usr/share/doc/idzebra-2.0/examples ]; then
    echo "installing idzebra-2.0-examples from Debian's packages" >&2
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q idzebra-2.0-examples; } ||
        echo "could not install idzebra-2.0-examples: the catalogue's format tests cannot run" >&2
fi

# Test databases of earlier runs (each test makes its own).
if command -v psql >/dev/null 2>&1; then
    psql "$DATABASE_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'ill\_test\_%'" |
        while read -r name; do
            psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null || true
        done
fi
rm -rf "${TMPDIR:-/tmp}/ill-tests"

# Throwaway clusters of the database-restart test (tests/src/nodes.rs stops
# and deletes its own; a run killed midway may leave one behind).
for data in "${TMPDIR:-/tmp}"/ill-pg-*; do
    [ -d "$data" ] || continue
    pg_ctl=$(ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$pg_ctl" ] && [ -f "$data/postmaster.pid" ]; then
        if [ "$(id -u)" = 0 ]; then
            runuser -u postgres -- "$pg_ctl" -D "$data" stop -m immediate >/dev/null 2>&1 || true
        else
            "$pg_ctl" -D "$data" stop -m immediate >/dev/null 2>&1 || true
        fi
    fi
    rm -rf "$data" "$data.log"
done

cargo test --workspace --locked "$@"
