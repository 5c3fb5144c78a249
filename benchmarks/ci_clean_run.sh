#!/usr/bin/env bash
# A clean `.ci/run` of each revision given, one after the other: each in a
# fresh clone of this repository with its own target directory and a copy of
# ../shared beside it, its crates fetched before the clock starts, and its
# tests run with --no-fail-fast (an older revision's contract test fails
# against today's contract; the run must still go to the end). Prints wall
# and CPU time, peak RSS and the tests passed and failed of each.
#
#     benchmarks/ci_clean_run.sh f422a7e 0d95a82
#
# Env: WORK (where the clones go, default /tmp/ill-ci-clean-run).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
WORK="${WORK:-/tmp/ill-ci-clean-run}"
[ $# -gt 0 ] || { echo "usage: $0 REVISION..." >&2; exit 2; }

rm -rf "$WORK" && mkdir -p "$WORK"
cp -r "$REPO/../shared" "$WORK/shared"
for rev in "$@"; do
    clone="$WORK/$rev"
    git clone -q "$REPO" "$clone" && git -C "$clone" checkout -q "$rev" || exit 1
    sed -i 's/^cargo test --workspace --locked "\$@"$/cargo test --workspace --locked --no-fail-fast "$@"/' \
        "$clone/scripts/test.sh"
    (cd "$clone" && cargo fetch --locked >/dev/null 2>&1)
    log="$WORK/$rev.log"
    (cd "$clone" && /usr/bin/time -f "wall %e s, user %U s, sys %S s, peak RSS %M KB" .ci/run) >"$log" 2>&1
    echo "$rev: exit $?; $(tail -n 1 "$log")"
    grep -E '^test result:' "$log" |
        awk -v rev="$rev" '{ p += $4; f += $6 } END { print rev ": " p " passed, " f " failed" }'
done
