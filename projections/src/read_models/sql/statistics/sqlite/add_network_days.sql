-- Adds counts summed over the libraries to a day.
INSERT INTO {network_days} (day, placed, filled, unfilled, cancelled, received, shipped,
                            declined, timed_out)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (day) DO UPDATE SET
    placed = {network_days}.placed + excluded.placed,
    filled = {network_days}.filled + excluded.filled,
    unfilled = {network_days}.unfilled + excluded.unfilled,
    cancelled = {network_days}.cancelled + excluded.cancelled,
    received = {network_days}.received + excluded.received,
    shipped = {network_days}.shipped + excluded.shipped,
    declined = {network_days}.declined + excluded.declined,
    timed_out = {network_days}.timed_out + excluded.timed_out
