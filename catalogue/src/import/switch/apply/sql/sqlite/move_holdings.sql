-- The live copies of the members whose record changed follow them (the new
-- batch's copies have theirs already), reached through the staged rows:
-- SQLite's UPDATE … FROM would scan the whole table instead.
UPDATE holdings
   SET record_id = (SELECT m.record_id FROM catalog_staged_moves m
                     WHERE m.batch = $1 AND m.member_batch = holdings.batch
                       AND m.position = holdings.position)
 WHERE (batch, position) IN (SELECT member_batch, position FROM catalog_staged_moves
                              WHERE batch = $1 AND member_batch <> $1)
