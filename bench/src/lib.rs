//! `ledger-bench`: our write and verify paths against plain baselines, in one run. It calls
//! the production code (the command pipeline, the chaining store's `seal_record`, the
//! sealer, the verifier and its query, proofs and dossiers) and has no copy of its own;
//! the only schema it creates is the peer's (postgres-es's `events` and `snapshots`
//! layout, as `plain_events` and `plain_snapshots`).
//!
//! Everything runs in a fresh database `ledger_bench_<random>` created on the server the
//! URL names, and dropped at the end (`--keep` keeps it):
//!
//! * **Write**: commands per second through our full path (`CommandService::execute::<Meeting>`:
//!   envelope → JCS + SHA-256 → Ed25519 signature → postgres-es insert → inbox trigger →
//!   **sealed** by the real [`Sealer`] running in the background) against plain cqrs-es +
//!   postgres-es on tables `plain_events`/`plain_snapshots` (no trigger, no hashing, empty
//!   metadata), at concurrency 1 and 16, on distinct aggregates and on one hot aggregate.
//!   Runs alternate (plain, ours, then ours, plain, …) and the best of each is kept, so
//!   machine noise hits both.
//! * **Verify**: `--events` valid, signed, chained events are written straight into
//!   `events` with COPY (built exactly as the store builds them), sealed by the real
//!   [`Sealer`], then the real [`ledger_store::verify::verify`] is timed against a plain
//!   streaming read of the same table, with a per-event breakdown of verify's CPU work.

use std::collections::HashMap;
use std::hint::black_box;
use std::str::FromStr as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::NaiveDate;
use clap::Args;
use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{AggregateError, CqrsFramework, DomainEvent as _};
use domain::meeting::{
    AgendaItem, AgendaItemKind, Attendance, AttendanceStatus, Meeting, MeetingCommand, MeetingEvent, MeetingKind,
    Modality,
};
use futures::TryStreamExt as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ledger_format::canonical;
use ledger_format::record::{sha256, GENESIS_PREV_HASH};
use ledger_format::{EventRecord, LedgerSigner, LedgerVerifier};
use ledger_store::chaining::{new_salt, seal_record};
use ledger_store::db::is_postgres_url;
use ledger_store::stored::StoredEvent;
use ledger_store::verify::sealed_rows_sql;
use ledger_store::Db;
use postgres_es::PostgresEventRepository;
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection as _, Executor as _, PgConnection};
use tokio::sync::watch;

use ledger_store::chaining::Envelope;
use ledger_store::sealer::Sealer;
use ledger_store::upkeep::Upkeep;
use server::pipeline::{CommandError, CommandMeta, CommandService};

pub mod http;
pub mod proofs;
pub mod tamper;

/// Benchmark options.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// A PostgreSQL URL; the bench creates (and drops) its own database `ledger_bench_<random>` there.
    #[arg(long, env = "LEDGER_BENCH_DATABASE_URL")]
    pub database_url: String,
    /// Commands per write run (each scenario, each path, each round).
    #[arg(long, env = "LEDGER_BENCH_COMMANDS", default_value_t = 2000)]
    pub commands: usize,
    /// Commands per hot-aggregate run (default: `--commands`). Every command reloads the
    /// whole aggregate, so these runs slow down as the aggregate grows.
    #[arg(long, env = "LEDGER_BENCH_HOT_COMMANDS")]
    pub hot_commands: Option<usize>,
    /// Rounds of each write scenario; paths alternate and the best round counts.
    #[arg(long, env = "LEDGER_BENCH_ROUNDS", default_value_t = 2)]
    pub rounds: usize,
    /// Events in the ledger for the verify scenario.
    #[arg(long, env = "LEDGER_BENCH_EVENTS", default_value_t = 1_000_000)]
    pub events: usize,
    /// Events per aggregate in the verify scenario's ledger.
    #[arg(long, env = "LEDGER_BENCH_EVENTS_PER_AGGREGATE", default_value_t = 10)]
    pub events_per_aggregate: usize,
    /// Skip the verify scenario.
    #[arg(long, env = "LEDGER_BENCH_SKIP_VERIFY")]
    pub skip_verify: bool,
    /// Skip the write scenarios.
    #[arg(long, env = "LEDGER_BENCH_SKIP_WRITE")]
    pub skip_write: bool,
    /// Skip the hot-aggregate write scenarios.
    #[arg(long, env = "LEDGER_BENCH_SKIP_HOT")]
    pub skip_hot: bool,
    /// Skip the tamper scenarios (each break made on the verify scenario's ledger, verify
    /// timed until it names it, the ledger mended).
    #[arg(long, env = "LEDGER_BENCH_SKIP_TAMPER")]
    pub skip_tamper: bool,
    /// Diagnostic: keep the sealer stopped while our commands run and seal them all
    /// afterwards (still inside the timed run), to separate the sealer's competition for
    /// CPU and WAL flushes from the command path's own cost.
    #[arg(long, env = "LEDGER_BENCH_DEFER_SEALING")]
    pub defer_sealing: bool,
    /// Also measure through HTTP against the real `ledger serve`: commands/s at concurrency
    /// 1, 16 and 64 on both stores, then every read endpoint's latency as the ledger grows
    /// to each size of `--http-scale` (PostgreSQL).
    #[arg(long, env = "LEDGER_BENCH_HTTP")]
    pub http: bool,
    /// Commands per concurrency level and store in the HTTP command scenario.
    #[arg(long, env = "LEDGER_BENCH_HTTP_COMMANDS", default_value_t = 1000)]
    pub http_commands: usize,
    /// Requests per read endpoint and ledger size.
    #[arg(long, env = "LEDGER_BENCH_HTTP_READS", default_value_t = 50)]
    pub http_reads: usize,
    /// Ledger sizes (events) at which the read endpoints are timed.
    #[arg(long, env = "LEDGER_BENCH_HTTP_SCALE", value_delimiter = ',', default_value = "10000,100000,1000000")]
    pub http_scale: Vec<u64>,
    /// The `ledger` binary to serve with (default: the one beside this binary).
    #[arg(long, env = "LEDGER_BENCH_LEDGER_BIN")]
    pub ledger_bin: Option<std::path::PathBuf>,
    /// Keep the bench databases instead of dropping them (with `--http`, also the HTTP
    /// scenario's database and its server's key file).
    #[arg(long, env = "LEDGER_BENCH_KEEP")]
    pub keep: bool,
}

/// The targets of the issue, as ratios ours / plain in the same run.
const WRITE_TARGET: f64 = 0.9;
const VERIFY_TARGET: f64 = 0.3;
/// Concurrency levels of the write scenarios.
const CONCURRENCY: [usize; 2] = [1, 16];
/// Pool size of both paths (the same as `Db::connect`'s).
const POOL_SIZE: u32 = 32;
/// Events in the in-process breakdown samples.
const SAMPLE: usize = 20_000;
const ORIGIN: &str = "bench.alliance87-ledger.example/ledger";

type PlainCqrs = CqrsFramework<Meeting, PersistedEventStore<PostgresEventRepository, Meeting>>;

/// Runs the benchmark.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        is_postgres_url(&args.database_url),
        "`ledger bench` measures against PostgreSQL (the targets are PostgreSQL ratios): \
         --database-url must start with postgres:// or postgresql://"
    );
    anyhow::ensure!(args.commands > 0 && args.rounds > 0, "--commands and --rounds must be at least 1");
    anyhow::ensure!(args.events_per_aggregate >= 2, "--events-per-aggregate must be at least 2");
    let admin_options = PgConnectOptions::from_str(&args.database_url).context("invalid PostgreSQL URL")?;
    let name = format!("ledger_bench_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let mut admin = PgConnection::connect_with(&admin_options).await.context("could not connect to PostgreSQL")?;
    admin
        .execute(format!("CREATE DATABASE \"{name}\"").as_str())
        .await
        .context("could not create the bench database")?;
    eprintln!("bench database {name} created");
    let url = with_database(&args.database_url, &name);
    let result = bench(&args, &url, admin_options.clone().database(&name)).await;
    if args.keep {
        eprintln!("kept the bench database {name} ({url})");
    } else {
        let mut admin = PgConnection::connect_with(&admin_options)
            .await
            .context("could not reconnect to drop the bench database")?;
        admin
            .execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
            .await
            .context("could not drop the bench database")?;
        eprintln!("bench database {name} dropped");
    }
    result
}

/// The URL with its database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[authority_start..].find('/').map_or(base.len(), |i| authority_start + i);
    format!("{}/{name}{query}", &base[..authority_end])
}

/// Events sealed between two rounds of upkeep while the verify scenario's ledger is sealed.
const UPKEEP_EVERY: usize = 200_000;
/// Inclusion proofs timed for the p50/p99 figures.
const PROOF_SAMPLES: usize = 2000;
/// Events in the subject whose dossier export is timed.
const DOSSIER_EVENTS: usize = 1000;
/// The issue's target for the p99 of one inclusion proof.
const PROOF_P99_TARGET: Duration = Duration::from_millis(1);

async fn bench(args: &BenchArgs, url: &str, options: PgConnectOptions) -> anyhow::Result<()> {
    let db = Db::connect(url).await?;
    let Db::Postgres(pool) = &db else { anyhow::bail!("not PostgreSQL") };
    let pool = pool.clone();
    // The owner connection: plain tables, grants, COPY.
    let owner = PgPoolOptions::new().max_connections(2).connect_with(options.clone()).await?;
    let can_set_role: bool = sqlx::query_scalar("SELECT pg_has_role(current_user, 'ledger_app', 'MEMBER')")
        .fetch_one(&owner)
        .await
        .unwrap_or(false);
    let signer = Arc::new(server::keys::generate(ORIGIN)?);
    if args.keep {
        // The key is not kept: this is what `ledger verify --public-key` needs afterwards.
        eprintln!("the bench ledger's public key: {}", signer.public_key());
    }
    let machine = Machine::probe(&owner).await;
    eprintln!("{machine}");

    let mut report = Report { machine, ..Default::default() };
    if !args.skip_write {
        owner.execute(PLAIN_SCHEMA).await.context("could not create the plain postgres-es tables")?;
        // The plain path runs as the same role as ours, on its own pool of the same size.
        let plain_pool =
            ledger_store::db::app_pool_options(POOL_SIZE, can_set_role).connect_with(options.clone()).await?;
        let writers = Arc::new(Writers {
            ledger: CommandService::new(db.clone(), Arc::clone(&signer)),
            sealer: Sealer::new(db.clone(), Arc::clone(&signer), ORIGIN.to_string()),
            plain: CqrsFramework::new(
                PersistedEventStore::new_event_store(
                    PostgresEventRepository::new(plain_pool.clone()).with_tables("plain_events", "plain_snapshots"),
                ),
                vec![],
                (),
            ),
            pool: pool.clone(),
        });
        report.writes = write_scenarios(&writers, args).await?;
        report.write_cost = write_cost(&signer);
        plain_pool.close().await;
    }
    if !args.skip_verify {
        report.verify = Some(verify_scenario(&db, &pool, &owner, &signer, args, url).await?);
        if !args.skip_tamper {
            eprintln!("tamper scenarios: each break made, caught by verify, mended…");
            report.tamper = tamper::scenarios(&db, &owner, &signer.verifier(), &signer, ORIGIN).await?;
        }
        // At the verify scenario's size (1M events by default): proof latency, then a dossier.
        eprintln!("timing {PROOF_SAMPLES} inclusion proofs…");
        report.proofs = Some(crate::proofs::inclusion_latency(&db, PROOF_SAMPLES).await?);
        eprintln!("recording and exporting a {DOSSIER_EVENTS}-event dossier…");
        report.dossier = Some(crate::proofs::dossier_export(&db, Arc::clone(&signer), ORIGIN, DOSSIER_EVENTS).await?);
    }
    if args.http {
        let name = options.get_database().unwrap_or("ledger_bench").to_string();
        let result = http_scenarios(args, &owner, &options, &name, &mut report).await;
        if args.keep {
            eprintln!(
                "kept the HTTP scenario's database {name}_http and its server's key file {}",
                http_dir(&name).join("postgres").join("ledger.key").display()
            );
        } else {
            owner.execute(format!("DROP DATABASE IF EXISTS \"{name}_http\" WITH (FORCE)").as_str()).await?;
        }
        result?;
    }
    owner.close().await;
    db.close().await;
    println!("{}", report.render(args));
    Ok(())
}

/// The HTTP scenarios: commands on both stores, then reads as the ledger grows.
async fn http_scenarios(
    args: &BenchArgs,
    owner: &PgPool,
    options: &PgConnectOptions,
    name: &str,
    report: &mut Report,
) -> anyhow::Result<()> {
    let ledger = http::ledger_binary(args.ledger_bin.as_deref())?;
    let dir = http_dir(name);
    let signer = server::keys::generate(ORIGIN)?;
    eprintln!("commands over HTTP ({} per level) against {}…", args.http_commands, ledger.display());
    let sqlite = format!("sqlite://{}", dir.join("sqlite").join("ledger.db").display());
    std::fs::create_dir_all(dir.join("sqlite"))?;
    let server = http::Server::start(&ledger, &dir.join("sqlite"), &sqlite, &signer).await?;
    let result = http::commands(&server, "SQLite", args.http_commands).await;
    server.stop().await;
    report.http_commands.push(result?);

    let database = format!("{name}_http");
    owner.execute(format!("CREATE DATABASE \"{database}\"").as_str()).await?;
    let url = with_database(&args.database_url, &database);
    let server = http::Server::start(&ledger, &dir.join("postgres"), &url, &signer).await?;
    let result = async {
        report.http_commands.push(http::commands(&server, "PostgreSQL", args.http_commands).await?);
        let pool = PgPoolOptions::new().max_connections(2).connect_with(options.clone().database(&database)).await?;
        let signer = Arc::new(signer);
        for (round, size) in args.http_scale.iter().copied().enumerate() {
            let have = http::events(&pool).await?;
            let started = Instant::now();
            if size > have {
                let to_fill = usize::try_from(size - have)?;
                eprintln!("ledger at {have} events: writing {to_fill} more…");
                fill(&pool, &signer, to_fill, args.events_per_aggregate, &format!("bench-s{round}-")).await?;
            }
            let events = http::events(&pool).await?;
            server.caught_up(events).await?;
            let catch_up = started.elapsed();
            eprintln!("  {events} events sealed and folded in {:.1} s; timing reads…", catch_up.as_secs_f64());
            let figures = http::reads(&server, events, args.http_reads, catch_up).await?;
            for (label, first, p50, p99) in &figures.reads {
                eprintln!(
                    "    {label:<30} first {:>8.2} ms  p50 {:>8.2} ms  p99 {:>8.2} ms",
                    first.as_secs_f64() * 1e3,
                    p50.as_secs_f64() * 1e3,
                    p99.as_secs_f64() * 1e3
                );
            }
            report.http_reads.push(figures);
        }
        pool.close().await;
        anyhow::Ok(())
    }
    .await;
    server.stop().await;
    if !args.keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

/// The folder of the HTTP scenarios' servers (their key files and the SQLite store).
fn http_dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("{name}-http"))
}

const PLAIN_SCHEMA: &str = "
CREATE TABLE plain_events
(
    aggregate_type text                         NOT NULL,
    aggregate_id   text                         NOT NULL,
    sequence       bigint CHECK (sequence >= 0) NOT NULL,
    event_type     text                         NOT NULL,
    event_version  text                         NOT NULL,
    payload        json                         NOT NULL,
    metadata       json                         NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);
CREATE TABLE plain_snapshots
(
    aggregate_type   text                                 NOT NULL,
    aggregate_id     text                                 NOT NULL,
    last_sequence    bigint CHECK (last_sequence >= 0)    NOT NULL,
    current_snapshot bigint CHECK (current_snapshot >= 0) NOT NULL,
    payload          json                                 NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, last_sequence)
);
DO $$
BEGIN
    GRANT SELECT, INSERT, UPDATE ON plain_events, plain_snapshots TO ledger_app;
EXCEPTION WHEN undefined_object OR insufficient_privilege THEN
    NULL;
END $$;
";

// ---------------------------------------------------------------------------------------
// The machine

#[derive(Debug, Default, Clone)]
struct Machine {
    cpus: usize,
    cpu_model: String,
    postgres: String,
    settings: String,
}

impl Machine {
    async fn probe(pool: &PgPool) -> Self {
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| "unknown".to_string());
        let postgres: String =
            sqlx::query_scalar("SHOW server_version").fetch_one(pool).await.unwrap_or_else(|_| "unknown".into());
        let mut settings = Vec::new();
        for name in ["shared_buffers", "synchronous_commit", "fsync", "wal_level"] {
            if let Ok(value) = sqlx::query_scalar::<_, String>(&format!("SHOW {name}")).fetch_one(pool).await {
                settings.push(format!("{name}={value}"));
            }
        }
        Self {
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model,
            postgres,
            settings: settings.join(", "),
        }
    }
}

impl std::fmt::Display for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "machine: {} CPUs ({}), PostgreSQL {} ({})", self.cpus, self.cpu_model, self.postgres, self.settings)
    }
}

// ---------------------------------------------------------------------------------------
// Write scenarios

struct Writers {
    ledger: CommandService,
    sealer: Sealer,
    plain: PlainCqrs,
    pool: PgPool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    Ours,
    Plain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Distinct,
    Hot,
}

impl Shape {
    fn label(self) -> &'static str {
        match self {
            Shape::Distinct => "distinct aggregates",
            Shape::Hot => "one hot aggregate",
        }
    }
}

/// One timed run.
#[derive(Debug, Clone, Copy, Default)]
struct Run {
    commands: usize,
    conflicts: u64,
    /// From the first command to the last commit.
    committed: Duration,
    /// From the first command until the inbox is empty (ours) or the last commit (plain).
    total: Duration,
}

impl Run {
    fn rate(&self) -> f64 {
        self.commands as f64 / self.total.as_secs_f64()
    }
    fn committed_rate(&self) -> f64 {
        self.commands as f64 / self.committed.as_secs_f64()
    }
}

/// The best runs of one scenario for both paths.
#[derive(Debug, Clone)]
struct WriteFigure {
    shape: Shape,
    concurrency: usize,
    ours: Run,
    plain: Run,
    ours_rounds: Vec<f64>,
    plain_rounds: Vec<f64>,
}

impl WriteFigure {
    fn ratio(&self) -> f64 {
        self.ours.rate() / self.plain.rate()
    }
    fn target(&self) -> Option<f64> {
        (self.shape == Shape::Distinct).then_some(WRITE_TARGET)
    }
}

async fn write_scenarios(writers: &Arc<Writers>, args: &BenchArgs) -> anyhow::Result<Vec<WriteFigure>> {
    let mut figures = Vec::new();
    let mut run_no = 0usize;
    let shapes: &[Shape] = if args.skip_hot { &[Shape::Distinct] } else { &[Shape::Distinct, Shape::Hot] };
    for &shape in shapes {
        for concurrency in CONCURRENCY {
            let n = match shape {
                Shape::Distinct => args.commands,
                Shape::Hot => args.hot_commands.unwrap_or(args.commands),
            };
            let mut best: HashMap<&str, Run> = HashMap::new();
            let mut rounds: HashMap<&str, Vec<f64>> = HashMap::new();
            for round in 0..args.rounds {
                let order = if round % 2 == 0 { [Path::Plain, Path::Ours] } else { [Path::Ours, Path::Plain] };
                for path in order {
                    run_no += 1;
                    let key = if path == Path::Ours { "ours" } else { "plain" };
                    let run =
                        write_run(writers, path, shape, concurrency, n, &format!("r{run_no}"), args.defer_sealing)
                            .await?;
                    eprintln!(
                        "  {:<20} c={concurrency:<2} {key:<5} round {}: {:>8.0} commands/s ({} conflicts)",
                        shape.label(),
                        round + 1,
                        run.rate(),
                        run.conflicts
                    );
                    rounds.entry(key).or_default().push(run.rate());
                    let entry = best.entry(key).or_insert(run);
                    if run.rate() > entry.rate() {
                        *entry = run;
                    }
                }
            }
            figures.push(WriteFigure {
                shape,
                concurrency,
                ours: best["ours"],
                plain: best["plain"],
                ours_rounds: rounds.remove("ours").unwrap_or_default(),
                plain_rounds: rounds.remove("plain").unwrap_or_default(),
            });
        }
    }
    Ok(figures)
}

fn envelope(request_id: String) -> Envelope {
    Envelope {
        actor: "secretariat-officer-bench".to_string(),
        role: "secretariat".to_string(),
        occurred_at: Some("2026-01-15".to_string()),
        recorded_at: String::new(),
        request_id: Some(request_id),
        ..Default::default()
    }
}

fn bench_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 15).unwrap_or_default()
}

fn schedule(meeting_id: &str, i: usize) -> MeetingCommand {
    MeetingCommand::Schedule {
        meeting_id: meeting_id.to_string(),
        body_id: "gcg".to_string(),
        number: u32::try_from(i % 1000 + 1).unwrap_or(1),
        kind: MeetingKind::Regular,
        date: bench_date(),
        modality: Modality::Hybrid,
        location: Some("Palais des Nations, Geneva".to_string()),
    }
}

/// An attendance line, as the verify scenario's synthetic events record it.
fn attendance(i: usize) -> Attendance {
    Attendance {
        seat_id: Some(format!("seat-{i:06}")),
        organisation: format!("Pathfinder country delegation {i}"),
        status: AttendanceStatus::Present,
        voting: !i.is_multiple_of(3),
    }
}

/// An amended agenda: a command that needs no facts from other aggregates, so both
/// paths run the same domain code on one hot aggregate.
fn agenda(i: usize) -> MeetingCommand {
    let item = AgendaItem {
        number: format!("{}", i % 50 + 1),
        title: format!("Pathfinder country progress report {i}"),
        objective: None,
        kind: AgendaItemKind::Decision,
    };
    MeetingCommand::PublishAgenda { items: vec![item], published_on: bench_date() }
}

/// The command number `i` of a run.
fn command(shape: Shape, run: &str, i: usize) -> (String, MeetingCommand) {
    match shape {
        Shape::Distinct => {
            let id = format!("bench-{run}-m{i:06}");
            let command = schedule(&id, i);
            (id, command)
        }
        Shape::Hot => (format!("bench-{run}-hot"), agenda(i)),
    }
}

enum Failure {
    Conflict,
    Other(anyhow::Error),
}

async fn execute(
    writers: &Writers,
    path: Path,
    id: &str,
    command: MeetingCommand,
    request: String,
) -> Result<(), Failure> {
    match path {
        Path::Ours => {
            let meta = CommandMeta { envelope: envelope(request), expected_version: None };
            match writers.ledger.execute::<domain::meeting::Meeting>(id, command, meta).await {
                Ok(_) => Ok(()),
                Err(CommandError::Conflict(_)) => Err(Failure::Conflict),
                Err(e) => Err(Failure::Other(anyhow::anyhow!("our path: {e}"))),
            }
        }
        Path::Plain => match writers.plain.execute_with_metadata(id, command, HashMap::new()).await {
            Ok(()) => Ok(()),
            Err(AggregateError::AggregateConflict) => Err(Failure::Conflict),
            Err(e) => Err(Failure::Other(anyhow::anyhow!("plain path: {e}"))),
        },
    }
}

async fn inbox_empty(pool: &PgPool) -> anyhow::Result<bool> {
    Ok(sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM ledger_inbox)").fetch_one(pool).await?)
}

async fn write_run(
    writers: &Arc<Writers>,
    path: Path,
    shape: Shape,
    concurrency: usize,
    n: usize,
    run: &str,
    defer_sealing: bool,
) -> anyhow::Result<Run> {
    // Setup, not timed: the hot meeting is scheduled and opened, and sealed.
    if shape == Shape::Hot {
        let id = format!("bench-{run}-hot");
        for command in [schedule(&id, 1), MeetingCommand::Open { opened_on: bench_date(), chaired_by: None }] {
            execute(writers, path, &id, command, format!("{run}-setup")).await.map_err(|f| match f {
                Failure::Conflict => anyhow::anyhow!("conflict while setting up the hot aggregate"),
                Failure::Other(e) => e,
            })?;
        }
    }
    writers.sealer.catch_up().await?;
    anyhow::ensure!(inbox_empty(&writers.pool).await?, "the inbox did not drain before the run");

    let (stop_tx, stop_rx) = watch::channel(false);
    let sealer_task = (path == Path::Ours && !defer_sealing).then(|| {
        tokio::spawn(writers.sealer.clone().run(
            Arc::clone(&writers.ledger.sealer_wake),
            Duration::from_secs(1),
            stop_rx,
            || {},
        ))
    });
    let bar = progress(n as u64, &format!("{} c={concurrency} {path:?}", shape.label()));
    let next = Arc::new(AtomicUsize::new(0));
    let conflicts = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (writers, next, conflicts, bar, run) =
            (Arc::clone(writers), Arc::clone(&next), Arc::clone(&conflicts), bar.clone(), run.to_string());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return Ok::<(), anyhow::Error>(());
                }
                let (id, cmd) = command(shape, &run, i);
                loop {
                    match execute(&writers, path, &id, cmd.clone(), format!("{run}-{i}")).await {
                        Ok(()) => break,
                        Err(Failure::Conflict) => {
                            conflicts.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(Failure::Other(e)) => return Err(e),
                    }
                }
                bar.inc(1);
            }
        }));
    }
    for task in tasks {
        task.await??;
    }
    let committed = started.elapsed();
    if path == Path::Ours && defer_sealing {
        writers.sealer.catch_up().await?;
    }
    if let Some(task) = sealer_task {
        writers.ledger.sealer_wake.notify_one();
        while !inbox_empty(&writers.pool).await? {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let _ = stop_tx.send(true);
        task.await?;
    }
    let total = started.elapsed();
    bar.finish_and_clear();
    Ok(Run { commands: n, conflicts: conflicts.load(Ordering::Relaxed), committed, total })
}

/// What hashing and signing cost per event on the write path, measured in-process.
#[derive(Debug, Clone, Copy, Default)]
struct WriteCost {
    /// Envelope to JSON + JCS canonical bytes of the record.
    canonical_us: f64,
    /// SHA-256 of the canonical bytes.
    sha256_us: f64,
    /// Ed25519 signature of the hash.
    sign_us: f64,
    /// Everything `ChainingRepository::persist` adds per event (envelope, record, hash, sign, seal).
    total_us: f64,
    event_bytes: usize,
}

fn write_cost(signer: &LedgerSigner) -> WriteCost {
    let n = 5_000usize;
    let events: Vec<(Value, String)> = (0..n)
        .map(|i| {
            let event = MeetingEvent::MeetingScheduled {
                meeting_id: format!("bench-cost-m{i:06}"),
                body_id: "gcg".into(),
                number: 1,
                kind: MeetingKind::Regular,
                date: bench_date(),
                modality: Modality::Hybrid,
                location: Some("Palais des Nations, Geneva".into()),
            };
            (serde_json::to_value(&event).unwrap_or_default(), format!("bench-cost-m{i:06}"))
        })
        .collect();
    let envelope_text = serde_json::to_string(&envelope("bench-cost".into())).unwrap_or_default();
    let recorded_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let record_of = |(payload, id): &(Value, String)| -> EventRecord {
        let mut envelope: Envelope = serde_json::from_str(&envelope_text).unwrap_or_default();
        envelope.recorded_at.clone_from(&recorded_at);
        EventRecord {
            aggregate_type: "meeting".into(),
            aggregate_id: id.clone(),
            sequence: 1,
            event_type: "MeetingScheduled".into(),
            event_version: "1".into(),
            payload: payload.clone(),
            metadata: serde_json::to_value(&envelope).unwrap_or_default(),
            prev_hash: GENESIS_PREV_HASH.into(),
            visibility: Some("public".into()),
            scope: None,
            pseudonym: None,
            salt: Some(new_salt()),
        }
    };
    // The whole per-event work of ChainingRepository::append (its seal_record).
    let started = Instant::now();
    let mut bytes = 0usize;
    for event in &events {
        let metadata = seal_record(signer, &record_of(event)).map(|(metadata, _)| metadata).unwrap_or_default();
        bytes += event.0.to_string().len() + metadata.to_string().len();
        black_box(metadata);
    }
    let total_us = per_event_us(started.elapsed(), n);
    // Its parts.
    let records: Vec<EventRecord> = events.iter().map(record_of).collect();
    let started = Instant::now();
    let canonical: Vec<Vec<u8>> = records.iter().map(|r| r.canonical_bytes().unwrap_or_default()).collect();
    let canonical_us = per_event_us(started.elapsed(), n);
    let started = Instant::now();
    let hashes: Vec<[u8; 32]> = canonical.iter().map(|b| sha256(b)).collect();
    let sha256_us = per_event_us(started.elapsed(), n);
    let started = Instant::now();
    for hash in &hashes {
        black_box(signer.sign_event_hash(hash));
    }
    let sign_us = per_event_us(started.elapsed(), n);
    WriteCost { canonical_us, sha256_us, sign_us, total_us, event_bytes: bytes / n }
}

fn per_event_us(elapsed: Duration, n: usize) -> f64 {
    elapsed.as_secs_f64() * 1e6 / n.max(1) as f64
}

fn progress(len: u64, message: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg:>40} {bar:30} {pos}/{len} ({per_sec}, {elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(message.to_string());
    bar
}

// ---------------------------------------------------------------------------------------
// Verify scenario

#[derive(Debug, Clone, Default)]
struct VerifyFigure {
    events: u64,
    filled: u64,
    event_bytes: usize,
    fill: Duration,
    seal: Duration,
    plain_read: Vec<Duration>,
    verify_query: Vec<Duration>,
    verify_scans: Vec<Duration>,
    /// How busy the machine's CPUs were (0–1) during the best verify round, all processes
    /// (PostgreSQL's too).
    verify_busy: Option<f64>,
    verify: Vec<Duration>,
    verify_all: Vec<Duration>,
    summary: String,
    breakdown: Breakdown,
}

fn best(runs: &[Duration]) -> Duration {
    runs.iter().copied().min().unwrap_or_default()
}

impl VerifyFigure {
    fn rate(&self, d: Duration) -> f64 {
        self.events as f64 / d.as_secs_f64()
    }
    fn ratio(&self) -> f64 {
        best(&self.plain_read).as_secs_f64() / best(&self.verify).as_secs_f64()
    }
}

/// The machine's CPU time counters (`/proc/stat`, Linux): busy and total ticks.
struct CpuTimes {
    busy: u64,
    total: u64,
}

impl CpuTimes {
    fn now() -> Option<CpuTimes> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let ticks: Vec<u64> = stat.lines().next()?.split_whitespace().skip(1).filter_map(|t| t.parse().ok()).collect();
        // user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
        let total: u64 = ticks.iter().take(8).sum();
        let idle = ticks.get(3)? + ticks.get(4).copied().unwrap_or(0);
        Some(CpuTimes { busy: total - idle, total })
    }

    /// The share of CPU time busy since `before`.
    fn busy_since(&self, before: &CpuTimes) -> f64 {
        (self.busy - before.busy) as f64 / (self.total - before.total).max(1) as f64
    }
}

/// Per-event CPU time of verify's steps, in µs, measured in-process on a sample.
#[derive(Debug, Clone, Copy, Default)]
struct Breakdown {
    sample: usize,
    /// JSON parse of payload and metadata, seal split (`StoredEvent::to_record`).
    parse_us: f64,
    /// RFC 8785 canonical bytes (incl. the float/integer checks).
    jcs_us: f64,
    sha256_us: f64,
    /// `StoredEvent::hash_from_text`: what verify does in place of the three above when the
    /// stored text is canonical (seal cut out, bytes spliced, SHA-256).
    text_hash_us: f64,
    /// `LedgerVerifier::verify_event_hash` (base64 decode + Ed25519 verify), one by one.
    signature_us: f64,
    /// The same signatures checked in batches as verify checks them
    /// (`ledger_format::keys::verify_event_hashes`, 1,024 a batch).
    batch_signature_us: f64,
    /// Chain bookkeeping and the Merkle leaf + tree push.
    chain_merkle_us: f64,
}

impl Breakdown {
    /// CPU per event of verify with every signature, from text that is not canonical.
    fn total_us(&self) -> f64 {
        self.parse_us + self.jcs_us + self.sha256_us + self.batch_signature_us + self.chain_merkle_us
    }

    /// CPU per event of verify as it runs by default on text the store wrote.
    fn default_us(&self) -> f64 {
        self.text_hash_us + self.chain_merkle_us
    }
}

async fn verify_scenario(
    db: &Db,
    pool: &PgPool,
    owner: &PgPool,
    signer: &Arc<LedgerSigner>,
    args: &BenchArgs,
    url: &str,
) -> anyhow::Result<VerifyFigure> {
    let mut figure = VerifyFigure::default();
    // The write scenarios' events stay (they are valid and sealed): fill up to `--events`.
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM events").fetch_one(pool).await?;
    let existing = usize::try_from(existing)?;
    let to_fill = args.events.saturating_sub(existing);

    let started = Instant::now();
    if to_fill > 0 {
        figure.event_bytes = fill(owner, signer, to_fill, args.events_per_aggregate, "bench-v").await?;
    }
    figure.fill = started.elapsed();
    figure.events = (existing + to_fill) as u64;
    figure.filled = to_fill as u64;
    eprintln!(
        "filled {to_fill} events ({} bytes of payload + metadata each) in {:.1} s; {} events in the ledger",
        figure.event_bytes,
        figure.fill.as_secs_f64(),
        figure.events
    );

    // Seal with the real sealer, batch by batch, with the upkeep `serve` runs beside it (the
    // inbox vacuumed as it empties).
    let sealer = Sealer::new(db.clone(), Arc::clone(signer), ORIGIN.to_string());
    let mut upkeep = Upkeep::new(url)?;
    let bar = progress(to_fill as u64, "sealing");
    let started = Instant::now();
    let mut since_upkeep = 0;
    while let ledger_store::sealer::SealOutcome::Sealed { events, .. } = sealer.seal_once().await? {
        bar.inc(events as u64);
        since_upkeep += events;
        if since_upkeep >= UPKEEP_EVERY {
            upkeep.run_once().await?;
            since_upkeep = 0;
        }
    }
    figure.seal = started.elapsed();
    bar.finish_and_clear();
    eprintln!(
        "sealed {to_fill} events in {:.1} s ({:.0} events/s)",
        figure.seal.as_secs_f64(),
        to_fill as f64 / figure.seal.as_secs_f64()
    );
    owner.execute("VACUUM ANALYZE").await?;

    let verifier = signer.verifier();
    // Alternate: plain, verify's query, verify; twice; the best of each counts.
    for round in 0..2 {
        let (d, n) = plain_read(pool).await?;
        anyhow::ensure!(n == figure.events, "plain read saw {n} events");
        eprintln!("  round {}: plain read       {:>9.0} events/s", round + 1, figure.rate(d));
        figure.plain_read.push(d);

        let (d, n) = verify_query_read(db, pool).await?;
        anyhow::ensure!(n == figure.events, "verify's query saw {n} events");
        eprintln!("  round {}: verify's query   {:>9.0} events/s", round + 1, figure.rate(d));
        figure.verify_query.push(d);

        let (d, n) = verify_scans_read(pool).await?;
        anyhow::ensure!(n == figure.events, "verify's scans saw {n} events");
        eprintln!("  round {}: verify's scans   {:>9.0} events/s", round + 1, figure.rate(d));
        figure.verify_scans.push(d);

        let bar = progress(figure.events, "verify");
        let cpu = CpuTimes::now();
        let started = Instant::now();
        let result = ledger_store::verify::verify(db, &verifier, &|n| bar.set_position(n)).await;
        let d = started.elapsed();
        let busy = cpu.and_then(|before| Some(CpuTimes::now()?.busy_since(&before)));
        bar.finish_and_clear();
        let summary = result.map_err(|e| anyhow::anyhow!("verify failed on the bench ledger: {e}"))?;
        anyhow::ensure!(summary.events == figure.events, "verify saw {} events", summary.events);
        eprintln!(
            "  round {}: verify           {:>9.0} events/s (the machine's CPUs {} busy)",
            round + 1,
            figure.rate(d),
            busy.map_or("?".to_string(), |b| format!("{:.0}%", b * 100.0))
        );
        if figure.verify.iter().all(|best| d < *best) {
            figure.verify_busy = busy;
        }
        figure.verify.push(d);
        figure.summary = summary.to_string();

        let started = Instant::now();
        let result = ledger_store::verify::verify_all_signatures(db, &verifier, &|_| {}).await;
        let d = started.elapsed();
        result.map_err(|e| anyhow::anyhow!("verify --signatures all failed on the bench ledger: {e}"))?;
        eprintln!("  round {}: verify, all sigs {:>9.0} events/s", round + 1, figure.rate(d));
        figure.verify_all.push(d);
    }
    figure.breakdown = breakdown(db, pool, &verifier).await?;
    Ok(figure)
}

/// Writes `events` valid events into `events` with COPY, in meetings whose ids start with
/// `prefix`; returns the mean event size.
async fn fill(
    owner: &PgPool,
    signer: &Arc<LedgerSigner>,
    events: usize,
    per_aggregate: usize,
    prefix: &str,
) -> anyhow::Result<usize> {
    let aggregates = events.div_ceil(per_aggregate);
    let chunk_aggregates = (10_000 / per_aggregate).max(1);
    let chunks = aggregates.div_ceil(chunk_aggregates);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).max(1);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Vec<u8>, u64, usize)>(threads * 2);
    let next_chunk = Arc::new(AtomicUsize::new(0));
    let recorded_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let mut generators = Vec::new();
    for _ in 0..threads {
        let (tx, next_chunk, signer, recorded_at, prefix) =
            (tx.clone(), Arc::clone(&next_chunk), Arc::clone(signer), recorded_at.clone(), prefix.to_string());
        generators.push(std::thread::spawn(move || -> anyhow::Result<()> {
            loop {
                let chunk = next_chunk.fetch_add(1, Ordering::Relaxed);
                if chunk >= chunks {
                    return Ok(());
                }
                let mut buf = Vec::with_capacity(chunk_aggregates * per_aggregate * 800);
                let (mut rows, mut bytes) = (0u64, 0usize);
                let first = chunk * chunk_aggregates;
                for k in first..(first + chunk_aggregates).min(aggregates) {
                    let in_this = per_aggregate.min(events - k * per_aggregate);
                    let id = format!("{prefix}{k:08}");
                    let mut prev_hash = GENESIS_PREV_HASH.to_string();
                    for sequence in 1..=in_this {
                        let event = match sequence {
                            1 => MeetingEvent::MeetingScheduled {
                                meeting_id: id.clone(),
                                body_id: "gcg".into(),
                                number: u32::try_from(k % 1000 + 1).unwrap_or(1),
                                kind: MeetingKind::Regular,
                                date: bench_date(),
                                modality: Modality::Hybrid,
                                location: Some("Palais des Nations, Geneva".into()),
                            },
                            2 => MeetingEvent::MeetingOpened {
                                opened_on: bench_date(),
                                chaired_by: Some("GCG co-chair".into()),
                            },
                            s => MeetingEvent::AttendanceRecorded(attendance(s)),
                        };
                        let mut envelope = envelope(format!("{prefix}{k:08}-{sequence}"));
                        envelope.recorded_at.clone_from(&recorded_at);
                        let record = EventRecord {
                            aggregate_type: "meeting".into(),
                            aggregate_id: id.clone(),
                            sequence: sequence as u64,
                            event_type: event.event_type(),
                            event_version: event.event_version(),
                            payload: serde_json::to_value(&event)?,
                            metadata: serde_json::to_value(&envelope)?,
                            prev_hash: prev_hash.clone(),
                            visibility: Some("public".into()),
                            scope: None,
                            pseudonym: None,
                            salt: Some(new_salt()),
                        };
                        let (payload, event_type, event_version) = (
                            canonical::to_string(&record.payload),
                            record.event_type.clone(),
                            record.event_version.clone(),
                        );
                        let (metadata, seal) = seal_record(&signer, &record).map_err(|e| anyhow::anyhow!(e))?;
                        let hash = seal.hash;
                        let metadata = canonical::to_string(&metadata);
                        bytes += payload.len() + metadata.len();
                        for (i, field) in
                            ["meeting", &id, &sequence.to_string(), &event_type, &event_version, &payload, &metadata]
                                .iter()
                                .enumerate()
                        {
                            if i > 0 {
                                buf.push(b'\t');
                            }
                            copy_escape(&mut buf, field);
                        }
                        buf.push(b'\n');
                        rows += 1;
                        prev_hash = hash;
                    }
                }
                if tx.blocking_send((buf, rows, bytes)).is_err() {
                    return Ok(());
                }
            }
        }));
    }
    drop(tx);
    let bar = progress(events as u64, "writing events (COPY)");
    let mut conn = owner.acquire().await?;
    let (mut total_rows, mut total_bytes) = (0u64, 0usize);
    while let Some((buf, rows, bytes)) = rx.recv().await {
        // One COPY (one transaction) per chunk; the trigger fills the inbox.
        let mut copy = conn
            .copy_in_raw(
                "COPY events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
                 FROM STDIN",
            )
            .await?;
        copy.send(buf).await?;
        copy.finish().await?;
        total_rows += rows;
        total_bytes += bytes;
        bar.inc(rows);
    }
    bar.finish_and_clear();
    for generator in generators {
        generator.join().map_err(|_| anyhow::anyhow!("an event generator panicked"))??;
    }
    anyhow::ensure!(total_rows == events as u64, "wrote {total_rows} of {events} events");
    Ok(total_bytes / events.max(1))
}

/// COPY text format: escape backslash, tab, newline and carriage return.
fn copy_escape(buf: &mut Vec<u8>, field: &str) {
    for &b in field.as_bytes() {
        match b {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => buf.push(b),
        }
    }
}

/// The baseline: every event of the table, streamed and decoded into [`StoredEvent`].
async fn plain_read(pool: &PgPool) -> anyhow::Result<(Duration, u64)> {
    timed_stream(
        pool,
        "SELECT aggregate_type, aggregate_id, sequence, event_type, event_version, payload::text AS payload, \
         metadata::text AS metadata FROM events",
        None,
    )
    .await
}

/// The joining query `verify` falls back on (ledger ⟕ events in position order), streamed
/// with no checks.
async fn verify_query_read(db: &Db, pool: &PgPool) -> anyhow::Result<(Duration, u64)> {
    timed_stream(pool, &sealed_rows_sql(db), Some(0)).await
}

/// What verify reads by default on PostgreSQL, with no checks: the positions in order,
/// then the events in the table's order (verify reads both through cursors, interleaved).
async fn verify_scans_read(pool: &PgPool) -> anyhow::Result<(Duration, u64)> {
    let started = Instant::now();
    let mut positions = sqlx::query_as::<_, (i64, String, String, i64, String)>(
        "SELECT position, aggregate_type, aggregate_id, sequence, event_hash FROM positions ORDER BY position",
    )
    .fetch(pool);
    let mut touched = 0usize;
    while let Some((position, t, id, sequence, hash)) = positions.try_next().await? {
        touched += t.len() + id.len() + hash.len() + usize::from(position > sequence);
    }
    drop(positions);
    black_box(touched);
    let (_, n) = plain_read(pool).await?;
    Ok((started.elapsed(), n))
}

/// Streams a query's rows as [`StoredEvent`]s, touching every string; returns time and count.
async fn timed_stream(pool: &PgPool, sql: &str, from: Option<i64>) -> anyhow::Result<(Duration, u64)> {
    let started = Instant::now();
    let mut query = sqlx::query_as::<_, StoredEvent>(sql);
    if let Some(from) = from {
        query = query.bind(from);
    }
    let mut rows = query.fetch(pool);
    let (mut n, mut touched) = (0u64, 0usize);
    while let Some(event) = rows.try_next().await? {
        touched += touch(&event);
        n += 1;
    }
    black_box(touched);
    Ok((started.elapsed(), n))
}

fn touch(event: &StoredEvent) -> usize {
    event.aggregate_type.len()
        + event.aggregate_id.len()
        + event.event_type.len()
        + event.event_version.len()
        + event.payload.len()
        + event.metadata.len()
        + usize::from(event.sequence > 0)
}

/// Times each step of verify's per-event work on the first [`SAMPLE`] events.
async fn breakdown(db: &Db, pool: &PgPool, verifier: &LedgerVerifier) -> anyhow::Result<Breakdown> {
    let events: Vec<StoredEvent> =
        sqlx::query_as(&format!("SELECT {} FROM events e LIMIT {SAMPLE}", StoredEvent::columns(db)))
            .fetch_all(pool)
            .await?;
    let n = events.len();
    anyhow::ensure!(n > 0, "no events to sample");

    let started = Instant::now();
    let split: Vec<_> = events.iter().map(|e| e.to_record()).collect::<Result<_, _>>().map_err(anyhow::Error::msg)?;
    let parse_us = per_event_us(started.elapsed(), n);

    let started = Instant::now();
    let canonical: Vec<Vec<u8>> = split.iter().map(|(record, _)| record.canonical_bytes()).collect::<Result<_, _>>()?;
    let jcs_us = per_event_us(started.elapsed(), n);

    let started = Instant::now();
    let hashes: Vec<[u8; 32]> = canonical.iter().map(|b| sha256(b)).collect();
    let sha256_us = per_event_us(started.elapsed(), n);

    // Verify's way: the stored canonical text hashed as it is, the seal cut out of it.
    let started = Instant::now();
    let from_text: Vec<_> = events.iter().map(StoredEvent::hash_from_text).collect();
    let text_hash_us = per_event_us(started.elapsed(), n);
    let same = from_text.iter().zip(&hashes).filter(|(t, h)| t.as_ref().is_some_and(|(t, _)| t == *h)).count();
    anyhow::ensure!(same == n, "{} sampled events were not hashed from their stored text alike", n - same);

    let started = Instant::now();
    let mut valid = 0usize;
    for (hash, (_, seal)) in hashes.iter().zip(&split) {
        valid += usize::from(verifier.verify_event_hash(hash, &seal.signature));
    }
    let signature_us = per_event_us(started.elapsed(), n);
    anyhow::ensure!(valid == n, "{} sampled signatures did not verify", n - valid);

    let started = Instant::now();
    let mut valid = 0usize;
    for chunk in hashes.iter().zip(&split).collect::<Vec<_>>().chunks(1024) {
        let items: Vec<_> = chunk.iter().map(|(hash, (_, seal))| (verifier, *hash, seal.signature.as_str())).collect();
        valid += ledger_format::keys::verify_event_hashes(&items).into_iter().filter(|ok| *ok).count();
    }
    let batch_signature_us = per_event_us(started.elapsed(), n);
    anyhow::ensure!(valid == n, "{} sampled signatures did not verify in batches", n - valid);

    // What verify does per event besides the above: the chain map and the Merkle tree.
    // The sample holds whole aggregates from their first events, in the table's order.
    let started = Instant::now();
    let mut chains = ledger_format::Chains::new();
    let mut tree = ledger_format::merkle::CompactTree::new();
    for ((record, seal), hash) in split.iter().zip(&hashes) {
        let linked =
            chains.link_parts(&record.aggregate_type, record.chain_id(), record.sequence, &seal.prev_hash, *hash);
        black_box((linked.is_ok(), ledger_format::record::parse_hash_hex(&seal.hash)));
        tree.push_event_hash(hash);
    }
    black_box(tree.root());
    let chain_merkle_us = per_event_us(started.elapsed(), n);
    Ok(Breakdown {
        sample: n,
        parse_us,
        jcs_us,
        sha256_us,
        text_hash_us,
        signature_us,
        batch_signature_us,
        chain_merkle_us,
    })
}

// ---------------------------------------------------------------------------------------
// The report

#[derive(Debug, Default)]
struct Report {
    machine: Machine,
    writes: Vec<WriteFigure>,
    write_cost: WriteCost,
    verify: Option<VerifyFigure>,
    proofs: Option<crate::proofs::ProofLatency>,
    tamper: Vec<tamper::Caught>,
    http_commands: Vec<http::CommandFigures>,
    http_reads: Vec<http::ReadFigures>,
    dossier: Option<crate::proofs::DossierExport>,
}

fn verdict(ratio: f64, target: f64) -> &'static str {
    if ratio >= target {
        "MET"
    } else {
        "NOT MET"
    }
}

impl Report {
    fn render(&self, args: &BenchArgs) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ = writeln!(out, "\n== ledger bench ==");
        let _ = writeln!(out, "{}", self.machine);
        if !self.writes.is_empty() {
            let _ = writeln!(
                out,
                "\nWrite path: commands/s, best of {} alternating rounds; ours = command → envelope → JCS + SHA-256 → \
                 Ed25519 → insert → sealed; plain = cqrs-es + postgres-es, no hashing",
                args.rounds
            );
            let _ = writeln!(
                out,
                "{:<22} {:>3} {:>6} {:>11} {:>11} {:>13} {:>7} {:>10} {:>10}  target",
                "scenario", "c", "cmds", "plain/s", "ours/s", "ours commit/s", "ratio", "conflicts", "(ours)"
            );
            for f in &self.writes {
                let target = match f.target() {
                    Some(t) => format!("≥ {t:.2}: {}", verdict(f.ratio(), t)),
                    None => "(none)".to_string(),
                };
                let _ = writeln!(
                    out,
                    "{:<22} {:>3} {:>6} {:>11.0} {:>11.0} {:>13.0} {:>7.3} {:>10} {:>10}  {target}",
                    f.shape.label(),
                    f.concurrency,
                    f.ours.commands,
                    f.plain.rate(),
                    f.ours.rate(),
                    f.ours.committed_rate(),
                    f.ratio(),
                    f.plain.conflicts,
                    f.ours.conflicts,
                );
            }
            let _ = writeln!(out, "rounds (commands/s):");
            for f in &self.writes {
                let fmt = |v: &[f64]| v.iter().map(|r| format!("{r:.0}")).collect::<Vec<_>>().join(", ");
                let _ = writeln!(
                    out,
                    "  {:<20} c={:<2} plain [{}]  ours [{}]",
                    f.shape.label(),
                    f.concurrency,
                    fmt(&f.plain_rounds),
                    fmt(&f.ours_rounds)
                );
            }
            let c = &self.write_cost;
            let latency_us = self
                .writes
                .iter()
                .find(|f| f.shape == Shape::Distinct && f.concurrency == 1)
                .map_or(f64::NAN, |f| 1e6 / f.ours.rate());
            let _ = writeln!(
                out,
                "Hashing + signing per event on the write path (in-process, {} B events): JCS {:.2} µs, SHA-256 {:.2} µs, \
                 Ed25519 sign {:.2} µs; everything the chaining store adds {:.2} µs = {:.2}% of one c=1 command ({:.0} µs)",
                c.event_bytes,
                c.canonical_us,
                c.sha256_us,
                c.sign_us,
                c.total_us,
                100.0 * c.total_us / latency_us,
                latency_us
            );
        }
        if let Some(v) = &self.verify {
            let b = &v.breakdown;
            let _ = writeln!(
                out,
                "\nVerify: {} events ({} B payload + metadata each), best of 2 alternating rounds",
                v.events, v.event_bytes
            );
            let _ = writeln!(
                out,
                "fill (generate + sign + COPY): {:.1} s; sealing with the real sealer: {:.1} s ({:.0} events/s)",
                v.fill.as_secs_f64(),
                v.seal.as_secs_f64(),
                v.filled as f64 / v.seal.as_secs_f64()
            );
            let _ = writeln!(out, "{:<44} {:>10} {:>12}", "", "seconds", "events/s");
            for (label, d) in [
                ("plain streaming read of events", best(&v.plain_read)),
                ("verify's reads alone (positions, events)", best(&v.verify_scans)),
                ("joining query alone (positions ⟕ events)", best(&v.verify_query)),
                ("verify (hashes, chains, roots, checkpoints)", best(&v.verify)),
                ("verify --signatures all (+ every signature)", best(&v.verify_all)),
            ] {
                let _ = writeln!(out, "{label:<44} {:>10.2} {:>12.0}", d.as_secs_f64(), v.rate(d));
            }
            let _ = writeln!(
                out,
                "ratio verify / plain read: {:.3} (target ≥ {VERIFY_TARGET:.2}: {}); with every signature: {:.3}; \
                 verify's reads alone / plain read: {:.3}; the joining query's: {:.3}",
                v.ratio(),
                verdict(v.ratio(), VERIFY_TARGET),
                best(&v.plain_read).as_secs_f64() / best(&v.verify_all).as_secs_f64(),
                best(&v.plain_read).as_secs_f64() / best(&v.verify_scans).as_secs_f64(),
                best(&v.plain_read).as_secs_f64() / best(&v.verify_query).as_secs_f64()
            );
            if let Some(busy) = v.verify_busy {
                let _ = writeln!(out, "the machine's CPUs were {:.0}% busy during the best verify round", busy * 100.0);
            }
            let _ = writeln!(out, "verify said: {}", v.summary);
            let plain_us = best(&v.plain_read).as_secs_f64() * 1e6 / v.events as f64;
            let verify_us = best(&v.verify).as_secs_f64() * 1e6 / v.events as f64;
            let _ = writeln!(
                out,
                "where verify's time goes (µs per event, one thread, sample of {}): plain read {plain_us:.2} (wall), \
                 verify {verify_us:.2} (wall)",
                b.sample
            );
            let _ = writeln!(
                out,
                "  by default: {:.2} µs hashing the stored text as it is (seal cut out, SHA-256) + {:.2} µs chain map \
                 and Merkle tree = {:.2} µs → {:.0} events/s on one core",
                b.text_hash_us,
                b.chain_merkle_us,
                b.default_us(),
                1e6 / b.default_us()
            );
            let _ = writeln!(out, "  text that is not canonical, and every signature:");
            for (label, us) in [
                ("JSON parse + seal split", b.parse_us),
                ("JCS canonical bytes", b.jcs_us),
                ("SHA-256", b.sha256_us),
                ("Ed25519, batches of 1,024 (all sigs)", b.batch_signature_us),
                ("chain map + Merkle tree", b.chain_merkle_us),
            ] {
                let _ = writeln!(out, "  {label:<36} {us:>8.2} µs  {:>5.1}%", 100.0 * us / b.total_us());
            }
            let _ = writeln!(
                out,
                "  {:<36} {:>8.2} µs  → CPU bound alone: {:.0} events/s on one core",
                "total CPU per event",
                b.total_us(),
                1e6 / b.total_us()
            );
            let _ = writeln!(out, "  (Ed25519 one signature at a time: {:.2} µs)", b.signature_us);
        }
        if !self.tamper.is_empty() {
            let _ = writeln!(out, "\nTamper scenarios on the same ledger: verify until it names the break");
            let _ = writeln!(out, "{:<22} {:>10} {:>9}  verify said", "scenario", "position", "seconds");
            for c in &self.tamper {
                let _ =
                    writeln!(out, "{:<22} {:>10} {:>9.2}  {}", c.scenario, c.position, c.elapsed.as_secs_f64(), c.said);
            }
        }
        if let Some(p) = &self.proofs {
            let _ = writeln!(
                out,
                "\ninclusion proofs at tree size {}: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms over {} proofs (target p99 < {} ms: {})",
                p.tree_size,
                p.p50.as_secs_f64() * 1e3,
                p.p99.as_secs_f64() * 1e3,
                p.max.as_secs_f64() * 1e3,
                p.samples,
                PROOF_P99_TARGET.as_millis(),
                if p.p99 < PROOF_P99_TARGET { "MET" } else { "NOT MET" }
            );
        }
        if !self.http_commands.is_empty() {
            let _ = writeln!(
                out,
                "\nCommands over HTTP against `ledger serve` (each schedules a new meeting; {} a level)",
                args.http_commands
            );
            let _ = writeln!(out, "{:<11} {:>3} {:>11} {:>9} {:>9}", "store", "c", "commands/s", "p50 ms", "p99 ms");
            for figures in &self.http_commands {
                for (c, load) in &figures.runs {
                    let _ = writeln!(
                        out,
                        "{:<11} {c:>3} {:>11.0} {:>9.2} {:>9.2}",
                        figures.store,
                        load.rate(),
                        load.p50.as_secs_f64() * 1e3,
                        load.p99.as_secs_f64() * 1e3
                    );
                }
            }
        }
        if !self.http_reads.is_empty() {
            let _ = writeln!(
                out,
                "\nReads over HTTP as the ledger grows (PostgreSQL; first / p50 / p99 ms of one request, {} a point)",
                args.http_reads
            );
            let mut header = format!("{:<30}", "endpoint \\ events");
            for f in &self.http_reads {
                header.push_str(&format!(" {:>26}", f.events));
            }
            let _ = writeln!(out, "{header}");
            for (i, (label, _)) in http::READS.iter().enumerate() {
                let mut line = format!("{label:<30}");
                for f in &self.http_reads {
                    let (_, first, p50, p99) = f.reads[i];
                    line.push_str(&format!(
                        " {:>8.2} / {:>6.2} / {:>6.2}",
                        first.as_secs_f64() * 1e3,
                        p50.as_secs_f64() * 1e3,
                        p99.as_secs_f64() * 1e3
                    ));
                }
                let _ = writeln!(out, "{line}");
            }
            let mut rss = format!("{:<30}", "serve RSS now / peak, MiB");
            let mut catch_up = format!("{:<30}", "sealed + folded after fill, s");
            for f in &self.http_reads {
                rss.push_str(&format!(" {:>17.0} / {:>6.0}", f.rss_mib, f.peak_rss_mib));
                catch_up.push_str(&format!(" {:>26.1}", f.catch_up.as_secs_f64()));
            }
            let _ = writeln!(out, "{rss}\n{catch_up}");
        }
        if let Some(d) = &self.dossier {
            let _ = writeln!(
                out,
                "dossier export of a {}-event subject: {:.1} ms ({} KiB of JSON, every event with its inclusion proof)",
                d.events,
                d.elapsed.as_secs_f64() * 1e3,
                d.bytes / 1024
            );
        }
        out
    }
}
