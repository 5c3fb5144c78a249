-- Identifier rows of the touched records in ids ($2, $3] that no computed
-- cluster holds: the switch deletes them. Rows of a running import are no
-- one's yet.
INSERT INTO catalog_staged_identifiers (batch, kind, value, record_id, gone)
SELECT t.batch, i.kind, i.value, i.record_id, true
  FROM catalog_staged_touched t
  JOIN catalog_identifiers i ON i.record_id = t.record_id
 WHERE t.batch = $1 AND t.record_id > $2 AND t.record_id <= $3
   AND (i.batch IS NULL OR i.batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running'))
   AND NOT EXISTS (SELECT 1 FROM catalog_staged_identifiers s
                    WHERE s.batch = t.batch AND s.record_id = i.record_id
                      AND s.kind = i.kind AND s.value = i.value)
