-- Computed records in ids ($2, $3] stored already, column for column (their
-- ids left the touched records just before): nothing to write.
DELETE FROM catalog_staged_records
 WHERE batch = $1 AND id > $2 AND id <= $3
   AND NOT EXISTS (SELECT 1 FROM catalog_staged_touched t
                    WHERE t.batch = catalog_staged_records.batch
                      AND t.record_id = catalog_staged_records.id)
   AND EXISTS (SELECT 1 FROM catalog_records r
                WHERE r.id = catalog_staged_records.id
                  AND (r.batch IS NULL
                       OR r.batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running')))
