-- Read models, projected from the event log by the catch-up projector
-- (src/projector.rs): request views and histories, the library directory,
-- and per-day statistics.
--
-- SQLite: uuids are 16-byte blobs (sqlx's encoding), days ISO text,
-- booleans 0/1, timestamps integer microseconds since the epoch.
--
-- Every projection table has a `_rebuild` twin of the same shape (indexes
-- included, named with the same suffix): `rebuild` projects into the twins
-- from position 0 and then copies them over (src/rebuild.rs). A change to one
-- table must be made to its twin, and a new index added to the swap script.

-- Where each projection (and its rebuild) stands in the global order.
CREATE TABLE projector_checkpoints (
    projection      text    NOT NULL,
    tx              integer NOT NULL,
    global_position integer NOT NULL,
    CONSTRAINT projector_checkpoints_pkey PRIMARY KEY (projection)
) STRICT;

-- Projection "requests": one row per request, with the columns the queues
-- filter and sort on beside the serialized view (JSON text).
CREATE TABLE request_views (
    id            blob    NOT NULL,
    version       integer NOT NULL,
    borrower      text    NOT NULL,
    lender        text,
    status        text    NOT NULL,
    updated_at_us integer NOT NULL,
    -- When it last reached an ended status; null while not ended. The vault
    -- purge counts its days from here.
    ended_at_us   integer,
    -- When the party asked must answer: the scheduler times it out after.
    respond_by_us integer,
    view          text    NOT NULL,
    CONSTRAINT request_views_pkey PRIMARY KEY (id)
) STRICT;
CREATE INDEX request_views_borrowing ON request_views (borrower, status, updated_at_us, id);
CREATE INDEX request_views_lending ON request_views (lender, status, updated_at_us, id);
CREATE INDEX request_views_respond_by ON request_views (respond_by_us)
    WHERE respond_by_us IS NOT NULL;

CREATE TABLE request_history (
    request_id blob    NOT NULL,
    sequence   integer NOT NULL,
    entry      text    NOT NULL,
    CONSTRAINT request_history_pkey PRIMARY KEY (request_id, sequence)
) STRICT;

-- Projection "libraries".
CREATE TABLE library_directory (
    id        text    NOT NULL,
    version   integer NOT NULL,
    name      text    NOT NULL,
    lends     integer NOT NULL,
    suspended integer NOT NULL,
    CONSTRAINT library_directory_pkey PRIMARY KEY (id)
) STRICT;

-- Projection "statistics": what it must remember of each request to
-- attribute and time later events.
CREATE TABLE stats_requests (
    request_id   blob    NOT NULL,
    version      integer NOT NULL,
    borrower     text    NOT NULL,
    placed_at_us integer NOT NULL,
    -- When the current lender was asked.
    routed_at_us integer,
    CONSTRAINT stats_requests_pkey PRIMARY KEY (request_id)
) STRICT;

-- Counts per library and network-time-zone day, so any range sums quickly.
CREATE TABLE stats_library_day (
    library   text    NOT NULL,
    day       text    NOT NULL,
    placed    integer NOT NULL,
    filled    integer NOT NULL,
    unfilled  integer NOT NULL,
    cancelled integer NOT NULL,
    received  integer NOT NULL,
    shipped   integer NOT NULL,
    declined  integer NOT NULL,
    timed_out integer NOT NULL,
    CONSTRAINT stats_library_day_pkey PRIMARY KEY (library, day)
) STRICT;
CREATE INDEX stats_library_day_day ON stats_library_day (day);

CREATE TABLE stats_declines_day (
    library  text    NOT NULL,
    day      text    NOT NULL,
    reason   text    NOT NULL,
    declined integer NOT NULL,
    CONSTRAINT stats_declines_day_pkey PRIMARY KEY (library, day, reason)
) STRICT;
CREATE INDEX stats_declines_day_day ON stats_declines_day (day);

-- One exact duration per fill (kind 'receive', the borrower's) and per
-- shipment (kind 'ship', the lender's), for medians over any range.
CREATE TABLE stats_durations (
    request_id blob    NOT NULL,
    sequence   integer NOT NULL,
    kind       text    NOT NULL,
    library    text    NOT NULL,
    day        text    NOT NULL,
    micros     integer NOT NULL,
    CONSTRAINT stats_durations_pkey PRIMARY KEY (request_id, sequence, kind)
) STRICT;
CREATE INDEX stats_durations_library_day ON stats_durations (library, day);
CREATE INDEX stats_durations_day ON stats_durations (day);

-- The rebuild twins.
CREATE TABLE request_views_rebuild (
    id            blob    NOT NULL,
    version       integer NOT NULL,
    borrower      text    NOT NULL,
    lender        text,
    status        text    NOT NULL,
    updated_at_us integer NOT NULL,
    ended_at_us   integer,
    respond_by_us integer,
    view          text    NOT NULL,
    CONSTRAINT request_views_pkey_rebuild PRIMARY KEY (id)
) STRICT;
CREATE INDEX request_views_borrowing_rebuild ON request_views_rebuild (borrower, status, updated_at_us, id);
CREATE INDEX request_views_lending_rebuild ON request_views_rebuild (lender, status, updated_at_us, id);
CREATE INDEX request_views_respond_by_rebuild ON request_views_rebuild (respond_by_us)
    WHERE respond_by_us IS NOT NULL;

CREATE TABLE request_history_rebuild (
    request_id blob    NOT NULL,
    sequence   integer NOT NULL,
    entry      text    NOT NULL,
    CONSTRAINT request_history_pkey_rebuild PRIMARY KEY (request_id, sequence)
) STRICT;

CREATE TABLE library_directory_rebuild (
    id        text    NOT NULL,
    version   integer NOT NULL,
    name      text    NOT NULL,
    lends     integer NOT NULL,
    suspended integer NOT NULL,
    CONSTRAINT library_directory_pkey_rebuild PRIMARY KEY (id)
) STRICT;

CREATE TABLE stats_requests_rebuild (
    request_id   blob    NOT NULL,
    version      integer NOT NULL,
    borrower     text    NOT NULL,
    placed_at_us integer NOT NULL,
    routed_at_us integer,
    CONSTRAINT stats_requests_pkey_rebuild PRIMARY KEY (request_id)
) STRICT;

CREATE TABLE stats_library_day_rebuild (
    library   text    NOT NULL,
    day       text    NOT NULL,
    placed    integer NOT NULL,
    filled    integer NOT NULL,
    unfilled  integer NOT NULL,
    cancelled integer NOT NULL,
    received  integer NOT NULL,
    shipped   integer NOT NULL,
    declined  integer NOT NULL,
    timed_out integer NOT NULL,
    CONSTRAINT stats_library_day_pkey_rebuild PRIMARY KEY (library, day)
) STRICT;
CREATE INDEX stats_library_day_day_rebuild ON stats_library_day_rebuild (day);

CREATE TABLE stats_declines_day_rebuild (
    library  text    NOT NULL,
    day      text    NOT NULL,
    reason   text    NOT NULL,
    declined integer NOT NULL,
    CONSTRAINT stats_declines_day_pkey_rebuild PRIMARY KEY (library, day, reason)
) STRICT;
CREATE INDEX stats_declines_day_day_rebuild ON stats_declines_day_rebuild (day);

CREATE TABLE stats_durations_rebuild (
    request_id blob    NOT NULL,
    sequence   integer NOT NULL,
    kind       text    NOT NULL,
    library    text    NOT NULL,
    day        text    NOT NULL,
    micros     integer NOT NULL,
    CONSTRAINT stats_durations_pkey_rebuild PRIMARY KEY (request_id, sequence, kind)
) STRICT;
CREATE INDEX stats_durations_library_day_rebuild ON stats_durations_rebuild (library, day);
CREATE INDEX stats_durations_day_rebuild ON stats_durations_rebuild (day);
