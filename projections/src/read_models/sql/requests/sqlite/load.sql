-- A request's view row.
SELECT view, ended_at_us FROM {views} WHERE id = $1
