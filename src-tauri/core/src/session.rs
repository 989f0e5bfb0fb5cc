//! Following the desktop session where Linux tells us: logind's `PrepareForSleep(true)` (system
//! bus), logind's `Lock` signal for our session (system bus; sent by `loginctl lock-session` and by
//! desktops on screen lock), and the screen saver's `ActiveChanged(true)` (session bus; GNOME,
//! KDE, XFCE and others). Each is a D-Bus signal followed on its own small thread; a missing bus
//! (a container, a headless box) means nothing is followed and the suspend-aware idle clocks (the
//! app's and the agent's, both on the boot clock) still apply. Used by the desktop app and by the
//! unlock agent, which both drop their keys on these events.

use std::sync::Arc;

use zbus::blocking::{Connection, MessageIterator};
use zbus::message::{Message, Type};
use zbus::zvariant::OwnedObjectPath;
use zbus::MatchRule;

pub use zbus::Error as BusError;

const LOGIND: &str = "org.freedesktop.login1";
const LOGIND_PATH: &str = "/org/freedesktop/login1";
const MANAGER: &str = "org.freedesktop.login1.Manager";
const SESSION: &str = "org.freedesktop.login1.Session";
const SCREENSAVERS: [&str; 2] = ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"];

/// What happened to the session: each means "drop the keys now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEvent {
    /// The machine is about to sleep.
    Suspend,
    /// The screen was locked (logind's session `Lock`, or a screen saver became active).
    ScreenLock,
}

/// Which bus could not be followed, for the caller to report as it reports things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watched {
    /// logind on the system bus: suspend and session lock.
    Logind,
    /// The screen savers on the session bus.
    ScreenSaver,
}

type OnEvent = Arc<dyn Fn(SessionEvent) + Send + Sync>;

/// Starts following the real buses. `unavailable` hears which could not be followed and why
/// (this only means there is nothing to follow there).
pub fn watch(
    on: impl Fn(SessionEvent) + Send + Sync + 'static,
    unavailable: impl Fn(Watched, BusError) + Send + Sync + 'static,
) {
    let on: OnEvent = Arc::new(on);
    let unavailable = Arc::new(unavailable);
    let (a, b) = (on.clone(), on);
    let u = unavailable.clone();
    std::thread::spawn(move || {
        if let Err(e) = Connection::system().and_then(|c| watch_logind(&c, a)) {
            u(Watched::Logind, e);
        }
    });
    std::thread::spawn(move || {
        if let Err(e) = Connection::session().and_then(|c| watch_screensaver(&c, b)) {
            unavailable(Watched::ScreenSaver, e);
        }
    });
}

/// Follows logind on `conn`: sleep, and `Lock` of the session this process belongs to (any
/// session's when logind cannot say which is ours).
pub fn watch_logind(conn: &Connection, on: OnEvent) -> zbus::Result<()> {
    let ours: Option<OwnedObjectPath> = conn
        .call_method(
            Some(LOGIND),
            LOGIND_PATH,
            Some(MANAGER),
            "GetSessionByPID",
            &std::process::id(),
        )
        .ok()
        .and_then(|m| m.body().deserialize().ok());
    let sleep = rule(MANAGER, "PrepareForSleep")?;
    let on_sleep = on.clone();
    follow(conn, sleep, move |m| {
        if m.body().deserialize::<bool>().unwrap_or(false) {
            on_sleep(SessionEvent::Suspend)
        }
    })?;
    follow(conn, rule(SESSION, "Lock")?, move |m| {
        let path = m.header().path().map(|p| p.as_str().to_owned());
        if ours.as_ref().is_none_or(|o| path.as_deref() == Some(o.as_str())) {
            on(SessionEvent::ScreenLock)
        }
    })
}

/// Follows the screen savers' `ActiveChanged(true)` on `conn` (the session bus).
pub fn watch_screensaver(conn: &Connection, on: OnEvent) -> zbus::Result<()> {
    for iface in SCREENSAVERS {
        let on = on.clone();
        follow(conn, rule(iface, "ActiveChanged")?, move |m| {
            if m.body().deserialize::<bool>().unwrap_or(false) {
                on(SessionEvent::ScreenLock)
            }
        })?;
    }
    Ok(())
}

fn rule(interface: &'static str, member: &'static str) -> zbus::Result<MatchRule<'static>> {
    Ok(MatchRule::builder().msg_type(Type::Signal).interface(interface)?.member(member)?.build())
}

/// Subscribes now (so no signal sent after this returns is missed) and handles on a thread.
fn follow(
    conn: &Connection,
    rule: MatchRule<'static>,
    f: impl Fn(&Message) + Send + 'static,
) -> zbus::Result<()> {
    let it = MessageIterator::for_match_rule(rule, conn, Some(16))?;
    std::thread::Builder::new()
        .name("hush-dbus".into())
        .spawn(move || it.flatten().for_each(|m| f(&m)))
        .map_err(|e| zbus::Error::Failure(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    //! A fake logind and screen saver on the (private) session bus that scripts/test.sh starts:
    //! the same signals, the same matching code.
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    struct FakeManager;

    #[zbus::interface(name = "org.freedesktop.login1.Manager")]
    impl FakeManager {
        #[zbus(name = "GetSessionByPID")]
        fn get_session_by_pid(&self, _pid: u32) -> OwnedObjectPath {
            OwnedObjectPath::try_from("/org/freedesktop/login1/session/ours").unwrap()
        }
    }

    #[test]
    #[ignore = "needs a D-Bus session bus: run via scripts/test.sh"]
    fn sleep_session_lock_and_screen_saver_signals_lock() {
        // The fake owns logind's name on the private bus, as logind does on the system bus.
        let fake = zbus::blocking::connection::Builder::session()
            .unwrap()
            .name(LOGIND)
            .unwrap()
            .serve_at(LOGIND_PATH, FakeManager)
            .unwrap()
            .build()
            .unwrap();
        let app = Connection::session().unwrap();
        let (tx, rx) = mpsc::channel();
        let tx = std::sync::Mutex::new(tx);
        let on: OnEvent = std::sync::Arc::new(move |r| tx.lock().unwrap().send(r).unwrap());
        watch_logind(&app, on.clone()).unwrap();
        watch_screensaver(&app, on).unwrap();
        let next = || rx.recv_timeout(Duration::from_secs(5)).ok();
        let none = || rx.recv_timeout(Duration::from_millis(300)).ok();
        let emit = |path: &str, iface: &str, member: &str, on: bool| {
            if member == "Lock" {
                fake.emit_signal(None::<()>, path, iface, member, &()).unwrap()
            } else {
                fake.emit_signal(None::<()>, path, iface, member, &on).unwrap()
            }
        };

        emit(LOGIND_PATH, MANAGER, "PrepareForSleep", true);
        assert_eq!(next(), Some(SessionEvent::Suspend));
        emit(LOGIND_PATH, MANAGER, "PrepareForSleep", false);
        assert_eq!(none(), None, "waking up does not lock");
        emit("/org/freedesktop/login1/session/other", SESSION, "Lock", true);
        assert_eq!(none(), None, "another session's lock is not ours");
        emit("/org/freedesktop/login1/session/ours", SESSION, "Lock", true);
        assert_eq!(next(), Some(SessionEvent::ScreenLock));
        emit("/org/gnome/ScreenSaver", SCREENSAVERS[1], "ActiveChanged", true);
        assert_eq!(next(), Some(SessionEvent::ScreenLock));
        emit("/org/freedesktop/ScreenSaver", SCREENSAVERS[0], "ActiveChanged", false);
        assert_eq!(none(), None);
    }
}
