//! [`Application`]: connect, migrate, load the key, catch up, bind, serve, shut down.
//!
//! Build once, then [`Application::run_until_stopped`]: the HTTP server, the sealer and
//! the projector run until SIGINT or SIGTERM; in-flight requests finish, then the
//! background tasks stop after their current transaction.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use ledger_store::proofs::Proofs;
use ledger_store::Db;
use projections::read::Reads;
use projections::runner::Projector;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};

use crate::http::witness::WitnessPolicy;
use crate::http::{router, AppState};
use crate::pipeline::CommandService;
use ledger_store::sealer::Sealer;

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
}

/// A built server, ready to run.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    sealer: Sealer,
    projector: Projector,
    clock_interval: Duration,
}

impl Application {
    /// Connects, migrates, loads or creates the signing key, catches up, loads the demo
    /// history if asked, and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let witnesses = Arc::new(WitnessPolicy::new(&settings.witnesses, settings.witness_quorum)?);
        let db = Db::connect(&settings.database_url).await?;
        let (signer, created) = crate::keys::load_or_create(&settings.key_file, &settings.origin)?;
        if created {
            tracing::warn!(key_file = %settings.key_file.display(), public_key = %signer.public_key(),
                "created a new ledger signing key; keep the file safe and publish the public key");
        } else {
            tracing::info!(key_file = %settings.key_file.display(), public_key = %signer.public_key(), "loaded the ledger signing key");
        }
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
        let state = AppState { commands: ledger, reads: Reads::new(db.clone()), proofs: Proofs::new(db), witnesses };
        Ok(Self {
            listener,
            state,
            sealer,
            projector,
            clock_interval: Duration::from_secs(settings.clock_interval_secs),
        })
    }

    /// The bound address (the port is real even when 0 was asked for).
    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until SIGINT or SIGTERM.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let projector_wake = Arc::new(Notify::new());
        let wake = Arc::clone(&projector_wake);
        let sealer_task = tokio::spawn(self.sealer.run(
            Arc::clone(&self.state.commands.sealer_wake),
            Duration::from_secs(1),
            stop_rx.clone(),
            move || wake.notify_one(),
        ));
        let clock_task = (!self.clock_interval.is_zero())
            .then(|| tokio::spawn(run_clock(Arc::clone(&self.state.commands), self.clock_interval, stop_rx.clone())));
        let projector_task = tokio::spawn(run_projector(self.projector, projector_wake, stop_rx));
        let app = router(self.state.clone());
        tracing::info!(address = %self.listener.local_addr()?, "listening");
        axum::serve(self.listener, app).with_graceful_shutdown(shutdown_signal()).await.context("server failed")?;
        tracing::info!("shutting down: finishing background work");
        let _ = stop_tx.send(true);
        let _ = sealer_task.await;
        let _ = projector_task.await;
        if let Some(task) = clock_task {
            let _ = task.await;
        }
        self.state.commands.db.close().await;
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

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
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
