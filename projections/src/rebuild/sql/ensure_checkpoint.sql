-- A live checkpoint's row ($1: its name), at the start of the log unless it
-- exists, so that the swap transaction can take it (src/rebuild/swap.rs).
INSERT INTO projector_checkpoints (projection, tx, global_position) VALUES ($1, 0, 0)
ON CONFLICT (projection) DO NOTHING
