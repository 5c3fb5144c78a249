-- The network's 'receive' counts per bucket, summed over the day blocks
-- bound as $1, $2, … (one parameter per block, listed where the blocks go).
SELECT bucket, CAST(sum(n) AS BIGINT) FROM stats_receive_blocks
 WHERE block IN ({blocks}) GROUP BY bucket
