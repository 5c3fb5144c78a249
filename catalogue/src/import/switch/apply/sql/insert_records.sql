-- The computed records that are new or changed.
INSERT INTO catalog_records (id, title, author, publisher, year, edition, lccn, isbns, issns,
                             oclc_numbers, words, lendable_by)
SELECT id, title, author, publisher, year, edition, lccn, isbns, issns, oclc_numbers, words,
       lendable_by
  FROM catalog_staged_records
 WHERE batch = $1
