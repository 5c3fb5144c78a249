-- Identifier rows no computed cluster holds any more.
DELETE FROM catalog_identifiers
 WHERE (kind, value, record_id) IN (SELECT kind, value, record_id
                                      FROM catalog_staged_identifiers
                                     WHERE batch = $1 AND gone)
