-- Sessions remember where their identity came from and whether the provider verified the
-- e-mail. `source` is `demo` or `oidc <issuer>`: a session whose source is no longer the
-- configured one (demo switched to single sign-on, another provider) is refused. Only a
-- verified e-mail is shown or matched against catalog Users.
-- Demo sessions from before keep working while demo sign-in stays on; single sign-on sessions
-- from before get no source and end (their users sign in once more).
ALTER TABLE sessions ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN email_verified BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET source = 'demo', email_verified = 1 WHERE provider = 'demo';
