-- Empties projection "requests"'s rebuild twins.
DELETE FROM request_views_rebuild;
DELETE FROM request_history_rebuild;
