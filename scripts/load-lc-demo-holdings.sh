#!/usr/bin/env bash
# Loads real catalogue records into a demo store: the 250,000 Library of
# Congress records inside the PyPI sdist of pymarc 5.4.0
# (BooksAll.2016.part01.utf8), spread over the demo network's libraries with
# a skewed number of holders per record (about 1,000,000 holdings), imported
# library by library through `ill-server holdings import`.
#
#     scripts/load-lc-demo-holdings.sh DATABASE_URL [WORK_DIR]
#
# DATABASE_URL is a `--demo` store (an empty one is given the demo network
# first). Each library's import replaces its holdings, so the demo's own
# small catalogue gives way to the LC records (the generated requests keep
# their record ids, which then no longer resolve). The file is downloaded
# with pip into WORK_DIR (default /tmp/ill-lc-holdings), never into the
# repository. ILL_SERVER names the binary (default target/release/ill-server);
# SEED changes the spread (default 19). Prints each library's summary, then
# the totals and the time.
set -euo pipefail

if [[ $# -lt 1 ]]; then
    sed -n '2,17s/^# \{0,1\}//p' "$0" >&2
    exit 2
fi
database_url=$1
work=${2:-/tmp/ill-lc-holdings}
server=${ILL_SERVER:-target/release/ill-server}
seed=${SEED:-19}
here=$(cd "$(dirname "$0")" && pwd)
marc=$work/pymarc-5.4.0/BooksAll.2016.part01.utf8

[[ -x $server ]] || { echo "no $server: cargo build --release -p api, or set ILL_SERVER" >&2; exit 2; }
mkdir -p "$work"
if [[ ! -f $marc ]]; then
    pip download pymarc==5.4.0 --no-deps --no-binary :all: -d "$work" >&2
    tar -xzf "$work/pymarc-5.4.0.tar.gz" -C "$work" pymarc-5.4.0/BooksAll.2016.part01.utf8
fi

# A server on the store for a moment: it loads the demo into an empty store,
# and lists the libraries (in id order; the split gives the first more).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$server" --database-url "$database_url" --listen "127.0.0.1:$port" --demo >"$work/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 3; }
    sleep 1
done
token=$("$server" --database-url "$database_url" token create \
    --library CT-STATE --name lc-holdings-loader --role COORDINATOR)
mapfile -t libraries < <(curl -sf "http://127.0.0.1:$port/graphql" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"query": "{ libraries { id } }"}' | jq -r '.data.libraries[].id')
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
trap - EXIT
[[ ${#libraries[@]} -gt 0 ]] || { echo "the store has no libraries" >&2; exit 2; }

rm -rf "$work/split"
read -r records holdings < <(python3 "$here/lc_holdings_split.py" "$marc" "$work/split" "$seed" "${libraries[@]}")
echo "spread $records records as $holdings holdings over ${#libraries[@]} libraries" >&2

started=$(date +%s.%N)
kept=0
rejected=0
for library in "${libraries[@]}"; do
    summary=$("$server" --database-url "$database_url" holdings import \
        --library "$library" --format marc "$work/split/$library.mrc")
    echo "$summary"
    kept=$((kept + $(jq .holdings <<<"$summary")))
    rejected=$((rejected + $(jq .rejected <<<"$summary")))
done
elapsed=$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")
echo "imported $kept holdings ($rejected records rejected) for ${#libraries[@]} libraries in $elapsed s" >&2
