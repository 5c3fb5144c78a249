-- Empties projection "requests"'s rebuild twins.
DELETE FROM request_views_rebuild;
DELETE FROM lender_waiting_rebuild;
