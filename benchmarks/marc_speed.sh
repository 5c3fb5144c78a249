#!/usr/bin/env bash
# The MARC 21 reader on the Library of Congress's "Books All 2016 part 01"
# (250,000 records, 242 MB, shipped inside pymarc 5.4.0's source
# distribution), against splitting the same file at its record terminators,
# best of three rounds each, one core (release build).
#
# Env: MARC_FILE (another file to read instead).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE/.."
DATA="${CARGO_TARGET_DIR:-target}/bench-data"
FILE="${MARC_FILE:-$DATA/pymarc-5.4.0/BooksAll.2016.part01.utf8}"
if [ ! -f "$FILE" ]; then
  mkdir -p "$DATA"
  pip download --no-deps --no-binary :all: pymarc==5.4.0 -d "$DATA"
  tar -xzf "$DATA/pymarc-5.4.0.tar.gz" -C "$DATA" pymarc-5.4.0/BooksAll.2016.part01.utf8
fi
cargo run --release -q -p catalogue --example marc_speed -- "$FILE"
