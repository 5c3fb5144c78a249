#!/usr/bin/env python3
"""Writes queries.txt: the fixed list of 1,000 catalogue search queries of
the search benchmark, sampled (seeded, so the same list every time) from the
Library of Congress records in pymarc 5.4.0's BooksAll.2016.part01.utf8:
single words and two neighbouring words of titles (sampled by occurrence,
so common words come often), prefixes of title words, ISBNs (as the 020
gives them, hyphenated ISBN-10s among them) and OCLC numbers (bare, or with
(OCoLC), ocm, ocn or on).

    python3 benchmarks/catalogue/make_queries.py PATH/BooksAll.2016.part01.utf8 > benchmarks/catalogue/queries.txt
"""

import random
import re
import sys
import unicodedata


def records(path):
    data = open(path, "rb").read()
    start = 0
    while start < len(data):
        length = int(data[start:start + 5])
        yield data[start:start + length]
        start += length


def fields(record):
    base = int(record[12:17])
    directory = record[24:base - 1]
    for i in range(0, len(directory), 12):
        tag = directory[i:i + 3].decode()
        length = int(directory[i + 3:i + 7])
        offset = int(directory[i + 7:i + 12])
        body = record[base + offset:base + offset + length - 1].decode("utf-8", "replace")
        yield tag, body


def subfields(body, code):
    return [part[1:] for part in body[2:].split("\x1f")[1:] if part[:1] == code]


def fold(text):
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def main(path):
    titles, isbns, oclcs = [], [], []
    for record in records(path):
        for tag, body in fields(record):
            if tag == "245":
                words = fold(" ".join(subfields(body, "a") + subfields(body, "b"))).split()
                if words:
                    titles.append(words)
            elif tag == "020":
                isbns += [a.split()[0] for a in subfields(body, "a") if a.split()]
            elif tag == "035":
                oclcs += [m.group(1) for a in subfields(body, "a")
                          for m in [re.match(r"\(OCoLC\)(?:ocm|ocn|on)?0*(\d+)$", a)] if m]
    rng = random.Random(19)
    queries = []
    for _ in range(300):
        queries.append(rng.choice(rng.choice(titles)))
    while len(queries) < 550:
        words = rng.choice(titles)
        if len(words) >= 2:
            i = rng.randrange(len(words) - 1)
            queries.append(f"{words[i]} {words[i + 1]}")
    while len(queries) < 700:
        word = rng.choice(rng.choice(titles))
        if len(word) >= 4:
            queries.append(word[:rng.randint(3, min(5, len(word) - 1))])
    queries += rng.sample(isbns, 150)
    for number in rng.sample(oclcs, 150):
        form = rng.choice(["{}", "(OCoLC){}", "ocm{:0>8}", "ocn{:0>9}", "on{}", "(OCoLC)ocm{:0>8}"])
        queries.append(form.format(number))
    print("\n".join(queries))


main(sys.argv[1])
