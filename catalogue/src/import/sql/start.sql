-- Fails on holdings_imports_running while the library has a running import.
INSERT INTO holdings_imports (id, library, by_account, format, at_us, state, heartbeat_us)
VALUES ($1, $2, $3, $4, $5, 'running', $6)
