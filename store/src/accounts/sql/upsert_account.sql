INSERT INTO accounts (library, name, role) VALUES ($1, $2, $3)
ON CONFLICT (library, name) DO UPDATE SET role = excluded.role
RETURNING disabled
