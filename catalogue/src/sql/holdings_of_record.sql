-- A record's copies, of live batches only.
SELECT library, local_id, call_number, location, lendable
  FROM holdings
 WHERE record_id = $1
   AND batch IN (SELECT id FROM holdings_imports WHERE state = 'live')
