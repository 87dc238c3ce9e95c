-- A sync is recorded when it starts (result `running`, with who asked and what it will apply)
-- and completed when it ends; one that never ends (the process died) is marked `interrupted`
-- at the next start. `started_at` is when it began; `at` stays when it ended (or began, while
-- running).
ALTER TABLE syncs ADD COLUMN started_at TEXT;
