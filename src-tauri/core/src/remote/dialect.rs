//! A teammate's way of writing a `hush:<NAME>` entry, kept when Hush writes the entry again.
//!
//! Teammates write these entries by hand (hvac, the `bao` CLI): an expiry as `"2031-05-01"` or
//! RFC 3339 text, tags as `"db, prod"`, a number as text. Hush reads all of these (`meta`), but
//! its own form is Unix seconds, lists and numbers. When a local edit makes a push write the entry
//! again, rewriting every field in Hush's form would change what the teammate's scripts read even
//! where nothing changed. So:
//! - a field whose value did not change is written exactly as the remote holds it;
//! - a changed field is written in the shape the teammate used for it (a date as a date, RFC 3339
//!   as RFC 3339, tags as `a, b` text, a number as text);
//! - a field the remote did not have, or one removed locally, is Hush's own form (or absent).

use serde_json::{Map, Value};

use super::meta::{RemoteMeta, TravelMeta};

/// The fields of `local`'s entry to write other than in Hush's own form, as the remote entry
/// `theirs` had them: empty when the remote entry was written the way Hush writes (the common
/// case, which then stays on the fast path).
pub(crate) fn overrides(local: &TravelMeta, theirs: &RemoteMeta) -> Map<String, Value> {
    let mut out = Map::new();
    if theirs.written.is_empty() {
        return out;
    }
    let ours = as_map(local);
    let before = as_map(&theirs.meta);
    for (field, raw) in &theirs.written {
        let Some(native) = ours.get(field) else { continue };
        let kept = match before.get(field) == Some(native) {
            true => raw.clone(),
            false => in_dialect(field, raw, native),
        };
        if &kept != native {
            out.insert(field.clone(), kept);
        }
    }
    out
}

fn as_map(t: &TravelMeta) -> Map<String, Value> {
    match serde_json::to_value(t).expect("serialisable") {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// `native` (Hush's form of a field's new value) in the shape `old` had.
fn in_dialect(field: &str, old: &Value, native: &Value) -> Value {
    let Value::String(old) = old else { return native.clone() };
    match (field, native) {
        ("tags", Value::Array(tags)) => {
            let sep = if old.contains(", ") { ", " } else { "," };
            let tags: Vec<&str> = tags.iter().filter_map(Value::as_str).collect();
            Value::String(tags.join(sep))
        }
        ("expires_at", Value::Number(n)) => {
            let Some(ts) = n.as_i64() else { return native.clone() };
            let old = old.trim();
            Value::String(if old.parse::<i64>().is_ok() {
                ts.to_string()
            } else if old.len() == 10 && ts % 86_400 == 0 {
                crate::timefmt::rfc3339(ts).chars().take(10).collect()
            } else {
                crate::timefmt::rfc3339(ts)
            })
        }
        ("rotate_every_days", Value::Number(n)) => Value::String(n.to_string()),
        _ => native.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::meta::read_entry;
    use serde_json::json;

    fn local(desc: &str, tags: &[&str], expires_at: i64, days: u32) -> TravelMeta {
        TravelMeta {
            description: Some(desc.into()),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            expires_at: Some(expires_at),
            rotate_every_days: Some(days),
            ..Default::default()
        }
    }

    #[test]
    fn unchanged_fields_stay_as_written_and_changed_ones_take_their_shape() {
        let theirs = read_entry(
            r#"{"description":"x","tags":"db, prod","expires_at":"2031-05-01T02:00:00+02:00","rotate_every_days":"30"}"#,
        );
        // Only the description changed: everything else exactly as the teammate wrote it.
        let o = overrides(&local("y", &["db", "prod"], 1_935_360_000, 30), &theirs);
        assert_eq!(
            Value::Object(o),
            json!({"tags": "db, prod", "expires_at": "2031-05-01T02:00:00+02:00", "rotate_every_days": "30"})
        );
        // Everything changed: the teammate's shapes, Hush's values.
        let o = overrides(&local("y", &["db", "prod", "eu"], 1_935_446_400, 7), &theirs);
        assert_eq!(
            Value::Object(o),
            json!({"tags": "db, prod, eu", "expires_at": "2031-05-02T00:00:00Z", "rotate_every_days": "7"})
        );
    }

    #[test]
    fn dates_keep_their_kind_and_hushs_own_form_needs_nothing() {
        let day = |s: &str| read_entry(&format!(r#"{{"expires_at":"{s}","tags":"a,b"}}"#));
        let t = |ts: i64| TravelMeta {
            expires_at: Some(ts),
            tags: vec!["a".into(), "c".into()],
            ..Default::default()
        };
        assert_eq!(
            Value::Object(overrides(&t(1_935_446_400), &day("2031-05-01"))),
            json!({"expires_at": "2031-05-02", "tags": "a,c"})
        );
        // Not midnight: a date cannot say it, so RFC 3339.
        assert_eq!(
            overrides(&t(1_935_446_401), &day("2031-05-01"))["expires_at"],
            json!("2031-05-02T00:00:01Z")
        );
        assert_eq!(overrides(&t(5), &day("1935360000"))["expires_at"], json!("5"));
        // An entry Hush wrote itself: no override, the entry is written straight from the struct.
        let ours = read_entry(r#"{"expires_at":1935360000,"tags":["a","b"]}"#);
        assert!(overrides(&t(1_935_446_400), &ours).is_empty());
        // A field removed locally is not brought back in any shape.
        let gone = TravelMeta { tags: vec!["a".into()], ..Default::default() };
        assert_eq!(Value::Object(overrides(&gone, &day("2031-05-01"))), json!({"tags": "a"}));
    }
}
