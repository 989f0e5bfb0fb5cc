//! Planning: compare a folder's local secrets, its remote fields and the keyed hashes of the last
//! sync, and decide per key what push, pull or sync would do. Pure: no I/O, no writes.

use std::collections::{BTreeMap, BTreeSet};

use super::client::{Gone, RemoteSecret};
use super::mapping::secret_path;
use super::meta::{encode_custom, hush_part, merged, read_all, TravelMeta};
use super::state::{Base, MacKey};
use super::types::{
    Direction, FolderPlan, FolderState, KeyAction, KeyPlan, PlannedCustom, Resolution,
};
use crate::model::SecretMeta;
use crate::secret::SecretValue;
use crate::vault::MAX_VALUE_BYTES;

/// One live local secret with its current value.
pub(crate) struct LocalSecret {
    pub meta: SecretMeta,
    pub value: SecretValue,
}

/// A local folder's own secrets, by name.
pub(crate) type LocalFolder = BTreeMap<String, LocalSecret>;

/// How one key compares, whatever the direction.
#[derive(Debug, Clone, PartialEq)]
enum Cmp {
    Same,
    LocalNew,
    LocalNewer,
    RemoteNew,
    RemoteNewer,
    Conflict(&'static str),
    Unrepresentable,
}

pub(crate) struct Inputs<'a> {
    pub remote_id: i64,
    pub folder: &'a str,
    /// `<mount>/<path>` for display.
    pub display_path: String,
    pub local: Option<&'a LocalFolder>,
    pub remote: Option<&'a RemoteSecret>,
    pub base: Option<&'a Base>,
    pub macs: &'a MacKey,
    pub direction: Direction,
    pub resolutions: &'a BTreeMap<String, Resolution>,
    pub kv: u8,
}

fn compare(i: &Inputs<'_>, name: &str, l: Option<&SecretValue>, r: Option<&SecretValue>) -> Cmp {
    if secret_path(i.folder, name).is_err() {
        return Cmp::Unrepresentable;
    }
    let base = i.base.and_then(|b| b.macs.get(name));
    let mac = |v: &SecretValue| i.macs.mac(i.remote_id, i.folder, name, v.expose());
    match (l, r) {
        (Some(l), Some(r)) if l.expose() == r.expose() => Cmp::Same,
        // A key the last sync saw on both sides and one side no longer has: never a new key to
        // copy back over the removal, whether or not the other side changed it since.
        (Some(l), None) => match base {
            Some(b) if *b == mac(l) => Cmp::Conflict("removed on the remote since the last sync"),
            Some(_) => Cmp::Conflict("changed here and removed on the remote since the last sync"),
            None => Cmp::LocalNew,
        },
        (None, Some(r)) => match base {
            Some(b) if *b == mac(r) => Cmp::Conflict("removed locally since the last sync"),
            Some(_) => {
                Cmp::Conflict("removed locally and changed on the remote since the last sync")
            }
            None => Cmp::RemoteNew,
        },
        (Some(l), Some(r)) => match base {
            None => Cmp::Conflict("both sides have a different value and were never synced"),
            Some(b) => match (*b != mac(l), *b != mac(r)) {
                (true, false) => Cmp::LocalNewer,
                (false, true) => Cmp::RemoteNewer,
                _ => Cmp::Conflict("changed on both sides since the last sync"),
            },
        },
        (None, None) => Cmp::Same,
    }
}

fn resolution(i: &Inputs<'_>, name: &str) -> Option<Resolution> {
    let key = secret_path(i.folder, name).map(|p| p.to_string()).unwrap_or_default();
    i.resolutions.get(&key).or_else(|| i.resolutions.get(i.folder)).copied()
}

/// The action for a comparison in a direction, and why when nothing moves.
fn action(i: &Inputs<'_>, name: &str, cmp: &Cmp, l: bool, r: bool) -> (KeyAction, Option<String>) {
    let push = i.direction != Direction::Pull;
    let pull = i.direction != Direction::Push;
    let skip = |why: &str| (KeyAction::Skipped, Some(why.to_string()));
    match cmp {
        Cmp::Same => (KeyAction::Unchanged, None),
        Cmp::LocalNew if push => (KeyAction::CreateRemote, None),
        Cmp::LocalNew => skip("only local"),
        Cmp::LocalNewer if push => (KeyAction::UpdateRemote, None),
        Cmp::LocalNewer => skip("the local value is newer (push or sync sends it)"),
        Cmp::RemoteNew if pull => (KeyAction::CreateLocal, None),
        Cmp::RemoteNew => skip("only on the remote"),
        Cmp::RemoteNewer if pull => (KeyAction::UpdateLocal, None),
        Cmp::RemoteNewer => skip("the remote value is newer (pull or sync brings it)"),
        Cmp::Unrepresentable => (KeyAction::Skipped, Some(unrepresentable(name))),
        Cmp::Conflict(why) => match resolution(i, name) {
            Some(Resolution::KeepLocal) if push && l => (if r { KeyAction::UpdateRemote } else { KeyAction::CreateRemote }, Some("conflict resolved: keep local".into())),
            Some(Resolution::KeepRemote) if pull && r => (if l { KeyAction::UpdateLocal } else { KeyAction::CreateLocal }, Some("conflict resolved: keep remote".into())),
            // The chosen side no longer has the key: carry the removal over.
            Some(Resolution::KeepLocal) if push && r => (KeyAction::DeleteRemote, Some("conflict resolved: keep local (removed here): the field is dropped remotely".into())),
            Some(Resolution::KeepRemote) if pull && l => (KeyAction::DeleteLocal, Some("conflict resolved: keep remote (removed there): the local secret goes to the trash".into())),
            Some(_) => skip("the chosen side has no value to copy in this direction; left as is"),
            None => (KeyAction::Conflict, Some(why.to_string())),
        },
    }
}

/// The plan of one folder.
pub(crate) fn plan_folder(i: &Inputs<'_>) -> FolderPlan {
    let empty = LocalFolder::new();
    let local = i.local.unwrap_or(&empty);
    let remote_fields = i.remote.map(|r| &r.fields);
    let mut names: BTreeSet<&str> = local.keys().map(String::as_str).collect();
    if let Some(f) = remote_fields {
        names.extend(f.keys().map(String::as_str));
    }
    let remote_version = i.remote.map_or(0, |r| r.version);
    let mut keys = Vec::new();
    let (mut ahead_local, mut ahead_remote, mut conflict) = (false, false, false);
    for name in names {
        let l = local.get(name);
        let r = remote_fields.and_then(|f| f.get(name));
        let cmp = compare(i, name, l.map(|s| &s.value), r);
        match cmp {
            Cmp::LocalNew | Cmp::LocalNewer => ahead_local = true,
            Cmp::RemoteNew | Cmp::RemoteNewer => ahead_remote = true,
            Cmp::Conflict(_) => conflict = true,
            Cmp::Same | Cmp::Unrepresentable => {}
        }
        let (action, reason) = match action(i, name, &cmp, l.is_some(), r.is_some()) {
            // A remote value Hush cannot keep is left where it is, with why; the folder's other
            // keys still come (writing it would fail the whole pull, or a remote-first run).
            (a, reason) if a.writes_local() => match r.and_then(unkeepable) {
                Some(why) => (KeyAction::Skipped, Some(why)),
                None => (a, reason),
            },
            other => other,
        };
        keys.push(KeyPlan {
            name: name.to_string(),
            action,
            local_version: l.map(|s| s.meta.version),
            remote_version: r.map(|_| remote_version),
            reason,
        });
    }
    let state = match (conflict, ahead_local, ahead_remote) {
        (true, _, _) => FolderState::Conflict,
        (false, true, true) => FolderState::Diverged,
        (false, true, false) => FolderState::LocalAhead,
        (false, false, true) => FolderState::RemoteAhead,
        _ => FolderState::InSync,
    };
    let mut notes = Vec::new();
    if i.direction == Direction::Pull {
        let names: Vec<String> =
            metadata_to_pull(i.local, i.remote, &keys).into_iter().map(|(n, _)| n).collect();
        if !names.is_empty() {
            notes.push(metadata_pulled_note(&names));
        }
    }
    if i.kv == 2 {
        notes.extend(i.remote.map(|r| super::meta::problems(&r.custom)).unwrap_or_default());
    }
    // A name that changes how programs start, brought in from the remote: `run` will refuse it.
    let incoming =
        keys.iter().filter(|k| matches!(k.action, KeyAction::CreateLocal | KeyAction::UpdateLocal));
    notes.extend(incoming.filter_map(|k| crate::envguard::flag(&k.name)));
    match i.remote.and_then(|r| r.deleted) {
        Some(Gone::Deleted) => notes.push(format!(
            "the latest remote version ({remote_version}) is deleted (`kv undelete` brings it back); a push writes a new version"
        )),
        Some(Gone::Destroyed) => notes.push(format!(
            "the latest remote version ({remote_version}) is destroyed (its data is gone for good); a push writes a new version"
        )),
        None => {}
    }
    let foreign = i.remote.and_then(|r| super::meta::foreign_format(&r.custom));
    let custom = (i.direction != Direction::Pull && i.kv == 2 && !local.is_empty())
        .then(|| desired_custom(i.remote, local))
        .filter(|_| foreign.is_none());
    notes.extend(foreign);
    let metadata_changes = custom.as_ref().is_some_and(|(hush, _, _)| {
        *hush != i.remote.map(|r| hush_part(&r.custom)).unwrap_or_default()
    });
    FolderPlan {
        folder: i.folder.to_string(),
        remote_path: i.display_path.clone(),
        remote_exists: i.remote.is_some(),
        remote_version,
        last_synced_version: i.base.map(|b| b.remote_version),
        state,
        metadata_changes,
        keys,
        notes,
        custom: custom.map(|(_, full, notes)| PlannedCustom {
            against: i.remote.map(|r| r.version),
            full,
            notes,
        }),
    }
}

/// The note on metadata a pull takes for keys whose value did not change: the plan's, and the
/// report's when the pull took it (one note, not a preview and a confirmation).
pub(crate) fn metadata_pulled_note(names: &[String]) -> String {
    format!("metadata from the remote for {} unchanged key(s): {}", names.len(), names.join(", "))
}

/// Pull only: keys equal on both sides whose Hush metadata on the remote (tags, description,
/// expiry, rotation, free metadata) differs from the local one, with the metadata to take: the
/// remote's readable fields laid over the local ones. A field the remote holds shortened (cut to
/// fit) or unreadable keeps its local value. The kind and the source stay local (a kind goes
/// with a value; the source says where this copy came from).
pub(crate) fn metadata_to_pull(
    local: Option<&LocalFolder>,
    remote: Option<&RemoteSecret>,
    keys: &[KeyPlan],
) -> Vec<(String, TravelMeta)> {
    let (Some(local), Some(remote)) = (local, remote) else { return Vec::new() };
    let remote_metas = read_all(&remote.custom);
    keys.iter()
        .filter(|k| k.action == KeyAction::Unchanged)
        .filter_map(|k| {
            let theirs = remote_metas.get(&k.name).filter(|r| !r.opaque)?;
            let ours = TravelMeta::of(&local.get(&k.name)?.meta);
            let take = merged(Some(&ours), theirs);
            (take != ours).then(|| (k.name.clone(), take))
        })
        .collect()
}

/// The Hush part of the `custom_metadata` a push leaves (remote entries of keys not held locally
/// are kept), the full map to write, and notes on what was kept or did not fit.
pub(crate) fn desired_custom(
    remote: Option<&RemoteSecret>,
    local: &LocalFolder,
) -> (BTreeMap<String, String>, BTreeMap<String, String>, Vec<String>) {
    let existing = remote.map(|r| r.custom.clone()).unwrap_or_default();
    let locals: BTreeMap<String, TravelMeta> =
        local.iter().map(|(name, s)| (name.clone(), TravelMeta::of(&s.meta))).collect();
    let (full, notes) = encode_custom(&existing, &locals);
    (hush_part(&full), full, notes)
}

/// Why a field name cannot be a Hush secret name.
/// Why a remote value cannot be kept in the vault (it stays on the remote only), if so.
fn unkeepable(v: &SecretValue) -> Option<String> {
    if v.len() > MAX_VALUE_BYTES {
        Some(format!(
            "the remote value is {} bytes; Hush keeps values up to {MAX_VALUE_BYTES} bytes (1 MiB), so it stays on the remote only",
            v.len()
        ))
    } else if v.has_nul() {
        Some("the remote value holds a NUL character (U+0000), which no environment variable can hold, so it stays on the remote only".into())
    } else {
        None
    }
}

fn unrepresentable(name: &str) -> String {
    let why = if name.is_empty() {
        "the field name is empty".to_string()
    } else if name.contains('/') {
        "the field name holds '/', which separates folders in Hush".to_string()
    } else if let Some(c) = name.chars().find(|c| c.is_control()) {
        format!("the field name holds the control character U+{:04X}", u32::from(c))
    } else if let Some(c) = name.chars().find(|c| crate::is_deceptive_char(*c)) {
        format!(
            "the field name holds the invisible or text-direction character U+{:04X}",
            u32::from(c)
        )
    } else if name.contains(['"', '\\']) {
        "the field name holds a quote or a backslash".to_string()
    } else {
        "the field name cannot be a Hush secret name (too long, or not valid text for a path)"
            .to_string()
    };
    format!("{why}; left on the remote as it is")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Key32;

    fn meta(name: &str, version: u64) -> SecretMeta {
        SecretMeta {
            id: 1,
            path: format!("f/{name}"),
            folder: "f".into(),
            name: name.into(),
            kind: Default::default(),
            description: None,
            tags: vec![],
            expires_at: None,
            rotate_every_days: None,
            last_rotated_at: None,
            source: None,
            meta: Default::default(),
            versions_kept: None,
            version,
            created_at: 0,
            updated_at: 0,
            last_read_at: None,
            deleted_at: None,
            policy: None,
            last_checked_at: None,
        }
    }
    fn v(s: &str) -> SecretValue {
        SecretValue::from_string(s.into())
    }

    /// Local A=a2 (changed), B=b, C=c1 (remote changed C), D both changed, E only local, F only remote.
    #[test]
    fn three_way_comparison_per_direction() {
        let key = Key32::random();
        let macs = MacKey::derive(&key, "vault");
        let mut local = LocalFolder::new();
        for (n, val) in [("A", "a2"), ("B", "b"), ("C", "c1"), ("D", "d-local"), ("E", "e")] {
            local.insert(n.into(), LocalSecret { meta: meta(n, 2), value: v(val) });
        }
        let remote = RemoteSecret {
            version: 7,
            fields: [("A", "a1"), ("B", "b"), ("C", "c2"), ("D", "d-remote"), ("F", "f")]
                .into_iter()
                .map(|(k, x)| (k.to_string(), v(x)))
                .collect(),
            raw: Default::default(),
            custom: Default::default(),
            deleted: None,
        };
        let base = Base {
            remote_version: 6,
            macs: [("A", "a1"), ("B", "b"), ("C", "c1"), ("D", "d0")]
                .into_iter()
                .map(|(k, x)| (k.to_string(), macs.mac(1, "f", k, x.as_bytes())))
                .collect(),
        };
        let none = BTreeMap::new();
        let run = |direction, res: &BTreeMap<String, Resolution>| {
            let i = Inputs {
                remote_id: 1,
                folder: "f",
                display_path: "secret/f".into(),
                local: Some(&local),
                remote: Some(&remote),
                base: Some(&base),
                macs: &macs,
                direction,
                resolutions: res,
                kv: 2,
            };
            plan_folder(&i).keys.into_iter().map(|k| (k.name, k.action)).collect::<BTreeMap<_, _>>()
        };
        use KeyAction::*;
        let sync = run(Direction::Sync, &none);
        assert_eq!(sync["A"], UpdateRemote);
        assert_eq!(sync["B"], Unchanged);
        assert_eq!(sync["C"], UpdateLocal);
        assert_eq!(sync["D"], Conflict);
        assert_eq!(sync["E"], CreateRemote);
        assert_eq!(sync["F"], CreateLocal);
        let push = run(Direction::Push, &none);
        assert_eq!(
            (push["A"], push["C"], push["D"], push["F"]),
            (UpdateRemote, Skipped, Conflict, Skipped)
        );
        let pull = run(Direction::Pull, &none);
        assert_eq!(
            (pull["A"], pull["C"], pull["E"], pull["F"]),
            (Skipped, UpdateLocal, Skipped, CreateLocal)
        );
        let keep_local = BTreeMap::from([("f/D".to_string(), Resolution::KeepLocal)]);
        assert_eq!(run(Direction::Sync, &keep_local)["D"], UpdateRemote);
        let keep_remote = BTreeMap::from([("f".to_string(), Resolution::KeepRemote)]);
        assert_eq!(run(Direction::Sync, &keep_remote)["D"], UpdateLocal);
    }

    #[test]
    fn never_synced_and_different_is_a_conflict_and_equal_is_unchanged() {
        let key = Key32::random();
        let macs = MacKey::derive(&key, "vault");
        let mut local = LocalFolder::new();
        local.insert("A".into(), LocalSecret { meta: meta("A", 1), value: v("x") });
        local.insert("B".into(), LocalSecret { meta: meta("B", 1), value: v("same") });
        let remote = RemoteSecret {
            version: 1,
            fields: [
                ("A".to_string(), v("y")),
                ("B".to_string(), v("same")),
                ("bad/name".to_string(), v("z")),
            ]
            .into_iter()
            .collect(),
            raw: Default::default(),
            custom: Default::default(),
            deleted: None,
        };
        let none = BTreeMap::new();
        let i = Inputs {
            remote_id: 1,
            folder: "f",
            display_path: "secret/f".into(),
            local: Some(&local),
            remote: Some(&remote),
            base: None,
            macs: &macs,
            direction: Direction::Push,
            resolutions: &none,
            kv: 2,
        };
        let p = plan_folder(&i);
        assert_eq!(p.state, FolderState::Conflict);
        assert_eq!(p.count(KeyAction::Conflict), 1);
        assert_eq!(p.count(KeyAction::Unchanged), 1);
        assert_eq!(p.count(KeyAction::Skipped), 1);
        assert!(!p.metadata_changes, "plain secrets have no metadata to write");
        // A tag is metadata the remote does not hold yet.
        let mut tagged = LocalFolder::new();
        tagged.insert("A".into(), LocalSecret { meta: meta("A", 1), value: v("x") });
        let b = SecretMeta { tags: vec!["prod".into()], ..meta("B", 1) };
        tagged.insert("B".into(), LocalSecret { meta: b, value: v("same") });
        let p = plan_folder(&Inputs { local: Some(&tagged), ..i });
        assert!(p.metadata_changes, "hush metadata was never written");
    }
}
