SELECT library, name, role, password_hash FROM accounts WHERE library = $1 AND name = $2
