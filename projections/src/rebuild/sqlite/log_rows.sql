-- The log for a bulk pass, in global order (src/rebuild/sqlite/mod.rs):
-- SQLite commits positions in order, so the snapshot holds a prefix of it.
SELECT global_position, aggregate_type, aggregate_id, sequence, payload, metadata
  FROM events
 ORDER BY global_position
