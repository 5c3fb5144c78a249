-- The union catalogue (DESIGN.md, "The union catalogue and the automatic
-- rota"): members' holdings files as imported, clustered into records.
-- Reference data beside the log, not projected from it. SQLite: booleans
-- 0/1, timestamps integer microseconds since the epoch.

-- One row per cluster. Id per the contract ("ocolc:N", "isbn:I", "key:HEX");
-- identifier lists space-separated and sorted; `words` is the searched text,
-- fold(title) || ' ' || fold(author).
CREATE TABLE catalog_records (
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
    -- Member libraries with a lendable copy that lend and are not suspended.
    lendable_by  integer NOT NULL,
    CONSTRAINT catalog_records_pkey PRIMARY KEY (id)
) STRICT;

-- Every identifier any member of a cluster holds (kinds 'oclc', 'isbn',
-- 'issn', 'lccn', 'key'), so an old id of a merged cluster still finds it.
CREATE TABLE catalog_identifiers (
    kind      text NOT NULL,
    value     text NOT NULL,
    record_id text NOT NULL,
    CONSTRAINT catalog_identifiers_pkey PRIMARY KEY (kind, value, record_id)
) STRICT;
CREATE INDEX catalog_identifiers_record ON catalog_identifiers (record_id);

-- Each import: who, when, what it read. `state` is 'running' (the library's
-- lock, kept alive by `heartbeat_us`), 'live' (its holdings are the
-- library's), 'replaced', 'broken' or 'abandoned'.
CREATE TABLE holdings_imports (
    id           text    NOT NULL,
    library      text    NOT NULL,
    by_account   text    NOT NULL,
    format       text    NOT NULL,
    at_us        integer NOT NULL,
    state        text    NOT NULL,
    heartbeat_us integer NOT NULL,
    records      integer NOT NULL DEFAULT 0,
    holdings     integer NOT NULL DEFAULT 0,
    rejected     integer NOT NULL DEFAULT 0,
    -- JSON text: the first 100 refusals, [{"record", "reason"}].
    errors       text    NOT NULL DEFAULT '[]',
    CONSTRAINT holdings_imports_pkey PRIMARY KEY (id)
) STRICT;
-- At most one running and one live import per library.
CREATE UNIQUE INDEX holdings_imports_running ON holdings_imports (library) WHERE state = 'running';
CREATE UNIQUE INDEX holdings_imports_live ON holdings_imports (library) WHERE state = 'live';
CREATE INDEX holdings_imports_library ON holdings_imports (library, at_us);

-- The records of each import's file (its batch), as read: what clustering
-- works from. `record_id` is null while the batch is staged.
CREATE TABLE catalog_members (
    batch        text    NOT NULL,
    position     integer NOT NULL,
    library      text    NOT NULL,
    record_id    text,
    title        text    NOT NULL,
    author       text,
    publisher    text,
    year         text,
    edition      text,
    lccn         text,
    isbns        text    NOT NULL,
    issns        text    NOT NULL,
    oclc_numbers text    NOT NULL,
    -- SourceRecord::match_key, for a record with neither OCLC number nor ISBN.
    match_key    text,
    CONSTRAINT catalog_members_pkey PRIMARY KEY (batch, position)
) STRICT;
CREATE INDEX catalog_members_record ON catalog_members (record_id);

-- One row per copy. Only the live batches' rows have a `record_id`; a staged
-- batch's rows have none until its switch.
CREATE TABLE holdings (
    batch       text    NOT NULL,
    position    integer NOT NULL,
    copy        integer NOT NULL,
    library     text    NOT NULL,
    record_id   text,
    local_id    text,
    call_number text,
    location    text,
    lendable    integer NOT NULL,
    CONSTRAINT holdings_pkey PRIMARY KEY (batch, position, copy)
) STRICT;
CREATE INDEX holdings_record ON holdings (record_id, library);

-- Whether each library lends and is not suspended, as its own stream last
-- said: the api writes it with every registerLibrary, updateLibrary and
-- setLendingSuspended, and each import for its library, so lendable_by
-- never waits for the directory projection (which serves libraries
-- registered before the catalogue).
CREATE TABLE catalog_lenders (
    library text    NOT NULL,
    lending integer NOT NULL,
    CONSTRAINT catalog_lenders_pkey PRIMARY KEY (library)
) STRICT;
