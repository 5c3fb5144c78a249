-- The rows of one side of a compared table, live or twin, that the other side
-- lacks (src/rebuild/compare.rs).
SELECT * FROM {from} EXCEPT SELECT * FROM {other} LIMIT {shown}
