-- A request's history is its event stream, read from `events` by primary
-- key; the projected copy doubled what the projector and every rebuild wrote
-- and nothing read it.
DROP TABLE request_history;
DROP TABLE request_history_rebuild;
