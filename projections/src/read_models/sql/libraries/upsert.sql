-- Writes a library's directory row: every column takes the new row's.
INSERT INTO {directory} (id, version, name, lends, suspended)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id) DO UPDATE SET
    version = excluded.version, name = excluded.name,
    lends = excluded.lends, suspended = excluded.suspended
