-- A page of the records whose words hold every query word ($1, a tsquery)
-- or that hold an identifier the query reads as ($2 ISBN, $3 ISSN, $4 OCLC,
-- $5 LCCN; NULL when it is none), each once: the identifiers' records that
-- the words found already are left out of the second part. After the cursor
-- ($6 lendable_by, $7 id), at most $8. Rows of a running import are hidden
-- (migration 0018).
SELECT id, title, author, publisher, year, edition, isbns, issns, oclc_numbers, lccn,
       lendable_by::bigint AS lendable_by
FROM (
    SELECT * FROM catalog_records
    WHERE words_vector @@ $1::tsquery AND (batch IS NULL OR batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running'))
    UNION ALL
    SELECT r.* FROM catalog_records AS r
    WHERE r.id IN (SELECT record_id FROM catalog_identifiers
                   WHERE ((kind = 'isbn' AND value = $2)
                      OR (kind = 'issn' AND value = $3)
                      OR (kind = 'oclc' AND value = $4)
                      OR (kind = 'lccn' AND value = $5))
                     AND (batch IS NULL OR batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running')))
      AND (r.batch IS NULL OR r.batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running'))
      AND NOT r.words_vector @@ $1::tsquery
) AS found
WHERE (-lendable_by, id) > (-$6::bigint, $7)
ORDER BY -lendable_by, id
LIMIT $8
