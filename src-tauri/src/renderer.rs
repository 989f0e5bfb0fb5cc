//! Which WebKitGTK renderer the app asks for (Linux).
//!
//! WebKitGTK composites through its DMA-BUF renderer by default. With no GPU render node the
//! process can use (Xvfb, and many VMs and remote desktops), that renderer composites in software
//! GL: measured under Xvfb (`bench/ui.sh`), its first frame came 0.6–1 s after the page's first
//! contentful paint (start → first interactive screen 5.5–7.5× that paint) and a 100 px scroll
//! repainted in more than one frame. The shared-memory renderer (`WEBKIT_DISABLE_DMABUF_RENDERER=1`)
//! painted the same build's first screen at 1.2–1.4× first contentful paint and scrolled within a
//! frame. So when no render node is usable, the app asks for the shared-memory renderer; a user
//! who set the variable (to anything) keeps their choice; with a usable render node nothing changes.

use std::ffi::OsStr;
use std::fs::OpenOptions;
use std::path::Path;

/// The variable WebKitGTK reads once, when its first web view is created.
pub const DISABLE_DMABUF: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// Whether the app should set `WEBKIT_DISABLE_DMABUF_RENDERER=1`: the user has not set it, and
/// `render_node_usable` (asked only then) finds no GPU render node.
pub fn wants_shared_memory(
    user_setting: Option<&OsStr>,
    render_node_usable: impl FnOnce() -> bool,
) -> bool {
    user_setting.is_none() && !render_node_usable()
}

/// Whether `dri` (normally `/dev/dri`) holds a render node (`renderD*`) this process can open for
/// reading and writing, as the DMA-BUF renderer must. A missing directory means none.
pub fn render_node_usable(dri: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dri) else { return false };
    entries.flatten().any(|e| {
        e.file_name().to_string_lossy().starts_with("renderD")
            && OpenOptions::new().read(true).write(true).open(e.path()).is_ok()
    })
}

/// Sets `WEBKIT_DISABLE_DMABUF_RENDERER=1` when [`wants_shared_memory`] says so. Called first
/// thing in `run()`: before GTK or WebKit start, and before the process has a second thread (the
/// environment is only safe to change while no other thread may read it).
pub fn choose() {
    let user = std::env::var_os(DISABLE_DMABUF);
    if wants_shared_memory(user.as_deref(), || render_node_usable(Path::new("/dev/dri"))) {
        std::env::set_var(DISABLE_DMABUF, "1");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_memory_only_without_a_render_node_and_without_a_user_choice() {
        assert!(wants_shared_memory(None, || false));
        assert!(!wants_shared_memory(None, || true));
        // The user's setting wins either way, and the probe is not even run.
        for user in ["0", "1", ""] {
            assert!(!wants_shared_memory(Some(OsStr::new(user)), || panic!("probed")));
        }
    }

    #[test]
    fn a_render_node_counts_only_when_it_opens_read_write() {
        let dir = tempfile::tempdir().unwrap();
        let dri = dir.path().join("dri");
        assert!(!render_node_usable(&dri), "no /dev/dri at all");
        std::fs::create_dir(&dri).unwrap();
        assert!(!render_node_usable(&dri), "an empty /dev/dri");
        std::fs::write(dri.join("card0"), b"").unwrap();
        assert!(!render_node_usable(&dri), "a card node is not a render node");
        // A renderD entry that cannot be opened read-write (here a directory: EISDIR, even as root).
        std::fs::create_dir(dri.join("renderD128")).unwrap();
        assert!(!render_node_usable(&dri), "a render node that does not open");
        std::fs::write(dri.join("renderD129"), b"").unwrap();
        assert!(render_node_usable(&dri), "a render node that opens read-write");
    }
}
