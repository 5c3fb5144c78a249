SELECT recorded_at FROM events
 WHERE (tx_id, global_position) > ($1::text::xid8, $2)
 ORDER BY tx_id, global_position LIMIT 1
