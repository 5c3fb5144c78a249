-- The requests ever routed to a library (the library is in the view's
-- `asked`), with when each last reached an ended status.
SELECT id, ended_at_us FROM request_views
 WHERE EXISTS (SELECT 1 FROM json_each(view, '$.state.asked') WHERE value = $1)
