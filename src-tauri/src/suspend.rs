//! Lock when the machine sleeps or the screen locks: the engine follows the session
//! (`hush_core::session`); the app maps each event to its lock reason and reports a bus it cannot
//! follow once on stderr.

use hush_core::session::{self, SessionEvent, Watched};

use crate::actor::LockReason;

/// Starts following the real buses (errors only mean there is nothing to follow).
pub fn watch(on: impl Fn(LockReason) + Send + Sync + 'static) {
    session::watch(
        move |e| {
            on(match e {
                SessionEvent::Suspend => LockReason::Suspend,
                SessionEvent::ScreenLock => LockReason::ScreenLock,
            })
        },
        |what, e| match what {
            Watched::Logind => eprintln!("hush: not following logind (suspend, session lock): {e}"),
            Watched::ScreenSaver => eprintln!("hush: not following the screen saver: {e}"),
        },
    );
}
