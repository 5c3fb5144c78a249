-- Finished imports of one library ($1), or of every library ($1 = '').
SELECT id, library, by_account, format, at_us, records, holdings, rejected, errors
  FROM holdings_imports
 WHERE state IN ('live', 'replaced')
   AND ($1 = '' OR library = $1)
 ORDER BY at_us DESC, id
