-- Staff accounts and their API tokens. Not part of the event log: rebuild,
-- verify and export leave them alone. Tokens are kept only as SHA-256 hashes.
CREATE TABLE accounts (
    library    text        NOT NULL,
    name       text        NOT NULL,
    role       text        NOT NULL CHECK (role IN ('STAFF', 'COORDINATOR', 'ADMIN')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (library, name)
);

CREATE TABLE account_tokens (
    token_hash text        PRIMARY KEY,
    library    text        NOT NULL,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    FOREIGN KEY (library, name) REFERENCES accounts (library, name)
);

CREATE INDEX account_tokens_account ON account_tokens (library, name);
