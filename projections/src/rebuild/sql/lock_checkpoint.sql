-- Takes a checkpoint's row ($1: its name) for the rest of the transaction
-- (PostgreSQL: a row lock; SQLite: the write lock); where it stands
-- (src/rebuild/swap.rs).
UPDATE projector_checkpoints SET tx = tx WHERE projection = $1
RETURNING tx, global_position
