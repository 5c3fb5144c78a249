-- The log for a bulk pass (src/rebuild/postgres/decode.rs), in the log reader's
-- order below the transaction horizon; the bound, when the pass stops early,
-- is spliced in as text (COPY takes no parameters).
COPY (SELECT e.tx_id::text AS tx, e.global_position, e.aggregate_type,
             e.aggregate_id, e.sequence, e.payload, e.metadata
        FROM events e
       WHERE e.tx_id < pg_snapshot_xmin(pg_current_snapshot()) {bound}
       ORDER BY e.tx_id, e.global_position) TO STDOUT
