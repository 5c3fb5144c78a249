SELECT request_id FROM patrons p
 WHERE saved_at_us < $1
   AND NOT EXISTS (SELECT 1 FROM request_views r WHERE r.id = p.request_id)
UNION
SELECT request_id FROM notes n
 WHERE saved_at_us < $1
   AND NOT EXISTS (SELECT 1 FROM request_views r WHERE r.id = n.request_id)
