-- Adds a batch's counts per library and day (one array per column).
INSERT INTO {days} (library, day, placed, filled, unfilled, cancelled, received, shipped,
                    declined, timed_out)
SELECT * FROM UNNEST($1::text[], $2::date[], $3::bigint[], $4::bigint[], $5::bigint[],
                     $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
ON CONFLICT (library, day) DO UPDATE SET
    placed = {days}.placed + excluded.placed,
    filled = {days}.filled + excluded.filled,
    unfilled = {days}.unfilled + excluded.unfilled,
    cancelled = {days}.cancelled + excluded.cancelled,
    received = {days}.received + excluded.received,
    shipped = {days}.shipped + excluded.shipped,
    declined = {days}.declined + excluded.declined,
    timed_out = {days}.timed_out + excluded.timed_out
