-- A holdings switch computed before it runs (catalogue/src/import/switch):
-- the clusters an import touches are computed from its staged batch into
-- these tables, keyed by the import's batch, over short transactions; new
-- records and identifier rows are written where they belong, marked with the
-- batch, which hides them while it runs; the switch then applies the rest in
-- one short transaction. SQLite: each of those short transactions holds the
-- one writer briefly, so commands keep flowing.

-- Replaced by the tables below.
DROP TABLE catalog_moves;
DROP TABLE catalog_pending_records;

-- Bumped by every switch and every change of a library's lending, in the
-- transaction that makes it: a switch whose computation began at another
-- generation computes again.
CREATE TABLE catalog_generation (
    id integer NOT NULL,
    n  integer NOT NULL,
    CONSTRAINT catalog_generation_pkey PRIMARY KEY (id)
) STRICT;
INSERT INTO catalog_generation (id, n) VALUES (1, 0);

-- The records the switch touches (of the old batch, or joined by the new):
-- those not kept unchanged are deleted by the switch.
CREATE TABLE catalog_staged_touched (
    batch     text NOT NULL,
    record_id text NOT NULL,
    CONSTRAINT catalog_staged_touched_pkey PRIMARY KEY (batch, record_id)
) STRICT;

-- Each computed cluster with the member that represents it.
CREATE TABLE catalog_staged_clusters (
    batch        text   NOT NULL,
    id           text NOT NULL,
    rep_batch    text   NOT NULL,
    rep_position integer NOT NULL,
    lccn         text,
    isbns        text   NOT NULL,
    issns        text   NOT NULL,
    oclc_numbers text   NOT NULL,
    lendable_by  integer NOT NULL,
    CONSTRAINT catalog_staged_clusters_pkey PRIMARY KEY (batch, id)
) STRICT;

-- The records the switch writes: computed clusters whose record differs
-- from the one stored, or whose id another running import wrote first.
CREATE TABLE catalog_staged_records (
    batch        text    NOT NULL,
    id           text NOT NULL,
    title        text    NOT NULL,
    author       text,
    publisher    text,
    year         text,
    edition      text,
    lccn         text,
    isbns        text    NOT NULL,
    issns        text    NOT NULL,
    oclc_numbers text    NOT NULL,
    words        text    NOT NULL,
    lendable_by  integer NOT NULL,
    CONSTRAINT catalog_staged_records_pkey PRIMARY KEY (batch, id)
) STRICT;

-- Identifier rows the switch inserts (`gone` false: those another running
-- import wrote first) or deletes (true).
CREATE TABLE catalog_staged_identifiers (
    batch     text    NOT NULL,
    kind      text    NOT NULL,
    value     text NOT NULL,
    record_id text NOT NULL,
    gone      integer NOT NULL,
    CONSTRAINT catalog_staged_identifiers_pkey PRIMARY KEY (batch, record_id, kind, value)
) STRICT;

-- Members whose copies' record id changes: the new batch's are applied
-- before the switch (its copies are invisible until it goes live), the
-- live batches' by the switch.
CREATE TABLE catalog_staged_moves (
    batch        text   NOT NULL,
    member_batch text   NOT NULL,
    position     integer NOT NULL,
    record_id    text NOT NULL,
    CONSTRAINT catalog_staged_moves_pkey PRIMARY KEY (batch, member_batch, position)
) STRICT;

-- The import whose computation wrote the row before its switch (NULL: its
-- switch wrote it). Readers skip rows of a running import: they appear when
-- its switch makes it live, without being written again.
ALTER TABLE catalog_records ADD COLUMN batch text;
CREATE INDEX catalog_records_batch ON catalog_records (batch);
ALTER TABLE catalog_identifiers ADD COLUMN batch text;
CREATE INDEX catalog_identifiers_batch ON catalog_identifiers (batch);
