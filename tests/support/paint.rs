//! WebDriver screenshots that cannot stall on a page that has stopped painting.
//!
//! On WebKitGTK, WebDriver's Take Screenshot waits for the view's next presentation update
//! (`WebAutomationSession::takeScreenshot` → `WebPageProxy::callAfterNextPresentationUpdate`)
//! before it captures anything. With the shared-memory renderer (the one the app chooses when no
//! GPU render node is usable, as under Xvfb) that update does not come while the page is static:
//! a screenshot of a still page (the lock screen, a list with no focused field) waited until some
//! input repainted the view, once 198 s, and the flow after it looked hung at its next click. The
//! app itself is not stalled: a user's clicks, typing, timers and IPC answers repaint at once
//! under the same renderer. So while the screenshot is taken, one pixel in the corner changes its
//! opacity (0.1 % ↔ 0.2 %: that pixel is a level or two of grey darker in the screenshot) every
//! frame, and the next presentation update is never more than a frame away.

use fantoccini::error::CmdError;
use fantoccini::Client;

/// Starts the nudge, then answers after two frames and a moment (the last DOM change is painted).
/// Shared with packaging/installed_app.py.
const START: &str = include_str!("paint-nudge.js");

/// Ends the nudge (it also ends by itself after 20 s).
const STOP: &str = "document.getElementById('__hush_paint_nudge')?.remove(); return true;";

/// A PNG of the page as it is now painted (see the module comment for the nudge).
pub async fn screenshot(client: &Client) -> Result<Vec<u8>, CmdError> {
    let _ = client.execute_async(START, vec![]).await;
    let png = client.screenshot().await;
    let _ = client.execute(STOP, vec![]).await;
    png
}
