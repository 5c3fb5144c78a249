-- The new batch's copies take their records' ids, positions ($2, $3] at a
-- time: they stay invisible (readers see live batches only) until the switch.
UPDATE holdings
   SET record_id = (SELECT m.record_id FROM catalog_staged_moves m
                     WHERE m.batch = $1 AND m.member_batch = $1
                       AND m.position = holdings.position)
 WHERE batch = $1 AND position > $2 AND position <= $3
