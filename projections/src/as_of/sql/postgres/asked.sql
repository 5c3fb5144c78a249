-- The requests ever routed to a library (the library is in the view's
-- `asked`), with when each last reached an ended status.
SELECT id, ended_at_us FROM request_views
 WHERE CAST(view -> 'state' -> 'asked' AS jsonb) @> jsonb_build_array(CAST($1 AS text))
