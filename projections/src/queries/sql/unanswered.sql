-- Requests whose answer was due by $1 and is still awaited.
SELECT id FROM request_views
 WHERE respond_by_us <= $1 AND status IN ('REQUESTED', 'CONDITIONAL')
 ORDER BY respond_by_us, id
