#!/usr/bin/env bash
# addNote through GraphQL against pgbench's single-row INSERT transactions
# on the same PostgreSQL, at 1 and 16 clients, back to back in one run.
#
# Env: NOTES (addNote commands per client, default 200), SECONDS_EACH
# (pgbench's run per client count, default 10), PGHOST (127.0.0.1), PGUSER
# (postgres), DATABASE_URL (ours).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE/.."
export PGHOST="${PGHOST:-127.0.0.1}" PGUSER="${PGUSER:-postgres}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
NOTES="${NOTES:-200}"
SECONDS_EACH="${SECONDS_EACH:-10}"
DB=ill_bench_pgbench

echo "== baseline: pgbench, one single-row INSERT per transaction"
dropdb --if-exists "$DB"
createdb "$DB"
psql -q -d "$DB" -c "CREATE TABLE notes_raw (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), request_id uuid NOT NULL, text text NOT NULL, at timestamptz NOT NULL DEFAULT now())"
SCRIPT="$(mktemp)"
echo "INSERT INTO notes_raw (request_id, text) VALUES (gen_random_uuid(), 'note: the patron called');" > "$SCRIPT"
for clients in 1 16; do
  pgbench -n -M prepared -c "$clients" -j "$clients" -T "$SECONDS_EACH" -f "$SCRIPT" "$DB" \
    | grep -E "^(number of clients|tps)"
done
rm -f "$SCRIPT"
dropdb "$DB"

echo "== ours: addNote through GraphQL, $NOTES per client"
ILL_BENCH_NOTES="$NOTES" cargo test --release -p ill-tests --test reliability -- \
  --nocapture --test-threads 1 throughput::add_note_throughput
