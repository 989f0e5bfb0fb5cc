//! The IPC test harness: the real commands behind Tauri's mock runtime, on a fresh temp dir, and
//! the native dialog played by the test. Included by tests/ipc.rs and tests/ipc_files.rs.
#![allow(dead_code)]

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

use hush_desktop_lib::picks::PickPurpose;
use hush_desktop_lib::state::AppState;
use hush_desktop_lib::ManualClock;
use std::sync::Arc;

pub struct Harness {
    pub _dir: tempfile::TempDir,
    pub _app: App<MockRuntime>,
    pub webview: WebviewWindow<MockRuntime>,
}

pub fn harness() -> Harness {
    harness_with(Arc::new(ManualClock::default()))
}

/// The app on a fresh temp dir, its idle clock moved by hand (`ManualClock`).
pub fn harness_with(clock: Arc<dyn hush_desktop_lib::Clock>) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::with_clock(dir.path().join("vault.db"), clock);
    let app = hush_desktop_lib::app_builder(mock_builder(), state);
    // The real context: the real capability file decides what the "main" window may call.
    let app = app.build(hush_desktop_lib::context()).unwrap();
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    Harness { _dir: dir, _app: app, webview }
}

/// A Channel argument (progress goes nowhere in the mock runtime).
pub const CH: &str = "__CHANNEL__:1";

pub fn call(h: &Harness, cmd: &str, args: Value) -> Result<Value, Value> {
    let req = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(&h.webview, req).map(|b| b.deserialize::<Value>().unwrap())
}

/// What the native dialog would have returned for `path`: a handle (the test plays the user).
pub fn pick(h: &Harness, path: &std::path::Path, purpose: PickPurpose) -> String {
    let state = h._app.state::<AppState>();
    let path = path.to_path_buf();
    tauri::async_runtime::block_on(state.actor.peek(move |o| Ok(o.picks.grant(path, purpose))))
        .unwrap()
        .handle
}

/// Stores `value` at `path` (a new version), as the editor would.
pub fn save(h: &Harness, path: &str, value: &str) {
    let req = json!({"path": path, "value": value, "kind": null, "tags": null, "description": null, "expiresAt": null, "rotateEveryDays": null, "cas": null});
    call(h, "secret_save", json!({ "req": req })).unwrap();
}

pub fn create_passphrase_vault(h: &Harness) {
    call(h, "vault_create", json!({"passphrase": "ipc passphrase", "recovery": null})).unwrap();
}
