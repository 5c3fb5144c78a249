-- A batch of the bulk path's events in one statement, stored in the order given.
INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                    payload, metadata)
SELECT t, i, s, e, v, p::json, m::json
  FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[],
              $7::text[]) WITH ORDINALITY AS u(t, i, s, e, v, p, m, n)
 ORDER BY n
