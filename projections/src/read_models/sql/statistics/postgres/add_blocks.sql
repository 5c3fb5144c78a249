-- Adds a batch's 'receive' durations counted per block and bucket (one array
-- per column).
INSERT INTO {blocks} (block, bucket, n)
SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[])
ON CONFLICT (block, bucket) DO UPDATE SET
    n = {blocks}.n + excluded.n
