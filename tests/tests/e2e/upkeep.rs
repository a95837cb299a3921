//! The tables' upkeep on PostgreSQL (`ledger_store::upkeep`): with autovacuum off, the
//! server itself vacuums the emptied inbox and analyses the tables, as their owner, and
//! leaves alone the tables a user does not own.

use std::str::FromStr as _;
use std::time::{Duration, Instant};

use ledger_store::upkeep::{Done, Upkeep};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection as _, Executor as _, PgConnection};

use crate::support::{fresh_ledger, Store, TestApp};

/// Rows put into the inbox and deleted again: past the upkeep's threshold of dead rows.
const DEAD_ROWS: i64 = 3000;

/// Migrates a fresh database, switches autovacuum off for every table (so only the
/// upkeep can vacuum them), and leaves `DEAD_ROWS` deleted rows in the inbox, counted in
/// PostgreSQL's statistics.
async fn ledger_with_an_emptied_inbox() -> (std::path::PathBuf, String, PgConnection) {
    let (dir, url) = fresh_ledger(Store::Postgres).await;
    ledger_store::Db::connect(&url).await.expect("migrated").close().await;
    let mut owner = PgConnection::connect(&url).await.unwrap();
    owner
        .execute(
            "DO $$ DECLARE t text; BEGIN \
             FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP \
             EXECUTE format('ALTER TABLE %I SET (autovacuum_enabled = off)', t); END LOOP; END $$",
        )
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO ledger_inbox (aggregate_type, aggregate_id, sequence) \
         SELECT 'meeting', 'M-' || n, 1 FROM generate_series(1, $1) n",
    )
    .bind(DEAD_ROWS)
    .execute(&mut owner)
    .await
    .unwrap();
    owner.execute("DELETE FROM ledger_inbox").await.unwrap();
    owner.execute("SELECT pg_stat_force_next_flush()").await.unwrap();
    let started = Instant::now();
    loop {
        let dead: i64 = sqlx::query_scalar("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'ledger_inbox'")
            .fetch_one(&mut owner)
            .await
            .unwrap();
        if dead >= DEAD_ROWS {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the deleted rows never showed in the statistics");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (dir, url, owner)
}

/// When the inbox was last vacuumed by hand, last vacuumed by autovacuum, and last
/// analysed by hand.
async fn last_upkeep(owner: &mut PgConnection) -> (Option<String>, Option<String>, Option<String>) {
    sqlx::query_as(
        "SELECT (SELECT last_vacuum::text FROM pg_stat_user_tables WHERE relname = 'ledger_inbox'), \
         (SELECT last_autovacuum::text FROM pg_stat_user_tables WHERE relname = 'ledger_inbox'), \
         (SELECT last_analyze::text FROM pg_stat_user_tables WHERE relname = 'ledger_inbox')",
    )
    .fetch_one(owner)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upkeep_vacuums_what_its_user_owns_and_leaves_the_rest_alone() {
    let (dir, url, mut owner) = ledger_with_an_emptied_inbox().await;

    // A user who may connect but owns no table: nothing is done, and that is no error.
    let stranger = format!("upkeep_stranger_{}", uuid::Uuid::new_v4().simple());
    owner.execute(format!("CREATE ROLE {stranger} LOGIN PASSWORD '{stranger}'").as_str()).await.unwrap();
    let options = PgConnectOptions::from_str(&url).unwrap().username(&stranger).password(&stranger);
    let mut by_stranger = Upkeep::with_options(options);
    assert_eq!(by_stranger.run_once().await.unwrap(), Done::default(), "a stranger's upkeep touches nothing");
    assert_eq!(last_upkeep(&mut owner).await, (None, None, None));

    // The owner's: the emptied inbox is vacuumed (and analysed: every row changed).
    let mut by_owner = Upkeep::new(&url).unwrap();
    let done = by_owner.run_once().await.unwrap();
    assert!(done.vacuumed.contains(&"ledger_inbox".to_string()), "{done:?}");
    assert!(done.analyzed.contains(&"ledger_inbox".to_string()), "{done:?}");
    let (vacuumed, autovacuumed, analysed) = last_upkeep(&mut owner).await;
    assert!(vacuumed.is_some() && analysed.is_some() && autovacuumed.is_none());
    let pages: i64 = sqlx::query_scalar("SELECT pg_relation_size('ledger_inbox') / current_setting('block_size')::int")
        .fetch_one(&mut owner)
        .await
        .unwrap();
    assert!(pages <= 1, "the emptied inbox gave its pages back ({pages} left)");
    // Below the thresholds again: the next round does nothing.
    owner.execute("SELECT pg_stat_force_next_flush()").await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(by_owner.run_once().await.unwrap().vacuumed.is_empty());

    owner.execute(format!("DROP ROLE {stranger}").as_str()).await.ok();
    let _ = std::fs::remove_dir_all(dir);
}

/// `serve` runs the upkeep: at start, before it catches up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_vacuums_an_emptied_inbox_itself() {
    let (dir, url, mut owner) = ledger_with_an_emptied_inbox().await;
    let mut app = TestApp::spawn_on(Store::Postgres, dir, url, &[]).await;
    let started = Instant::now();
    loop {
        let (vacuumed, autovacuumed, _) = last_upkeep(&mut owner).await;
        assert!(autovacuumed.is_none(), "autovacuum is off for the inbox");
        if vacuumed.is_some() {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "serve never vacuumed the emptied inbox");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // And serves as before.
    assert_eq!(app.client.get(app.url("/health")).send().await.unwrap().status(), 200);
    app.stop().await;
}
