-- Statistics for a table once a rebuild's rows are in it (src/rebuild/mod.rs).
ANALYZE {table}
