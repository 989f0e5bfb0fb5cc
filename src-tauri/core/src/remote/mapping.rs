//! The folder ↔ KV secret mapping (see the module docs of `remote`): paths and field values (Hush
//! metadata in `custom_metadata` is `meta`'s). Pure functions; the tests pin the format.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::error::Result;
use crate::path::{is_env_name, FolderPath, SecretPath};
use crate::secret::SecretValue;

/// A folder's fields: name → value.
pub(crate) type Fields = BTreeMap<String, SecretValue>;

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
    fields_and_raw(data).map(|(f, _)| f)
}

/// The fields of a KV `data` object, and the names of those that were not strings (a number, a
/// boolean, null, an object a teammate wrote): a write that leaves them as they are puts back
/// their JSON, not its text (`5432` stays a number, `null` never becomes `"null"`).
pub(crate) fn fields_and_raw(data: Value) -> Option<(Fields, BTreeSet<String>)> {
    match data {
        Value::Object(map) => {
            let raw = map.iter().filter(|(_, v)| !v.is_string()).map(|(k, _)| k.clone()).collect();
            Some((map.into_iter().map(|(k, v)| (k, value_from_json(v))).collect(), raw))
        }
        Value::Null => Some((Fields::new(), BTreeSet::new())),
        _ => None,
    }
}

/// Serialises fields as a JSON object, borrowing the values (no extra plaintext copy on our side;
/// the HTTP client's buffers are out of our hands): strings, except the `raw` names, whose text is
/// the JSON a teammate wrote and is put back as that JSON.
pub(crate) struct ExposedFields<'a> {
    pub fields: &'a Fields,
    pub raw: &'a BTreeSet<String>,
}

impl Serialize for ExposedFields<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.fields.len()))?;
        for (k, v) in self.fields {
            let json = self
                .raw
                .contains(k)
                .then(|| serde_json::from_str::<&serde_json::value::RawValue>(v.expose_str()).ok());
            match json.flatten() {
                Some(raw) => m.serialize_entry(k, raw)?,
                None => m.serialize_entry(k, v.expose_str())?,
            }
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
        let none = BTreeSet::new();
        let out = serde_json::to_value(ExposedFields { fields: &f, raw: &none }).unwrap();
        assert_eq!(out["N"], "5");
    }

    /// A push once wrote a teammate's `5432`, `true`, `null` and `{"a":1}` back as strings.
    #[test]
    fn fields_left_as_read_keep_their_json() {
        let (f, raw) = fields_and_raw(
            json!({"A": "x", "N": 5432, "B": true, "O": {"k": [1, 2]}, "Z": null, "S": "5"}),
        )
        .unwrap();
        assert_eq!(raw.iter().map(String::as_str).collect::<Vec<_>>(), ["B", "N", "O", "Z"]);
        let out = serde_json::to_string(&ExposedFields { fields: &f, raw: &raw }).unwrap();
        assert_eq!(out, r#"{"A":"x","B":true,"N":5432,"O":{"k":[1,2]},"S":"5","Z":null}"#);
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
}
