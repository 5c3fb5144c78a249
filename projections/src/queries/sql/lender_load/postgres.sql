-- The automatic rota's figures for each library of $3 (an array), in one
-- statement (so one snapshot): what it shipped as a lender and had filled as
-- a borrower over the days $1..=$2 (LendingStats.shipped and
-- BorrowingStats.filled, summed as the statistics sum them), and how many
-- requests wait at it now as their current lender, as the requests
-- projection counts them (lender_waiting). One row per library.
--
-- The sum is taken per library (LATERAL) so that each reads its own days by
-- the (library, day) primary key: for all the libraries at once the planner
-- takes the day index instead, whose 90 days hold every library's rows
-- (15,000 read to keep 400 at 200 libraries).
SELECT c.library, s.lent, s.borrowed, CAST(coalesce(w.waiting, 0) AS BIGINT) AS waiting
  FROM unnest(CAST($3 AS text[])) AS c(library)
 CROSS JOIN LATERAL (
       SELECT CAST(coalesce(sum(d.shipped), 0) AS BIGINT) AS lent,
              CAST(coalesce(sum(d.filled), 0) AS BIGINT) AS borrowed
         FROM stats_library_day d
        WHERE d.library = c.library AND d.day BETWEEN $1 AND $2) AS s
  LEFT JOIN lender_waiting w ON w.library = c.library
