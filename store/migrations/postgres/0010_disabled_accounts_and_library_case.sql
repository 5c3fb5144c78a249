-- A disabled account signs in with nothing (no token, session or password)
-- until an admin enables it again.
ALTER TABLE accounts ADD COLUMN disabled boolean NOT NULL DEFAULT false;

-- Library ids compare case-insensitively from now on: two registered ids
-- that differ only in case would become one library. Refuse to run while
-- any exist, naming them, so an operator merges or retires one first.
DO $$
DECLARE
    duplicates text;
BEGIN
    SELECT string_agg(ids, '; ' ORDER BY ids) INTO duplicates
      FROM (SELECT string_agg(DISTINCT aggregate_id, ', ') AS ids
              FROM events
             WHERE aggregate_type = 'Library'
             GROUP BY lower(aggregate_id)
            HAVING count(DISTINCT aggregate_id) > 1) AS same_but_case;
    IF duplicates IS NOT NULL THEN
        RAISE EXCEPTION 'library ids that differ only in case: %', duplicates;
    END IF;
END
$$;
