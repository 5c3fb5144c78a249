-- The import's counts, while it still holds its library's lock.
UPDATE holdings_imports
   SET records = $2, holdings = $3, rejected = $4, errors = $5
 WHERE id = $1 AND state = 'running'
