-- Writes a request's view row: every column takes the new row's.
INSERT INTO {views} (id, version, borrower, lender, status, updated_at_us, ended_at_us,
                     respond_by_us, needed_by, view)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (id) DO UPDATE SET
    version = excluded.version, borrower = excluded.borrower,
    lender = excluded.lender, status = excluded.status,
    updated_at_us = excluded.updated_at_us, ended_at_us = excluded.ended_at_us,
    respond_by_us = excluded.respond_by_us, needed_by = excluded.needed_by,
    view = excluded.view
