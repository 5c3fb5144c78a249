-- Staff accounts and their API tokens. Not part of the event log: rebuild,
-- verify and export leave them alone. Tokens are kept only as SHA-256 hashes.
CREATE TABLE accounts (
    library    text NOT NULL,
    name       text NOT NULL,
    role       text NOT NULL CHECK (role IN ('STAFF', 'COORDINATOR', 'ADMIN')),
    created_at text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (library, name)
) STRICT;

CREATE TABLE account_tokens (
    token_hash text PRIMARY KEY,
    library    text NOT NULL,
    name       text NOT NULL,
    created_at text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    revoked_at text,
    FOREIGN KEY (library, name) REFERENCES accounts (library, name)
) STRICT;

CREATE INDEX account_tokens_account ON account_tokens (library, name);
