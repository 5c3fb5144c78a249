SELECT id, title, author, publisher, year, edition, lccn, isbns, issns, oclc_numbers,
       CAST(lendable_by AS BIGINT) AS lendable_by
  FROM catalog_records
 WHERE id = $1
   AND (batch IS NULL OR batch NOT IN (SELECT id FROM holdings_imports WHERE state = 'running'))
