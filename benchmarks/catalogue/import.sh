#!/usr/bin/env bash
# One library's holdings import on each backend (release build), against a
# bulk COPY (PostgreSQL) / one-transaction INSERT (SQLite) of the same rows
# in the same run, with the import's peak RSS. The file: the Library of
# Congress's "Books All 2016 part 01" (250,000 MARC records, 242 MB, inside
# pymarc 5.4.0's source distribution, fetched with pip into the target
# directory, never committed).
#
# Env: IMPORT_FILE and IMPORT_FORMAT (another file), BACKENDS (default
# "postgres sqlite"), DATABASE_URL (PostgreSQL server; default local).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE/../.."
DATA="${CARGO_TARGET_DIR:-target}/bench-data"
FILE="${IMPORT_FILE:-$DATA/pymarc-5.4.0/BooksAll.2016.part01.utf8}"
FORMAT="${IMPORT_FORMAT:-marc}"
if [ ! -f "$FILE" ]; then
  mkdir -p "$DATA"
  pip download --no-deps --no-binary :all: pymarc==5.4.0 -d "$DATA"
  tar -xzf "$DATA/pymarc-5.4.0.tar.gz" -C "$DATA" pymarc-5.4.0/BooksAll.2016.part01.utf8
fi
for backend in ${BACKENDS:-postgres sqlite}; do
  cargo run --release -q -p catalogue --example import_speed -- "$FILE" "$FORMAT" "$backend"
done
