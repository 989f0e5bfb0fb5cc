-- 0007: fewer indexes on secrets. Forward-only: never edit a shipped migration.
--
-- Every live record was in three path-or-time indexes; a bulk import paid for each on every
-- insert. `secrets_updated` (0002) is read by no query. `secrets_path` (0005) held every record,
-- live ones too, which `secrets_live_path` already indexes: it becomes an index of the trash
-- only, and a lookup of every record at a path reads both.
DROP INDEX IF EXISTS secrets_updated;
DROP INDEX IF EXISTS secrets_path;
CREATE INDEX secrets_trash_path ON secrets(path) WHERE deleted_at IS NOT NULL;
