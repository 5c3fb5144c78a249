SELECT library, local_id, call_number, location, lendable
  FROM holdings
 WHERE record_id = $1
