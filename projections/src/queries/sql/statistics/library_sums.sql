-- Each library's counts summed over the days $1..=$2; the filter narrows
-- them to library $3 alone, or is empty.
SELECT library,
       CAST(sum(placed) AS BIGINT) AS placed, CAST(sum(filled) AS BIGINT) AS filled,
       CAST(sum(unfilled) AS BIGINT) AS unfilled, CAST(sum(cancelled) AS BIGINT) AS cancelled,
       CAST(sum(received) AS BIGINT) AS received, CAST(sum(shipped) AS BIGINT) AS shipped,
       CAST(sum(declined) AS BIGINT) AS declined, CAST(sum(timed_out) AS BIGINT) AS timed_out
  FROM stats_library_day
 WHERE {library_filter} day BETWEEN $1 AND $2
 GROUP BY library
