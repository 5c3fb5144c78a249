-- Each stream's last sequence in the pass's snapshot, from the primary key's
-- index alone (src/rebuild/sqlite/mod.rs).
SELECT aggregate_type, aggregate_id, max(sequence) FROM events
 GROUP BY aggregate_type, aggregate_id
