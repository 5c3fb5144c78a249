-- The computed records in ids ($2, $3] written already.
DELETE FROM catalog_staged_records
 WHERE batch = $1 AND id > $2 AND id <= $3
   AND EXISTS (SELECT 1 FROM catalog_records r
                WHERE r.id = catalog_staged_records.id AND r.batch = $1)
