-- What the statistics track of a request.
SELECT request_id, version, borrower, placed_at_us, routed_at_us
  FROM {requests}
 WHERE request_id = $1
