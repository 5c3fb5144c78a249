-- Replaces projection "libraries"'s rows with the rebuilt twins' (SQLite has no
-- index renames; its stores are small). Runs inside the swap transaction.

DELETE FROM library_directory;
INSERT INTO library_directory SELECT * FROM library_directory_rebuild;
