-- The event log: sqlite-es's stock columns and primary key (a primary-key
-- violation, code 1555, is how it recognises a concurrent writer), plus the
-- global order. SQLite has one writer at a time, so max + 1 cannot race and
-- positions commit in order.
CREATE TABLE events (
    aggregate_type  text                          NOT NULL,
    aggregate_id    text                          NOT NULL,
    sequence        integer CHECK (sequence >= 0) NOT NULL,
    event_type      text                          NOT NULL,
    event_version   text                          NOT NULL,
    payload         text                          NOT NULL,
    metadata        text                          NOT NULL,
    global_position integer,
    recorded_at     text                          NOT NULL
        DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
) STRICT;

CREATE UNIQUE INDEX events_global_position ON events (global_position);

CREATE TRIGGER events_global_position AFTER INSERT ON events
WHEN NEW.global_position IS NULL
BEGIN
    UPDATE events
       SET global_position = (SELECT coalesce(max(global_position), 0) + 1 FROM events)
     WHERE rowid = NEW.rowid;
END;
