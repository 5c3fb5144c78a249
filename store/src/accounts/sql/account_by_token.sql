SELECT a.library, a.name, a.role
  FROM account_tokens t JOIN accounts a ON a.library = t.library AND a.name = t.name
 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT a.disabled
