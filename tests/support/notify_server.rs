//! A notification server on the test session's D-Bus, as a desktop's notification daemon is:
//! it owns `org.freedesktop.Notifications`, records each `Notify` call (id, summary, body and
//! actions), and plays the user's click by emitting `ActionInvoked` with the `default` action.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One `Notify` call as the server received it.
#[derive(Debug, Clone)]
pub struct Shown {
    pub id: u32,
    pub summary: String,
    pub body: String,
    pub actions: Vec<String>,
}

type Calls = Arc<Mutex<Vec<Shown>>>;

struct Iface {
    calls: Calls,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Iface {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, zbus::zvariant::OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut c = self.calls.lock().unwrap();
        let id = c.len() as u32 + 1;
        c.push(Shown { id, summary, body, actions });
        id
    }
    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }
    fn get_server_information(&self) -> (String, String, String, String) {
        ("hush-test".into(), "hush".into(), "1".into(), "1.2".into())
    }
    fn close_notification(&self, _id: u32) {}
}

pub struct NotifyServer {
    conn: zbus::blocking::Connection,
    calls: Calls,
}

impl NotifyServer {
    /// Owns `org.freedesktop.Notifications` on the session bus (`DBUS_SESSION_BUS_ADDRESS`).
    pub fn start() -> NotifyServer {
        let calls: Calls = Arc::default();
        let conn = zbus::blocking::connection::Builder::session()
            .unwrap()
            .name("org.freedesktop.Notifications")
            .unwrap()
            .serve_at("/org/freedesktop/Notifications", Iface { calls: calls.clone() })
            .unwrap()
            .build()
            .expect("owning org.freedesktop.Notifications on the session bus");
        NotifyServer { conn, calls }
    }

    pub fn shown(&self) -> Vec<Shown> {
        self.calls.lock().unwrap().clone()
    }

    /// Waits up to `within` for at least `n` notifications; returns what was shown.
    pub fn wait_for(&self, n: usize, within: Duration) -> Vec<Shown> {
        let deadline = Instant::now() + within;
        loop {
            let c = self.shown();
            if c.len() >= n || Instant::now() > deadline {
                return c;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The user clicks notification `id` (the spec's `default` action).
    pub fn click(&self, id: u32) {
        self.conn
            .emit_signal(
                None::<()>,
                "/org/freedesktop/Notifications",
                "org.freedesktop.Notifications",
                "ActionInvoked",
                &(id, "default"),
            )
            .unwrap();
    }
}
