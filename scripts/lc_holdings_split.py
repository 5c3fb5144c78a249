#!/usr/bin/env python3
"""Spreads the records of a MARC 21 file over libraries, one MARC file per
library, with a skewed number of holders per record: most records are held
by two to four libraries, a few by dozens (Pareto, alpha 1.6), so that the
250,000 Library of Congress records of pymarc 5.4.0 make about a million
holdings. Libraries earlier in the list hold more (the first about ten
times what the last holds).
Deterministic for a seed.

    lc_holdings_split.py MARC_FILE OUT_DIR SEED LIBRARY...

Writes OUT_DIR/LIBRARY.mrc for every library (empty when it holds nothing)
and prints "records holdings" on stdout.
"""

import os
import random
import sys

# About four holders per record on average.
SCALE = 1.55
ALPHA = 1.6


def holders_of(rng, weights, libraries):
    """Distinct libraries, as many as a skewed draw says."""
    wanted = min(len(libraries), max(1, round(SCALE * rng.paretovariate(ALPHA))))
    chosen = set()
    while len(chosen) < wanted:
        chosen.update(rng.choices(range(len(libraries)), weights=weights, k=wanted - len(chosen)))
    return chosen


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    source, out_dir, seed, libraries = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    rng = random.Random(seed)
    # Library i weighs 1/(i+10): the first ones hold several times more.
    weights = [1.0 / (i + 10) for i in range(len(libraries))]
    os.makedirs(out_dir, exist_ok=True)
    outputs = [open(os.path.join(out_dir, f"{library}.mrc"), "wb") for library in libraries]
    records = holdings = 0
    with open(source, "rb") as marc:
        pending = b""
        while True:
            chunk = marc.read(1 << 20)
            if not chunk:
                break
            pending += chunk
            *complete, pending = pending.split(b"\x1d")
            for record in complete:
                if not record.strip():
                    continue
                records += 1
                for holder in holders_of(rng, weights, libraries):
                    outputs[holder].write(record + b"\x1d")
                    holdings += 1
        if pending.strip():
            sys.exit(f"{source} ends inside a record")
    for output in outputs:
        output.close()
    print(records, holdings)


if __name__ == "__main__":
    main()
