-- The copies of the members whose record changed (catalog_moves) follow them:
-- one hash join.
UPDATE holdings
   SET record_id = m.record_id
  FROM catalog_moves m
 WHERE holdings.batch = m.batch AND holdings.position = m.position
