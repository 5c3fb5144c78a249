-- A disabled account signs in with nothing (no token, session or password)
-- until an admin enables it again.
ALTER TABLE accounts ADD COLUMN disabled integer NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));

-- Library ids compare case-insensitively from now on: two registered ids
-- that differ only in case would become one library. Refuse to run while
-- any exist, naming them, so an operator merges or retires one first.
CREATE TEMP TABLE library_case_check (duplicates text NOT NULL);
CREATE TEMP TRIGGER library_case_refuse BEFORE INSERT ON library_case_check
BEGIN
    SELECT RAISE(ABORT, 'library ids that differ only in case: ' || NEW.duplicates);
END;
INSERT INTO library_case_check (duplicates)
SELECT group_concat(ids, '; ')
  FROM (SELECT group_concat(DISTINCT aggregate_id) AS ids
          FROM events
         WHERE aggregate_type = 'Library'
         GROUP BY lower(aggregate_id)
        HAVING count(DISTINCT aggregate_id) > 1)
HAVING count(*) > 0;
DROP TRIGGER library_case_refuse;
DROP TABLE library_case_check;
