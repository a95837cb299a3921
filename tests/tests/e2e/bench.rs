//! The benchmark's smoke run: `ledger-bench` runs every scenario to the end on PostgreSQL
//! (a few hundred commands, 20,000 events, the tamper scenarios, and the HTTP scenarios
//! against the real server), so it cannot break unnoticed. Its figures are
//! printed, never asserted: speed is measured by the bench itself, not by tests.

/// The benchmark binary, built from bench/src/main.rs.
const LEDGER_BENCH: &str = env!("CARGO_BIN_EXE_ledger-bench-under-test");

#[tokio::test]
async fn the_bench_runs_to_the_end_on_postgres() {
    let url = tests::pg::admin_url().await;
    let out = tokio::process::Command::new(LEDGER_BENCH)
        .args(["--database-url", &url, "--commands", "200", "--events", "20000", "--rounds", "1"])
        // The HTTP scenarios too, small: the real server on both stores, commands at every
        // concurrency level, every read endpoint at one size.
        .args(["--http", "--http-commands", "30", "--http-reads", "3", "--http-scale", "5000"])
        .args(["--ledger-bin", crate::support::LEDGER])
        .output()
        .await
        .expect("the bench starts");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the bench failed:\n{stdout}\n{stderr}");
    println!("{stdout}");
    for scenario in ["distinct", "hot", "verify", "tamper scenarios", "commands over http", "reads over http"] {
        assert!(stdout.to_lowercase().contains(scenario), "no {scenario} line in:\n{stdout}");
    }
}
