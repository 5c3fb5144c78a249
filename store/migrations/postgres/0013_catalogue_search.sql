-- The catalogue's search indexes (DESIGN.md, "The union catalogue").
--
-- Words: catalog_records.words (already folded in Rust) as a tsvector of
-- exact lexemes, no parser or dictionary in between, so a word is found
-- exactly as folded, as in SQLite's FTS5 index. A lexeme is at most 2047
-- bytes: a longer "word" (no query can hold one: queries stop at 200
-- characters) is left out rather than failing the record's import. Stored,
-- so that walking the records in their order can test each one cheaply.
CREATE FUNCTION catalog_words(words TEXT) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN array_to_tsvector(ARRAY(
        SELECT word FROM unnest(string_to_array(words, ' ')) AS word
        WHERE word <> '' AND octet_length(word) <= 2047
    ));

ALTER TABLE catalog_records
    ADD COLUMN words_vector tsvector GENERATED ALWAYS AS (catalog_words(words)) STORED;

CREATE INDEX catalog_records_words ON catalog_records USING GIN (words_vector);

-- The results' order (lendable_by descending, then id by bytes), negated so
-- that a cursor is one row comparison the index can seek to: a common word
-- reads its first page from here, testing each record until the page is full.
CREATE INDEX catalog_records_order ON catalog_records ((-lendable_by), id);
