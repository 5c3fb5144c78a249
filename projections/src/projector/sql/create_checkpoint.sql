-- Creates checkpoint $1 at ($2, $3), unless another runner created it first.
INSERT INTO projector_checkpoints (projection, tx, global_position) VALUES ($1, $2, $3)
ON CONFLICT (projection) DO NOTHING
