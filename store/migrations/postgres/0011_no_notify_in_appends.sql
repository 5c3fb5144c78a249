-- No NOTIFY inside an append: a transaction that notifies takes PostgreSQL's
-- cluster-wide notify lock and holds it through its commit's WAL flush, so
-- appending commits queued behind one another and never shared a flush. The
-- server now wakes its own projector in-process and tells the other nodes
-- after the commit, outside it, coalesced (store::event_store::announce);
-- projectors still poll, so a lost notification only delays.
DROP TRIGGER events_appended ON events;
DROP FUNCTION notify_events_appended();
