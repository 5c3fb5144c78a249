-- The event log: postgres-es's stock columns and primary key (a primary-key
-- violation is how it recognises a concurrent writer), plus the global order.
CREATE TABLE events (
    aggregate_type  text                         NOT NULL,
    aggregate_id    text                         NOT NULL,
    sequence        bigint CHECK (sequence >= 0) NOT NULL,
    event_type      text                         NOT NULL,
    event_version   text                         NOT NULL,
    payload         json                         NOT NULL,
    metadata        json                         NOT NULL,
    -- Gaps are normal: a failed insert consumes a value.
    global_position bigserial                    NOT NULL,
    recorded_at     timestamptz                  NOT NULL DEFAULT clock_timestamp(),
    -- Readers take only rows below the oldest running transaction, ordered
    -- by (tx_id, global_position), so a late commit is never skipped.
    tx_id           xid8                         NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);

CREATE UNIQUE INDEX events_global_order ON events (tx_id, global_position);
CREATE UNIQUE INDEX events_global_position ON events (global_position);

-- Wakes the projectors; they poll as well, so a lost notification only delays.
CREATE FUNCTION notify_events_appended() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ill_events', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER events_appended
    AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION notify_events_appended();
