-- Each holding library of a record, with whether any of its copies lends:
-- live batches only (a staged batch's copies have record ids before its
-- switch makes it live).
SELECT library, max(CASE WHEN lendable THEN 1 ELSE 0 END) = 1 AS lendable
  FROM holdings
 WHERE record_id = $1
   AND batch IN (SELECT id FROM holdings_imports WHERE state = 'live')
 GROUP BY library
