UPDATE account_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
 WHERE library = $1 AND name = $2 AND revoked_at IS NULL
