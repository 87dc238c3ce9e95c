-- Every sync the engine ran: who or what asked, which commit, how it ended. The audit trail
-- has the same facts hash-chained; this table is what the app's "last syncs" list reads.
CREATE TABLE syncs (
    id TEXT PRIMARY KEY NOT NULL,
    env TEXT NOT NULL,
    app TEXT NOT NULL,
    at TEXT NOT NULL,
    actor_subject TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    -- `manual` or `auto`.
    trigger_kind TEXT NOT NULL,
    revision TEXT,
    -- `succeeded` or `failed`.
    result TEXT NOT NULL,
    message TEXT NOT NULL,
    -- Per-resource outcome (JSON).
    details TEXT NOT NULL
);

CREATE INDEX syncs_env_app_at ON syncs (env, app, at);
