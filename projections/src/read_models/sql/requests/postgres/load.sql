-- The view rows of a batch's requests ($1, an array of ids).
SELECT id, view, ended_at_us FROM {views} WHERE id = ANY($1)
