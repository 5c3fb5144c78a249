-- One page of a library's queue, oldest first by (updated_at, id), after a cursor.
-- Statuses are bound into thirteen IN slots (one per status, unused ones NULL,
-- which matches nothing): a fixed statement that uses the
-- (library, status, updated_at_us, id) indexes on both backends.
SELECT id, updated_at_us, CAST(NULL AS BIGINT) AS respond_key, view FROM request_views
 WHERE {side_column} = $1
   AND status IN ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
   AND (updated_at_us, id) > ($15, $16)
 ORDER BY updated_at_us, id
 LIMIT $17
