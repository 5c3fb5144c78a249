-- Empties projection "requests"'s rebuild twins.
TRUNCATE request_views_rebuild;
TRUNCATE lender_waiting_rebuild;
