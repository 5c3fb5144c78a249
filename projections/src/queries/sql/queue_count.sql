-- How many requests of each status a library's queue holds, the statuses
-- bound into the same thirteen IN slots as the page.
SELECT status, count(*) AS n FROM request_views
 WHERE {side_column} = $1
   AND status IN ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
 GROUP BY status
