DELETE FROM {table} WHERE EXISTS (
    SELECT 1 FROM request_views r
     WHERE r.id = {table}.request_id AND r.ended_at_us < $1)
