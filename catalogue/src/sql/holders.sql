-- Each holding library of a record, with whether any of its copies lends.
SELECT library, max(CASE WHEN lendable THEN 1 ELSE 0 END) = 1 AS lendable
  FROM holdings
 WHERE record_id = $1
 GROUP BY library
