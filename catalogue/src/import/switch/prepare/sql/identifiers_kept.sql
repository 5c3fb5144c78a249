-- Computed identifier rows of records in ids ($2, $3] already stored (and
-- seen): nothing to write.
DELETE FROM catalog_staged_identifiers
 WHERE batch = $1 AND record_id > $2 AND record_id <= $3 AND NOT gone
   AND EXISTS (SELECT 1 FROM catalog_identifiers i
                WHERE i.kind = catalog_staged_identifiers.kind
                  AND i.value = catalog_staged_identifiers.value
                  AND i.record_id = catalog_staged_identifiers.record_id
                  AND (i.batch IS NULL
                       OR i.batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running')))
