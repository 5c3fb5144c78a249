-- A page of the records whose words hold every query word ($1, an FTS5
-- query) or that hold an identifier the query reads as ($2 ISBN, $3 ISSN,
-- $4 OCLC, $5 LCCN; NULL when it is none), each once, after the cursor ($6
-- lendable_by, $7 id), at most $8: every match read, then sorted (for a
-- query that finds few). Rows of a running import are hidden (migration
-- 0018).
SELECT r.id, r.title, r.author, r.publisher, r.year, r.edition, r.isbns, r.issns,
       r.oclc_numbers, r.lccn, r.lendable_by
FROM catalog_records AS r
WHERE r.id IN (
        SELECT k.record_id
        FROM catalog_search AS s JOIN catalog_search_rows AS k ON k.n = s.rowid
        WHERE catalog_search MATCH $1
        UNION
        SELECT record_id FROM catalog_identifiers
        WHERE ((kind = 'isbn' AND value = $2)
            OR (kind = 'issn' AND value = $3)
            OR (kind = 'oclc' AND value = $4)
            OR (kind = 'lccn' AND value = $5))
          AND (batch IS NULL OR batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running')))
  AND (r.batch IS NULL OR r.batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running'))
  AND (-r.lendable_by, r.id) > (-$6, $7)
ORDER BY -r.lendable_by, r.id
LIMIT $8
