-- Login CSRF: each sign-in in flight is bound to the browser that started it. That browser
-- holds a random value in a short-lived cookie; the row keeps only its SHA-256, and the
-- callback is refused unless the cookie it carries hashes to this value.
-- Sign-ins in flight from before this change cannot be bound: they are dropped (the people
-- concerned start again), and the default never matches a cookie's hash.
DELETE FROM login_attempts;
ALTER TABLE login_attempts ADD COLUMN browser_hash TEXT NOT NULL DEFAULT '';
