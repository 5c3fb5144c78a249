-- The members whose record changed take their new record id (catalog_moves,
-- filled by this switch), reached through the scratch table's own rows:
-- SQLite's UPDATE … FROM would scan the whole table instead.
UPDATE catalog_members
   SET record_id = (SELECT m.record_id FROM catalog_moves m
                     WHERE m.batch = catalog_members.batch
                       AND m.position = catalog_members.position)
 WHERE (batch, position) IN (SELECT batch, position FROM catalog_moves)
