-- The rows of one side of a compared table, live or twin, that the other side
-- lacks, within the hash buckets bound as $1; a row is compared as the text
-- the row expression gives, alias t (src/rebuild/compare.rs).
SELECT {row} FROM {from} t WHERE (hashtextextended({row}, 0) & 1023) = ANY($1)
EXCEPT
SELECT {row} FROM {other} t WHERE (hashtextextended({row}, 0) & 1023) = ANY($1)
LIMIT {shown}
