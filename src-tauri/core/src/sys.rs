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

/// Whether a process with this id exists (signal 0 probes without sending anything).
#[cfg(unix)]
pub fn process_alive(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else { return false };
    // SAFETY: kill(2) with signal 0 only checks that the process exists and may be signalled.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
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
