-- Identifier rows the computed clusters hold that are not stored yet, or
-- that another running import wrote first (now seen: its computation starts
-- again).
INSERT INTO catalog_identifiers (kind, value, record_id)
SELECT kind, value, record_id
  FROM catalog_staged_identifiers
 WHERE batch = $1 AND NOT gone
ON CONFLICT (kind, value, record_id) DO UPDATE SET batch = NULL
