-- How many records a query finds: those whose words hold every query word
-- ($1, an FTS5 query), and those holding an identifier the query reads as
-- ($2 ISBN, $3 ISSN, $4 OCLC, $5 LCCN; NULL when it is none) that the words
-- did not find already. And how many rows the word index has numbered (its
-- highest number: at least the records there are), for choosing the page's
-- plan. Rows of a running import are hidden (migration 0018): the words'
-- count takes away those it holds, read from the running imports' side
-- (CROSS JOIN keeps SQLite to that order): usually none runs and nothing is
-- read, where testing every match instead cost 100 ms for "the".
SELECT (SELECT count(*) FROM catalog_search WHERE catalog_search MATCH $1)
     - (SELECT count(*)
        FROM holdings_imports AS i
        CROSS JOIN catalog_records AS r
        CROSS JOIN catalog_search_rows AS k
        WHERE i.state = 'running' AND r.batch = i.id AND k.record_id = r.id
          AND k.n IN (SELECT rowid FROM catalog_search WHERE catalog_search MATCH $1))
     + (SELECT count(DISTINCT r.id)
        FROM catalog_identifiers AS i
        JOIN catalog_records AS r ON r.id = i.record_id
        JOIN catalog_search_rows AS k ON k.record_id = r.id
        WHERE ((i.kind = 'isbn' AND i.value = $2)
            OR (i.kind = 'issn' AND i.value = $3)
            OR (i.kind = 'oclc' AND i.value = $4)
            OR (i.kind = 'lccn' AND i.value = $5))
          AND (i.batch IS NULL OR i.batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running'))
          AND (r.batch IS NULL OR r.batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running'))
          AND k.n NOT IN (SELECT rowid FROM catalog_search WHERE catalog_search MATCH $1)) AS total,
       (SELECT coalesce(max(n), 0) FROM catalog_search_rows) AS numbered
