-- Read models, projected from the event log by the catch-up projector
-- (src/projector.rs): request views and histories, the library directory,
-- and per-day statistics.
--
-- Every projection table has a `_rebuild` twin of the same shape (indexes
-- included, named with the same suffix): `rebuild` projects into the twins
-- from position 0 and then swaps the names (src/rebuild.rs). A change to one
-- table must be made to its twin, and a new index added to the swap script.

-- Where each projection (and its rebuild) stands in the global order.
CREATE TABLE projector_checkpoints (
    projection      text   NOT NULL,
    tx              bigint NOT NULL,
    global_position bigint NOT NULL,
    CONSTRAINT projector_checkpoints_pkey PRIMARY KEY (projection)
);

-- Projection "requests": one row per request, with the columns the queues
-- filter and sort on beside the serialized view.
CREATE TABLE request_views (
    id            uuid   NOT NULL,
    version       bigint NOT NULL,
    borrower      text   NOT NULL,
    lender        text,
    status        text   NOT NULL,
    updated_at_us bigint NOT NULL,
    -- When it last reached an ended status; null while not ended. The vault
    -- purge counts its days from here.
    ended_at_us   bigint,
    -- When the party asked must answer: the scheduler times it out after.
    respond_by_us bigint,
    view          jsonb  NOT NULL,
    CONSTRAINT request_views_pkey PRIMARY KEY (id)
);
CREATE INDEX request_views_borrowing ON request_views (borrower, status, updated_at_us, id);
CREATE INDEX request_views_lending ON request_views (lender, status, updated_at_us, id);
CREATE INDEX request_views_respond_by ON request_views (respond_by_us)
    WHERE respond_by_us IS NOT NULL;

CREATE TABLE request_history (
    request_id uuid   NOT NULL,
    sequence   bigint NOT NULL,
    entry      jsonb  NOT NULL,
    CONSTRAINT request_history_pkey PRIMARY KEY (request_id, sequence)
);

-- Projection "libraries".
CREATE TABLE library_directory (
    id        text    NOT NULL,
    version   bigint  NOT NULL,
    name      text    NOT NULL,
    lends     boolean NOT NULL,
    suspended boolean NOT NULL,
    CONSTRAINT library_directory_pkey PRIMARY KEY (id)
);

-- Projection "statistics": what it must remember of each request to
-- attribute and time later events.
CREATE TABLE stats_requests (
    request_id   uuid   NOT NULL,
    version      bigint NOT NULL,
    borrower     text   NOT NULL,
    placed_at_us bigint NOT NULL,
    -- When the current lender was asked.
    routed_at_us bigint,
    CONSTRAINT stats_requests_pkey PRIMARY KEY (request_id)
);

-- Counts per library and network-time-zone day, so any range sums quickly.
CREATE TABLE stats_library_day (
    library   text   NOT NULL,
    day       date   NOT NULL,
    placed    bigint NOT NULL,
    filled    bigint NOT NULL,
    unfilled  bigint NOT NULL,
    cancelled bigint NOT NULL,
    received  bigint NOT NULL,
    shipped   bigint NOT NULL,
    declined  bigint NOT NULL,
    timed_out bigint NOT NULL,
    CONSTRAINT stats_library_day_pkey PRIMARY KEY (library, day)
);
CREATE INDEX stats_library_day_day ON stats_library_day (day);

CREATE TABLE stats_declines_day (
    library  text   NOT NULL,
    day      date   NOT NULL,
    reason   text   NOT NULL,
    declined bigint NOT NULL,
    CONSTRAINT stats_declines_day_pkey PRIMARY KEY (library, day, reason)
);
CREATE INDEX stats_declines_day_day ON stats_declines_day (day);

-- One exact duration per fill (kind 'receive', the borrower's) and per
-- shipment (kind 'ship', the lender's), for medians over any range.
CREATE TABLE stats_durations (
    request_id uuid   NOT NULL,
    sequence   bigint NOT NULL,
    kind       text   NOT NULL,
    library    text   NOT NULL,
    day        date   NOT NULL,
    micros     bigint NOT NULL,
    CONSTRAINT stats_durations_pkey PRIMARY KEY (request_id, sequence, kind)
);
CREATE INDEX stats_durations_library_day ON stats_durations (library, day);
CREATE INDEX stats_durations_day ON stats_durations (day);

-- The rebuild twins.
CREATE TABLE request_views_rebuild (
    id            uuid   NOT NULL,
    version       bigint NOT NULL,
    borrower      text   NOT NULL,
    lender        text,
    status        text   NOT NULL,
    updated_at_us bigint NOT NULL,
    ended_at_us   bigint,
    respond_by_us bigint,
    view          jsonb  NOT NULL,
    CONSTRAINT request_views_pkey_rebuild PRIMARY KEY (id)
);
CREATE INDEX request_views_borrowing_rebuild ON request_views_rebuild (borrower, status, updated_at_us, id);
CREATE INDEX request_views_lending_rebuild ON request_views_rebuild (lender, status, updated_at_us, id);
CREATE INDEX request_views_respond_by_rebuild ON request_views_rebuild (respond_by_us)
    WHERE respond_by_us IS NOT NULL;

CREATE TABLE request_history_rebuild (
    request_id uuid   NOT NULL,
    sequence   bigint NOT NULL,
    entry      jsonb  NOT NULL,
    CONSTRAINT request_history_pkey_rebuild PRIMARY KEY (request_id, sequence)
);

CREATE TABLE library_directory_rebuild (
    id        text    NOT NULL,
    version   bigint  NOT NULL,
    name      text    NOT NULL,
    lends     boolean NOT NULL,
    suspended boolean NOT NULL,
    CONSTRAINT library_directory_pkey_rebuild PRIMARY KEY (id)
);

CREATE TABLE stats_requests_rebuild (
    request_id   uuid   NOT NULL,
    version      bigint NOT NULL,
    borrower     text   NOT NULL,
    placed_at_us bigint NOT NULL,
    routed_at_us bigint,
    CONSTRAINT stats_requests_pkey_rebuild PRIMARY KEY (request_id)
);

CREATE TABLE stats_library_day_rebuild (
    library   text   NOT NULL,
    day       date   NOT NULL,
    placed    bigint NOT NULL,
    filled    bigint NOT NULL,
    unfilled  bigint NOT NULL,
    cancelled bigint NOT NULL,
    received  bigint NOT NULL,
    shipped   bigint NOT NULL,
    declined  bigint NOT NULL,
    timed_out bigint NOT NULL,
    CONSTRAINT stats_library_day_pkey_rebuild PRIMARY KEY (library, day)
);
CREATE INDEX stats_library_day_day_rebuild ON stats_library_day_rebuild (day);

CREATE TABLE stats_declines_day_rebuild (
    library  text   NOT NULL,
    day      date   NOT NULL,
    reason   text   NOT NULL,
    declined bigint NOT NULL,
    CONSTRAINT stats_declines_day_pkey_rebuild PRIMARY KEY (library, day, reason)
);
CREATE INDEX stats_declines_day_day_rebuild ON stats_declines_day_rebuild (day);

CREATE TABLE stats_durations_rebuild (
    request_id uuid   NOT NULL,
    sequence   bigint NOT NULL,
    kind       text   NOT NULL,
    library    text   NOT NULL,
    day        date   NOT NULL,
    micros     bigint NOT NULL,
    CONSTRAINT stats_durations_pkey_rebuild PRIMARY KEY (request_id, sequence, kind)
);
CREATE INDEX stats_durations_library_day_rebuild ON stats_durations_rebuild (library, day);
CREATE INDEX stats_durations_day_rebuild ON stats_durations_rebuild (day);
