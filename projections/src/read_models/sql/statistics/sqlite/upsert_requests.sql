-- Writes what the statistics track of a request; the borrower and the
-- placing time never change.
INSERT INTO {requests} (request_id, version, borrower, placed_at_us, routed_at_us)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (request_id) DO UPDATE SET
    version = excluded.version, routed_at_us = excluded.routed_at_us
