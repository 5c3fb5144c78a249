-- Whether each library lends and is not suspended: catalog_lenders' word,
-- else the directory's (as lendable_by counts).
SELECT d.id AS library,
       CAST(CASE WHEN coalesce(l.lending, d.lends AND NOT d.suspended) THEN 1 ELSE 0 END AS BIGINT)
  FROM library_directory d
  LEFT JOIN catalog_lenders l ON l.library = d.id
UNION ALL
SELECT l.library, CAST(CASE WHEN l.lending THEN 1 ELSE 0 END AS BIGINT)
  FROM catalog_lenders l
 WHERE NOT EXISTS (SELECT 1 FROM library_directory d WHERE d.id = l.library)
