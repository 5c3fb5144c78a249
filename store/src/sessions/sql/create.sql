INSERT INTO sessions (token_hash, library, name, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)
