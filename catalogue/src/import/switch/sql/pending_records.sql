-- The next records to write, after id $1, $2 at most: each with its
-- representative member's text and its lendable_by (member libraries with a
-- lendable copy that lend and are not suspended: catalog_lenders' word, else
-- the directory's), once the holdings carry their new record ids.
SELECT p.id, m.title, m.author, m.publisher, m.year, m.edition,
       p.lccn, p.isbns, p.issns, p.oclc_numbers,
       CAST((SELECT count(DISTINCT h.library)
               FROM holdings h
               LEFT JOIN catalog_lenders l ON l.library = h.library
               LEFT JOIN library_directory d ON d.id = h.library
              WHERE h.record_id = p.id
                AND h.lendable
                AND coalesce(l.lending, d.lends AND NOT d.suspended, false)) AS BIGINT) AS lendable_by
  FROM catalog_pending_records p
  JOIN catalog_members m ON m.batch = p.batch AND m.position = p.position
 WHERE p.id > $1
 ORDER BY p.id
 LIMIT $2
