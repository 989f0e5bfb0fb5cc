//! The KV calls Hush makes through a [`Conn`]: reading a secret (with its deleted or destroyed
//! latest version), its versions and metadata, check-and-set writes, `custom_metadata` writes and
//! listings, for KV v1 and v2.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::Ordering;
use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{body, list_method, parse, Conn, Failure};
use crate::error::{Error, Result};
use crate::remote::mapping::{fields_and_raw, fields_from_json, ExposedFields, Fields};

/// One remote secret as read: its fields and KV v2 facts.
pub(crate) struct RemoteSecret {
    /// Current version (0 on KV v1).
    pub version: u64,
    pub fields: Fields,
    /// Fields whose JSON was not a string (see `mapping::fields_and_raw`).
    pub raw: BTreeSet<String>,
    pub custom: BTreeMap<String, String>,
    /// The latest version is deleted or destroyed (fields are empty; writes must CAS on
    /// `version`).
    pub deleted: Option<Gone>,
}

/// How many times a read is tried when the secret changes between its two requests.
const READ_TRIES: usize = 3;

/// One try at reading a secret.
enum Read {
    Done(Option<RemoteSecret>),
    /// The secret was written between the data read and the metadata read: read it again.
    Raced,
}

/// How the latest version of a KV v2 secret is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gone {
    /// Soft-deleted: `kv undelete` brings it back.
    Deleted,
    /// Destroyed: its data is gone for good.
    Destroyed,
}

/// A KV v2 secret's metadata (`<mount>/metadata/<path>`).
#[derive(Debug, Deserialize)]
pub(crate) struct SecretMetadata {
    pub current_version: u64,
    /// OpenBao: the version of the metadata itself, which `metadata_cas` names.
    #[serde(default)]
    pub current_metadata_version: Option<u64>,
    #[serde(default)]
    pub custom_metadata: Option<HashMap<String, String>>,
    #[serde(default)]
    pub versions: HashMap<String, VersionMetadata>,
}

/// One version in a KV v2 secret's metadata.
#[derive(Debug, Deserialize)]
pub(crate) struct VersionMetadata {
    #[serde(default)]
    pub created_time: String,
    #[serde(default)]
    pub deletion_time: String,
    #[serde(default)]
    pub destroyed: bool,
}

impl Conn {
    /// The current fields of `path`, or `None` when no secret is there. One request: a deleted or
    /// destroyed latest version answers 404 with its metadata (the version a check-and-set write
    /// must name), a missing secret 404 without.
    pub(crate) async fn read(&self, path: &str) -> Result<Option<RemoteSecret>> {
        for attempt in 1..=READ_TRIES {
            if let Read::Done(secret) = self.read_once(path).await? {
                return Ok(secret);
            }
            // The writer's version lands a moment after its metadata (KV v2 stores them apart).
            tokio::time::sleep(Duration::from_millis(20 * attempt as u64)).await;
        }
        Err(Error::Remote(format!(
            "{} was created or rewritten during each of {READ_TRIES} reads; try again",
            self.api_path(path)
        )))
    }

    async fn read_once(&self, path: &str) -> Result<Read> {
        let api = self.api_path(path);
        let got = self.request_full(&Method::GET, &api, None, None, true).await;
        if self.kv == 1 {
            return match got {
                Ok((404, _)) => Ok(Read::Done(None)),
                Ok((_, r)) => {
                    let (fields, raw) = self.fields(r["data"].clone(), &api)?;
                    let custom = BTreeMap::new();
                    Ok(Read::Done(Some(RemoteSecret {
                        version: 0,
                        fields,
                        raw,
                        custom,
                        deleted: None,
                    })))
                }
                Err(f) if f.status() == Some(404) => Ok(Read::Done(None)),
                Err(f) => Err(self.err(f, "read", &api)),
            };
        }
        match got {
            Ok((404, r)) => {
                let meta = &r["data"]["metadata"];
                let Some(version) = meta["version"].as_u64() else {
                    return self.read_deleted(path).await;
                };
                // Neither deleted nor destroyed: a version whose data was not stored yet (a
                // write racing this read), as in `read_deleted`.
                let gone = meta["destroyed"].as_bool() == Some(true)
                    || meta["deletion_time"].as_str().is_some_and(|t| !t.is_empty());
                if !gone {
                    return Ok(Read::Raced);
                }
                Ok(Read::Done(Some(RemoteSecret {
                    version,
                    fields: Fields::new(),
                    raw: Default::default(),
                    custom: custom_of(&meta["custom_metadata"]),
                    deleted: Some(if meta["destroyed"].as_bool() == Some(true) {
                        Gone::Destroyed
                    } else {
                        Gone::Deleted
                    }),
                })))
            }
            Ok((_, mut r)) => {
                let data = r["data"]["data"].take();
                let meta = &r["data"]["metadata"];
                let version = meta["version"].as_u64().ok_or_else(|| {
                    self.err(Failure::Other("the answer has no version".into()), "read", &api)
                })?;
                let (fields, raw) = self.fields(data, &api)?;
                Ok(Read::Done(Some(RemoteSecret {
                    version,
                    fields,
                    raw,
                    custom: custom_of(&meta["custom_metadata"]),
                    deleted: None,
                })))
            }
            Err(f) if f.status() == Some(404) => self.read_deleted(path).await,
            Err(f) => Err(self.err(f, "read", &api)),
        }
    }

    /// A 404 without the version's metadata (older servers, or no secret): the metadata endpoint
    /// says whether a secret is there with its latest version deleted or destroyed. Its version
    /// must say so: one that is live was written between the two requests (a teammate's push
    /// racing this read), and taking it for deleted would plan every local key as new and write
    /// over the teammate's version unchecked. Metadata without any version (`kv metadata put`
    /// before any data) is a secret with no fields yet.
    async fn read_deleted(&self, path: &str) -> Result<Read> {
        let Some(m) = self.read_metadata(path).await? else { return Ok(Read::Done(None)) };
        let gone = match m.versions.get(&m.current_version.to_string()) {
            Some(v) if v.destroyed => Some(Gone::Destroyed),
            Some(v) if !v.deletion_time.is_empty() => Some(Gone::Deleted),
            Some(_) => return Ok(Read::Raced),
            None if m.current_version == 0 => None,
            // The current version is gone from the list (pruned by max_versions): destroyed.
            None => Some(Gone::Destroyed),
        };
        Ok(Read::Done(Some(RemoteSecret {
            version: m.current_version,
            fields: Fields::new(),
            raw: Default::default(),
            custom: m.custom_metadata.unwrap_or_default().into_iter().collect(),
            deleted: gone,
        })))
    }

    fn fields(&self, data: Value, api: &str) -> Result<(Fields, BTreeSet<String>)> {
        fields_and_raw(data).ok_or_else(|| {
            Error::Remote(format!(
                "{api} does not hold a map of fields; Hush cannot map it to a folder"
            ))
        })
    }

    /// The fields of one KV v2 version (`None` when deleted or destroyed).
    pub(crate) async fn read_version(&self, path: &str, version: u64) -> Result<Option<Fields>> {
        let api = self.api_path(path);
        match self.kv_call(Method::GET, &format!("{api}?version={version}"), None).await {
            Ok(mut r) => Ok(fields_from_json(r["data"]["data"].take())),
            Err(f) if f.status() == Some(404) => Ok(None),
            Err(f) => Err(self.err(f, "read", &api)),
        }
    }

    pub(crate) async fn read_metadata(&self, path: &str) -> Result<Option<SecretMetadata>> {
        let api = format!("{}/metadata/{path}", self.target.mount);
        match self.kv_call(Method::GET, &api, None).await.and_then(|mut v| parse(v["data"].take()))
        {
            Ok(m) => Ok(Some(m)),
            Err(f) if f.status() == Some(404) => Ok(None),
            Err(f) => Err(self.err(f, "read metadata of", &api)),
        }
    }

    /// Writes all `fields` at `path` (the `raw` ones as the JSON their text is). KV v2: check-and-set on `cas` (0 = must not exist); returns
    /// the new version. A CAS mismatch comes back as `Err(Failure)` for the caller to resolve.
    pub(crate) async fn write(
        &self,
        path: &str,
        fields: &Fields,
        raw: &BTreeSet<String>,
        cas: u64,
    ) -> std::result::Result<u64, Failure> {
        let api = self.api_path(path);
        let data = ExposedFields { fields, raw };
        if self.kv == 1 {
            return self.kv_call(Method::POST, &api, Some(&body(&data))).await.map(|_| 0);
        }
        let b = body(&json!({ "options": { "cas": cas }, "data": data }));
        let r = self.kv_call(Method::POST, &api, Some(&b)).await?;
        r["data"]["version"]
            .as_u64()
            .ok_or_else(|| Failure::Other("the write answer has no version".into()))
    }

    /// Makes the secret's `custom_metadata` (KV v2 only), read as `read` before planning, hold
    /// `custom`. Sent as a merge patch of the entries that differ from `read`: an entry a teammate
    /// added or changed after the read, and Hush leaves alone, stays as the teammate wrote it (a
    /// whole map would put back what was read). A server or token that refuses PATCH (Vault
    /// before 1.9, a policy without `patch`) gets the whole map, once asked. A secret whose
    /// metadata needs check-and-set (OpenBao's `metadata_cas_required`) is written with the
    /// metadata's version from a fresh read, and only while it still holds `read`.
    pub(crate) async fn write_custom(
        &self,
        path: &str,
        custom: &BTreeMap<String, String>,
        read: &BTreeMap<String, String>,
    ) -> Result<()> {
        let api = format!("{}/metadata/{path}", self.target.mount);
        let failed = |f| self.err(f, "write custom_metadata of", &api);
        if !self.no_patch.load(Ordering::Relaxed) {
            let patch = json!({ "custom_metadata": merge_patch(read, custom) });
            match self.kv_call(Method::PATCH, &api, Some(&body(&patch))).await {
                Ok(_) => return Ok(()),
                Err(f) if f.needs_metadata_cas() => {
                    return self.write_custom_cas(path, custom, read).await
                }
                // 404: the metadata went away after the read; the whole map below puts it back,
                // as it always did.
                Err(f) if f.status() == Some(404) => {}
                Err(f) if matches!(f.status(), Some(403 | 405 | 415)) => {
                    self.no_patch.store(true, Ordering::Relaxed)
                }
                Err(f) => return Err(failed(f)),
            }
        }
        match self
            .kv_call(Method::POST, &api, Some(&body(&json!({ "custom_metadata": custom }))))
            .await
        {
            Ok(_) => Ok(()),
            Err(f) if f.needs_metadata_cas() => self.write_custom_cas(path, custom, read).await,
            Err(f) => Err(failed(f)),
        }
    }

    /// `write_custom` where the metadata needs check-and-set: the whole map, with the version of
    /// a fresh read that still holds `read`, so a teammate's edit made since is never written over.
    async fn write_custom_cas(
        &self,
        path: &str,
        custom: &BTreeMap<String, String>,
        read: &BTreeMap<String, String>,
    ) -> Result<()> {
        let api = format!("{}/metadata/{path}", self.target.mount);
        let now = self.read_metadata(path).await?;
        let held: BTreeMap<String, String> = now
            .as_ref()
            .and_then(|m| m.custom_metadata.clone())
            .unwrap_or_default()
            .into_iter()
            .collect();
        let Some(version) = now.and_then(|m| m.current_metadata_version).filter(|_| held == *read)
        else {
            return Err(Error::Remote(format!(
                "the custom_metadata of {api} changed after it was read (a teammate's edit?): \
                 not written over; run the command again"
            )));
        };
        let b = body(&json!({ "custom_metadata": custom, "metadata_cas": version }));
        let sent = self.kv_call(Method::POST, &api, Some(&b)).await;
        sent.map(|_| ()).map_err(|f| self.err(f, "write custom_metadata of", &api))
    }

    /// One level of the listing under `dir` ("" = the mount's root): names, directories end in `/`.
    pub(crate) async fn list(&self, dir: &str) -> Result<Vec<String>> {
        let mount = self.target.mount.as_str();
        let api =
            if self.kv == 2 { format!("{mount}/metadata/{dir}") } else { format!("{mount}/{dir}") };
        match self
            .kv_call(list_method(), &api, None)
            .await
            .and_then(|mut v| parse(v["data"]["keys"].take()))
        {
            Ok(keys) => Ok(keys),
            Err(f) if f.status() == Some(404) => Ok(Vec::new()),
            Err(f) => Err(self.err(f, "list", &api)),
        }
    }

    /// The mount's `max_versions` (KV v2), when the token may read the config.
    pub(crate) async fn max_versions(&self) -> Option<u64> {
        let api = format!("{}/config", self.target.mount);
        let cfg = self.kv_call(Method::GET, &api, None).await.ok()?;
        let max = cfg["data"]["max_versions"].as_u64()?;
        // 0 means Vault's default of 10.
        Some(if max == 0 { 10 } else { max })
    }
}

/// `custom_metadata` as strings (anything else is left out).
fn custom_of(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default()
}

/// The JSON merge patch (RFC 7386) that turns `from` into `to`: changed and new entries with
/// their value, removed ones as `null`; equal entries are left out.
fn merge_patch(from: &BTreeMap<String, String>, to: &BTreeMap<String, String>) -> Value {
    let mut patch = serde_json::Map::new();
    for (k, v) in to.iter().filter(|(k, v)| from.get(*k) != Some(*v)) {
        patch.insert(k.clone(), Value::String(v.clone()));
    }
    for k in from.keys().filter(|k| !to.contains_key(*k)) {
        patch.insert(k.clone(), Value::Null);
    }
    Value::Object(patch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_merge_patch_names_only_what_changes() {
        let from = map(&[("hush", "1"), ("hush:A", "a"), ("hush:B", "b"), ("owner", "bob")]);
        let to = map(&[("hush", "1"), ("hush:A", "a2"), ("hush:C", "c"), ("owner", "bob")]);
        assert_eq!(
            merge_patch(&from, &to),
            json!({ "hush:A": "a2", "hush:B": null, "hush:C": "c" })
        );
        assert_eq!(merge_patch(&to, &to), json!({}));
    }
}
