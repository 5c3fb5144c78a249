-- Empties projection "libraries"'s rebuild twins.
DELETE FROM library_directory_rebuild;
