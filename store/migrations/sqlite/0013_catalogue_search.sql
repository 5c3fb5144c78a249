-- The catalogue's word index (DESIGN.md, "The union catalogue"): FTS5 over
-- catalog_records.words (already folded in Rust), kept in step by triggers so
-- that whatever writes the records need not know of it.
--
-- An FTS5 row is named by an integer. catalog_records' key is text, and the
-- implicit rowid of such a table may change on VACUUM, so the index keeps its
-- own numbering (catalog_search_rows, an INTEGER PRIMARY KEY, which VACUUM
-- keeps) and stores no copy of the text (contentless; contentless_delete lets
-- a trigger remove a row by its number alone).
CREATE TABLE catalog_search_rows (
    n INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL UNIQUE
);

CREATE VIRTUAL TABLE catalog_search USING fts5(
    words,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3'
);

CREATE TRIGGER catalog_search_insert AFTER INSERT ON catalog_records BEGIN
    INSERT INTO catalog_search_rows (record_id) VALUES (new.id);
    INSERT INTO catalog_search (rowid, words) VALUES (last_insert_rowid(), new.words);
END;

CREATE TRIGGER catalog_search_delete AFTER DELETE ON catalog_records BEGIN
    DELETE FROM catalog_search
    WHERE rowid = (SELECT n FROM catalog_search_rows WHERE record_id = old.id);
    DELETE FROM catalog_search_rows WHERE record_id = old.id;
END;

CREATE TRIGGER catalog_search_update AFTER UPDATE OF id, words ON catalog_records BEGIN
    DELETE FROM catalog_search
    WHERE rowid = (SELECT n FROM catalog_search_rows WHERE record_id = old.id);
    DELETE FROM catalog_search_rows WHERE record_id = old.id;
    INSERT INTO catalog_search_rows (record_id) VALUES (new.id);
    INSERT INTO catalog_search (rowid, words) VALUES (last_insert_rowid(), new.words);
END;

-- The results' order (lendable_by descending, then id by bytes), negated so
-- that a cursor is one row comparison the index can seek to: a common word
-- reads its first page from here, testing each record until the page is full.
CREATE INDEX catalog_records_order ON catalog_records ((-lendable_by), id);
