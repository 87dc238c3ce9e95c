-- Leases between the replicas sharing one database. `engine` is the leader's: the replica
-- holding it runs the auto-syncs and the deploy executor. `replica:<id>` rows are each
-- replica's presence (renewed like the leader's), so the leader knows whose running syncs
-- are orphaned. `token` grows whenever the holder changes: the leader's writes that matter
-- check it in their own transaction (a fencing token). Times are the database's clock, in
-- milliseconds since the Unix epoch, so the replicas' clocks never have to agree.
CREATE TABLE leases (
    name TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    token BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    changed_at BIGINT NOT NULL
);

-- The replica that runs each sync, so a running sync is known to be orphaned when that
-- replica is gone.
ALTER TABLE syncs ADD COLUMN runner TEXT;
