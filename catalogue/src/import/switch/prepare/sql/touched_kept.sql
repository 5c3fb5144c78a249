-- Touched records in ids ($2, $3] whose computed record is the one stored,
-- column for column: the switch keeps them.
DELETE FROM catalog_staged_touched
 WHERE batch = $1 AND record_id > $2 AND record_id <= $3
   AND EXISTS (SELECT 1
                 FROM catalog_staged_records s
                 JOIN catalog_records r ON r.id = s.id
                WHERE s.batch = catalog_staged_touched.batch
                  AND s.id = catalog_staged_touched.record_id
                  AND (r.batch IS NULL
                       OR r.batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running'))
                  AND r.title = s.title
                  AND r.author IS NOT DISTINCT FROM s.author
                  AND r.publisher IS NOT DISTINCT FROM s.publisher
                  AND r.year IS NOT DISTINCT FROM s.year
                  AND r.edition IS NOT DISTINCT FROM s.edition
                  AND r.lccn IS NOT DISTINCT FROM s.lccn
                  AND r.isbns = s.isbns AND r.issns = s.issns
                  AND r.oclc_numbers = s.oclc_numbers
                  AND r.words = s.words AND r.lendable_by = s.lendable_by)
