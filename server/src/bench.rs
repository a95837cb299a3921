//! `ledger bench`: our write and verify paths against plain baselines, in one run.

use clap::Args;

/// Benchmark options.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// A PostgreSQL URL to an empty, disposable database.
    #[arg(long, env = "LEDGER_BENCH_DATABASE_URL")]
    pub database_url: String,
}

/// Runs the benchmark.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    anyhow::bail!("bench against {} is not available yet", args.database_url)
}
