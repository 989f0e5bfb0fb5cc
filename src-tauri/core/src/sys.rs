//! The few operating-system calls Rust's standard library does not wrap, as safe functions.
//!
//! This is the only module of the workspace allowed to use `unsafe` (`unsafe_code` is denied
//! everywhere else by `[workspace.lints]`); each block says why it is sound.

#![allow(unsafe_code)]

#[cfg(unix)]
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// The real user id of this process.
#[cfg(unix)]
pub fn uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// The user id of the process at the other end of a Unix socket, if the OS tells.
#[cfg(unix)]
pub fn peer_uid(stream: &std::os::unix::net::UnixStream) -> Option<u32> {
    use std::os::fd::AsRawFd;
    #[cfg(target_os = "linux")]
    {
        let mut cred = libc::ucred { pid: 0, uid: u32::MAX, gid: 0 };
        let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
        // SAFETY: the fd is a live socket and cred/len describe a correctly sized buffer.
        let rc = unsafe {
            libc::getsockopt(
                stream.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_PEERCRED,
                (&mut cred as *mut libc::ucred).cast(),
                &mut len,
            )
        };
        (rc == 0).then_some(cred.uid)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let (mut uid, mut gid) = (u32::MAX, u32::MAX);
        // SAFETY: the fd is a live socket; uid/gid are valid out-pointers.
        let rc = unsafe { libc::getpeereid(stream.as_raw_fd(), &mut uid, &mut gid) };
        (rc == 0).then_some(uid)
    }
}

/// Waits up to `ms` milliseconds for `fd` to become readable (an error or EINTR just returns).
#[cfg(unix)]
pub fn wait_readable(fd: std::os::fd::RawFd, ms: i32) {
    let mut p = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd; poll only writes `revents`.
    unsafe { libc::poll(&mut p, 1, ms) };
}

/// No core dumps, and no ptrace attach by other processes of the same user where the OS allows:
/// a crash or a debugger must not write decrypted values or keys to disk.
pub fn harden_process() {
    #[cfg(unix)]
    // SAFETY: plain syscalls with constant arguments and a valid rlimit pointer.
    unsafe {
        let zero = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        libc::setrlimit(libc::RLIMIT_CORE, &zero);
        #[cfg(target_os = "linux")]
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

/// Without a cheap probe, every process counts as alive (leftovers stay, never a live file goes).
#[cfg(not(unix))]
pub fn process_alive(_pid: u32) -> bool {
    true
}

/// Sends `sig` to process `pid`.
#[cfg(unix)]
pub fn kill(pid: i32, sig: i32) -> bool {
    // SAFETY: kill(2) has no memory preconditions; a stale pid is an error return.
    unsafe { libc::kill(pid, sig) == 0 }
}

#[cfg(unix)]
static FORWARD_TO: AtomicI32 = AtomicI32::new(0);

/// Passes SIGINT, SIGTERM and SIGHUP that another process sends to us on to the process set with
/// [`set_forward_target`]. Signals the terminal sends (Ctrl-C) already reach a child in our
/// process group, so they are not sent twice.
#[cfg(unix)]
pub fn forward_signals() {
    extern "C" fn forward(sig: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
        // Only async-signal-safe calls here: an atomic load and kill(2).
        // SAFETY: with SA_SIGINFO the kernel passes a valid siginfo_t (checked for null anyway).
        let code = if info.is_null() { 0 } else { unsafe { (*info).si_code } };
        let pid = FORWARD_TO.load(Ordering::SeqCst);
        if sent_by_a_process(code) && pid > 0 {
            // SAFETY: as in `kill`.
            unsafe { libc::kill(pid, sig) };
        }
    }
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: a zeroed sigaction is valid; the handler has the SA_SIGINFO signature and
        // only does async-signal-safe work.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = forward as *const () as usize;
            sa.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// Has the program `cmd` starts get SIGTERM when this process dies (Linux). A `hush run` killed
/// with SIGKILL, which no handler sees, once left its program running on with the secrets it was
/// given and no one to pass it signals. Elsewhere there is no such facility: nothing is done.
#[cfg(target_os = "linux")]
pub fn end_with_parent(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: between fork and exec only async-signal-safe calls (prctl, getppid, raise), and no
    // allocation. The death signal follows the thread that forks: `hush run` forks from its main
    // thread, which waits for the program and so outlives it.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // Died between the fork and the prctl: as the signal would have.
            if libc::getppid() != parent {
                libc::raise(libc::SIGTERM);
            }
            Ok(())
        });
    }
}

#[cfg(all(unix, not(target_os = "linux")))]
pub fn end_with_parent(_cmd: &mut std::process::Command) {}

/// The process [`forward_signals`] passes signals to (0: none).
#[cfg(unix)]
pub fn set_forward_target(pid: i32) {
    FORWARD_TO.store(pid, Ordering::SeqCst);
}

/// A signal from kill(2)/sigqueue (forward it) rather than from the terminal or the kernel.
#[cfg(target_os = "linux")]
fn sent_by_a_process(code: libc::c_int) -> bool {
    code <= 0 // SI_USER 0, SI_QUEUE -1, SI_TKILL -6; kernel and tty codes are positive
}

#[cfg(all(unix, not(target_os = "linux")))]
fn sent_by_a_process(_code: libc::c_int) -> bool {
    true
}

#[cfg(unix)]
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Makes the first Ctrl-C set the returned flag instead of ending the process (long work then
/// stops cleanly between steps); a second Ctrl-C ends it at once.
#[cfg(unix)]
pub fn first_ctrl_c_sets_flag() -> &'static AtomicBool {
    extern "C" fn on_sigint(_: libc::c_int) {
        INTERRUPTED.store(true, Ordering::SeqCst);
        // SAFETY: signal(2) is async-signal-safe; restoring the default disposition.
        unsafe { libc::signal(libc::SIGINT, libc::SIG_DFL) };
    }
    // SAFETY: the handler only stores to an atomic and resets the disposition.
    unsafe { libc::signal(libc::SIGINT, on_sigint as *const () as libc::sighandler_t) };
    &INTERRUPTED
}

/// Waits for `child` to end; returns its exit status and the most memory it ever had resident
/// (peak RSS, KiB), as the kernel counted it. For tests and benchmarks that bound memory.
#[cfg(unix)]
pub fn wait_peak_rss(
    child: &mut std::process::Child,
) -> std::io::Result<(std::process::ExitStatus, u64)> {
    use std::os::unix::process::ExitStatusExt;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: a zeroed rusage is valid; wait4 writes only to the two out-pointers, which live
    // across the call. The pid is our own unreaped child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: as above.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    let max = u64::try_from(usage.ru_maxrss).unwrap_or(0);
    // Linux counts KiB; macOS and the BSDs count bytes.
    let kib = if cfg!(target_os = "linux") { max } else { max / 1024 };
    Ok((std::process::ExitStatus::from_raw(status), kib))
}

/// Time since boot, counting time the machine spent asleep: `CLOCK_BOOTTIME` on Linux,
/// `CLOCK_MONOTONIC` elsewhere (on macOS that one counts sleep). `Instant` does not count
/// suspend on Linux, so an idle timeout measured with it would still be running the next morning.
#[cfg(unix)]
pub fn since_boot() -> std::time::Duration {
    #[cfg(target_os = "linux")]
    let clock = libc::CLOCK_BOOTTIME;
    #[cfg(not(target_os = "linux"))]
    let clock = libc::CLOCK_MONOTONIC;
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: a valid clock id and a valid out-pointer; clock_gettime only writes `ts`.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime of a clock every supported OS has");
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Creates a named pipe (FIFO) at `path` with `mode` (before the umask).
#[cfg(unix)]
pub fn mkfifo(path: &std::path::Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
    // SAFETY: `c` is a valid NUL-terminated path that outlives the call.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), mode as libc::mode_t) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Puts `fd` in non-blocking mode.
#[cfg(unix)]
pub fn set_nonblocking(fd: std::os::fd::RawFd) -> std::io::Result<()> {
    // SAFETY: fcntl on a caller-owned open fd with integer arguments only.
    let rc = unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 {
            flags
        } else {
            libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK)
        }
    };
    if rc < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// Waits up to `ms` milliseconds for `fd` to accept writes; false on timeout or when the other end
/// is gone (POLLERR/POLLHUP).
#[cfg(unix)]
pub fn wait_writable(fd: std::os::fd::RawFd, ms: i32) -> bool {
    let mut p = libc::pollfd { fd, events: libc::POLLOUT, revents: 0 };
    // SAFETY: one valid pollfd; poll only writes `revents`.
    let n = unsafe { libc::poll(&mut p, 1, ms) };
    n > 0 && p.revents & libc::POLLOUT != 0 && p.revents & (libc::POLLERR | libc::POLLHUP) == 0
}

#[cfg(unix)]
fn stop_set() -> libc::sigset_t {
    // SAFETY: sigemptyset/sigaddset initialise the set we own.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, s);
        }
        set
    }
}

/// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and the threads it starts later), so
/// that [`wait_stop_signal`] can take them synchronously. Call before starting threads.
#[cfg(unix)]
pub fn block_stop_signals() {
    let set = stop_set();
    // SAFETY: a valid, initialised set; the old mask is not wanted.
    unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
}

/// Waits for SIGINT, SIGTERM or SIGHUP (blocked first by [`block_stop_signals`]); returns it.
#[cfg(unix)]
pub fn wait_stop_signal() -> i32 {
    let set = stop_set();
    let mut sig: libc::c_int = 0;
    // SAFETY: a valid set and out-pointer; sigwait only writes `sig`.
    loop {
        if unsafe { libc::sigwait(&set, &mut sig) } == 0 {
            return sig;
        }
    }
}

/// Whether process `pid` exists (a zombie counts as gone on Linux when its state says so).
#[cfg(unix)]
pub fn process_alive(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else { return false };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks for existence and permission.
    let rc = unsafe { libc::kill(pid, 0) };
    let alive = rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    #[cfg(target_os = "linux")]
    if alive {
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // the state follows the ")" that ends the command name
            if let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r.trim_start()) {
                return !rest.starts_with('Z') && !rest.starts_with('X');
            }
        }
    }
    alive
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn since_boot_is_the_boot_clock() {
        // /proc/uptime is the boot clock (it counts suspend), in seconds.
        let uptime: f64 = std::fs::read_to_string("/proc/uptime")
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let ours = super::since_boot().as_secs_f64();
        assert!((ours - uptime).abs() < 2.0, "since_boot {ours} s, /proc/uptime {uptime} s");
    }
}
