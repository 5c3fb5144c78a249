-- The next computed clusters, after id $2, $3 at most: each with its
-- representative's text.
SELECT c.id, m.title, m.author, m.publisher, m.year, m.edition, c.lccn, c.isbns, c.issns,
       c.oclc_numbers, CAST(c.lendable_by AS BIGINT) AS lendable_by
  FROM catalog_staged_clusters c
  JOIN catalog_members m ON m.batch = c.rep_batch AND m.position = c.rep_position
 WHERE c.batch = $1 AND c.id > $2
 ORDER BY c.id
 LIMIT $3
