-- Empties projection "libraries"'s rebuild twins.
TRUNCATE library_directory_rebuild;
