-- A library's directory row.
SELECT id, version, name, lends, suspended FROM {directory} WHERE id = $1
