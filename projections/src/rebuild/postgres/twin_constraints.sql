-- A twin's primary key and unique constraints ($1: the twin), dropped before
-- its COPY and added back after it from these definitions.
SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = $1::regclass AND contype IN ('p', 'u')
