//! Prometheus metrics (`GET /metrics`, text exposition format 0.0.4).
//!
//! Two kinds: what the process counts as it goes (requests by route and status, with a
//! latency histogram; commands by aggregate, command and outcome, which the command
//! pipeline records), and gauges read from the store when scraped (events, sealer lag in
//! events and seconds, lag per projector, the latest checkpoint's size and age, its witness
//! cosignatures against the quorum, and the database pool). ops/RUNBOOK.md gives the alerts
//! to set on them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{LazyLock, Mutex};

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Debug, Default)]
struct Registry {
    /// (method, route, status) → latency histogram.
    requests: Mutex<BTreeMap<(String, String, u16), Histogram>>,
    /// (aggregate, command, outcome) → count. The outcome is `accepted`, `replayed`,
    /// `refused:<rule>`, `not_found`, `malformed`, `conflict` or `error`.
    commands: Mutex<BTreeMap<(String, String, String), u64>>,
    /// Stored documents refused because their bytes no longer hash to their name.
    documents_altered: std::sync::atomic::AtomicU64,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::default);

/// Records one answered request.
pub fn observe_request(method: &str, route: &str, status: u16, seconds: f64) {
    let mut requests = REGISTRY.requests.lock().unwrap_or_else(|p| p.into_inner());
    let h = requests.entry((method.to_string(), route.to_string(), status)).or_default();
    for (i, bound) in BUCKETS.iter().enumerate() {
        if seconds <= *bound {
            h.buckets[i] += 1;
        }
    }
    h.count += 1;
    h.sum += seconds;
}

/// Records one command's outcome.
pub fn count_command(aggregate: &str, command: &str, outcome: &str) {
    let mut commands = REGISTRY.commands.lock().unwrap_or_else(|p| p.into_inner());
    *commands.entry((aggregate.to_string(), command.to_string(), outcome.to_string())).or_default() += 1;
}

/// Records a stored document whose bytes no longer match its SHA-256 (refused, not served).
pub fn count_document_altered() {
    REGISTRY.documents_altered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// A label value, escaped as the exposition format requires.
fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Appends the process's counters and histograms.
pub fn render_counters(out: &mut String) {
    let requests = REGISTRY.requests.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let _ = writeln!(out, "# HELP ledger_http_requests_total HTTP requests answered, by route and status.");
    let _ = writeln!(out, "# TYPE ledger_http_requests_total counter");
    for ((method, route, status), h) in &requests {
        let _ = writeln!(
            out,
            "ledger_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {}",
            label(method),
            label(route),
            h.count
        );
    }
    let _ = writeln!(out, "# HELP ledger_http_request_duration_seconds Time to answer, by route and status.");
    let _ = writeln!(out, "# TYPE ledger_http_request_duration_seconds histogram");
    for ((method, route, status), h) in &requests {
        let labels = format!("method=\"{}\",route=\"{}\",status=\"{status}\"", label(method), label(route));
        for (bound, n) in BUCKETS.iter().zip(h.buckets) {
            let _ = writeln!(out, "ledger_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}");
        }
        let _ = writeln!(out, "ledger_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", h.count);
        let _ = writeln!(out, "ledger_http_request_duration_seconds_sum{{{labels}}} {}", h.sum);
        let _ = writeln!(out, "ledger_http_request_duration_seconds_count{{{labels}}} {}", h.count);
    }
    let commands = REGISTRY.commands.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let _ = writeln!(out, "# HELP ledger_commands_total Commands by aggregate, command and outcome.");
    let _ = writeln!(out, "# TYPE ledger_commands_total counter");
    for ((aggregate, command, outcome), n) in &commands {
        let _ = writeln!(
            out,
            "ledger_commands_total{{aggregate=\"{}\",command=\"{}\",outcome=\"{}\"}} {n}",
            label(aggregate),
            label(command),
            label(outcome)
        );
    }
    let _ = writeln!(
        out,
        "# HELP ledger_documents_altered_total Stored documents refused because their bytes no longer match their SHA-256."
    );
    let _ = writeln!(out, "# TYPE ledger_documents_altered_total counter");
    let _ = writeln!(
        out,
        "ledger_documents_altered_total {}",
        REGISTRY.documents_altered.load(std::sync::atomic::Ordering::Relaxed)
    );
}

/// Appends one gauge with its help line.
pub fn gauge(out: &mut String, name: &str, help: &str, samples: &[(&str, f64)]) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} gauge");
    for (labels, value) in samples {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {value}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    }
}
