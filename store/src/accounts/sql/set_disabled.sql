UPDATE accounts SET disabled = $3
 WHERE library = $1 AND name = $2
RETURNING library, name, role
