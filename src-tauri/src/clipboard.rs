//! Copy to the clipboard from Rust, so the value never reaches the web view, and clear it after a
//! timeout, but only if the clipboard still holds what we put there (the user may have copied
//! something else since). We remember a hash of the copied text, never the text.
//!
//! A copied value is marked as one that clipboard managers must not keep, where the platform has
//! a way to say so: on Linux the `x-kde-passwordManagerHint` target (`secret`), which KDE Klipper,
//! GNOME's and most other clipboard managers honour; on Windows it is excluded from clipboard
//! history, cloud clipboard sync and clipboard monitors; on macOS it carries the concealed-type
//! marker that clipboard managers honour. The value is cleared when the timer fires, on lock, and
//! when the last handle is dropped ([`Clipboard::clear_on_exit`] for an exit that drops nothing).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};

#[derive(Default, Clone)]
pub struct Clipboard {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    // Kept alive: on X11 the owner must live for others to paste.
    board: Option<arboard::Clipboard>,
    copied: Option<[u8; 32]>,
    generation: u64,
}

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

impl Clipboard {
    /// Puts `text` on the clipboard and schedules clearing it after `clear_after`.
    pub fn copy(&self, text: &str, clear_after: Duration) -> Result<(), String> {
        let generation = {
            let mut g = self.inner.lock().unwrap();
            if g.board.is_none() {
                g.board = Some(
                    arboard::Clipboard::new().map_err(|e| format!("clipboard unavailable: {e}"))?,
                );
            }
            set_secret_text(g.board.as_mut().unwrap(), text.to_owned())
                .map_err(|e| format!("clipboard: {e}"))?;
            g.copied = Some(digest(text));
            g.generation += 1;
            g.generation
        };
        // The timer holds no strong handle, so dropping the app's state clears at once (Drop).
        let weak = Arc::downgrade(&self.inner);
        std::thread::spawn(move || {
            std::thread::sleep(clear_after);
            let Some(inner) = weak.upgrade() else { return };
            let mut g = inner.lock().unwrap_or_else(|p| p.into_inner());
            // A newer copy reschedules its own clear.
            if g.generation == generation {
                g.clear_if_ours();
            }
        });
        Ok(())
    }

    /// Clears the clipboard if it still holds the text we copied.
    pub fn clear_if_ours(&self) {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).clear_if_ours();
    }

    /// For the app's exit (`RunEvent::Exit`): clears a value still on the clipboard, since an
    /// exit through `std::process::exit` drops nothing and the timer dies with the process.
    pub fn clear_on_exit(&self) {
        self.clear_if_ours();
    }
}

impl Inner {
    fn clear_if_ours(&mut self) {
        let Some(expected) = self.copied.take() else { return };
        if let Some(board) = self.board.as_mut() {
            let ours = board.get_text().map(|t| digest(&t) == expected).unwrap_or(false);
            if ours {
                let _ = board.clear();
            }
        }
    }
}

impl Drop for Inner {
    /// The last handle going away (the app's state dropped) takes a copied value with it.
    fn drop(&mut self) {
        self.clear_if_ours();
    }
}

/// Sets `text` with the platform's "do not keep this" marks (see the module docs).
fn set_secret_text(board: &mut arboard::Clipboard, text: String) -> Result<(), arboard::Error> {
    let set = board.set();
    #[cfg(all(
        unix,
        not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
    ))]
    let set = {
        use arboard::SetExtLinux;
        set.exclude_from_history()
    };
    #[cfg(windows)]
    let set = {
        use arboard::SetExtWindows;
        set.exclude_from_history().exclude_from_cloud().exclude_from_monitoring()
    };
    #[cfg(target_os = "macos")]
    let set = {
        use arboard::SetExtApple;
        set.exclude_from_history()
    };
    set.text(text)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{self, ConnectionExt as _};
    use x11rb::protocol::Event;

    /// The targets the CLIPBOARD owner offers, asked the way a clipboard manager asks.
    fn clipboard_targets() -> Vec<String> {
        let (conn, screen) = x11rb::connect(None).expect("an X display");
        let root = conn.setup().roots[screen].root;
        let win = conn.generate_id().unwrap();
        conn.create_window(
            0,
            win,
            root,
            0,
            0,
            1,
            1,
            0,
            xproto::WindowClass::INPUT_OUTPUT,
            0,
            &Default::default(),
        )
        .unwrap();
        let atom = |n: &str| conn.intern_atom(false, n.as_bytes()).unwrap().reply().unwrap().atom;
        let (clipboard, targets, prop) = (atom("CLIPBOARD"), atom("TARGETS"), atom("HUSH_TEST"));
        conn.convert_selection(win, clipboard, targets, prop, x11rb::CURRENT_TIME).unwrap();
        conn.flush().unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if let Some(Event::SelectionNotify(_)) = conn.poll_for_event().unwrap() {
                let reply = conn
                    .get_property(false, win, prop, xproto::AtomEnum::ATOM, 0, 1024)
                    .unwrap()
                    .reply()
                    .unwrap();
                return reply
                    .value32()
                    .into_iter()
                    .flatten()
                    .map(|a| {
                        let name = conn.get_atom_name(a).unwrap().reply().unwrap().name;
                        String::from_utf8_lossy(&name).into_owned()
                    })
                    .collect();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("the clipboard owner did not answer TARGETS");
    }

    /// A copied value tells clipboard managers not to keep it, and leaves when its holder does.
    #[test]
    #[ignore = "needs an X display: run via scripts/test.sh (Xvfb)"]
    fn copies_are_marked_for_no_history_and_cleared_on_exit() {
        let c = Clipboard::default();
        c.copy("hush-clipboard-canary", Duration::from_secs(600)).unwrap();
        let targets = clipboard_targets();
        assert!(
            targets.iter().any(|t| t == "x-kde-passwordManagerHint"),
            "no history hint among {targets:?}"
        );
        c.clear_on_exit();
        let mut other = arboard::Clipboard::new().unwrap();
        assert!(other.get_text().map(|t| t != "hush-clipboard-canary").unwrap_or(true));
        // Dropping the last handle clears too.
        let c = Clipboard::default();
        c.copy("hush-clipboard-canary-2", Duration::from_secs(600)).unwrap();
        drop(c);
        assert!(other.get_text().map(|t| t != "hush-clipboard-canary-2").unwrap_or(true));
    }
}
