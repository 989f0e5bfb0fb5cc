-- 0002: user settings (auto-lock, clipboard timeout, ...) as key/value rows, and a search index
-- on the lower-cased path used by `ls --search`.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE INDEX secrets_updated ON secrets(updated_at);
