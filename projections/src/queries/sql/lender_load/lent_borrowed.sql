-- What each library {libraries} shipped as a lender and had filled as a
-- borrower over the days $1..=$2: LendingStats.shipped and
-- BorrowingStats.filled, summed as the statistics sum them.
SELECT library,
       CAST(sum(shipped) AS BIGINT) AS lent,
       CAST(sum(filled) AS BIGINT) AS borrowed
  FROM stats_library_day
 WHERE library {libraries} AND day BETWEEN $1 AND $2
 GROUP BY library
