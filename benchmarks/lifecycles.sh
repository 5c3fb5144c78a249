#!/usr/bin/env bash
# LOAN lifecycles, ours against the Python `eventsourcing` peer (peer/), on
# the same PostgreSQL, back to back in one run: the peer at 1 and 16 worker
# threads, then the real ill-server with 1 and 16 HTTP clients (the
# reliability suite's throughput test; its own raw-insert baseline too).
# Both do 8 commands per lifecycle: place, then 7 steps to completion.
#
# Env: REQUESTS (the peer's lifecycles per run, default 320), LOANS (ours,
# per client, default 20), POSTGRES_HOST (127.0.0.1), POSTGRES_USER
# (postgres), POSTGRES_DBNAME (peerbench), DATABASE_URL (ours).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE/.."
export POSTGRES_HOST="${POSTGRES_HOST:-127.0.0.1}"
export POSTGRES_USER="${POSTGRES_USER:-postgres}"
export POSTGRES_DBNAME="${POSTGRES_DBNAME:-peerbench}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
REQUESTS="${REQUESTS:-320}"
LOANS="${LOANS:-20}"

echo "== the peer: eventsourcing (Python), $REQUESTS lifecycles per run"
WORKERS_LIST=1,16 EXECUTOR=thread REQUESTS="$REQUESTS" RESULTS=/tmp/peer-results.jsonl \
  "$HERE/peer/run_peer.sh"

echo "== ours: ill-server through HTTP, $LOANS lifecycles per client"
ILL_BENCH_LOANS="$LOANS" cargo test --release -p ill-tests --test reliability -- \
  --nocapture --test-threads 1 throughput::command_throughput_against_raw_inserts
