SELECT a.library, a.name, a.role, a.disabled,
       (SELECT count(*) FROM account_tokens t
         WHERE t.library = a.library AND t.name = a.name AND t.revoked_at IS NULL) AS tokens
  FROM accounts a
 WHERE ($1 IS NULL OR a.library = $1) AND ($2 IS NULL OR a.name = $2)
 ORDER BY a.library, a.name
