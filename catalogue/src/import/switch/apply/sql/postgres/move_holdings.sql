-- The live copies of the members whose record changed follow them (the new
-- batch's copies have theirs already): one hash join.
UPDATE holdings
   SET record_id = m.record_id
  FROM catalog_staged_moves m
 WHERE m.batch = $1 AND m.member_batch <> $1
   AND holdings.batch = m.member_batch AND holdings.position = m.position
