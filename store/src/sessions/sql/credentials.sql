SELECT library, name, role, password_hash, disabled FROM accounts WHERE library = $1 AND name = $2
