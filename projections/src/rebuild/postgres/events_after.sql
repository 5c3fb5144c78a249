-- Events after ($1, $2) in the pass's snapshot, counted up to $3
-- (src/rebuild/postgres/plan.rs).
SELECT count(*) FROM (
    SELECT 1 FROM events
     WHERE (tx_id, global_position) > (CAST(CAST($1 AS text) AS xid8), $2)
       AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
     LIMIT $3) tail
