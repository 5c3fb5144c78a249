-- Sets checkpoint $1 to ($2, $3), whether or not it exists.
INSERT INTO projector_checkpoints (projection, tx, global_position) VALUES ($1, $2, $3)
ON CONFLICT (projection) DO UPDATE SET tx = excluded.tx, global_position = excluded.global_position
