-- A twin's loader opens its transaction (src/rebuild/postgres/copy_in.rs). The
-- twins load side by side, which keeps the cores busy already: parallel index
-- builds would only add their workers' overhead.
BEGIN;
SET LOCAL maintenance_work_mem = '256MB';
SET LOCAL max_parallel_maintenance_workers = 0
