INSERT INTO accounts (library, name, role, password_hash) VALUES ($1, $2, COALESCE($3, 'STAFF'), $4)
ON CONFLICT (library, name) DO UPDATE
   SET password_hash = excluded.password_hash, role = COALESCE($3, accounts.role)
RETURNING library, name, role
