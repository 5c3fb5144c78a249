SELECT aggregate_id, payload FROM events
 WHERE aggregate_type = $1
 ORDER BY aggregate_id, sequence
