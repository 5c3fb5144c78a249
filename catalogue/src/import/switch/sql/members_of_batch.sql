-- A page of a staged batch's members ($1), after position $2, $3 at most:
-- none has a record yet; whether any of its copies lends.
SELECT m.batch, m.position, m.library, NULL AS record_id, m.lccn, m.isbns, m.issns,
       m.oclc_numbers, m.match_key,
       CAST(CASE WHEN EXISTS (SELECT 1 FROM holdings h
                               WHERE h.batch = m.batch AND h.position = m.position
                                 AND h.lendable)
                 THEN 1 ELSE 0 END AS BIGINT) AS lendable
  FROM catalog_members m
 WHERE m.batch = $1 AND m.position > $2
 ORDER BY m.position
 LIMIT $3
