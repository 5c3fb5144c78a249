-- A twin's indexes that no constraint owns ($1: the twin), dropped before its
-- COPY and created again after it from these definitions.
SELECT i.relname::text, pg_get_indexdef(i.oid) FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
 WHERE x.indrelid = $1::regclass
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
