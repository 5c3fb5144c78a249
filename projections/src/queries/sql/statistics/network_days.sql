-- The network's days (migration 0006) in $1..=$2: totals and months.
SELECT day, placed, filled, unfilled, cancelled, shipped
  FROM stats_network_day
 WHERE day BETWEEN $1 AND $2
