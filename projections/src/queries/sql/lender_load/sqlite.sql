-- The automatic rota's figures for each library of $3 (a JSON list), in one
-- statement (so one snapshot): what it shipped as a lender and had filled as
-- a borrower over the days $1..=$2 (LendingStats.shipped and
-- BorrowingStats.filled, summed as the statistics sum them), read by the
-- (library, day) primary key; and how many requests wait at it now as their
-- current lender, as the requests projection counts them (lender_waiting).
-- A library has at most one row of each kind; none where it has nothing.
SELECT library,
       CAST(sum(shipped) AS BIGINT) AS lent,
       CAST(sum(filled) AS BIGINT) AS borrowed,
       CAST(0 AS BIGINT) AS waiting
  FROM stats_library_day
 WHERE library IN (SELECT value FROM json_each($3)) AND day BETWEEN $1 AND $2
 GROUP BY library
UNION ALL
SELECT library, CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(waiting AS BIGINT)
  FROM lender_waiting
 WHERE library IN (SELECT value FROM json_each($3))
