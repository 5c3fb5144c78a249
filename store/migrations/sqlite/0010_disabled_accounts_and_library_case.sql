-- A disabled account signs in with nothing (no token, session or password)
-- until an admin enables it again.
ALTER TABLE accounts ADD COLUMN disabled integer NOT NULL DEFAULT 0;

-- Library ids compare case-insensitively from now on: two registered ids
-- that differ only in case would become one library. Refuse to run while
-- any exist, naming them, so an operator merges or retires one first.
-- SQLite's RAISE takes only a literal message, so the refusal is a JSON
-- path without its leading `$`: SQLite quotes the path in its error
-- ("JSON path error near 'library ids that differ only in case: a,A'").
SELECT json_extract('{}', 'library ids that differ only in case: ' || group_concat(ids, '; '))
  FROM (SELECT group_concat(DISTINCT aggregate_id) AS ids
          FROM events
         WHERE aggregate_type = 'Library'
         GROUP BY lower(aggregate_id)
        HAVING count(DISTINCT aggregate_id) > 1)
HAVING count(*) > 0;
