-- Writes what the statistics track of a batch's requests (one array per
-- column); the borrower and the placing time never change.
INSERT INTO {requests} (request_id, version, borrower, placed_at_us, routed_at_us)
SELECT * FROM UNNEST($1::uuid[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[])
ON CONFLICT (request_id) DO UPDATE SET
    version = excluded.version, routed_at_us = excluded.routed_at_us
