-- Adds counts to a library's day.
INSERT INTO {days} (library, day, placed, filled, unfilled, cancelled, received, shipped,
                    declined, timed_out)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (library, day) DO UPDATE SET
    placed = {days}.placed + excluded.placed,
    filled = {days}.filled + excluded.filled,
    unfilled = {days}.unfilled + excluded.unfilled,
    cancelled = {days}.cancelled + excluded.cancelled,
    received = {days}.received + excluded.received,
    shipped = {days}.shipped + excluded.shipped,
    declined = {days}.declined + excluded.declined,
    timed_out = {days}.timed_out + excluded.timed_out
