-- One event of a batch (a row at a time in the batch's transaction); a
-- missing recorded_at is the column's default, the time of appending.
INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                    payload, metadata, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, coalesce($8, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))
