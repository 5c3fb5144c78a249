-- Rows into a scratch table, in the twin's column order: one parenthesized
-- list of parameters per row (src/rebuild/sqlite/scratch.rs).
INSERT INTO temp.{scratch} VALUES {rows}
