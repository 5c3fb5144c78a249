-- The network's declines by reason, summed over the days $1..=$2.
SELECT reason, CAST(sum(declined) AS BIGINT) AS declined
  FROM stats_network_declines_day
 WHERE day BETWEEN $1 AND $2
 GROUP BY reason
