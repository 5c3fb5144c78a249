INSERT INTO notes (note_id, request_id, text, saved_at_us) VALUES ($1, $2, $3, $4)
ON CONFLICT (note_id) DO NOTHING
