//! The owner of the open vault. One thread holds the `Option<Vault>`, the idle deadline, the
//! pending import and the files the native picker returned; commands send it work (a closure)
//! and await the answer, the way rbw's agent owns its keys. A panic inside one piece of work
//! answers that command with an error and leaves the owner serving the next one: nothing is
//! poisoned. Long work runs elsewhere on a second handle (`work.rs`), so it never blocks a view.
//!
//! Auto-lock: the clock is injectable (`Clock`), so tests move time by hand. The real clock
//! counts time the machine spent suspended (the monotonic clock stops during suspend; the wall
//! clock does not), and the owner checks the deadline before any work, so a laptop opened the
//! next morning is locked before it answers anything.

use std::collections::{BTreeSet, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use hush_core::project::TrustStore;
use hush_core::{ImportPreview, Vault};

use crate::error::{IpcError, IpcResult};
use crate::picks::Picks;

/// Time since some origin, for the idle deadline.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Duration;
}

/// The real clock: the larger of monotonic and wall time elapsed, so suspend time counts (wall)
/// and a clock set backwards does not extend the deadline (monotonic).
pub struct SystemClock {
    mono: Instant,
    wall: SystemTime,
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock { mono: Instant::now(), wall: SystemTime::now() }
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        let wall = SystemTime::now().duration_since(self.wall).unwrap_or_default();
        self.mono.elapsed().max(wall)
    }
}

/// A clock that moves only when told (tests).
#[derive(Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    pub fn advance(&self, d: Duration) {
        self.0.fetch_add(d.as_millis() as u64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_millis(self.0.load(Ordering::SeqCst))
    }
}

/// Why the vault was locked; the window is told (`vault-locked` event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockReason {
    User,
    Idle,
    Suspend,
    ScreenLock,
}

impl LockReason {
    pub fn as_str(self) -> &'static str {
        match self {
            LockReason::User => "lock now",
            LockReason::Idle => "auto-lock after idle",
            LockReason::Suspend => "the machine went to sleep",
            LockReason::ScreenLock => "the screen was locked",
        }
    }
}

/// What the owner thread holds. Work receives `&mut Owner`.
pub struct Owner {
    pub vault_path: PathBuf,
    vault: Option<Vault>,
    /// The last import preview, so a commit applies exactly what the user saw.
    pub pending_import: Option<ImportPreview>,
    pub picks: Picks,
    /// The user's project trust records (None when no data dir is known); tests point it elsewhere.
    pub trust: Option<TrustStore>,
    /// Project files opened in this session through the picker (beside the trusted ones).
    pub opened_projects: BTreeSet<PathBuf>,
    /// `.env` pipes this app serves, by path; each holds a second handle on the vault.
    #[cfg(unix)]
    pub mounts: HashMap<PathBuf, hush_core::project::mount::MountServer>,
    last_activity: Duration,
    auto_lock: Duration,
    shared: Arc<Shared>,
}

impl Owner {
    /// The unlocked vault, or `locked`.
    pub fn unlocked(&mut self) -> IpcResult<&mut Vault> {
        self.vault.as_mut().filter(|v| v.is_unlocked()).ok_or_else(IpcError::locked)
    }

    /// The open vault handle, locked or not (status, unlock).
    pub fn handle(&mut self) -> Option<&mut Vault> {
        self.vault.as_mut()
    }

    /// Keeps an opened (still locked) vault for a later unlock.
    pub fn keep(&mut self, v: Vault) {
        if self.vault.as_ref().is_none_or(|old| !old.is_unlocked()) {
            self.vault = Some(v);
        }
    }

    /// Installs a freshly unlocked vault and starts its idle clock.
    pub fn install(&mut self, v: Vault) {
        self.auto_lock = auto_lock_of(&v);
        self.vault = Some(v);
        self.shared.unlocked.store(true, Ordering::SeqCst);
        self.touch();
    }

    /// Re-reads the auto-lock setting (after Settings changed it).
    pub fn settings_changed(&mut self) {
        if let Some(v) = &self.vault {
            self.auto_lock = auto_lock_of(v);
        }
    }

    fn touch(&mut self) {
        self.last_activity = self.shared.clock.now();
    }

    fn idle_expired(&self) -> bool {
        self.shared.unlocked.load(Ordering::SeqCst)
            && self.shared.work_running() == 0
            && self.shared.clock.now().saturating_sub(self.last_activity) >= self.auto_lock
    }

    /// Drops the keys (zeroizing them), forgets the pending import and picked files, clears a
    /// value we put on the clipboard, cancels long work, and tells the window. Returns whether
    /// it was unlocked.
    pub fn lock(&mut self, reason: LockReason) -> bool {
        self.pending_import = None;
        self.shared.cancel_all_work();
        let was = self.shared.unlocked.swap(false, Ordering::SeqCst);
        let Some(v) = self.vault.as_mut().filter(|v| v.is_unlocked()) else { return false };
        let _ = v.audit_event(
            hush_core::Action::Lock,
            None,
            hush_core::Outcome::Ok,
            Some(reason.as_str()),
        );
        v.lock();
        self.picks.clear();
        // A served pipe holds the keys through its own handle: stop serving with the lock.
        #[cfg(unix)]
        for (_, mut m) in self.mounts.drain() {
            let _ = m.stop();
        }
        if let Some(f) = self.shared.on_lock.get() {
            f(reason);
        }
        was
    }
}

fn auto_lock_of(v: &Vault) -> Duration {
    Duration::from_secs(u64::from(v.settings().map(|s| s.auto_lock_secs).unwrap_or(300)))
}

type Job = Box<dyn FnOnce(&mut Owner) + Send>;

enum Msg {
    /// Work; `true` when it counts as user activity.
    Job(Job, bool),
    /// Re-check the idle deadline now (tests, after moving a manual clock).
    Tick,
}

struct Shared {
    clock: Arc<dyn Clock>,
    unlocked: AtomicBool,
    on_lock: OnceLock<Box<dyn Fn(LockReason) + Send + Sync>>,
    work: Mutex<HashMap<u64, Arc<AtomicBool>>>,
    next_work: AtomicU64,
}

impl Shared {
    fn work_running(&self) -> usize {
        self.work.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
    fn cancel_all_work(&self) {
        for flag in self.work.lock().unwrap_or_else(PoisonError::into_inner).values() {
            flag.store(true, Ordering::SeqCst);
        }
    }
}

/// How often the owner re-reads the clock while unlocked: a sleep of the thread does not count
/// suspend time, so it wakes up and asks the (suspend-aware) clock.
const POLL: Duration = Duration::from_millis(500);

/// The handle commands use to reach the owner. Cheap to clone.
#[derive(Clone)]
pub struct Actor {
    tx: mpsc::Sender<Msg>,
    shared: Arc<Shared>,
}

impl Actor {
    pub fn start(vault_path: PathBuf, clock: Arc<dyn Clock>) -> Actor {
        let shared = Arc::new(Shared {
            clock,
            unlocked: AtomicBool::new(false),
            on_lock: OnceLock::new(),
            work: Mutex::new(HashMap::new()),
            next_work: AtomicU64::new(1),
        });
        let (tx, rx) = mpsc::channel::<Msg>();
        let mut owner = Owner {
            vault_path,
            vault: None,
            pending_import: None,
            picks: Picks::default(),
            trust: TrustStore::user().ok(),
            opened_projects: BTreeSet::new(),
            #[cfg(unix)]
            mounts: HashMap::new(),
            last_activity: Duration::ZERO,
            auto_lock: Duration::from_secs(300),
            shared: shared.clone(),
        };
        std::thread::Builder::new()
            .name("hush-vault".into())
            .spawn(move || loop {
                let msg = if owner.shared.unlocked.load(Ordering::SeqCst) {
                    match rx.recv_timeout(POLL) {
                        Ok(m) => Some(m),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                } else {
                    match rx.recv() {
                        Ok(m) => Some(m),
                        Err(_) => break,
                    }
                };
                // The deadline first: work that arrives after it finds the vault locked.
                if owner.idle_expired() {
                    owner.lock(LockReason::Idle);
                }
                if let Some(Msg::Job(job, activity)) = msg {
                    if activity && owner.shared.unlocked.load(Ordering::SeqCst) {
                        owner.touch();
                    }
                    // A panic answers its own command (the reply sender is dropped) and
                    // nothing else: the owner keeps its state and serves the next message.
                    let _ = catch_unwind(AssertUnwindSafe(|| job(&mut owner)));
                }
            })
            .expect("start the vault thread");
        Actor { tx, shared }
    }

    /// Called with the reason whenever the vault locks (the shell emits `vault-locked`).
    pub fn on_lock(&self, f: impl Fn(LockReason) + Send + Sync + 'static) {
        let _ = self.shared.on_lock.set(Box::new(f));
    }

    async fn send<T: Send + 'static>(
        &self,
        activity: bool,
        f: impl FnOnce(&mut Owner) -> IpcResult<T> + Send + 'static,
    ) -> IpcResult<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |o| {
            let _ = tx.send(f(o));
        });
        self.tx
            .send(Msg::Job(job, activity))
            .map_err(|_| IpcError::internal("the vault thread has stopped"))?;
        rx.await.map_err(|_| {
            IpcError::internal("this action failed unexpectedly; nothing else was affected")
        })?
    }

    /// Runs `f` on the owner; counts as user activity.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Owner) -> IpcResult<T> + Send + 'static,
    ) -> IpcResult<T> {
        self.send(true, f).await
    }

    /// Runs `f` on the owner without counting as activity (status queries).
    pub async fn peek<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Owner) -> IpcResult<T> + Send + 'static,
    ) -> IpcResult<T> {
        self.send(false, f).await
    }

    /// Runs `f` on the unlocked vault; `locked` otherwise.
    pub async fn vault<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Vault) -> hush_core::Result<T> + Send + 'static,
    ) -> IpcResult<T> {
        self.run(move |o| Ok(f(o.unlocked()?)?)).await
    }

    /// Locks from outside a command (suspend, screen lock): queued like any work.
    pub fn lock_soon(&self, reason: LockReason) {
        let _ = self.tx.send(Msg::Job(
            Box::new(move |o| {
                o.lock(reason);
            }),
            false,
        ));
    }

    /// Re-checks the idle deadline (tests move a `ManualClock`, then tick).
    pub fn tick(&self) {
        let _ = self.tx.send(Msg::Tick);
    }

    pub fn is_unlocked(&self) -> bool {
        self.shared.unlocked.load(Ordering::SeqCst)
    }

    /// Registers long work; its flag is set by `cancel_work` or when the vault locks.
    pub fn begin_work(&self) -> (u64, Arc<AtomicBool>) {
        let id = self.shared.next_work.fetch_add(1, Ordering::SeqCst);
        let flag = Arc::new(AtomicBool::new(false));
        self.shared.work.lock().unwrap_or_else(PoisonError::into_inner).insert(id, flag.clone());
        (id, flag)
    }

    pub fn end_work(&self, id: u64) {
        self.shared.work.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
    }

    /// Asks running work `id` to stop at its next step; false if no such work runs.
    pub fn cancel_work(&self, id: u64) -> bool {
        let work = self.shared.work.lock().unwrap_or_else(PoisonError::into_inner);
        work.get(&id).map(|f| f.store(true, Ordering::SeqCst)).is_some()
    }
}
