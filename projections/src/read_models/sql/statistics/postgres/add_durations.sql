-- Records a batch's new durations (one array per column); one already
-- recorded is kept.
INSERT INTO {durations} (request_id, sequence, kind, library, day, micros)
SELECT * FROM UNNEST($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::date[],
                     $6::bigint[])
ON CONFLICT (request_id, sequence, kind) DO NOTHING
