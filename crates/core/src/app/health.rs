//! The store's health as a serving process sees it: a probe asks the store a trivial
//! query every few seconds, on a thread of its own, and a store that fails or does not
//! answer within [`PING_WAIT`] is down until it answers again. An outage is logged once
//! when it starts and once when it ends; `/healthz` reports it.

use archie_store::Store;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

/// How long the store may take to answer the probe.
pub const PING_WAIT: Duration = Duration::from_millis(1500);

/// Whether the community store answers (true until a probe says otherwise).
#[derive(Debug)]
pub struct StoreHealth {
    up: AtomicBool,
}

impl Default for StoreHealth {
    fn default() -> Self {
        StoreHealth {
            up: AtomicBool::new(true),
        }
    }
}

impl StoreHealth {
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    fn set(&self, up: bool, why: &str) {
        if self.up.swap(up, Ordering::Relaxed) != up {
            if up {
                tracing::info!("the community store answers again");
            } else {
                tracing::error!(reason = why, "the community store is down");
            }
        }
    }
}

/// The running probe; dropping it stops it.
pub struct Probe {
    stop: Arc<AtomicBool>,
    watcher: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.watcher.take() {
            let _ = t.join();
        }
    }
}

/// Probes `store` every `every`. One thread asks (it may hang on a frozen server), another
/// watches the answers: a missing answer counts as down as surely as an error.
pub fn probe(store: Arc<Store>, health: Arc<StoreHealth>, every: Duration) -> Probe {
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::sync_channel::<Result<(), String>>(1);
    let asking = stop.clone();
    let _ = std::thread::Builder::new()
        .name("store-probe".into())
        .spawn(move || {
            while !asking.load(Ordering::Relaxed) {
                let r = store.ping().map_err(|e| e.to_string());
                if tx.send(r).is_err() {
                    return;
                }
                std::thread::sleep(every);
            }
        });
    let watching = stop.clone();
    let watcher = std::thread::Builder::new()
        .name("store-health".into())
        .spawn(move || {
            let tick = Duration::from_millis(100);
            // Measured on the clock, not by counting ticks: on a loaded machine a tick
            // returns late, and counted ticks once let a 10 s freeze pass unreported.
            let mut last = std::time::Instant::now();
            while !watching.load(Ordering::Relaxed) {
                match rx.recv_timeout(tick) {
                    Ok(Ok(())) => {
                        last = std::time::Instant::now();
                        health.set(true, "");
                    }
                    Ok(Err(e)) => {
                        last = std::time::Instant::now();
                        health.set(false, &e);
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if last.elapsed() > every + PING_WAIT {
                            health.set(false, "no answer in time");
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            }
        })
        .ok();
    Probe { stop, watcher }
}
