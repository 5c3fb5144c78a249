INSERT INTO account_tokens (token_hash, library, name) VALUES ($1, $2, $3)
