//! Long work (import commit, remote test / plan / push / pull / sync / migrate, backup) in one
//! shape: it runs on its own thread with a second handle on the vault (so the vault thread keeps
//! serving the other views), reports `Progress` over a Tauri Channel starting with its id, and
//! stops at its next step when `work_cancel(id)` is called or the vault locks.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use hush_core::Vault;
use tauri::ipc::Channel;

use crate::actor::Actor;
use crate::dto::Progress;
use crate::error::{IpcError, IpcResult};

/// What long work gets besides its vault: where to report, and whether to stop.
pub struct Job {
    progress: Channel<Progress>,
    cancel: Arc<AtomicBool>,
}

impl Job {
    pub fn step(&self, done: u64, total: u64) {
        let _ = self.progress.send(Progress::Step { done, total });
    }
    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.cancel
    }
    pub fn finished(&self, message: String) {
        let _ = self.progress.send(Progress::Finished { message });
    }
}

/// Runs `f` on a second handle of the unlocked vault, on its own thread. `prepare` runs first on
/// the vault thread (e.g. to take the pending import) and its result is handed to `f`.
pub async fn run<P, T>(
    actor: &Actor,
    progress: Channel<Progress>,
    cancellable: bool,
    prepare: impl FnOnce(&mut crate::actor::Owner) -> IpcResult<P> + Send + 'static,
    f: impl FnOnce(&mut Vault, P, &Job) -> IpcResult<T> + Send + 'static,
) -> IpcResult<T>
where
    P: Send + 'static,
    T: Send + 'static,
{
    let (mut vault, input) = actor
        .run(move |o| {
            let input = prepare(o)?;
            Ok((o.unlocked()?.try_clone()?, input))
        })
        .await?;
    let (id, cancel) = actor.begin_work();
    let _ = progress.send(Progress::Started { id, cancellable });
    let job = Job { progress, cancel };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new().name("hush-work".into()).spawn(move || {
        let out = catch_unwind(AssertUnwindSafe(|| f(&mut vault, input, &job)));
        let _ = tx.send(out.unwrap_or_else(|_| {
            Err(IpcError::internal("this action failed unexpectedly; nothing else was affected"))
        }));
    });
    let out = match spawned {
        Ok(_) => rx.await.unwrap_or_else(|_| Err(IpcError::internal("the work stopped"))),
        Err(e) => Err(IpcError::internal(format!("could not start the work: {e}"))),
    };
    actor.end_work(id);
    out
}
