-- Empties projection "requests"'s rebuild twins.
TRUNCATE request_views_rebuild;
