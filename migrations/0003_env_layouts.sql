-- 0003: the layout of the .env file each folder was imported from (key order, comments, blank
-- lines, spacing and quoting; never a value), so an export writes the file back the same way.
-- `layout` is sealed with the data key like a value (AAD = vault_id | folder): comments can hold
-- secrets too.
CREATE TABLE env_layouts (
    folder     TEXT    PRIMARY KEY,
    source     TEXT,                   -- the file it came from, as given to `hush import`
    layout     BLOB    NOT NULL,
    updated_at INTEGER NOT NULL
);
