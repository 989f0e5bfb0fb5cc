//! `hush mount` / `hush unmount` / `hush mounts`: an environment served as a named pipe
//! (`hush_core::project::mount`). The server runs in the foreground until Ctrl-C, SIGTERM,
//! SIGHUP or `hush unmount`; the pipe is removed then.

#[cfg(not(unix))]
use hush_core::Error;
use hush_core::Result;

use super::print_json;
use crate::cli::MountArgs;
use crate::ctx::Ctx;

#[cfg(unix)]
pub fn mount(ctx: &Ctx, a: MountArgs) -> Result<()> {
    use hush_core::project::mount::{self, MountServer, MountSpec, Previous};
    let sel = super::project::select(&a.from, a.env.as_deref())?;
    let path = mount::absolute(&a.path)?;
    if mount::check_path(&path)? == Previous::StalePipe {
        eprintln!("hush: removed a stale pipe at {} (its server was gone)", path.display());
    }
    let vault = ctx.open_unlocked()?;
    let folders = super::project::usable_folders(&vault, &sel)?;
    let label = folders.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(" + ");
    let spec = MountSpec {
        path: path.clone(),
        folders,
        env: sel.env.clone(),
        project: sel.project.as_ref().map(|p| p.file.display().to_string()),
    };
    // Signals are taken synchronously by this thread; block them before any thread starts.
    hush_core::sys::block_stop_signals();
    let exe = std::env::current_exe().ok();
    let quiet = a.quiet;
    let mut server = MountServer::start(
        vault,
        spec,
        exe.as_deref(),
        move |ev| {
            if !quiet {
                let who =
                    if ev.readers.is_empty() { "a process".into() } else { ev.readers.join(", ") };
                let note =
                    if ev.outcome == "ok" { String::new() } else { format!(" ({})", ev.outcome) };
                eprintln!("read by {who}: {} secret(s){note}", ev.secrets);
            }
        },
        |r| {
            if r.is_err() {
                // wake the main thread's signal wait: the server cannot go on
                hush_core::sys::kill(std::process::id() as i32, libc::SIGTERM);
            }
        },
    )?;
    let env = sel.env.as_deref().map(|e| format!("env {e}: ")).unwrap_or_default();
    eprintln!("serving {} ({env}{label}); Ctrl-C or `hush unmount` stops it", path.display());
    hush_core::sys::wait_stop_signal();
    let r = server.stop();
    eprintln!("unmounted {}", path.display());
    r
}

#[cfg(not(unix))]
pub fn mount(_ctx: &Ctx, _a: MountArgs) -> Result<()> {
    Err(Error::InvalidInput(
        "hush mount needs named pipes (Linux, macOS); on Windows use `hush run -- CMD` or `hush export -o FILE`".into(),
    ))
}

pub fn unmount(path: &std::path::Path) -> Result<()> {
    #[cfg(unix)]
    {
        use hush_core::project::mount::{self, Unmounted};
        match mount::unmount(path)? {
            Unmounted::Stopped => println!("unmounted {}", path.display()),
            Unmounted::RemovedStale => println!("removed the stale pipe {}", path.display()),
        }
        Ok(())
    }
    #[cfg(not(unix))]
    Err(Error::InvalidInput(format!("nothing can be mounted at {} on this OS", path.display())))
}

pub fn mounts(json: bool) -> Result<()> {
    #[cfg(unix)]
    {
        let all = hush_core::project::mount::list_mounts()?;
        if json {
            print_json(&all);
        } else if all.is_empty() {
            println!("no mounts");
        } else {
            for m in all {
                let state = if m.alive { format!("pid {}", m.record.pid) } else { "STALE".into() };
                println!("{}  {}  ({state})", m.record.path, m.record.folders.join(" + "));
            }
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        let _ = json;
        print_json(&Vec::<()>::new());
        Ok(())
    }
}

/// `hush __mount-guard`: cleans up after a mount server that died without doing it.
pub fn guard(pid: u32, path: &std::path::Path) -> Result<()> {
    #[cfg(unix)]
    hush_core::project::mount::run_guard(pid, path);
    #[cfg(not(unix))]
    let _ = (pid, path);
    Ok(())
}
