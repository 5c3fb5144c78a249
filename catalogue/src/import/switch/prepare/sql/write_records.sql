-- The computed records in ids ($2, $3] with ids no record has: written now,
-- marked with the batch (hidden until its switch). Another running import
-- may write the same id meanwhile: the switch of the first to go live
-- writes it.
INSERT INTO catalog_records (id, title, author, publisher, year, edition, lccn, isbns, issns,
                             oclc_numbers, words, lendable_by, batch)
SELECT s.id, s.title, s.author, s.publisher, s.year, s.edition, s.lccn, s.isbns, s.issns,
       s.oclc_numbers, s.words, s.lendable_by, s.batch
  FROM catalog_staged_records s
 WHERE s.batch = $1 AND s.id > $2 AND s.id <= $3
   AND NOT EXISTS (SELECT 1 FROM catalog_records r WHERE r.id = s.id)
ON CONFLICT (id) DO NOTHING
