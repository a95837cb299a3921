//! [`Application`]: connect, migrate, load the key, catch up, bind, serve, shut down.
//!
//! Build once, then [`Application::run_until_stopped`]: the HTTP server, the sealer, the
//! projector and, on PostgreSQL, the tables' upkeep run until SIGINT or SIGTERM; in-flight
//! requests finish, then the background tasks stop after their current transaction.
//!
//! A read-only server (`serve --read-only`, e.g. on a PostgreSQL hot standby) is built
//! differently: it never migrates (it checks the schema version instead), holds no signing
//! key (only the public key), loads no demo, and runs no sealer, projector or clock: it
//! serves what the primary's replicate to it, and answers every command 503 naming the
//! primary ([`crate::http::Mode::ReadOnly`]).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use ledger_format::LedgerVerifier;
use ledger_store::proofs::Proofs;
use ledger_store::Db;
use projections::read::Reads;
use projections::runner::Projector;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};

use crate::http::witness::WitnessPolicy;
use crate::http::{router, AppState, Mode};
use crate::pipeline::CommandService;
use ledger_store::sealer::Sealer;
use ledger_store::upkeep::Upkeep;

/// What `serve` needs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub bind: String,
    pub key_file: PathBuf,
    pub origin: String,
    pub demo: bool,
    /// Public keys of the witnesses whose cosignatures are accepted.
    pub witnesses: Vec<String>,
    /// How many of them must cosign a checkpoint for `?witnessed=true`.
    pub witness_quorum: Option<usize>,
    /// Seconds between clock ticks; 0 turns the clock off.
    pub clock_interval_secs: u64,
    /// Where to write every signed checkpoint as it is signed, if anywhere.
    pub publish_checkpoints: Option<PathBuf>,
    /// Serve reads only and record nothing (a replica).
    pub read_only: bool,
    /// The primary's URL, named in a read-only server's answer to commands.
    pub primary: Option<String>,
    /// The ledger's public key; a read-only server reads it from the key file when absent,
    /// a writable one checks it against the key file's.
    pub public_key: Option<String>,
}

/// A built server, ready to run.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    /// The writing side; none on a read-only server.
    background: Option<Background>,
}

/// What a server that records commands runs beside the HTTP API.
struct Background {
    commands: Arc<CommandService>,
    sealer: Sealer,
    projector: Projector,
    clock_interval: Duration,
    /// Vacuuming and analysing the tables (PostgreSQL only; [`ledger_store::upkeep`]).
    upkeep: Option<Upkeep>,
}

impl Application {
    /// Connects, migrates, loads or creates the signing key, catches up, loads the demo
    /// history if asked, and binds the listener; or, with `read_only`, connects without
    /// migrating, checks the schema and the public key, and binds.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let witnesses = Arc::new(WitnessPolicy::new(&settings.witnesses, settings.witness_quorum)?);
        if settings.read_only {
            return Self::build_read_only(settings, witnesses).await;
        }
        anyhow::ensure!(
            settings.primary.is_none(),
            "--primary names the primary a read-only server sends clients to: it needs --read-only"
        );
        let db = Db::connect(&settings.database_url).await?;
        // Before catching up: a queue full of deleted rows, or tables never analysed, would
        // slow the catch-up itself.
        let mut upkeep = if db.is_postgres() { Some(Upkeep::new(&settings.database_url)?) } else { None };
        if let Some(upkeep) = upkeep.as_mut() {
            upkeep.run_logged().await;
        }
        let (signer, created) = crate::keys::load_or_create(&settings.key_file, &settings.origin)?;
        if created {
            tracing::warn!(key_file = %settings.key_file.display(), public_key = %signer.public_key(),
                "created a new ledger signing key; keep the file safe and publish the public key");
        } else {
            tracing::info!(key_file = %settings.key_file.display(), public_key = %signer.public_key(), "loaded the ledger signing key");
        }
        if let Some(given) = &settings.public_key {
            anyhow::ensure!(
                given.trim() == signer.public_key(),
                "--public-key {given} is not the key file's ({}): check LEDGER_PUBLIC_KEY and the key file",
                signer.public_key()
            );
        }
        // A key the ledger retired (or another ledger's) must not sign: the key file must hold
        // the latest key of the ledger's key history.
        let history = ledger_store::keys::key_history(&db, &settings.origin, &signer.verifier())
            .await
            .with_context(|| format!("the key file {} does not hold this ledger's key", settings.key_file.display()))?;
        anyhow::ensure!(
            history.latest().encoded() == signer.public_key(),
            "the key file {} holds {}, which this ledger retired; its current key is {} (see `ledger rotate-key`)",
            settings.key_file.display(),
            signer.public_key(),
            history.latest().encoded()
        );
        let public_key: Arc<str> = signer.public_key().into();
        let signer = Arc::new(signer);
        let ledger = Arc::new(CommandService::new(db.clone(), Arc::clone(&signer)));
        let mut sealer = Sealer::new(db.clone(), signer, settings.origin.clone());
        if let Some(dir) = settings.publish_checkpoints.clone() {
            sealer = sealer.publishing_to(dir);
        }
        let projector = Projector::new(db.clone());
        if settings.demo {
            crate::demo::load_if_empty(&ledger).await?;
        }
        // The decision-effects process manager finishes what an earlier run left pending.
        let resumed = ledger.resume_pending_effects().await.context("pending decision effects could not be applied")?;
        if resumed > 0 {
            tracing::warn!(resumed, "applied decision effects an earlier run left pending");
        }
        let sealed = sealer.catch_up().await.context("sealer could not catch up at start")?;
        let projected = projector.catch_up().await.context("projections could not catch up at start")?;
        tracing::info!(sealed, projected, "caught up");
        let listener =
            TcpListener::bind(&settings.bind).await.with_context(|| format!("could not bind {}", settings.bind))?;
        let state = AppState {
            db: db.clone(),
            mode: Mode::Writable(Arc::clone(&ledger)),
            public_key,
            reads: Reads::new(db.clone()),
            proofs: Proofs::new(db),
            witnesses,
        };
        let background = Background {
            commands: ledger,
            sealer,
            projector,
            clock_interval: Duration::from_secs(settings.clock_interval_secs),
            upkeep,
        };
        Ok(Self { listener, state, background: Some(background) })
    }

    /// A read-only server: see the module documentation.
    async fn build_read_only(settings: Settings, witnesses: Arc<WitnessPolicy>) -> anyhow::Result<Self> {
        anyhow::ensure!(
            !settings.demo,
            "--demo loads the demo history, and a read-only server writes nothing: load it on the primary"
        );
        anyhow::ensure!(
            settings.publish_checkpoints.is_none(),
            "--publish-checkpoints writes the checkpoints a server signs, and a read-only server signs none: \
             publish them from the primary"
        );
        let primary = settings.primary.as_deref().map(str::trim).filter(|p| !p.is_empty());
        if let Some(url) = primary {
            anyhow::ensure!(
                (url.starts_with("http://") || url.starts_with("https://")) && url.len() > "https://".len(),
                "--primary must be the primary's base URL, e.g. https://ledger.example (got {url:?})"
            );
        }
        let verifier = match &settings.public_key {
            Some(text) => {
                LedgerVerifier::from_public_key(text.trim()).map_err(|e| anyhow::anyhow!("--public-key: {e}"))?
            }
            None if settings.key_file.exists() => crate::keys::read(&settings.key_file)?.verifier(),
            None => anyhow::bail!(
                "a read-only server needs the ledger's public key to serve it and its dossiers: pass --public-key \
                 (the published key; the replica needs no signing key), or a --key-file that exists ({} does not)",
                settings.key_file.display()
            ),
        };
        let db = Db::connect_replica(&settings.database_url).await?;
        let reads = Reads::new(db.clone());
        // The key must be this ledger's: it verifies the latest checkpoint, if there is one.
        if let Some(latest) = reads.latest_checkpoint().await.context("could not read the latest checkpoint")? {
            let origin = latest.note.split('\n').next().unwrap_or_default().to_string();
            let history = ledger_store::keys::key_history(&db, &origin, &verifier).await?;
            anyhow::ensure!(
                history.latest().encoded() == verifier.encoded(),
                "--public-key {} is a key this ledger retired; its current key is {}",
                verifier.encoded(),
                history.latest().encoded()
            );
            history.open_checkpoint(&latest.note).map_err(|e| {
                anyhow::anyhow!(
                    "the public key {} does not verify this ledger's latest checkpoint (tree size {}): {e}; is it \
                     this ledger's key?",
                    verifier.encoded(),
                    latest.tree_size
                )
            })?;
        }
        match db.replica_status().await.context("could not read the replication state")? {
            Some(status) if status.in_recovery => {
                tracing::info!(last_replayed_at = ?status.last_replayed_at, "serving a hot standby, read-only")
            }
            _ => tracing::warn!(
                "the database is not a standby (it accepts writes); this server still records nothing: \
                 run the primary's server without --read-only"
            ),
        }
        let listener =
            TcpListener::bind(&settings.bind).await.with_context(|| format!("could not bind {}", settings.bind))?;
        tracing::info!(primary = primary.unwrap_or("-"), public_key = %verifier.encoded(),
            "read-only: no migrations, sealer, projector, clock or writes; commands are answered 503");
        let state = AppState {
            db: db.clone(),
            mode: Mode::ReadOnly { primary: primary.map(Arc::from) },
            public_key: verifier.encoded().into(),
            reads,
            proofs: Proofs::new(db),
            witnesses,
        };
        Ok(Self { listener, state, background: None })
    }

    /// The bound address (the port is real even when 0 was asked for).
    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until SIGINT or SIGTERM.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = Vec::new();
        if let Some(background) = self.background {
            let projector_wake = Arc::new(Notify::new());
            let wake = Arc::clone(&projector_wake);
            tasks.push(tokio::spawn(background.sealer.run(
                Arc::clone(&background.commands.sealer_wake),
                Duration::from_secs(1),
                stop_rx.clone(),
                move || wake.notify_one(),
            )));
            if !background.clock_interval.is_zero() {
                tasks.push(tokio::spawn(run_clock(
                    Arc::clone(&background.commands),
                    background.clock_interval,
                    stop_rx.clone(),
                )));
            }
            if let Some(upkeep) = background.upkeep {
                tasks.push(tokio::spawn(upkeep.run(ledger_store::upkeep::INTERVAL, stop_rx.clone())));
            }
            tasks.push(tokio::spawn(run_projector(background.projector, projector_wake, stop_rx)));
        }
        let stopped = shutdown_signal();
        let app = router(self.state.clone());
        tracing::info!(address = %self.listener.local_addr()?, "listening");
        axum::serve(self.listener, app).with_graceful_shutdown(stopped).await.context("server failed")?;
        tracing::info!("shutting down: finishing background work");
        let _ = stop_tx.send(true);
        for task in tasks {
            let _ = task.await;
        }
        self.state.db.close().await;
        Ok(())
    }
}

async fn run_projector(projector: Projector, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(error) = projector.catch_up().await {
            tracing::error!(error = format!("{error:#}"), "projection failed; will retry");
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// A future that completes at SIGINT or SIGTERM. The handlers are installed when this is
/// called, not when the future is first polled: a signal that arrives while the server is
/// already answering (`axum::serve` polls its shutdown future from a task of its own, which
/// may not have run yet) stops it gracefully instead of killing it.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let (mut interrupt, mut terminate) = {
        use tokio::signal::unix::{signal, SignalKind};
        (signal(SignalKind::interrupt()).ok(), signal(SignalKind::terminate()).ok())
    };
    async move {
        #[cfg(unix)]
        {
            let interrupt = async {
                match interrupt.as_mut() {
                    Some(s) => drop(s.recv().await),
                    None => std::future::pending::<()>().await,
                }
            };
            let terminate = async {
                match terminate.as_mut() {
                    Some(s) => drop(s.recv().await),
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = interrupt => {}
                _ = terminate => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The clock: ticks at start and then every `interval` with today's date (UTC), recording
/// what the date makes true (reports overdue, roadmaps expired, reviews due).
async fn run_clock(ledger: Arc<CommandService>, interval: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        let today = chrono::Utc::now().date_naive();
        match ledger.tick(today).await {
            Ok(report) => {
                let recorded =
                    report.reports_overdue.len() + report.roadmaps_expired.len() + report.countries_flagged.len();
                if recorded > 0 {
                    tracing::info!(today = %today, overdue = ?report.reports_overdue, expired = ?report.roadmaps_expired,
                        flagged = ?report.countries_flagged, "clock tick recorded");
                }
            }
            Err(e) => tracing::warn!(error = %e, "clock tick failed; retried at the next tick"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stop.changed() => return,
        }
    }
}
