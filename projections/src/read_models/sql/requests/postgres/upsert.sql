-- Writes a batch's view rows (one array per column): every column takes the
-- new row's.
INSERT INTO {views} (id, version, borrower, lender, status, updated_at_us, ended_at_us,
                     respond_by_us, needed_by, view)
SELECT id, version, borrower, lender, status, updated_at_us, ended_at_us,
       respond_by_us, needed_by, view::json
  FROM UNNEST($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[],
              $6::bigint[], $7::bigint[], $8::bigint[], $9::text[], $10::text[])
    AS u(id, version, borrower, lender, status, updated_at_us, ended_at_us,
         respond_by_us, needed_by, view)
ON CONFLICT (id) DO UPDATE SET
    version = excluded.version, borrower = excluded.borrower,
    lender = excluded.lender, status = excluded.status,
    updated_at_us = excluded.updated_at_us, ended_at_us = excluded.ended_at_us,
    respond_by_us = excluded.respond_by_us, needed_by = excluded.needed_by,
    view = excluded.view
