-- Adds declines to a library's day and reason.
INSERT INTO {declines} (library, day, reason, declined) VALUES ($1, $2, $3, $4)
ON CONFLICT (library, day, reason) DO UPDATE SET
    declined = {declines}.declined + excluded.declined
