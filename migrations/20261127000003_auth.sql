-- Sign-in sessions, stored server-side. The browser holds only an opaque random token; the
-- table keeps its SHA-256, so a copy of the database cannot be replayed as cookies.
-- Times are RFC 3339 UTC text with fixed precision, so text order is time order.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    subject TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    -- Groups from the identity provider (JSON array); catalog teams are resolved per request.
    groups TEXT NOT NULL,
    -- `oidc` or `demo`.
    provider TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE INDEX sessions_expires ON sessions (expires_at);

-- Sign-ins in flight: the state we sent to the provider, with the nonce and PKCE verifier to
-- check its answer. A row is deleted when used, so a replayed callback finds nothing.
CREATE TABLE login_attempts (
    state_hash TEXT PRIMARY KEY NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    return_to TEXT NOT NULL,
    created_at TEXT NOT NULL
);
