-- Patron data and notes: never in the event log, never rebuilt. A row is
-- written before its request's events and purged a configurable number of
-- days after the request ended, or when its request never appeared.
CREATE TABLE patrons (
    patron_ref  blob    NOT NULL,
    request_id  blob    NOT NULL,
    barcode     text    NOT NULL,
    name        text,
    email       text,
    saved_at_us integer NOT NULL,
    CONSTRAINT patrons_pkey PRIMARY KEY (patron_ref)
) STRICT;
CREATE INDEX patrons_request ON patrons (request_id);

CREATE TABLE notes (
    note_id     blob    NOT NULL,
    request_id  blob    NOT NULL,
    text        text    NOT NULL,
    saved_at_us integer NOT NULL,
    CONSTRAINT notes_pkey PRIMARY KEY (note_id)
) STRICT;
CREATE INDEX notes_request ON notes (request_id);
