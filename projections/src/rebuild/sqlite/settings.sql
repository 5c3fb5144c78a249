-- The rebuild's own writer connection, for as long as it lives
-- (src/rebuild/sqlite/mod.rs): the scratch tables in a temporary file of its
-- own (no other connection sees them, nothing waits on them, nothing syncs
-- them), large page caches for that file and for the twins' loads and index
-- builds, and commits that do not wait for the disk: in WAL mode a lost
-- commit is lost with every later one, so the twins and their checkpoints
-- stay together, and the swap commits with the store's own FULL sync.
PRAGMA temp_store = FILE;
PRAGMA temp.cache_size = -65536;
PRAGMA main.cache_size = -131072;
PRAGMA synchronous = NORMAL;
