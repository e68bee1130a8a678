-- Who may sign in and what they may see (issue: team access). Never
-- readable through /api/query or `conflux query`: passwords and token
-- secrets are stored only as hashes, sessions by the hash of their cookie.
CREATE TABLE meta.users (
    email         VARCHAR PRIMARY KEY,  -- lower case
    role          VARCHAR NOT NULL,     -- admin, finance, leadership, ops, lead
    clients       VARCHAR,              -- a lead's scope: client names or keys, JSON array
    teams         VARCHAR,              -- … and teams, JSON array
    password_hash VARCHAR,              -- bcrypt; NULL for OIDC-only users
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE meta.sessions (
    id_hash    VARCHAR PRIMARY KEY,     -- sha256 of the cookie's value
    email      VARCHAR NOT NULL,
    csrf       VARCHAR NOT NULL,        -- the token every form of the session posts back
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE meta.api_tokens (
    name        VARCHAR PRIMARY KEY,
    email       VARCHAR NOT NULL,
    token_hash  VARCHAR NOT NULL UNIQUE, -- sha256 of the token, shown once when created
    created_at  TIMESTAMPTZ NOT NULL,
    last_used   TIMESTAMPTZ,
    revoked_at  TIMESTAMPTZ
);

CREATE TABLE meta.audit (
    happened_at TIMESTAMPTZ NOT NULL,
    actor       VARCHAR,                 -- an email, "cli" for the hand-over credential, or "" before sign-in
    action      VARCHAR NOT NULL,        -- sign-in, sign-in failed, sign-out, export, query, refresh, mapping, gap, users, tokens
    detail      VARCHAR,
    address     VARCHAR
);

-- Whose a finding is, so a lead sees the findings of their clients and teams.
ALTER TABLE workflow.gap_state ADD COLUMN client_key VARCHAR;
ALTER TABLE workflow.gap_state ADD COLUMN person_key VARCHAR;
