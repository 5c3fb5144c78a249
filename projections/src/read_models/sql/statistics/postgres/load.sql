-- What the statistics track of a batch's requests ($1, an array of ids).
SELECT request_id, version, borrower, placed_at_us, routed_at_us
  FROM {requests}
 WHERE request_id = ANY($1)
