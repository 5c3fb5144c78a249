-- Whether the log's planner statistics are missing or stale by autovacuum's own
-- measure: a tenth of the table changed since (src/rebuild/postgres/mod.rs).
SELECT coalesce(bool_or(s.n_mod_since_analyze > greatest(c.reltuples, 1000) / 10
                        OR (s.last_analyze IS NULL AND s.last_autoanalyze IS NULL)), true)
  FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
 WHERE s.relid = CAST('events' AS regclass)
