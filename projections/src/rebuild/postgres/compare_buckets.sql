-- Per hash bucket of a row's text: the rows of one side of a compared table,
-- live or twin, counted, and the sum of a second hash of their text
-- (src/rebuild/compare.rs).
SELECT (hashtextextended({row}, 0) & 1023), count(*),
       CAST(sum(CAST(hashtextextended({row}, 1) AS numeric)) AS text)
  FROM {table} t
 GROUP BY 1
