-- Loads a twin from its scratch table inside the load's transaction
-- (src/rebuild/sqlite/load.rs): emptied, its own indexes dropped, the rows
-- in, the indexes built again, then its planner statistics.
DELETE FROM main.{twin};
{drop_indexes}
INSERT INTO main.{twin} SELECT * FROM temp.{scratch};
{create_indexes}
ANALYZE main.{twin};
