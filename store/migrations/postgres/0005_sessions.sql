-- Passwords and browser sessions of staff accounts. Like tokens, not part of
-- the event log. A password is kept only as its argon2id PHC string; a
-- session only as the SHA-256 hash of its cookie value. Times are Unix
-- seconds of the server's clock, so idle expiry follows the same clock as
-- every event.
ALTER TABLE accounts ADD COLUMN password_hash text;

CREATE TABLE sessions (
    token_hash text   PRIMARY KEY,
    library    text   NOT NULL,
    name       text   NOT NULL,
    created_at bigint NOT NULL,
    last_seen  bigint NOT NULL,
    FOREIGN KEY (library, name) REFERENCES accounts (library, name)
);

CREATE INDEX sessions_account ON sessions (library, name);
