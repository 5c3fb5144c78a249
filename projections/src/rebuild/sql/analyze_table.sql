-- Statistics for a twin before it is swapped in (src/rebuild/mod.rs).
ANALYZE {table}_rebuild
