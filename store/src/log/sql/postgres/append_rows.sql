-- A batch of events in one statement, stored in the order given; a missing
-- recorded_at is the column's default, the time of appending.
INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                    payload, metadata, recorded_at)
SELECT t, i, s, e, v, p::json, m::json, coalesce(r, clock_timestamp())
  FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[],
              $7::text[], $8::timestamptz[]) WITH ORDINALITY AS u(t, i, s, e, v, p, m, r, n)
 ORDER BY n
