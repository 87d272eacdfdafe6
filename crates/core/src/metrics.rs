//! Operators' figures in Prometheus's text format. Counters and histograms are recorded
//! where things happen, through the `metrics` facade (cheap, and nothing at all until a
//! recorder is installed); [`render`] sets the gauges read off the app at scrape time
//! (store health, index state, the question log, the encoder) and renders everything
//! with `metrics-exporter-prometheus`. Label values are bounded: commands, outcomes,
//! stages, backends, states, kernels, shard numbers; never a server, a member or text.
//!
//! | metric | labels | what |
//! |---|---|---|
//! | `archie_interactions_total` | command, outcome | interactions and gateway messages answered: answered, declined, refused (fair use), failed, other |
//! | `archie_interaction_duration_seconds` | command | time to the response |
//! | `archie_ask_stage_duration_seconds` | stage | `/ask` by stage: understand, encode, retrieve, rank, render |
//! | `archie_store_calls_total` | backend, kind | store reads and writes |
//! | `archie_store_errors_total` | backend | store calls that failed |
//! | `archie_store_up` | | 1 while the store answers its probe |
//! | `archie_index_state` | state | 1 for the state of the search index: built, rebuilding, damaged |
//! | `archie_community_index_lag` | | store changes not yet in this process's community index |
//! | `archie_question_log_queued` | | questions waiting for the store |
//! | `archie_question_log_dropped_total` | | questions dropped (queue full, store refused) |
//! | `archie_encoder_kernel` | kernel | 1 for the encoder in use (int8 VNNI, fp32, … or none) |
//! | `archie_refused_requests_total` | reason | HTTP requests refused: signature, timestamp, replay |
//! | `archie_gateway_shard_connected` | shard | 1 while a gateway shard is connected |

use crate::app::App;
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

/// How often recorded histogram values are folded into their buckets when nobody scrapes
/// (they are kept raw until then).
const UPKEEP: Duration = Duration::from_secs(5);

/// Whether figures are recorded ([`set_enabled`]; on unless turned off).
static ENABLED: AtomicBool = AtomicBool::new(true);

/// Records figures, or not: the benchmark measures their cost side by side in one
/// process. Off, every figure is a no-op; what was recorded before is kept.
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// The Prometheus recorder behind the [`ENABLED`] switch.
struct Switched(PrometheusRecorder);

impl Recorder for Switched {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.0.describe_counter(key, unit, description);
    }
    fn describe_gauge(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.0.describe_gauge(key, unit, description);
    }
    fn describe_histogram(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.0.describe_histogram(key, unit, description);
    }
    fn register_counter(&self, key: &Key, metadata: &Metadata<'_>) -> Counter {
        if ENABLED.load(Ordering::Relaxed) {
            self.0.register_counter(key, metadata)
        } else {
            Counter::noop()
        }
    }
    fn register_gauge(&self, key: &Key, metadata: &Metadata<'_>) -> Gauge {
        if ENABLED.load(Ordering::Relaxed) {
            self.0.register_gauge(key, metadata)
        } else {
            Gauge::noop()
        }
    }
    fn register_histogram(&self, key: &Key, metadata: &Metadata<'_>) -> Histogram {
        if ENABLED.load(Ordering::Relaxed) {
            self.0.register_histogram(key, metadata)
        } else {
            Histogram::noop()
        }
    }
}

/// Histogram buckets, in seconds: from half a millisecond (an answer from memory) to ten
/// seconds (a store that stalls).
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process's recorder (once; later calls return the same handle). `None`
/// when another recorder was installed first.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(BUCKETS)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            if let Err(e) = metrics::set_global_recorder(Switched(recorder)) {
                tracing::warn!(error = %e, "metrics are off: a recorder was installed already");
                return None;
            }
            let upkeep = handle.clone();
            let spawned = std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || loop {
                    std::thread::sleep(UPKEEP);
                    upkeep.run_upkeep();
                });
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "the metrics upkeep thread could not start");
            }
            Some(handle)
        })
        .as_ref()
}

/// Everything in Prometheus's text format, with the app's gauges read now; installs the
/// recorder if nothing did yet (the figures then start from this scrape).
pub fn render(app: &App) -> String {
    let Some(handle) = install() else {
        return String::new();
    };
    let up = match &app.store {
        None => 1.0,
        Some(_) => f64::from(u8::from(app.store_health.is_up())),
    };
    metrics::gauge!("archie_store_up").set(up);
    let community = app.engine.community_status();
    let state = if app.engine.index_damage().is_some() || community.damaged.is_some() {
        "damaged"
    } else if app.store.is_some() && !community.open {
        // Being opened, or built from the store's rows.
        "rebuilding"
    } else {
        "built"
    };
    for s in ["built", "rebuilding", "damaged"] {
        metrics::gauge!("archie_index_state", "state" => s).set(f64::from(u8::from(s == state)));
    }
    // Asked of the store only while it answers its probe: a scrape never waits on an
    // outage.
    let lag = app
        .store
        .as_ref()
        .filter(|_| up > 0.0)
        .and_then(|s| s.last_revision().ok())
        .map_or(0, |latest| (latest - community.watermark).max(0));
    metrics::gauge!("archie_community_index_lag").set(lag as f64);
    metrics::gauge!("archie_question_log_queued")
        .set(app.questions.queued.load(Ordering::Relaxed) as f64);
    metrics::counter!("archie_question_log_dropped_total")
        .absolute(app.questions.dropped.load(Ordering::Relaxed));
    let kernel = app
        .engine
        .encoder()
        .map_or_else(|| "none (lexical)".to_string(), |e| e.precision().name());
    metrics::gauge!("archie_encoder_kernel", "kernel" => kernel).set(1.0);
    handle.render()
}
