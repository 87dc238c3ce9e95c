-- The audit trail: append-only and hash-chained. `seq` is assigned by the appender from
-- audit_head (no AUTOINCREMENT/SERIAL, which differ between the databases and leave gaps);
-- `hash` = SHA-256 over `prev_hash` + the canonical JSON of the record including `seq`.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY NOT NULL,
    at TEXT NOT NULL,
    actor_subject TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    actor_groups TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    outcome TEXT NOT NULL,
    details TEXT NOT NULL,
    request_id TEXT,
    client_ip TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_actor ON audit_events (actor_subject);
CREATE INDEX audit_events_action ON audit_events (action);
CREATE INDEX audit_events_object ON audit_events (object);

-- One row: the last sequence number and hash. Appenders take the write lock by updating it
-- first, which keeps the chain linear across connections and replicas; verification compares
-- the chain's end with it, so a deleted tail is detected.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
