-- Requests waiting for library $1's answer as their current lender.
SELECT id FROM request_views
 WHERE lender = $1 AND status = 'REQUESTED'
 ORDER BY updated_at_us, id
