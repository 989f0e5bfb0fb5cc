-- 0006: lifecycle (issue 14). Forward-only: never edit a shipped migration.
--
-- A rotation policy per secret: a strategy ('manual', 'notify', 'automatic'), the interval
-- (the existing rotate_every_days), for 'automatic' a handler command (reads the current value
-- on stdin, prints the new one), a post-rotation command, a handler timeout, and a check command
-- (`hush test`). Every command Hush would execute is covered by the record's MAC (trailing parts,
-- present only when a policy is set, so records without one keep their MAC).
ALTER TABLE secrets ADD COLUMN rotation_strategy TEXT;
ALTER TABLE secrets ADD COLUMN rotation_handler TEXT;
ALTER TABLE secrets ADD COLUMN rotation_then TEXT;
ALTER TABLE secrets ADD COLUMN rotation_timeout_secs INTEGER;
ALTER TABLE secrets ADD COLUMN check_command TEXT;
-- When the check command last passed (not MAC'd: a time, like last_read_at).
ALTER TABLE secrets ADD COLUMN last_checked_at INTEGER;

-- Reminders already given (desktop notifications): one row per secret, subject and threshold,
-- so each is sent once, also across restarts. `subject` is 'expiry' (mark = the expiry time it
-- was about, threshold = days before: 30, 14, 7, 1, or 0 for expired) or 'rotation' (mark = the
-- time the rotation fell due, threshold 0). Nothing here is secret or decides what Hush serves.
CREATE TABLE notices (
    secret_id INTEGER NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
    subject   TEXT    NOT NULL CHECK (subject IN ('expiry', 'rotation')),
    mark      INTEGER NOT NULL,
    threshold INTEGER NOT NULL,
    sent_at   INTEGER NOT NULL,
    PRIMARY KEY (secret_id, subject, mark, threshold)
);
