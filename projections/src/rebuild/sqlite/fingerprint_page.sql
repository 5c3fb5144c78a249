-- A page of a table's rows for its fingerprint (fingerprint.rs): the rows
-- after rowid $1, $2 of them, as one text of each row's canonical text
-- ({row}: its values' `quote()`s joined by commas) prefixed with its length
-- in bytes and a colon; and the page's last rowid.
SELECT group_concat(length(CAST(r AS BLOB)) || ':' || r, ''), max(n)
  FROM (SELECT rowid AS n, {row} AS r
          FROM {table}
         WHERE rowid > $1
         ORDER BY rowid
         LIMIT $2)
