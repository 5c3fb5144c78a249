SELECT global_position FROM events
 WHERE global_position IS NOT NULL ORDER BY global_position DESC LIMIT 1
