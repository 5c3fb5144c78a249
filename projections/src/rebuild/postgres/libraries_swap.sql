-- Swaps projection "libraries"'s tables with their rebuilt twins: names only,
-- indexes included, so every name stays where the migrations put it.
-- Runs inside the swap transaction (src/rebuild/swap.rs).

ALTER TABLE library_directory RENAME TO library_directory_swap;
ALTER TABLE library_directory_rebuild RENAME TO library_directory;
ALTER TABLE library_directory_swap RENAME TO library_directory_rebuild;
ALTER INDEX library_directory_pkey RENAME TO library_directory_pkey_swap;
ALTER INDEX library_directory_pkey_rebuild RENAME TO library_directory_pkey;
ALTER INDEX library_directory_pkey_swap RENAME TO library_directory_pkey_rebuild;
