-- The members whose record changed take their new record id (catalog_moves,
-- filled by this switch): one hash join.
UPDATE catalog_members
   SET record_id = m.record_id
  FROM catalog_moves m
 WHERE catalog_members.batch = m.batch AND catalog_members.position = m.position
