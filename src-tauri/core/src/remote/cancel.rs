//! How a remote operation stops when asked (Ctrl-C, the app's Cancel): reading and planning
//! write nothing and stop at once; writes in flight are given up, and the next run reads first
//! and finds out whether they landed (as after a kill).

use std::sync::atomic::{AtomicBool, Ordering};

use tokio::task::JoinSet;

use crate::error::{Error, Result};

/// How long writes in flight may still finish after a cancel before they are given up: a
/// healthy server answers in milliseconds, so an ordinary cancel loses none; a hung one is
/// waited for this long, not for the request timeout.
const GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Lets the remote halves still running end within `GRACE`, then stops the others; returns those
/// that ended (their results stand). The folders of the stopped ones stay in `in_flight`.
pub(crate) async fn abandon<T: 'static>(set: &mut JoinSet<T>) -> Vec<T> {
    let mut ended = Vec::new();
    let deadline = tokio::time::Instant::now() + GRACE;
    while let Ok(Some(j)) = tokio::time::timeout_at(deadline, set.join_next()).await {
        if let Ok(out) = j {
            ended.push(out);
        }
    }
    set.abort_all();
    while let Some(j) = set.join_next().await {
        if let Ok(out) = j {
            ended.push(out);
        }
    }
    ended
}

/// `work` until it ends or the cancel flag is raised (looked at every 50 ms). Reading and
/// planning write nothing, so they stop at once: a hung server once held the first Ctrl-C for
/// the client's whole timeout, twice over.
pub(crate) async fn until_cancelled<T>(
    cancel: &AtomicBool,
    work: impl std::future::Future<Output = T>,
) -> Result<T> {
    let raised = async {
        while !cancel.load(Ordering::Relaxed) {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };
    tokio::select! {
        out = work => Ok(out),
        () = raised => Err(Error::Cancelled("interrupted while reading the remote; nothing was written".into())),
    }
}
