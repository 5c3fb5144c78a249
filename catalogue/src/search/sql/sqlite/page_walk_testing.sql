-- The same page as page_by_matches.sql, read by walking the records in
-- their order and keeping those that match until the page is full (for a
-- query that finds many: the walk stops early), each record tested against
-- the word index on its own (for a query that finds so many that the page
-- fills within a few hundred records, cheaper than gathering every match).
-- Rows of a running import are hidden (migration 0018).
SELECT r.id, r.title, r.author, r.publisher, r.year, r.edition, r.isbns, r.issns,
       r.oclc_numbers, r.lccn, r.lendable_by
FROM catalog_records AS r CROSS JOIN catalog_search_rows AS k ON k.record_id = r.id
WHERE (-r.lendable_by, r.id) > (-$6, $7)
  AND (r.batch IS NULL OR r.batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running'))
  AND (EXISTS (SELECT 1 FROM catalog_search WHERE catalog_search MATCH $1 AND rowid = k.n)
       OR r.id IN (SELECT record_id FROM catalog_identifiers
                   WHERE ((kind = 'isbn' AND value = $2)
                      OR (kind = 'issn' AND value = $3)
                      OR (kind = 'oclc' AND value = $4)
                      OR (kind = 'lccn' AND value = $5))
                     AND (batch IS NULL OR batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running'))))
ORDER BY -r.lendable_by, r.id
LIMIT $8
