-- Moves checkpoint $1 from ($2, $3) to ($4, $5), when it is still at ($2, $3).
UPDATE projector_checkpoints SET tx = $4, global_position = $5
 WHERE projection = $1 AND tx = $2 AND global_position = $3
