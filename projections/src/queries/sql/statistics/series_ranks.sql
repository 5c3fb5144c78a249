-- One series' durations in value order: $6 of them from the $5th
-- (0-based), of library $1's kind $2 on the days $3..=$4.
SELECT micros FROM stats_durations
 WHERE library = $1 AND kind = $2 AND day BETWEEN $3 AND $4
 ORDER BY micros LIMIT $6 OFFSET $5
