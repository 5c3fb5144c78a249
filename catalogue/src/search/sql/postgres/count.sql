-- How many records a query finds: those whose words hold every query word
-- ($1, a tsquery), and those holding an identifier the query reads as ($2
-- ISBN, $3 ISSN, $4 OCLC, $5 LCCN; NULL when it is none) that the words did
-- not find already. Rows of a running import are hidden (migration 0018).
SELECT (SELECT count(*) FROM catalog_records AS r
         WHERE r.words_vector @@ $1::tsquery AND (r.batch IS NULL OR r.batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running')))
     + (SELECT count(DISTINCT r.id)
        FROM catalog_identifiers AS i JOIN catalog_records AS r ON r.id = i.record_id
        WHERE ((i.kind = 'isbn' AND i.value = $2)
            OR (i.kind = 'issn' AND i.value = $3)
            OR (i.kind = 'oclc' AND i.value = $4)
            OR (i.kind = 'lccn' AND i.value = $5))
          AND (i.batch IS NULL OR i.batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running'))
          AND (r.batch IS NULL OR r.batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running'))
          AND NOT r.words_vector @@ $1::tsquery) AS total
