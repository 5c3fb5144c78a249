-- Adds declines summed over the libraries to a day and reason.
INSERT INTO {network_declines} (day, reason, declined) VALUES ($1, $2, $3)
ON CONFLICT (day, reason) DO UPDATE SET
    declined = {network_declines}.declined + excluded.declined
