-- The network's 'receive' durations in the buckets from $1 to before $2,
-- counted on the days $3..=$4: from the $5th (0-based) on, at most $6.
SELECT micros FROM stats_durations
 WHERE kind = 'receive' AND micros >= $1 AND micros < $2 AND day BETWEEN $3 AND $4
 ORDER BY micros LIMIT $6 OFFSET $5
