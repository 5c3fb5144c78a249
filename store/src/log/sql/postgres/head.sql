SELECT tx_id::text AS tx, global_position FROM events
 ORDER BY tx_id DESC, global_position DESC LIMIT 1
