-- One page of a catalogue search and the number of all its matches: records
-- whose words hold every query word ($1, an FTS5 query), and records holding
-- one of the identifiers the query reads as ($2 ISBN, $3 ISSN, $4 OCLC, $5
-- LCCN; NULL when it is none). Rows after the cursor ($6 lendable_by, $7 id),
-- at most $8; the count is the one row when the page is empty.
-- The page's records are read in the same statement as their matches.
WITH matches AS MATERIALIZED (
    SELECT r.id, r.lendable_by
    FROM catalog_search AS s
    JOIN catalog_search_rows AS k ON k.n = s.rowid
    JOIN catalog_records AS r ON r.id = k.record_id
    WHERE catalog_search MATCH $1
    UNION
    SELECT r.id, r.lendable_by
    FROM catalog_identifiers AS i JOIN catalog_records AS r ON r.id = i.record_id
    WHERE (i.kind = 'isbn' AND i.value = $2)
       OR (i.kind = 'issn' AND i.value = $3)
       OR (i.kind = 'oclc' AND i.value = $4)
       OR (i.kind = 'lccn' AND i.value = $5)
),
page AS (
    SELECT id, lendable_by FROM matches
    WHERE lendable_by < $6 OR (lendable_by = $6 AND id > $7)
    ORDER BY lendable_by DESC, id
    LIMIT $8
)
SELECT (SELECT count(*) FROM matches) AS total, r.id, r.title, r.author, r.publisher,
    r.year, r.edition, r.isbns, r.issns, r.oclc_numbers, r.lccn, page.lendable_by AS lendable_by
FROM (SELECT 1) AS one
LEFT JOIN page ON 1
LEFT JOIN catalog_records AS r ON r.id = page.id
ORDER BY page.lendable_by DESC, page.id
