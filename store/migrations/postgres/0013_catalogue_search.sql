-- The catalogue's word index (DESIGN.md, "The union catalogue"): the words of
-- catalog_records.words (already folded in Rust) as a tsvector of exact
-- lexemes, no parser or dictionary in between, so a word is found exactly as
-- folded, as in SQLite's FTS5 index. A lexeme is at most 2047 bytes: a longer
-- "word" (no query can hold one: queries stop at 200 characters) is left out
-- rather than failing the record's import.
CREATE FUNCTION catalog_words(words TEXT) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN array_to_tsvector(ARRAY(
        SELECT word FROM unnest(string_to_array(words, ' ')) AS word
        WHERE word <> '' AND octet_length(word) <= 2047
    ));

CREATE INDEX catalog_records_words ON catalog_records USING GIN (catalog_words(words));
