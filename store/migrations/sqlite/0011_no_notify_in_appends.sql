-- PostgreSQL's 0011 drops the events table's NOTIFY trigger. SQLite never had
-- one (one process owns the store and wakes its projector in-process); this
-- file keeps the two backends' migration numbers in step.
SELECT 1;
