-- A command's events ($3..$6, one array element each) and its vault rows
-- (the patron when $9 is given, the note when $14 is), in one statement and
-- so one commit: a failed append leaves neither. The primary key on
-- (aggregate_type, aggregate_id, sequence) is the version check: a writer
-- that appended first makes this fail with 23505. Payloads pass through
-- jsonb, as postgres-es's binds did, so stored text keeps one form.
WITH patron AS (
    INSERT INTO patrons (patron_ref, request_id, barcode, name, email, saved_at_us)
    SELECT $9, $8, $10, $11, $12, $13
     WHERE $9::uuid IS NOT NULL
    ON CONFLICT (patron_ref) DO NOTHING
), note AS (
    INSERT INTO notes (note_id, request_id, text, saved_at_us)
    SELECT $14, $8, $15, $13
     WHERE $14::uuid IS NOT NULL
    ON CONFLICT (note_id) DO NOTHING
)
INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
SELECT $1, $2, e.sequence, e.event_type, e.event_version, e.payload::jsonb::json, $7::jsonb::json
  FROM UNNEST($3::bigint[], $4::text[], $5::text[], $6::text[])
       AS e(sequence, event_type, event_version, payload)
