-- The identifier rows to insert of records in ids ($2, $3]: written now,
-- marked with the batch (hidden until its switch).
INSERT INTO catalog_identifiers (kind, value, record_id, batch)
SELECT kind, value, record_id, batch
  FROM catalog_staged_identifiers
 WHERE batch = $1 AND record_id > $2 AND record_id <= $3 AND NOT gone
ON CONFLICT (kind, value, record_id) DO NOTHING
