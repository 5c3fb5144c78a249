-- A twin's indexes that no constraint owns ($1: the twin), dropped before its
-- load and created again after it from these definitions
-- (src/rebuild/sqlite/load.rs).
SELECT name, sql FROM main.sqlite_master
 WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL
