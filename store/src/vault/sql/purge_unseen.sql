DELETE FROM {table} WHERE request_id = $1 AND saved_at_us < $2
