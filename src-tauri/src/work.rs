//! Long work (import commit, remote test / plan / push / pull / sync / migrate, backup) in one
//! shape: it runs on its own thread with a second handle on the vault (so the vault thread keeps
//! serving the other views), reports `Progress` over a Tauri Channel starting with its id, and
//! stops at its next step when `work_cancel(id)` is called or the vault locks.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hush_core::Vault;
use tauri::ipc::Channel;

use crate::actor::Actor;
use crate::dto::Progress;
use crate::error::{IpcError, IpcResult};

/// What long work gets besides its vault: where to report, and whether to stop.
pub struct Job {
    progress: Channel<Progress>,
    cancel: Arc<AtomicBool>,
    /// When the last step went out (see [`STEP_EVERY`]).
    last_step: Mutex<Option<Instant>>,
}

/// The most often a step is sent. Work reports a step per item (100,000 for a large import), and
/// each message the page gets is a script the web view runs: sent all, they queued up and froze
/// the window for seconds. The first and the last step always go out.
pub const STEP_EVERY: Duration = Duration::from_millis(50);

impl Job {
    pub fn step(&self, done: u64, total: u64) {
        let now = Instant::now();
        let mut last = self.last_step.lock().unwrap_or_else(|p| p.into_inner());
        let due = last.is_none_or(|t| now.duration_since(t) >= STEP_EVERY);
        if due || done >= total {
            *last = Some(now);
            let _ = self.progress.send(Progress::Step { done, total });
        }
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
    let job = Job { progress, cancel, last_step: Mutex::new(None) };
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn steps_per_item_reach_the_page_a_few_times_and_the_last_always() {
        let sent = Arc::new(AtomicUsize::new(0));
        let last = Arc::new(Mutex::new(String::new()));
        let (s, l) = (sent.clone(), last.clone());
        let progress = Channel::new(move |body| {
            s.fetch_add(1, Ordering::Relaxed);
            if let tauri::ipc::InvokeResponseBody::Json(j) = body {
                *l.lock().unwrap() = j;
            }
            Ok(())
        });
        let job = Job { progress, cancel: Arc::default(), last_step: Mutex::new(None) };
        let started = Instant::now();
        for done in 1..=100_000 {
            job.step(done, 100_000);
        }
        let most = 2 + (started.elapsed().as_millis() / STEP_EVERY.as_millis()) as usize;
        let n = sent.load(Ordering::Relaxed);
        assert!((2..=most).contains(&n), "{n} messages for 100,000 steps");
        assert!(last.lock().unwrap().contains("100000"), "{}", last.lock().unwrap());
    }
}
