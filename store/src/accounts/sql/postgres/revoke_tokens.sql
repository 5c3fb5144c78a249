UPDATE account_tokens SET revoked_at = now()
 WHERE library = $1 AND name = $2 AND revoked_at IS NULL
