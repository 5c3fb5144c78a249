-- A twin's scratch table in the writer connection's temporary database: the
-- twin's columns, no constraint, no index (src/rebuild/sqlite/scratch.rs).
CREATE TEMP TABLE {scratch} AS SELECT * FROM main.{twin} WHERE 0
