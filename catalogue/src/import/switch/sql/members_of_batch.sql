-- A page of a staged batch's members ($1), after position $2, $3 at most:
-- none has a record yet.
SELECT batch, position, library, NULL AS record_id, lccn, isbns, issns, oclc_numbers, match_key
  FROM catalog_members
 WHERE batch = $1 AND position > $2
 ORDER BY position
 LIMIT $3
