-- Deploy requests and their lineage. A request's row holds where it is now; every change of
-- state is also a `deploy_events` row (the timeline) written, with its audit record, in the
-- transaction that changes the state. Times are RFC 3339 UTC text (text order = time order).
CREATE TABLE deploy_requests (
    id TEXT PRIMARY KEY NOT NULL,
    env TEXT NOT NULL,
    app TEXT NOT NULL,
    -- The change as the API takes it (JSON): {"set_image":{…}} | {"set_revision":…} | …
    change TEXT NOT NULL,
    reason TEXT NOT NULL,
    requester_subject TEXT NOT NULL,
    requester_name TEXT NOT NULL,
    requester_email TEXT,
    -- 1 when asked through an API token (automation), 0 from a browser session.
    via_token BIGINT NOT NULL,
    state TEXT NOT NULL,
    required_approvals BIGINT NOT NULL,
    from_version TEXT,
    to_version TEXT,
    -- The branch head the executor planned the edit on: after a crash, the commit carrying
    -- this request's trailer is looked for after it.
    base_sha TEXT,
    commit_sha TEXT,
    -- The commit as shown on the request page (JSON: author, message, files, diff).
    commit_info TEXT,
    -- The sync as shown on the request page (JSON), and the app's health at the end.
    sync_info TEXT,
    health TEXT,
    -- Why an approved request has not run yet (a window, a freeze); NULL when it may run.
    waiting TEXT,
    -- Why it failed, was rejected, expired or was superseded.
    message TEXT,
    -- 1 when an admin let it run outside its deploy window.
    window_override BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX deploy_requests_env_app ON deploy_requests (env, app, state);
CREATE INDEX deploy_requests_state ON deploy_requests (state, updated_at);
CREATE INDEX deploy_requests_requester ON deploy_requests (requester_subject, created_at);

CREATE TABLE deploy_events (
    request_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    state TEXT NOT NULL,
    actor_subject TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (request_id, seq)
);

-- One decision per person per request (a second approval by the same person is refused).
CREATE TABLE deploy_approvals (
    request_id TEXT NOT NULL,
    approver_subject TEXT NOT NULL,
    approver_name TEXT NOT NULL,
    approver_email TEXT,
    -- `approve` or `reject`.
    decision TEXT NOT NULL,
    comment TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (request_id, approver_subject)
);

-- Personal API tokens: only the SHA-256 of the secret is kept. A token acts as its user,
-- with the identity-provider groups the user had when creating it (catalog teams are resolved
-- on every request, as for sessions).
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_name TEXT NOT NULL,
    email TEXT,
    groups TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE INDEX api_tokens_subject ON api_tokens (subject);

-- Environments frozen by an admin: no deploy runs while frozen.
CREATE TABLE env_freezes (
    env TEXT PRIMARY KEY NOT NULL,
    frozen BIGINT NOT NULL,
    by_subject TEXT NOT NULL,
    by_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);

-- Outgoing notifications (an environment's webhook), delivered with retries and backoff.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    env TEXT NOT NULL,
    request_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_at TEXT NOT NULL,
    last_error TEXT,
    delivered_at TEXT,
    created_at TEXT NOT NULL
);

CREATE INDEX notifications_pending ON notifications (delivered_at, next_at);

-- The deploy request a sync carried out: after a restart, a request whose sync finished is
-- not synced again.
ALTER TABLE syncs ADD COLUMN request_id TEXT;
