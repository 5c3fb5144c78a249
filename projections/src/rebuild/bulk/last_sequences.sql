-- Each stream's last sequence in the pass's snapshot (sequences run 1, 2, ...),
-- from the primary key's index alone where the log is all-visible
-- (src/rebuild/bulk/mod.rs, `Plan::counted`).
SELECT aggregate_type, aggregate_id, max(sequence) FROM events
 GROUP BY aggregate_type, aggregate_id
