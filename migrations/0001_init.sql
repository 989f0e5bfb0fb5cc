-- 0001: the vault. Forward-only: never edit a shipped migration; add a new numbered file.

-- One row: who this vault is and how its data key is protected.
CREATE TABLE vault (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    vault_id        TEXT    NOT NULL,            -- uuid, bound into every AAD
    key_mode        TEXT    NOT NULL CHECK (key_mode IN ('keychain', 'passphrase')),
    keychain_account TEXT,                       -- keychain entry holding the KEK (keychain mode)
    key_generation  INTEGER NOT NULL DEFAULT 1,  -- bumped by rekey
    versions_kept   INTEGER NOT NULL DEFAULT 10,
    trash_days      INTEGER NOT NULL DEFAULT 30,
    audit_head_seq  INTEGER NOT NULL DEFAULT 0,  -- last audit entry, to detect a cut tail
    audit_head_hash BLOB,
    created_at      INTEGER NOT NULL
);

-- The data key, wrapped once per way of opening the vault ('keychain', 'passphrase', 'recovery').
CREATE TABLE key_wraps (
    kind        TEXT    PRIMARY KEY CHECK (kind IN ('keychain', 'passphrase', 'recovery')),
    wrapped     BLOB    NOT NULL,
    kdf         TEXT,                            -- Argon2id parameters (JSON) for passphrase kinds
    created_at  INTEGER NOT NULL
);

CREATE TABLE secrets (
    id                INTEGER PRIMARY KEY,
    folder            TEXT    NOT NULL,
    name              TEXT    NOT NULL,
    path              TEXT    NOT NULL,          -- canonical folder/NAME
    kind              TEXT    NOT NULL DEFAULT 'generic',
    description       TEXT,
    expires_at        INTEGER,
    rotate_every_days INTEGER,
    last_rotated_at   INTEGER,
    source            TEXT,
    meta              TEXT    NOT NULL DEFAULT '{}',  -- free key/value metadata (JSON object)
    versions_kept     INTEGER,                   -- per-secret override of vault.versions_kept
    current_version   INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    last_read_at      INTEGER,
    deleted_at        INTEGER                    -- set while in the trash
);
CREATE UNIQUE INDEX secrets_live_path ON secrets(path) WHERE deleted_at IS NULL;
CREATE INDEX secrets_folder ON secrets(folder);

CREATE TABLE secret_tags (
    secret_id INTEGER NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
    tag       TEXT    NOT NULL,
    PRIMARY KEY (secret_id, tag)
);
CREATE INDEX secret_tags_tag ON secret_tags(tag);

-- Every value ever written (the newest N are kept). AAD = vault_id | secret id | version.
CREATE TABLE versions (
    secret_id  INTEGER NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    ciphertext BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (secret_id, version)
);

-- Hash-chained audit log; never holds a value.
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    ts        INTEGER NOT NULL,
    action    TEXT    NOT NULL,
    path      TEXT,
    outcome   TEXT    NOT NULL,
    detail    TEXT,
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL
);
