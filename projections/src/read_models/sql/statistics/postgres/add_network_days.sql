-- Adds a batch's counts summed over the libraries, per day (one array per
-- column).
INSERT INTO {network_days} (day, placed, filled, unfilled, cancelled, received, shipped,
                            declined, timed_out)
SELECT * FROM UNNEST($1::date[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[],
                     $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])
ON CONFLICT (day) DO UPDATE SET
    placed = {network_days}.placed + excluded.placed,
    filled = {network_days}.filled + excluded.filled,
    unfilled = {network_days}.unfilled + excluded.unfilled,
    cancelled = {network_days}.cancelled + excluded.cancelled,
    received = {network_days}.received + excluded.received,
    shipped = {network_days}.shipped + excluded.shipped,
    declined = {network_days}.declined + excluded.declined,
    timed_out = {network_days}.timed_out + excluded.timed_out
