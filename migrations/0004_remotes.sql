-- 0004: remote HashiCorp Vault / OpenBao servers, and what was last synced with each, per folder.
--
-- No credential is stored here: a token or an AppRole secret_id lives in the OS keychain (service
-- dev.hush.remote); `keychain_account` only says where, so `hush remote rm` can delete it.
-- IF NOT EXISTS: this file was numbered while 0003 was being written elsewhere; a development
-- database that ran it before 0003 landed can run it again harmlessly.

CREATE TABLE IF NOT EXISTS remotes (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL UNIQUE,
    addr             TEXT    NOT NULL,            -- https://vault.example.com:8200
    namespace        TEXT,                        -- NULL: VAULT_NAMESPACE at use time, else none
    mount            TEXT    NOT NULL,            -- KV mount, e.g. 'secret'
    prefix           TEXT    NOT NULL DEFAULT '', -- path under the mount; '' = the mount's root
    ca_cert          TEXT,                        -- PEM file; NULL: VAULT_CACERT at use time
    skip_verify      INTEGER NOT NULL DEFAULT 0,
    auth             TEXT    NOT NULL CHECK (auth IN ('token', 'approle')),
    approle_mount    TEXT,                        -- auth mount of AppRole, e.g. 'approle'
    role_id          TEXT,                        -- AppRole role_id (not a secret; the secret_id is)
    keychain_account TEXT,                        -- keychain entry holding the token / secret_id
    created_at       INTEGER NOT NULL
);

-- The last sync of one local folder with its remote secret.
CREATE TABLE IF NOT EXISTS remote_folders (
    remote_id      INTEGER NOT NULL REFERENCES remotes(id) ON DELETE CASCADE,
    folder         TEXT    NOT NULL,
    remote_version INTEGER NOT NULL,              -- KV v2 version at that sync (0 on KV v1)
    synced_at      INTEGER NOT NULL,
    PRIMARY KEY (remote_id, folder)
);

-- Per key: a keyed hash of the value both sides agreed on at the last sync. HMAC-SHA256 under a
-- key derived from the data key, so this table reveals nothing about the values (a plain hash of
-- a short secret could be brute-forced); it only lets sync tell which side changed since.
CREATE TABLE IF NOT EXISTS remote_keys (
    remote_id  INTEGER NOT NULL,
    folder     TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    value_mac  BLOB    NOT NULL,
    synced_at  INTEGER NOT NULL,
    PRIMARY KEY (remote_id, folder, name),
    FOREIGN KEY (remote_id, folder) REFERENCES remote_folders(remote_id, folder) ON DELETE CASCADE
);
