//! The folder ↔ KV secret mapping (see the module docs of `remote`): paths, field values, and Hush
//! metadata in `custom_metadata`. Pure functions; the tests pin the format.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Result;
use crate::model::{Kind, SecretMeta, WriteOptions};
use crate::path::{is_env_name, FolderPath, SecretPath};
use crate::secret::SecretValue;

/// A folder's fields: name → value.
pub(crate) type Fields = BTreeMap<String, SecretValue>;

/// Vault's limits on `custom_metadata`.
pub(crate) const MAX_CUSTOM_KEYS: usize = 64;
pub(crate) const MAX_CUSTOM_KEY_BYTES: usize = 128;
pub(crate) const MAX_CUSTOM_VALUE_BYTES: usize = 512;
/// `custom_metadata` keys Hush owns: `hush` (format), `hush:<NAME>` (one per secret), `hush-history`.
pub(crate) const FORMAT_KEY: &str = "hush";
pub(crate) const META_PREFIX: &str = "hush:";
pub(crate) const HISTORY_KEY: &str = "hush-history";

/// One field's value as Hush stores it: strings as they are, any other JSON as its JSON text (what
/// `vault kv put k=@file.json` or the API with a number leaves behind).
pub(crate) fn value_from_json(v: Value) -> SecretValue {
    match v {
        Value::String(s) => SecretValue::from_string(s),
        other => SecretValue::from_string(other.to_string()),
    }
}

/// The fields of a KV `data` object. Anything but an object (or null) is not a Hush folder.
pub(crate) fn fields_from_json(data: Value) -> Option<Fields> {
    match data {
        Value::Object(map) => Some(map.into_iter().map(|(k, v)| (k, value_from_json(v))).collect()),
        Value::Null => Some(Fields::new()),
        _ => None,
    }
}

/// Serialises fields as a JSON object of strings, borrowing the values (no extra plaintext copy on
/// our side; the HTTP client's buffers are out of our hands).
pub(crate) struct ExposedFields<'a>(pub &'a Fields);

impl Serialize for ExposedFields<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v.expose_str())?;
        }
        m.end()
    }
}

pub(crate) fn fields_equal(a: &Fields, b: &Fields) -> bool {
    a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| w.expose() == v.expose()))
}

/// `<prefix>/<folder>` (the path under the mount).
pub(crate) fn remote_path(prefix: &str, folder: &str) -> String {
    if prefix.is_empty() {
        folder.to_string()
    } else {
        format!("{prefix}/{folder}")
    }
}

/// The local folder of a remote secret path under `prefix`, when it is a valid Hush folder.
pub(crate) fn folder_of(prefix: &str, path: &str) -> Option<String> {
    let rel =
        if prefix.is_empty() { path } else { path.strip_prefix(prefix)?.strip_prefix('/')? };
    FolderPath::parse(rel).ok().filter(|f| f.as_str() == rel).map(|f| f.as_str().to_string())
}

/// The local path of field `name` in `folder`; names that are not env names become quoted names.
pub(crate) fn secret_path(folder: &str, name: &str) -> Result<SecretPath> {
    if is_env_name(name) {
        SecretPath::parse(&format!("{folder}/{name}"))
    } else {
        SecretPath::parse(&format!("{folder}/\"{name}\""))
    }
}

/// Hush metadata of one secret as it travels (only what differs from the defaults).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct TravelMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotate_every_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
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

    /// Compact JSON within `max` bytes: drops free metadata, then shortens the description.
    fn encode(&self, max: usize) -> (String, bool) {
        let full = serde_json::to_string(self).expect("serialisable");
        if full.len() <= max {
            return (full, false);
        }
        let mut t = TravelMeta { meta: BTreeMap::new(), ..self.clone() };
        let mut s = serde_json::to_string(&t).expect("serialisable");
        while s.len() > max {
            match &mut t.description {
                Some(d) if !d.is_empty() => {
                    let keep = d.chars().count().saturating_sub((s.len() - max).max(8));
                    *d = d.chars().take(keep).collect();
                }
                _ => {
                    t = TravelMeta { kind: t.kind, ..Default::default() };
                    s = serde_json::to_string(&t).expect("serialisable");
                    break;
                }
            }
            s = serde_json::to_string(&t).expect("serialisable");
        }
        (s, true)
    }
}

/// The `custom_metadata` to write: every entry not owned by Hush kept as is, Hush's replaced.
/// Returns the map and notes about what did not fit.
pub(crate) fn encode_custom(
    existing: &BTreeMap<String, String>,
    metas: &BTreeMap<String, TravelMeta>,
    history: Option<&str>,
) -> (BTreeMap<String, String>, Vec<String>) {
    let mut out: BTreeMap<String, String> = existing
        .iter()
        .filter(|(k, _)| !is_hush_key(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut notes = Vec::new();
    out.insert(FORMAT_KEY.into(), "1".into());
    if let Some(h) = history.or_else(|| existing.get(HISTORY_KEY).map(String::as_str)) {
        out.insert(HISTORY_KEY.into(), truncate_bytes(h, MAX_CUSTOM_VALUE_BYTES));
    }
    let mut no_room = Vec::new();
    for (name, m) in metas.iter().filter(|(_, m)| !m.is_empty()) {
        let key = format!("{META_PREFIX}{name}");
        if key.len() > MAX_CUSTOM_KEY_BYTES {
            notes.push(format!(
                "metadata of '{name}' not sent: the name is too long for a custom_metadata key"
            ));
            continue;
        }
        if out.len() >= MAX_CUSTOM_KEYS {
            no_room.push(name.as_str());
            continue;
        }
        let (json, cut) = m.encode(MAX_CUSTOM_VALUE_BYTES);
        if cut {
            notes.push(format!(
                "metadata of '{name}' shortened to fit custom_metadata's 512-byte values"
            ));
        }
        out.insert(key, json);
    }
    if !no_room.is_empty() {
        notes.push(format!(
            "metadata of {} secret(s) not sent: custom_metadata holds at most 64 entries ({})",
            no_room.len(),
            no_room.join(", ")
        ));
    }
    (out, notes)
}

/// The Hush metadata found in a remote secret's `custom_metadata`, per name.
pub(crate) fn decode_custom(custom: &BTreeMap<String, String>) -> BTreeMap<String, TravelMeta> {
    custom
        .iter()
        .filter_map(|(k, v)| {
            Some((k.strip_prefix(META_PREFIX)?.to_string(), serde_json::from_str(v).ok()?))
        })
        .collect()
}

fn is_hush_key(k: &str) -> bool {
    k == FORMAT_KEY || k == HISTORY_KEY || k.starts_with(META_PREFIX)
}

/// The entries Hush owns, to tell whether metadata must be written again.
pub(crate) fn hush_part(custom: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    custom.iter().filter(|(k, _)| is_hush_key(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
}

pub(crate) fn truncate_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max.saturating_sub(3);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_values_become_text() {
        let f = fields_from_json(
            json!({"A": "x\ny", "N": 5, "B": true, "O": {"k": [1, 2]}, "Z": null}),
        )
        .unwrap();
        assert_eq!(f["A"].expose_str(), "x\ny");
        assert_eq!(f["N"].expose_str(), "5");
        assert_eq!(f["B"].expose_str(), "true");
        assert_eq!(f["O"].expose_str(), r#"{"k":[1,2]}"#);
        assert_eq!(f["Z"].expose_str(), "null");
        assert!(fields_from_json(json!("str")).is_none());
        let out = serde_json::to_value(ExposedFields(&f)).unwrap();
        assert_eq!(out["N"], "5");
    }

    #[test]
    fn paths_map_both_ways() {
        assert_eq!(remote_path("", "myapp/dev"), "myapp/dev");
        assert_eq!(remote_path("team/hush", "myapp/dev"), "team/hush/myapp/dev");
        assert_eq!(folder_of("team/hush", "team/hush/myapp/dev").as_deref(), Some("myapp/dev"));
        assert_eq!(folder_of("team/hush", "team/hushx/a"), None);
        assert_eq!(folder_of("", "has space/x"), None);
        assert_eq!(secret_path("a/b", "API_KEY").unwrap().to_string(), "a/b/API_KEY");
        assert_eq!(secret_path("a", "api.key-v2").unwrap().to_string(), "a/\"api.key-v2\"");
        assert!(secret_path("a", "x/y").is_err());
    }

    #[test]
    fn metadata_roundtrips_and_keeps_foreign_entries() {
        let mut metas = BTreeMap::new();
        metas.insert(
            "DB_URL".to_string(),
            TravelMeta {
                kind: Some(Kind::ConnectionString),
                tags: vec!["prod".into()],
                description: Some("main db".into()),
                expires_at: Some(1_900_000_000),
                ..Default::default()
            },
        );
        metas.insert("PLAIN".to_string(), TravelMeta::default());
        let existing = BTreeMap::from([
            ("owner".to_string(), "team-a".to_string()),
            ("hush:OLD".to_string(), "{}".to_string()),
        ]);
        let (out, notes) = encode_custom(&existing, &metas, None);
        assert!(notes.is_empty());
        assert_eq!(out["owner"], "team-a");
        assert!(!out.contains_key("hush:OLD") && !out.contains_key("hush:PLAIN"));
        assert_eq!(out["hush"], "1");
        let back = decode_custom(&out);
        assert_eq!(back["DB_URL"], metas["DB_URL"]);
    }

    #[test]
    fn metadata_limits_are_reported() {
        let long = TravelMeta {
            description: Some("d".repeat(2000)),
            meta: BTreeMap::from([("k".into(), "v".repeat(300))]),
            ..Default::default()
        };
        let mut metas = BTreeMap::from([("A_LONG".to_string(), long)]);
        for i in 0..70 {
            metas.insert(
                format!("K{i:02}"),
                TravelMeta { tags: vec!["t".into()], ..Default::default() },
            );
        }
        let (out, notes) = encode_custom(&BTreeMap::new(), &metas, None);
        assert!(out.len() <= MAX_CUSTOM_KEYS);
        assert!(out.values().all(|v| v.len() <= MAX_CUSTOM_VALUE_BYTES));
        assert!(notes.iter().any(|n| n.contains("shortened")), "{notes:?}");
        assert!(notes.iter().any(|n| n.contains("at most 64")), "{notes:?}");
        assert!(decode_custom(&out)["A_LONG"].description.as_ref().unwrap().len() < 512);
    }
}
