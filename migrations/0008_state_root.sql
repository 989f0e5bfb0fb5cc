-- 0008: the vault's state root (format 3). Forward-only: never edit a shipped migration.
--
-- Each record MAC proves a record is one Hush wrote, not that it is the newest one: a record put
-- back from an older copy of the file (with its newer versions' rows deleted), a removed record
-- or an older remote row all carry valid MACs. Format 3 keeps, per bucket of 256 secret ids, a
-- SHA-256 of every (id, MAC) in it; the audit anchor's MAC covers the root hash of these digests,
-- every remote's MAC and the settings MAC, so the file as a whole must be the one Hush last wrote
-- (or an older copy of all of it). The digests are computed at the first unlock after this
-- migration (which needs the key); the vault row's `format` then says 3.
CREATE TABLE record_buckets (
    bucket INTEGER PRIMARY KEY,   -- secret id >> 8
    digest BLOB    NOT NULL
) WITHOUT ROWID;
