//! History both ways: a folder's kept local versions as a sequence of whole-folder snapshots
//! (what `migrate --with-history` replays as remote versions, oldest first), and a remote
//! secret's kept versions (what `pull --with-history` turns into local versions).

use std::collections::BTreeMap;

use super::client::Conn;
use super::mapping::{fields_equal, Fields};
use crate::error::Result;
use crate::secret::SecretValue;
use crate::store::SecretFilter;
use crate::vault::{check_row, Vault};

/// One remote version to write: the folder as it was at `at` (Unix seconds).
pub(crate) struct Snapshot {
    pub at: i64,
    pub fields: Fields,
}

impl Vault {
    /// The folder's kept versions merged into snapshots: every instant at which one of its secrets
    /// got a new version gives the whole folder as it was then (secrets written in the same second,
    /// e.g. by an import, make one snapshot). The last snapshot is the current folder.
    pub(crate) fn folder_snapshots(&self, folder: &str) -> Result<Vec<Snapshot>> {
        let keys = self.keys()?;
        let tx = self.store().read()?;
        let filter = SecretFilter { folder: Some(folder), direct: true, ..SecretFilter::live() };
        let mut events: BTreeMap<i64, Vec<(String, SecretValue)>> = BTreeMap::new();
        for r in tx.secrets(&filter)? {
            check_row(&tx, keys, &r)?;
            for (version, at) in tx.version_times(r.id)? {
                let Some(v) = tx.version(r.id, version)? else { continue };
                let value = keys.open_version(r.id, &r.path, version, &v.sealed)?;
                events.entry(at).or_default().push((r.name.clone(), value));
            }
        }
        let mut current = Fields::new();
        let mut out: Vec<Snapshot> = Vec::new();
        for (at, changes) in events {
            for (name, value) in changes {
                current.insert(name, value);
            }
            let fields = dup(&current);
            // An unchanged snapshot (a rewrite of the same value) would be a pointless version.
            if out.last().is_some_and(|s| fields_equal(&s.fields, &fields)) {
                continue;
            }
            out.push(Snapshot { at, fields });
        }
        Ok(out)
    }
}

pub(crate) fn dup(f: &Fields) -> Fields {
    f.iter().map(|(k, v)| (k.clone(), SecretValue::new(v.expose().to_vec()))).collect()
}

/// Where a replay of `snaps` can continue on a remote secret now at `version` with `fields`:
/// `Some(n)` when the remote holds exactly the first `n` snapshots (0 when it does not exist),
/// `None` when it holds something else (then history is not replayed).
pub(crate) fn replay_start(snaps: &[Snapshot], remote: Option<(u64, &Fields)>) -> Option<usize> {
    match remote {
        None => Some(0),
        Some((v, fields)) => {
            let n = usize::try_from(v).ok()?;
            (n >= 1 && n <= snaps.len() && fields_equal(&snaps[n - 1].fields, fields)).then_some(n)
        }
    }
}

/// The remote's kept versions before `current`, oldest first, with their creation times
/// (deleted and destroyed versions are skipped).
pub(crate) async fn remote_versions(
    conn: &Conn,
    path: &str,
    current: u64,
) -> Result<Vec<(i64, Fields)>> {
    let Some(meta) = conn.read_metadata(path).await? else { return Ok(Vec::new()) };
    let mut versions: Vec<(u64, i64)> = meta
        .versions
        .iter()
        .filter(|(_, m)| !m.destroyed && m.deletion_time.is_empty())
        .filter_map(|(v, m)| {
            Some((v.parse::<u64>().ok()?, crate::timefmt::parse_date(&m.created_time).unwrap_or(0)))
        })
        .filter(|(v, _)| *v < current)
        .collect();
    versions.sort();
    let mut out = Vec::new();
    for (v, at) in versions {
        if let Some(f) = conn.read_version(path, v).await? {
            out.push((at, f));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), SecretValue::from_string(v.to_string())))
            .collect()
    }

    #[test]
    fn replay_resumes_only_on_its_own_prefix() {
        let snaps = vec![
            Snapshot { at: 1, fields: f(&[("A", "1")]) },
            Snapshot { at: 2, fields: f(&[("A", "2")]) },
            Snapshot { at: 3, fields: f(&[("A", "2"), ("B", "x")]) },
        ];
        assert_eq!(replay_start(&snaps, None), Some(0));
        assert_eq!(replay_start(&snaps, Some((2, &f(&[("A", "2")])))), Some(2));
        assert_eq!(replay_start(&snaps, Some((3, &snaps[2].fields))), Some(3));
        assert_eq!(replay_start(&snaps, Some((2, &f(&[("A", "other")])))), None);
        assert_eq!(replay_start(&snaps, Some((4, &snaps[2].fields))), None);
    }
}
