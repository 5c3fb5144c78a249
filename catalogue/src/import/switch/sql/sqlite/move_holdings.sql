-- The copies of the members whose record changed (catalog_moves) follow them,
-- reached through the scratch table's own rows: SQLite's UPDATE … FROM would
-- scan the whole table instead.
UPDATE holdings
   SET record_id = (SELECT m.record_id FROM catalog_moves m
                     WHERE m.batch = holdings.batch
                       AND m.position = holdings.position)
 WHERE (batch, position) IN (SELECT batch, position FROM catalog_moves)
