-- 0005: authenticated rows (format 2). Forward-only: never edit a shipped migration.
--
-- Format 2 binds every value to its canonical path as well (AAD = vault id | secret id | path |
-- version) and MACs every record whose change would alter what Hush serves or where it sends it,
-- under a key derived from the data key. The SQL below only adds the columns; the values are
-- re-sealed and the MACs computed at the first unlock (one transaction, which needs the key),
-- after which `vault.format` is 2. A row whose MAC does not verify is an integrity error.

ALTER TABLE vault ADD COLUMN format INTEGER NOT NULL DEFAULT 1;
-- MAC of versions_kept, trash_days and the rows of `settings`.
ALTER TABLE vault ADD COLUMN settings_mac BLOB;
-- The audit chain's anchor: the newest entry written with the key, and a MAC of (seq, hash)
-- under the audit subkey. Cutting the log back past it, or moving it back, is detected.
ALTER TABLE vault ADD COLUMN audit_anchor_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE vault ADD COLUMN audit_anchor_mac BLOB;

-- MAC of id, folder, name, path, kind, current_version, deleted_at, expires_at,
-- rotate_every_days and versions_kept.
ALTER TABLE secrets ADD COLUMN mac BLOB;
-- Lookups by path that include the trash (an entry hidden by a forged deleted_at is found).
CREATE INDEX secrets_path ON secrets(path);

-- MAC of every field that decides where a remote's token and values go.
ALTER TABLE remotes ADD COLUMN mac BLOB;

-- HMAC-SHA256 of (seq, hash) under the audit subkey. NULL for entries of format 1 and for those
-- written while the vault was locked (a failed unlock): their SHA-256 links are still chained.
ALTER TABLE audit ADD COLUMN mac BLOB;
