-- Adds each library's change in waiting requests to {waiting}: $1 the
-- libraries, $2 their changes, one each (src/read_models/waiting.rs).
INSERT INTO {waiting} AS w (library, waiting)
SELECT library, change
  FROM unnest(CAST($1 AS text[]), CAST($2 AS bigint[])) AS c(library, change)
    ON CONFLICT (library) DO UPDATE SET waiting = w.waiting + EXCLUDED.waiting
