//! Copy to the clipboard from Rust, so the value never reaches the web view, and clear it after a
//! timeout, but only if the clipboard still holds what we put there (the user may have copied
//! something else since). We remember a hash of the copied text, never the text.

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
            g.board
                .as_mut()
                .unwrap()
                .set_text(text.to_owned())
                .map_err(|e| format!("clipboard: {e}"))?;
            g.copied = Some(digest(text));
            g.generation += 1;
            g.generation
        };
        let me = self.clone();
        std::thread::spawn(move || {
            std::thread::sleep(clear_after);
            // A newer copy reschedules its own clear.
            if me.inner.lock().unwrap().generation == generation {
                me.clear_if_ours();
            }
        });
        Ok(())
    }

    /// Clears the clipboard if it still holds the text we copied.
    pub fn clear_if_ours(&self) {
        let mut g = self.inner.lock().unwrap();
        let Some(expected) = g.copied.take() else { return };
        if let Some(board) = g.board.as_mut() {
            let ours = board.get_text().map(|t| digest(&t) == expected).unwrap_or(false);
            if ours {
                let _ = board.clear();
            }
        }
    }
}
