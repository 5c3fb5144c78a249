-- Each library's declines by reason, summed over the days $1..=$2; the
-- filter narrows them to library $3 alone, or is empty.
SELECT library, reason, CAST(sum(declined) AS BIGINT) AS declined
  FROM stats_declines_day
 WHERE {library_filter} day BETWEEN $1 AND $2
 GROUP BY library, reason
