-- A page of the records whose words hold every query word ($1, a tsquery),
-- after the cursor ($2 lendable_by, $3 id), at most $4. The planner walks
-- the order index for a common word and the word index for a rare one.
-- Rows of a running import are hidden (migration 0018).
SELECT id, title, author, publisher, year, edition, isbns, issns, oclc_numbers, lccn,
       lendable_by::bigint AS lendable_by
FROM catalog_records
WHERE words_vector @@ $1::tsquery
  AND (batch IS NULL OR batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running'))
  AND (-lendable_by, id) > (-$2::bigint, $3)
ORDER BY -lendable_by, id
LIMIT $4
