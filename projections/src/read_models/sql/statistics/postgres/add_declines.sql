-- Adds a batch's declines per library, day and reason (one array per column).
INSERT INTO {declines} (library, day, reason, declined)
SELECT * FROM UNNEST($1::text[], $2::date[], $3::text[], $4::bigint[])
ON CONFLICT (library, day, reason) DO UPDATE SET
    declined = {declines}.declined + excluded.declined
