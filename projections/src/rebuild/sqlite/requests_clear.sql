-- Empties projection "requests"'s rebuild twins.
DELETE FROM request_views_rebuild;
