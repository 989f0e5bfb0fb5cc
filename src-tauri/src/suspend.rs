//! Lock when the machine sleeps or the screen locks, where Linux tells us: logind's
//! `PrepareForSleep(true)` (system bus), logind's `Lock` signal for our session (system bus; sent
//! by `loginctl lock-session` and by desktops on screen lock), and the screen saver's
//! `ActiveChanged(true)` (session bus; GNOME, KDE, XFCE and others). Each is a D-Bus signal
//! followed on its own small thread; a missing bus (a container, a headless box) means nothing is
//! followed and the suspend-aware idle clock (`actor.rs`) still applies.

use zbus::blocking::{Connection, MessageIterator};
use zbus::message::{Message, Type};
use zbus::zvariant::OwnedObjectPath;
use zbus::MatchRule;

use crate::actor::LockReason;

const LOGIND: &str = "org.freedesktop.login1";
const LOGIND_PATH: &str = "/org/freedesktop/login1";
const MANAGER: &str = "org.freedesktop.login1.Manager";
const SESSION: &str = "org.freedesktop.login1.Session";
const SCREENSAVERS: [&str; 2] = ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"];

type OnLock = std::sync::Arc<dyn Fn(LockReason) + Send + Sync>;

/// Starts following the real buses (errors only mean there is nothing to follow).
pub fn watch(on: impl Fn(LockReason) + Send + Sync + 'static) {
    let on: OnLock = std::sync::Arc::new(on);
    let (a, b) = (on.clone(), on);
    std::thread::spawn(move || {
        if let Err(e) = Connection::system().and_then(|c| watch_logind(&c, a)) {
            eprintln!("hush: not following logind (suspend, session lock): {e}");
        }
    });
    std::thread::spawn(move || {
        if let Err(e) = Connection::session().and_then(|c| watch_screensaver(&c, b)) {
            eprintln!("hush: not following the screen saver: {e}");
        }
    });
}

/// Follows logind on `conn`: sleep, and `Lock` of the session this process belongs to (any
/// session's when logind cannot say which is ours).
pub fn watch_logind(conn: &Connection, on: OnLock) -> zbus::Result<()> {
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
            on_sleep(LockReason::Suspend)
        }
    })?;
    follow(conn, rule(SESSION, "Lock")?, move |m| {
        let path = m.header().path().map(|p| p.as_str().to_owned());
        if ours.as_ref().is_none_or(|o| path.as_deref() == Some(o.as_str())) {
            on(LockReason::ScreenLock)
        }
    })
}

/// Follows the screen savers' `ActiveChanged(true)` on `conn` (the session bus).
pub fn watch_screensaver(conn: &Connection, on: OnLock) -> zbus::Result<()> {
    for iface in SCREENSAVERS {
        let on = on.clone();
        follow(conn, rule(iface, "ActiveChanged")?, move |m| {
            if m.body().deserialize::<bool>().unwrap_or(false) {
                on(LockReason::ScreenLock)
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
        let on: OnLock = std::sync::Arc::new(move |r| tx.lock().unwrap().send(r).unwrap());
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
        assert_eq!(next(), Some(LockReason::Suspend));
        emit(LOGIND_PATH, MANAGER, "PrepareForSleep", false);
        assert_eq!(none(), None, "waking up does not lock");
        emit("/org/freedesktop/login1/session/other", SESSION, "Lock", true);
        assert_eq!(none(), None, "another session's lock is not ours");
        emit("/org/freedesktop/login1/session/ours", SESSION, "Lock", true);
        assert_eq!(next(), Some(LockReason::ScreenLock));
        emit("/org/gnome/ScreenSaver", SCREENSAVERS[1], "ActiveChanged", true);
        assert_eq!(next(), Some(LockReason::ScreenLock));
        emit("/org/freedesktop/ScreenSaver", SCREENSAVERS[0], "ActiveChanged", false);
        assert_eq!(none(), None);
    }
}
