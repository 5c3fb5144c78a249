SELECT a.library, a.name, a.role, s.created_at, s.last_seen
  FROM sessions s JOIN accounts a ON a.library = s.library AND a.name = s.name
 WHERE s.token_hash = $1 AND NOT a.disabled
