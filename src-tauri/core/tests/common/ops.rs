//! The remote operations the tests against a real OpenBao call, unwrapped: each test file
//! includes this next to `common` and `bao`.
#![allow(dead_code)]

use std::sync::atomic::AtomicBool;

use hush_core::remote::{MigrateOptions, OpReport, RemoteSpec, SyncOptions};
use hush_core::Vault;

use crate::bao::Bao;
use crate::common::remote_spec;

pub static NO_CANCEL: AtomicBool = AtomicBool::new(false);

pub fn spec(name: &str, b: &Bao) -> RemoteSpec {
    remote_spec(name, &b.addr)
}

pub fn opts() -> SyncOptions {
    SyncOptions::default()
}

pub fn push(v: &mut Vault, name: &str) -> OpReport {
    v.remote_push(name, &opts(), &mut |_| {}, &NO_CANCEL).unwrap()
}

pub fn pull(v: &mut Vault, name: &str, o: &SyncOptions) -> OpReport {
    v.remote_pull(name, o, &mut |_| {}, &NO_CANCEL).unwrap()
}

pub fn sync(v: &mut Vault, name: &str, o: &SyncOptions) -> OpReport {
    v.remote_sync(name, o, &mut |_| {}, &NO_CANCEL).unwrap()
}

pub fn migrate(v: &mut Vault, name: &str, o: &MigrateOptions) -> OpReport {
    v.remote_migrate(name, o, &mut |_| {}, &NO_CANCEL).unwrap()
}

/// The current data of a KV v2 secret, as the `bao` CLI reads it.
pub fn data(b: &Bao, path: &str) -> serde_json::Value {
    b.kv_get(&[path])["data"]["data"].clone()
}

/// The data of a KV v1 secret, as the `bao` CLI reads it.
pub fn data_v1(b: &Bao, path: &str) -> serde_json::Value {
    b.kv_get(&[path])["data"].clone()
}
