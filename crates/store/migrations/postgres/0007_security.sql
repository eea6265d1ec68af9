-- Accounts, sessions and the audit trail (issue 3).

CREATE TABLE accounts (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    subdistrict_code TEXT REFERENCES subdistricts(code),
    org_id BIGINT REFERENCES organizations(id),
    password_hash TEXT NOT NULL,
    password_changed_at TIMESTAMPTZ NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ,
    -- The TOTP secret, sealed with the personal-data key; NULL until set up.
    totp_secret TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

-- Sessions live in the database so several servers share them. Only a hash
-- of the cookie's token is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    -- FALSE while a second factor is still owed.
    verified BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    client_addr TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Append-only, hash-chained: each record's MAC covers its content and the MAC
-- of the one before (app::security::audit).
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    -- JSON: {"field": [before, after], …}
    changes TEXT NOT NULL,
    client_addr TEXT,
    request_id TEXT,
    prev_mac TEXT NOT NULL,
    mac TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_entity ON audit_log (entity_kind, entity_id);
CREATE INDEX audit_log_actor ON audit_log (actor_name);

-- The end of the chain (so a deleted last record is noticed) and its start
-- after records past retention were purged.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    mac TEXT NOT NULL,
    anchor_seq BIGINT NOT NULL,
    anchor_mac TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, mac, anchor_seq, anchor_mac) VALUES (1, 0, '', 0, '');
