-- Scratch rows of a holdings switch (catalogue/src/import/switch.rs): the
-- members whose record id changes, and the records to write with the
-- member that represents each. Filled and emptied inside the switch's one
-- transaction, so no other session ever sees a row; they let the switch
-- update record ids and write records with set-based statements instead of
-- one statement per few hundred rows. Unlogged: nothing in them outlives a
-- transaction.
CREATE UNLOGGED TABLE catalog_moves (
    batch     text   NOT NULL,
    position  bigint NOT NULL,
    record_id text COLLATE "C" NOT NULL,
    CONSTRAINT catalog_moves_pkey PRIMARY KEY (batch, position)
);

CREATE UNLOGGED TABLE catalog_pending_records (
    id           text COLLATE "C" NOT NULL,
    -- The representative member, whose title, author, … the record shows.
    batch        text   NOT NULL,
    position     bigint NOT NULL,
    lccn         text,
    isbns        text   NOT NULL,
    issns        text   NOT NULL,
    oclc_numbers text   NOT NULL,
    CONSTRAINT catalog_pending_records_pkey PRIMARY KEY (id)
);

-- A member's record is its copies' (every staged member has one): the
-- switch updates the copies' record ids only, not the members' as well.
DROP INDEX catalog_members_record;
ALTER TABLE catalog_members DROP COLUMN record_id;
