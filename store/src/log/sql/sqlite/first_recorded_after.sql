SELECT recorded_at FROM events WHERE global_position > $1
 ORDER BY global_position LIMIT 1
