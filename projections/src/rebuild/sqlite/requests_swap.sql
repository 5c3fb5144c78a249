-- Replaces projection "requests"'s rows with the rebuilt twins' (SQLite has no
-- index renames; its stores are small). Runs inside the swap transaction.

DELETE FROM request_views;
INSERT INTO request_views SELECT * FROM request_views_rebuild;
DELETE FROM lender_waiting;
INSERT INTO lender_waiting SELECT * FROM lender_waiting_rebuild;
