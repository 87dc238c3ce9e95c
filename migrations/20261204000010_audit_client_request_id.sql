-- The `x-request-id` a client sent, kept apart from Atrium's own `request_id` (which Atrium
-- now always generates). Hashed into the chain only when present, so existing rows verify as
-- before.
ALTER TABLE audit_events ADD COLUMN client_request_id TEXT;
