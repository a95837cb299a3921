//! HTTP figures for `ledger bench --http`: the real `ledger serve` binary, started as a
//! child process, driven by the bench's own bounded load generator (a fixed number of
//! requests, `c` workers taking the next one as they finish).
//!
//! * **Commands over HTTP**, on each store (an embedded SQLite file and a fresh PostgreSQL
//!   database): each request schedules a new meeting (`POST /api/v1/meetings` with a
//!   Secretariat token and an `Idempotency-Key`), at concurrency 1, 16 and 64; commands/s
//!   and the p50/p99 of one request.
//! * **Reads as the ledger grows** (PostgreSQL): the demo history, then valid signed
//!   meeting events written straight into the events table up to each size of
//!   `--http-scale` (10k, 100k, 1M by default), sealed by the server's own sealer and
//!   folded by its projector; then p50/p99 of every read endpoint, one request at a time,
//!   and the server's resident memory (now, and its peak).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use ledger_format::LedgerSigner;
use serde_json::{json, Value};
use sqlx::postgres::PgPool;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

/// Concurrency levels of the command scenario.
pub const CONCURRENCY: [usize; 3] = [1, 16, 64];

/// The read endpoints timed at each size: (label, path). Dates lie in the demo's past, so
/// the `as_of` reads are answered by replaying what the moment admits.
pub const READS: &[(&str, &str)] = &[
    ("GCG today", "/api/v1/gcg"),
    ("GCG as of 2024-06-30", "/api/v1/gcg?as_of=2024-06-30"),
    ("Pathfinders as of 2025-06-30", "/api/v1/pathfinders?as_of=2025-06-30"),
    ("Programme as of 2026-06-30", "/api/v1/programme?as_of=2026-06-30"),
    ("decisions, adopted", "/api/v1/decisions?status=adopted"),
    ("a meeting as of 2026-01-01", "/api/v1/meetings/GCG-21?as_of=2026-01-01"),
    ("audit, first page", "/api/v1/audit?limit=50"),
    ("audit, newest page", "/api/v1/audit?limit=50&order=desc"),
    ("dossier of a meeting", "/api/v1/dossiers/meeting:GCG-21"),
    ("inclusion proof", "/api/v1/ledger/proofs/inclusion?position=1"),
    ("page: home", "/"),
    ("page: timeline", "/timeline"),
    ("page: a meeting", "/meetings/GCG-21"),
];

/// One load run's figures.
#[derive(Debug, Clone)]
pub struct Load {
    pub requests: usize,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
}

impl Load {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

/// Commands over HTTP on one store.
#[derive(Debug, Clone)]
pub struct CommandFigures {
    pub store: &'static str,
    pub runs: Vec<(usize, Load)>,
}

/// Reads at one ledger size.
#[derive(Debug, Clone)]
pub struct ReadFigures {
    pub events: u64,
    /// (label, the first request, p50, p99): the first request after the ledger grew pays
    /// for whatever is then kept (a replayed snapshot); the others are timed after it.
    pub reads: Vec<(&'static str, Duration, Duration, Duration)>,
    /// Resident memory of `serve` after the reads, and its peak so far, in MiB.
    pub rss_mib: f64,
    pub peak_rss_mib: f64,
    /// How long the server took to seal and fold the events added for this size.
    pub catch_up: Duration,
}

/// A running `ledger serve`.
pub struct Server {
    child: Child,
    pub base: String,
    pub token: String,
    client: reqwest::Client,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("base", &self.base).finish_non_exhaustive()
    }
}

/// The `ledger` binary: the one given, or the one beside this bench binary.
pub fn ledger_binary(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let path = match given {
        Some(path) => path.to_path_buf(),
        None => std::env::current_exe()?.with_file_name("ledger"),
    };
    anyhow::ensure!(
        path.is_file(),
        "no ledger binary at {} (build it with `cargo build --release -p server`, or pass --ledger-bin)",
        path.display()
    );
    Ok(path)
}

impl Server {
    /// Writes the key, starts `ledger serve` (with the demo history) on `database_url`,
    /// and creates a Secretariat token.
    pub async fn start(ledger: &Path, dir: &Path, database_url: &str, signer: &LedgerSigner) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let key_file = dir.join("ledger.key");
        let _ = std::fs::remove_file(&key_file);
        server::keys::write_new(&key_file, &signer.private_key_string())?;
        let origin = signer.public_key().split('+').next().unwrap_or_default().to_string();
        let env = [
            ("LEDGER_DATABASE_URL", database_url.to_string()),
            ("LEDGER_KEY_FILE", key_file.display().to_string()),
            ("LEDGER_ORIGIN", origin),
        ];
        let mut child = Command::new(ledger)
            .args(["serve", "--bind", "127.0.0.1:0", "--demo", "--clock-interval-secs", "0"])
            .envs(env.iter().cloned())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("could not start {}", ledger.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(300), lines.next_line())
            .await
            .context("the server did not start in 5 minutes")??
            .context("the server exited before listening")?;
        let base = line.strip_prefix("listening on ").context("no `listening on` line")?.to_string();
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let out = Command::new(ledger)
            .args(["token", "create", "--role", "secretariat", "--subject", "bench"])
            .envs(env.iter().cloned())
            .output()
            .await?;
        anyhow::ensure!(out.status.success(), "token create failed: {}", String::from_utf8_lossy(&out.stderr));
        let token = String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or_default().trim().to_string();
        let client = reqwest::Client::builder().pool_max_idle_per_host(128).build()?;
        Ok(Self { child, base, token, client })
    }

    /// The server's resident memory and its peak, in MiB.
    pub fn rss_mib(&self) -> (f64, f64) {
        let status = self.child.id().and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok());
        let field = |name: &str| {
            status
                .as_deref()
                .and_then(|s| s.lines().find(|l| l.starts_with(name)))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
                .map_or(f64::NAN, |kb| kb / 1024.0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    async fn health(&self) -> anyhow::Result<Value> {
        Ok(self.client.get(format!("{}/health", self.base)).send().await?.json().await?)
    }

    /// Waits until `events` events are sealed and folded into the views.
    pub async fn caught_up(&self, events: u64) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            let health = self.health().await?;
            let sealed = health["ledger_size"].as_u64().unwrap_or(0);
            let lag = health["projection_lag"].as_i64().unwrap_or(i64::MAX);
            if sealed >= events && lag == 0 {
                return Ok(());
            }
            anyhow::ensure!(started.elapsed() < Duration::from_secs(6 * 3600), "the server did not catch up: {health}");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Stops the server.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// `n` requests by `c` workers; every answer must be a success. `request(i)` makes the
/// i-th request.
pub async fn load<F>(c: usize, n: usize, request: F) -> anyhow::Result<Load>
where
    F: Fn(usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let request = Arc::new(request);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::with_capacity(c);
    for _ in 0..c {
        let (request, next) = (Arc::clone(&request), Arc::clone(&next));
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return Ok::<_, anyhow::Error>(latencies);
                }
                let sent = Instant::now();
                let response = request(i).send().await?;
                let status = response.status();
                let body = response.bytes().await?;
                latencies.push(sent.elapsed());
                anyhow::ensure!(
                    status.is_success(),
                    "request {i} answered {status}: {}",
                    String::from_utf8_lossy(&body)
                );
            }
        }));
    }
    let mut latencies = Vec::with_capacity(n);
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    Ok(Load { requests: n, elapsed, p50: percentile(&latencies, 0.50), p99: percentile(&latencies, 0.99) })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Schedules `n` new meetings at each concurrency level.
pub async fn commands(server: &Server, store: &'static str, n: usize) -> anyhow::Result<CommandFigures> {
    let mut runs = Vec::new();
    for c in CONCURRENCY {
        let (client, base, token) = (server.client.clone(), server.base.clone(), server.token.clone());
        let run = uuid::Uuid::new_v4().simple().to_string();
        let load = load(c, n, move |i| {
            client
                .post(format!("{base}/api/v1/meetings"))
                .bearer_auth(&token)
                .header("Idempotency-Key", format!("{run}-{i}"))
                .json(&json!({
                    "meeting_id": format!("HTTP-{}-{i}", &run[..8]),
                    "number": 1 + i % 1000,
                    "kind": "regular",
                    "date": "2026-06-16",
                    "modality": "virtual",
                }))
        })
        .await
        .with_context(|| format!("commands over HTTP on {store} at c={c}"))?;
        eprintln!(
            "  {store} c={c:<2}: {:>7.0} commands/s, p50 {:.2} ms, p99 {:.2} ms",
            load.rate(),
            load.p50.as_secs_f64() * 1e3,
            load.p99.as_secs_f64() * 1e3
        );
        runs.push((c, load));
    }
    Ok(CommandFigures { store, runs })
}

/// Times every read endpoint, one request at a time, after a few to warm up.
pub async fn reads(
    server: &Server,
    events: u64,
    per_endpoint: usize,
    catch_up: Duration,
) -> anyhow::Result<ReadFigures> {
    let mut reads = Vec::new();
    for (label, path) in READS {
        let (client, url, token) = (server.client.clone(), format!("{}{path}", server.base), server.token.clone());
        let request = move |_| client.get(&url).bearer_auth(&token);
        let first = load(1, 1, request.clone()).await.with_context(|| format!("{label} ({path})"))?;
        let figure = load(1, per_endpoint, request).await.with_context(|| format!("{label} ({path})"))?;
        reads.push((*label, first.elapsed, figure.p50, figure.p99));
    }
    let (rss_mib, peak_rss_mib) = server.rss_mib();
    Ok(ReadFigures { events, reads, rss_mib, peak_rss_mib, catch_up })
}

/// The number of events in the ledger.
pub async fn events(pool: &PgPool) -> anyhow::Result<u64> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM events").fetch_one(pool).await?;
    Ok(u64::try_from(n)?)
}
