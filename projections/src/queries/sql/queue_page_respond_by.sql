-- One page of a library's queue, what must be answered first: by respond_by
-- (requests without one after, keyed as the largest bigint), then as
-- (updated_at, id), after a cursor. Statuses in thirteen IN slots as in
-- queue_page.sql; a library's open queue is small, so the sort is cheap.
SELECT id, updated_at_us, respond_key, view FROM (
  SELECT id, updated_at_us, COALESCE(respond_by_us, 9223372036854775807) AS respond_key, view
    FROM request_views
   WHERE {side_column} = $1
     AND status IN ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
) AS queue
 WHERE (respond_key, updated_at_us, id) > ($15, $16, $17)
 ORDER BY respond_key, updated_at_us, id
 LIMIT $18
