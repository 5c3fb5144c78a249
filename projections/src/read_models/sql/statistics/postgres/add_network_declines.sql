-- Adds a batch's declines summed over the libraries, per day and reason (one
-- array per column).
INSERT INTO {network_declines} (day, reason, declined)
SELECT * FROM UNNEST($1::date[], $2::text[], $3::bigint[])
ON CONFLICT (day, reason) DO UPDATE SET
    declined = {network_declines}.declined + excluded.declined
