//! Hush metadata in a KV v2 secret's `custom_metadata`: one `hush:<NAME>` entry per secret
//! (compact JSON), plus `hush` = format version. Written within Vault's limits (64 entries,
//! 128-byte keys, 512-byte values), and read leniently, because teammates write these entries
//! too (hvac, the `bao` CLI, the UI):
//!
//! - What can be read is read: RFC 3339 or `YYYY-MM-DD` dates as well as Unix seconds, numbers
//!   written as strings, tags as a list or as `a,b`; a missing field is the default.
//! - What cannot be read (an unknown field, a value of the wrong shape, an entry that is not a
//!   JSON object) is reported and **kept on the remote as it is**: a push never overwrites it.
//! - An entry whose readable part equals the local metadata is left byte for byte as it is; one a
//!   local edit rewrites keeps the teammate's shapes (`dialect`).
//! - What Hush shortened to fit is marked (`"cut": ["description"]`), and a pull never lays a
//!   shortened field over the full local one.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::{Kind, SecretMeta, WriteOptions};

/// Vault's limits on `custom_metadata`.
pub(crate) const MAX_CUSTOM_KEYS: usize = 64;
pub(crate) const MAX_CUSTOM_KEY_BYTES: usize = 128;
pub(crate) const MAX_CUSTOM_VALUE_BYTES: usize = 512;
/// `custom_metadata` keys Hush owns: `hush` (format), `hush:<NAME>` (one per secret), `hush-history`.
pub(crate) const FORMAT_KEY: &str = "hush";
pub(crate) const META_PREFIX: &str = "hush:";
pub(crate) const HISTORY_KEY: &str = "hush-history";
/// The field naming what the writer shortened or left out to fit.
const CUT: &str = "cut";

/// Hush metadata of one secret as it travels (only what differs from the defaults). The fields
/// are declared in alphabetical order: serialised directly, an entry then reads byte for byte as
/// it does through a sorted `serde_json::Map` (and whether a build sorts maps or keeps their
/// order, which cargo's feature unification decides, no longer changes what is written).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct TravelMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotate_every_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl TravelMeta {
    pub(crate) fn of(m: &SecretMeta) -> Self {
        TravelMeta {
            kind: (m.kind != Kind::Generic).then_some(m.kind),
            tags: m.tags.clone(),
            description: m.description.clone(),
            expires_at: m.expires_at,
            rotate_every_days: m.rotate_every_days,
            // Local paths stay local: where this copy came from (`/home/me/proj/.env`) is this
            // machine's business, not the team's.
            source: None,
            meta: m.meta.clone(),
        }
    }

    fn is_empty(&self) -> bool {
        *self == TravelMeta::default()
    }

    /// The fields a metadata pull compares and takes (the kind goes with a value; the source
    /// says where this copy came from).
    fn comparable(&self) -> TravelMeta {
        TravelMeta { kind: None, source: None, ..self.clone() }
    }

    /// Write options that give a pulled secret this metadata; its source is `provenance`.
    pub(crate) fn write_options(this: Option<&TravelMeta>, provenance: &str) -> WriteOptions {
        let t = this.cloned().unwrap_or_default();
        WriteOptions {
            kind: t.kind,
            tags: (!t.tags.is_empty()).then_some(t.tags),
            description: t.description,
            expires_at: t.expires_at,
            rotate_every_days: t.rotate_every_days,
            // Where this copy came from is the remote it was pulled from, whatever the remote's
            // metadata says (older versions of Hush sent local file paths).
            source: Some(provenance.to_string()),
            meta: t.meta,
            ..Default::default()
        }
    }
}

/// One `hush:<NAME>` entry as read from the remote.
#[derive(Debug, Clone, Default)]
pub(crate) struct RemoteMeta {
    /// What Hush could read.
    pub meta: TravelMeta,
    /// Fields the writer shortened or left out to fit (`"cut"`): never laid over local values.
    pub cut: BTreeSet<String>,
    /// Fields Hush could not read, as they are: kept on the remote by every push.
    pub foreign: Map<String, Value>,
    /// Fields Hush read, as they were written: a push writes them back in the same shape
    /// (`dialect`), so a teammate's `"2031-05-01"` does not become Unix seconds.
    pub written: Map<String, Value>,
    /// Not a JSON object: nothing was read, and the entry is left as it is.
    pub opaque: bool,
    /// What could not be read, for notes.
    pub problems: Vec<String>,
}

/// A field's value as text for a note (bounded, one line).
fn shown(v: &Value) -> String {
    super::mapping::truncate_bytes(&v.to_string().replace(['\n', '\r'], " "), 60)
}

fn as_i64(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// The tags of a list of strings or of `a,b` text, each one a tag `set` would accept.
fn tags_of(v: &Value) -> Option<Vec<String>> {
    let tags: Vec<String> = match v {
        Value::Array(a) => {
            a.iter().map(|t| t.as_str().map(str::to_string)).collect::<Option<_>>()?
        }
        Value::String(s) => {
            s.split(',').map(str::trim).filter(|t| !t.is_empty()).map(String::from).collect()
        }
        _ => return None,
    };
    tags.iter().all(|t| crate::model::check_tag(t).is_ok()).then_some(tags)
}

/// Free metadata `set` would accept: at most 64 string entries with sane keys.
fn free_meta_of(v: &Value) -> Option<BTreeMap<String, String>> {
    let m = v.as_object()?;
    let ok = |k: &String, v: &str| {
        !k.is_empty() && k.len() <= 128 && v.len() <= 4096 && !k.chars().any(char::is_control)
    };
    let out: BTreeMap<String, String> = m
        .iter()
        .map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())).filter(|(k, v)| ok(k, v)))
        .collect::<Option<_>>()?;
    (out.len() <= 64).then_some(out)
}

/// Reads one entry as far as it can be read.
pub(crate) fn read_entry(raw: &str) -> RemoteMeta {
    let mut r = RemoteMeta::default();
    let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(raw) else {
        r.opaque = true;
        r.problems.push("not a JSON object: left as it is".into());
        return r;
    };
    for (k, v) in obj {
        let read = match k.as_str() {
            "kind" => v.as_str().and_then(|s| Kind::parse(s).ok()).map(|x| r.meta.kind = Some(x)),
            "tags" => tags_of(&v).map(|t| r.meta.tags = t),
            "description" => v.as_str().map(|d| r.meta.description = Some(d.to_string())),
            "expires_at" => as_i64(&v)
                .or_else(|| v.as_str().and_then(|s| crate::timefmt::parse_date(s.trim()).ok()))
                .map(|t| r.meta.expires_at = Some(t)),
            "rotate_every_days" => as_i64(&v)
                .and_then(|d| u32::try_from(d).ok())
                .filter(|d| {
                    let o = WriteOptions { rotate_every_days: Some(*d), ..Default::default() };
                    crate::ranges::check_write_options(&o).is_ok()
                })
                .map(|d| r.meta.rotate_every_days = Some(d)),
            "meta" => free_meta_of(&v).map(|m| r.meta.meta = m),
            // Older Hush sent local paths; where a copy came from is never taken from the remote.
            "source" => Some(()),
            CUT => v
                .as_array()
                .map(|a| r.cut.extend(a.iter().filter_map(|x| x.as_str().map(String::from)))),
            _ => {
                r.problems.push(format!("unknown field '{k}' (kept on the remote)"));
                r.foreign.insert(k, v);
                continue;
            }
        };
        if read.is_none() {
            r.problems.push(format!("{k} {} cannot be read (kept on the remote)", shown(&v)));
            r.foreign.insert(k, v);
        } else if !matches!(k.as_str(), "source" | CUT) {
            r.written.insert(k, v);
        }
    }
    r
}

/// Every `hush:<NAME>` entry of a remote secret's `custom_metadata`, read, per name.
pub(crate) fn read_all(custom: &BTreeMap<String, String>) -> BTreeMap<String, RemoteMeta> {
    if foreign_format(custom).is_some() {
        return BTreeMap::new();
    }
    custom
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(META_PREFIX)?.to_string(), read_entry(v))))
        .collect()
}

/// The remote's metadata laid over `local` (pull): a field the remote holds readably replaces
/// the local one, except one the writer shortened to fit, which never replaces a local value.
/// With no local secret (`None`), everything readable is taken, shortened or not.
pub(crate) fn merged(local: Option<&TravelMeta>, remote: &RemoteMeta) -> TravelMeta {
    let Some(local) = local else { return remote.meta.clone() };
    let mut out = remote.meta.clone();
    let keep = |f: &str| remote.cut.contains(f) || remote.foreign.contains_key(f);
    if keep("tags") {
        out.tags.clone_from(&local.tags);
    }
    if keep("description") {
        out.description.clone_from(&local.description);
    }
    if keep("expires_at") {
        out.expires_at = local.expires_at;
    }
    if keep("rotate_every_days") {
        out.rotate_every_days = local.rotate_every_days;
    }
    if keep("meta") {
        out.meta.clone_from(&local.meta);
    }
    out.kind = local.kind;
    out.source.clone_from(&local.source);
    out
}

/// True when the remote entry already says what `local` says (a shortened field counts as
/// saying it when the local value starts with it).
fn agrees(local: &TravelMeta, remote: &RemoteMeta) -> bool {
    let l = local.comparable();
    let r = remote.meta.comparable();
    let cut = |f: &str| remote.cut.contains(f);
    let desc_ok = match (&l.description, &r.description) {
        (Some(a), Some(b)) if cut("description") => a.starts_with(b.as_str()),
        (a, b) => a == b,
    };
    local.kind == remote.meta.kind
        && desc_ok
        && (l.tags == r.tags || cut("tags"))
        && (l.expires_at == r.expires_at || cut("expires_at"))
        && (l.rotate_every_days == r.rotate_every_days || cut("rotate_every_days"))
        && (l.meta == r.meta || cut("meta"))
}

/// `t` as compact JSON within `max` bytes, with `foreign` fields kept as they are (they win over
/// ours: the remote's value is not overwritten) and the fields in `styled` written in the shape
/// the remote entry had them (`dialect`). What does not fit is left out and named in `"cut"`:
/// free metadata first, then the description is shortened, then everything but the kind.
/// `None`: even that does not fit (foreign fields fill the entry).
fn encode(
    t: &TravelMeta,
    foreign: &Map<String, Value>,
    styled: &Map<String, Value>,
    max: usize,
) -> Option<(String, bool)> {
    let json = |t: &TravelMeta, cut: &[&str]| {
        // The common case, and one entry per secret of a push: straight to text.
        if foreign.is_empty() && styled.is_empty() && cut.is_empty() {
            return serde_json::to_string(t).expect("serialisable");
        }
        let mut obj = match serde_json::to_value(t).expect("serialisable") {
            Value::Object(o) => o,
            _ => Map::new(),
        };
        for (k, v) in styled {
            if let Some(ours) = obj.get_mut(k) {
                ours.clone_from(v);
            }
        }
        for (k, v) in foreign {
            obj.insert(k.clone(), v.clone());
        }
        if !cut.is_empty() {
            obj.insert(CUT.into(), cut.iter().map(|c| Value::from(*c)).collect());
        }
        Value::Object(obj).to_string()
    };
    let full = json(t, &[]);
    if full.len() <= max {
        return Some((full, false));
    }
    let mut t = t.clone();
    let mut cut = Vec::new();
    if !t.meta.is_empty() {
        t.meta.clear();
        cut.push("meta");
    }
    if t.description.as_deref().is_some_and(|d| !d.is_empty()) {
        cut.push("description");
    }
    loop {
        let s = json(&t, &cut);
        if s.len() <= max {
            return Some((s, true));
        }
        match &mut t.description {
            Some(d) if !d.is_empty() => {
                let keep = d.chars().count().saturating_sub((s.len() - max).max(8));
                *d = d.chars().take(keep).collect();
            }
            _ => break,
        }
    }
    let bare = TravelMeta { kind: t.kind, ..Default::default() };
    let all = ["meta", "description", "tags", "expires_at", "rotate_every_days"];
    let s = json(&bare, &all);
    (s.len() <= max).then_some((s, true))
}

/// The `custom_metadata` a push leaves: entries not owned by Hush kept as they are; per local
/// secret its metadata, except where the remote entry already says it (left byte for byte) or
/// holds what Hush cannot read (kept); entries of names not held locally kept as they are.
/// Returns the map and notes on what was kept or did not fit.
pub(crate) fn encode_custom(
    existing: &BTreeMap<String, String>,
    locals: &BTreeMap<String, TravelMeta>,
) -> (BTreeMap<String, String>, Vec<String>) {
    let mut out: BTreeMap<String, String> = existing
        .iter()
        .filter(|(k, _)| !is_hush_key(k) || k.starts_with(META_PREFIX) || k.as_str() == HISTORY_KEY)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(h) = out.get_mut(HISTORY_KEY) {
        *h = truncate(h);
    }
    let remote = read_all(existing);
    let (mut notes, mut no_room, mut shortened) = (Vec::new(), Vec::new(), Vec::new());
    for (name, local) in locals {
        let key = format!("{META_PREFIX}{name}");
        let theirs = remote.get(name);
        match theirs {
            Some(r) if r.opaque => {
                notes.push(format!("metadata of '{name}' on the remote is not JSON Hush reads: left as it is, the local metadata was not sent"));
                continue;
            }
            Some(r) if agrees(local, r) => continue,
            _ => {}
        }
        let foreign = theirs.map(|r| r.foreign.clone()).unwrap_or_default();
        let styled = theirs.map(|r| super::dialect::overrides(local, r)).unwrap_or_default();
        if local.is_empty() && foreign.is_empty() {
            out.remove(&key);
            continue;
        }
        if key.len() > MAX_CUSTOM_KEY_BYTES {
            notes.push(format!(
                "metadata of '{name}' not sent: the name is too long for a custom_metadata key"
            ));
            continue;
        }
        // One place stays for the format entry, which comes with the first of Hush's entries.
        if !out.contains_key(&key) && out.len() + 1 >= MAX_CUSTOM_KEYS {
            no_room.push(name.as_str());
            continue;
        }
        match encode(local, &foreign, &styled, MAX_CUSTOM_VALUE_BYTES) {
            Some((json, cut)) => {
                if cut {
                    shortened.push(name.as_str());
                }
                out.insert(key, json);
            }
            None => notes.push(format!("metadata of '{name}' not sent: the remote entry's fields Hush cannot read leave no room (left as it is)")),
        }
    }
    if !shortened.is_empty() {
        notes.push(format!(
            "metadata of {} shortened to fit custom_metadata's 512-byte values (marked as cut: a pull keeps the full local text)",
            shortened.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ")
        ));
    }
    if !no_room.is_empty() {
        notes.push(format!(
            "metadata of {} secret(s) not sent: custom_metadata holds at most 64 entries ({})",
            no_room.len(),
            no_room.join(", ")
        ));
    }
    mark_format(&mut out, existing);
    (out, notes)
}

/// A format entry this Hush does not write (`hush` = `2` from a newer Hush): its entries may mean
/// something else, so they are neither read over local metadata nor written over (a push once
/// read them as format 1 and wrote `1` back). The note says so.
pub(crate) fn foreign_format(custom: &BTreeMap<String, String>) -> Option<String> {
    let v = custom.get(FORMAT_KEY).filter(|v| v.as_str() != "1")?;
    Some(format!(
        "the remote's Hush metadata is format '{}', which this Hush does not know: it is neither \
         read nor written (a newer Hush wrote it; update Hush)",
        v.escape_debug()
    ))
}

/// The format entry (`hush` = 1) says how to read Hush's entries, so it goes with them: a folder
/// of plain secrets gets no `custom_metadata` at all (no second write per folder), and a marker
/// already on the remote stays (so no push rewrites metadata only to drop it).
pub(crate) fn mark_format(out: &mut BTreeMap<String, String>, existing: &BTreeMap<String, String>) {
    let owned = out.keys().any(|k| k.starts_with(META_PREFIX) || k == HISTORY_KEY);
    if owned || existing.contains_key(FORMAT_KEY) {
        out.insert(FORMAT_KEY.into(), "1".into());
    } else {
        out.remove(FORMAT_KEY);
    }
}

fn truncate(s: &str) -> String {
    super::mapping::truncate_bytes(s, MAX_CUSTOM_VALUE_BYTES)
}

fn is_hush_key(k: &str) -> bool {
    k == FORMAT_KEY || k == HISTORY_KEY || k.starts_with(META_PREFIX)
}

/// The entries Hush owns, to tell whether metadata must be written again.
pub(crate) fn hush_part(custom: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    custom.iter().filter(|(k, _)| is_hush_key(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// How a note of `problems` begins.
const PROBLEM_NOTE: &str = "remote metadata of '";

/// Notes on remote entries of a folder that could not be read whole (plans and reports).
pub(crate) fn problems(custom: &BTreeMap<String, String>) -> Vec<String> {
    read_all(custom)
        .into_iter()
        .filter(|(_, r)| !r.problems.is_empty())
        .map(|(name, r)| format!("{PROBLEM_NOTE}{name}': {}", r.problems.join("; ")))
        .collect()
}

/// True for a note of `problems`: a remote-first run, which is about values, folds these into
/// one line per folder (a plan or a pull names each).
pub(crate) fn is_problem_note(note: &str) -> bool {
    note.starts_with(PROBLEM_NOTE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locals(pairs: &[(&str, TravelMeta)]) -> BTreeMap<String, TravelMeta> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    #[test]
    fn an_entry_reads_as_a_sorted_map_would_write_it() {
        // Entries are written straight from the struct; these are the bytes a sorted map gives,
        // which remotes already hold (so an unchanged entry is never rewritten in a new order).
        let t = TravelMeta {
            kind: Some(Kind::Token),
            tags: vec!["prod".into(), "db".into()],
            description: Some("main \"db\"".into()),
            expires_at: Some(1_900_000_000),
            rotate_every_days: Some(30),
            source: Some("s".into()),
            meta: BTreeMap::from([("z".into(), "1".into()), ("a".into(), "2".into())]),
        };
        let sorted: BTreeMap<String, Value> = match serde_json::to_value(&t).unwrap() {
            Value::Object(o) => o.into_iter().collect(),
            _ => unreachable!(),
        };
        let (direct, cut) = encode(&t, &Map::new(), &Map::new(), MAX_CUSTOM_VALUE_BYTES).unwrap();
        assert!(!cut);
        assert_eq!(direct, serde_json::to_string(&sorted).unwrap());
    }

    #[test]
    fn metadata_roundtrips_and_keeps_foreign_entries() {
        let db = TravelMeta {
            kind: Some(Kind::ConnectionString),
            tags: vec!["prod".into()],
            description: Some("main db".into()),
            expires_at: Some(1_900_000_000),
            ..Default::default()
        };
        let existing = BTreeMap::from([
            ("owner".to_string(), "team-a".to_string()),
            ("hush:OLD".to_string(), "{}".to_string()),
        ]);
        let (out, notes) = encode_custom(
            &existing,
            &locals(&[("DB_URL", db.clone()), ("PLAIN", TravelMeta::default())]),
        );
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(out["owner"], "team-a");
        assert_eq!(out["hush:OLD"], "{}", "an entry of a name not held here is kept");
        assert!(!out.contains_key("hush:PLAIN"));
        assert_eq!(out["hush"], "1");
        let back = read_all(&out);
        assert_eq!(back["DB_URL"].meta, db);
        assert!(back["DB_URL"].problems.is_empty());
    }

    #[test]
    fn plain_secrets_carry_no_custom_metadata_and_an_existing_marker_stays() {
        let plain = locals(&[("A", TravelMeta::default()), ("B", TravelMeta::default())]);
        let (out, notes) = encode_custom(&BTreeMap::new(), &plain);
        assert!(out.is_empty() && notes.is_empty(), "{out:?} {notes:?}");
        // A teammate's own entries are kept, still without a marker of Hush's format.
        let theirs = BTreeMap::from([("owner".to_string(), "ops".to_string())]);
        let (out, _) = encode_custom(&theirs, &plain);
        assert_eq!(out, theirs);
        // A folder an older Hush marked keeps its marker: nothing to rewrite.
        let marked = BTreeMap::from([("hush".to_string(), "1".to_string())]);
        assert_eq!(encode_custom(&marked, &plain).0, marked);
        // One tagged secret brings the marker with its entry.
        let tagged = TravelMeta { tags: vec!["prod".into()], ..Default::default() };
        let (out, _) = encode_custom(&BTreeMap::new(), &locals(&[("A", tagged)]));
        assert_eq!(out["hush"], "1");
        assert!(out.contains_key("hush:A"));
    }

    #[test]
    fn a_teammates_entry_is_read_leniently_and_its_unreadable_parts_kept() {
        let raw = r#"{"description":"from hvac","tags":"a, b","expires_at":"2030-01-01T00:00:00Z","rotate_every_days":"30","owner":"ops","kind":"martian"}"#;
        let r = read_entry(raw);
        assert_eq!(r.meta.description.as_deref(), Some("from hvac"));
        assert_eq!(r.meta.tags, vec!["a", "b"]);
        assert_eq!(r.meta.expires_at, Some(1_893_456_000));
        assert_eq!(r.meta.rotate_every_days, Some(30));
        assert_eq!(r.foreign.len(), 2, "{r:?}");
        assert!(r.problems.iter().any(|p| p.contains("owner")), "{:?}", r.problems);
        assert!(r.problems.iter().any(|p| p.contains("kind")), "{:?}", r.problems);
        assert!(read_entry("not json").opaque);

        // Equal readable part: the entry stays byte for byte.
        let existing = BTreeMap::from([("hush:B".to_string(), raw.to_string())]);
        let (out, _) = encode_custom(&existing, &locals(&[("B", r.meta.clone())]));
        assert_eq!(out["hush:B"], raw);
        // A local edit is written, the unreadable fields kept as they are.
        let edited = TravelMeta { description: Some("edited".into()), ..r.meta.clone() };
        let (out, _) = encode_custom(&existing, &locals(&[("B", edited)]));
        let v: Value = serde_json::from_str(&out["hush:B"]).unwrap();
        assert_eq!((v["description"].as_str(), v["owner"].as_str()), (Some("edited"), Some("ops")));
        assert_eq!(v["kind"], "martian");
        // Even no local metadata leaves the unreadable fields.
        let (out, _) = encode_custom(&existing, &locals(&[("B", TravelMeta::default())]));
        assert!(out["hush:B"].contains("owner"));
        // An opaque entry is never touched.
        let existing = BTreeMap::from([("hush:C".to_string(), "x=1".to_string())]);
        let (out, notes) = encode_custom(&existing, &locals(&[("C", r.meta)]));
        assert_eq!(out["hush:C"], "x=1");
        assert!(!notes.is_empty());
    }

    #[test]
    fn shortened_fields_are_marked_and_never_pulled_over_the_original() {
        let long = TravelMeta {
            description: Some("d".repeat(900)),
            meta: BTreeMap::from([("k".into(), "v".repeat(300))]),
            tags: vec!["t".into()],
            ..Default::default()
        };
        let mut all = locals(&[("A_LONG", long.clone())]);
        for i in 0..70 {
            all.insert(
                format!("K{i:02}"),
                TravelMeta { tags: vec!["t".into()], ..Default::default() },
            );
        }
        let (out, notes) = encode_custom(&BTreeMap::new(), &all);
        assert!(out.len() <= MAX_CUSTOM_KEYS);
        assert!(out.values().all(|v| v.len() <= MAX_CUSTOM_VALUE_BYTES));
        assert!(notes.iter().any(|n| n.contains("shortened")), "{notes:?}");
        assert!(notes.iter().any(|n| n.contains("at most 64")), "{notes:?}");
        let r = read_entry(&out["hush:A_LONG"]);
        assert!(r.cut.contains("description") && r.cut.contains("meta"), "{r:?}");
        assert!(r.meta.description.as_ref().unwrap().len() < 512);
        // Pulled over the full local text: the local text stays.
        let m = merged(Some(&long), &r);
        assert_eq!(m.description, long.description);
        assert_eq!(m.meta, long.meta);
        assert!(agrees(&long, &r), "the shortened entry already says what local says");
        // Pulled into a vault without the secret: what there is.
        assert!(merged(None, &r).description.unwrap().starts_with("ddd"));
    }
}
