//! The layout of the `.env` file each folder was imported from, sealed like a value (comments
//! can hold secrets too).

use rusqlite::{params, OptionalExtension};

use super::{Tx, Write};
use crate::crypto::Sealed;
use crate::error::Result;

/// A stored layout row.
pub(crate) struct LayoutRow {
    pub folder: String,
    pub source: Option<String>,
    pub sealed: Sealed,
    pub updated_at: i64,
}

impl<M> Tx<'_, M> {
    pub(crate) fn layout(&self, folder: &str) -> Result<Option<LayoutRow>> {
        Ok(self
            .c()
            .prepare_cached("SELECT * FROM env_layouts WHERE folder = ?1")?
            .query_row([folder], |r| {
                Ok(LayoutRow {
                    folder: r.get("folder")?,
                    source: r.get("source")?,
                    sealed: Sealed::stored(r.get("layout")?),
                    updated_at: r.get("updated_at")?,
                })
            })
            .optional()?)
    }

    pub(crate) fn layout_folders(&self) -> Result<Vec<String>> {
        let mut st = self.c().prepare("SELECT folder FROM env_layouts ORDER BY folder")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Tx<'_, Write> {
    /// Stores a layout. The row gets a zeroed blob of the right size and the bytes go in through
    /// SQLite's incremental blob I/O: binding a large layout would copy it twice more (the
    /// bound value, then the record), 3x its size at once for a big import.
    pub(crate) fn put_layout(&self, l: &LayoutRow) -> Result<()> {
        let bytes = l.sealed.as_bytes();
        let rowid: i64 = self.c().query_row(
            "INSERT INTO env_layouts (folder, source, layout, updated_at)
             VALUES (?1, ?2, zeroblob(?3), ?4)
             ON CONFLICT(folder) DO UPDATE SET source = excluded.source, layout = excluded.layout,
               updated_at = excluded.updated_at
             RETURNING rowid",
            params![l.folder, l.source, bytes.len() as i64, l.updated_at],
            |r| r.get(0),
        )?;
        let mut blob =
            self.c().blob_open(rusqlite::MAIN_DB, "env_layouts", "layout", rowid, false)?;
        for (i, chunk) in bytes.chunks(1 << 16).enumerate() {
            blob.write_at(chunk, i << 16)?;
        }
        Ok(())
    }

    pub(crate) fn delete_layout(&self, folder: &str) -> Result<()> {
        self.c().execute("DELETE FROM env_layouts WHERE folder = ?1", [folder])?;
        Ok(())
    }
}
