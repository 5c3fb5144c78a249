-- Adds a count of 'receive' durations to a block and bucket.
INSERT INTO {blocks} (block, bucket, n) VALUES ($1, $2, $3)
ON CONFLICT (block, bucket) DO UPDATE SET
    n = {blocks}.n + excluded.n
