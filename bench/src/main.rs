//! `ledger-bench`: see the library's documentation and docs/BENCHMARKS.md.

use clap::Parser;

/// The production write, verify, proof and dossier paths against plain baselines, in one
/// run on PostgreSQL.
#[derive(Debug, Parser)]
#[command(name = "ledger-bench", version)]
struct Cli {
    #[command(flatten)]
    args: ledger_bench::BenchArgs,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .init();
    match ledger_bench::run(Cli::parse().args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
