//! The async runtime remote calls run on. The engine's API stays synchronous (the CLI is sync, the
//! desktop calls from blocking threads); only this module knows about tokio.

use std::future::Future;
use std::sync::OnceLock;

use crate::error::{Error, Result};

static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();

fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    // Two workers: requests are I/O-bound and the machines Hush runs on are laptops; concurrency
    // comes from many requests in flight, not from threads.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("hush-remote")
        .enable_all()
        .build()
        .map_err(|e| Error::Remote(format!("could not start the remote runtime: {e}")))?;
    Ok(RUNTIME.get_or_init(|| rt))
}

/// Runs `fut` to completion on the engine's runtime, on the calling thread (so the future may
/// borrow the vault and call a non-`Send` progress callback; only spawned tasks must be `Send`).
pub(crate) fn block_on<F: Future>(fut: F) -> Result<F::Output> {
    if tokio::runtime::Handle::try_current().is_ok() {
        // Nesting would panic inside tokio; say what to do instead.
        return Err(Error::InvalidInput(
            "remote operations block: call them from a blocking thread (a sync Tauri command or spawn_blocking), not from an async task".into(),
        ));
    }
    Ok(runtime()?.block_on(fut))
}
