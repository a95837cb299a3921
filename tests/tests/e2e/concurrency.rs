//! 16 concurrent commands on one aggregate: every acknowledged event stored exactly once,
//! the chain intact, the others refused with 409 — over HTTP, and straight against the
//! store where concurrent writers race for the same sequence number.

use std::sync::Arc;

use ledger_store::chaining::Envelope;
use serde_json::json;
use server::pipeline::{CommandError, CommandMeta, CommandService};

use crate::both_stores;
use crate::support::{fresh_ledger, meeting_in_session, Store, TestApp};

async fn concurrent_writers_on_one_aggregate(store: Store) {
    let app = TestApp::spawn(store).await;
    meeting_in_session(&app, "HOT", 32, 32).await;
    let body = json!({"decision_id": "HOT-D1", "subject": {"kind": "procedural"}, "text": "x"});
    assert_eq!(app.post("/api/v1/meetings/HOT/decisions", body).await.status(), 201);

    // All sixteen expect version 1: one wins, fifteen are stale.
    let mut tasks = Vec::new();
    for i in 0..16 {
        let client = app.client.clone();
        let url = app.url("/api/v1/decisions/HOT-D1/positions");
        let token = app.token.clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({"seat_id": format!("S{i}"), "position": "for"});
            let r = client.post(url).bearer_auth(token).header("if-match", "\"1\"").json(&body).send().await.unwrap();
            let status = r.status().as_u16();
            let json: serde_json::Value = r.json().await.unwrap();
            (i, status, json)
        }));
    }
    let mut accepted = Vec::new();
    let mut conflicts = 0;
    for task in tasks {
        let (i, status, body) = task.await.unwrap();
        match status {
            200 => accepted.push(i),
            409 => {
                assert_eq!(body["code"], "conflict");
                conflicts += 1;
            }
            other => panic!("unexpected status {other}: {body}"),
        }
    }
    assert_eq!((accepted.len(), conflicts), (1, 15));

    // Without If-Match all sixteen are applied, one after another, each exactly once.
    let mut tasks = Vec::new();
    for i in 16..32 {
        let client = app.client.clone();
        let url = app.url("/api/v1/decisions/HOT-D1/positions");
        let token = app.token.clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({"seat_id": format!("S{i}"), "position": "for"});
            client.post(url).bearer_auth(token).json(&body).send().await.unwrap().status().as_u16()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    app.settle().await;
    let decision = app.get_json("/api/v1/decisions/HOT-D1").await;
    let seats: Vec<String> =
        decision["positions"].as_array().unwrap().iter().map(|p| p["seat_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(seats.len(), 17, "every acknowledged event is stored exactly once");
    assert!(seats.contains(&format!("S{}", accepted[0])));
    let out = app.ledger(&["verify"]).await;
    assert!(out.status.success(), "chain intact: {}", String::from_utf8_lossy(&out.stdout));
}
both_stores!(concurrent_writers_on_one_aggregate);

async fn racing_writers_in_the_store_get_conflicts(store: Store) {
    let (dir, url) = fresh_ledger(store).await;
    let db = ledger_store::Db::connect(&url).await.unwrap();
    let signer = Arc::new(ledger_format::LedgerSigner::from_seed("test.example/ledger", [1u8; 32]).unwrap());
    // Two servers on one database: each runs its own commands on an aggregate one at a
    // time, so the race for a sequence number is between the servers, in the store.
    let servers = [
        Arc::new(CommandService::new(db.clone(), signer.clone())),
        Arc::new(CommandService::new(ledger_store::Db::connect(&url).await.unwrap(), signer.clone())),
    ];
    servers[0]
        .execute::<domain::reference::Organisation>("RACE-ORG", register("RACE-ORG"), meta("race"))
        .await
        .unwrap();

    let mut tasks = Vec::new();
    for i in 0..16 {
        let ledger = Arc::clone(&servers[i % 2]);
        tasks.push(tokio::spawn(async move {
            let command = domain::reference::OrganisationCommand::Rename {
                name: format!("Name {i}"),
                renamed_on: day("2026-02-01"),
            };
            ledger.execute::<domain::reference::Organisation>("RACE-ORG", command, meta("race")).await
        }));
    }
    let (mut accepted, mut conflicts) = (Vec::new(), 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(outcome) => accepted.push(outcome.version),
            Err(CommandError::Conflict(_)) => conflicts += 1,
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    assert!(!accepted.is_empty());
    assert_eq!(accepted.len() + conflicts, 16);
    accepted.sort_unstable();
    accepted.dedup();
    assert_eq!(accepted.len() + conflicts, 16, "no sequence acknowledged twice");
    let stored: i64 = ledger_store::with_pool!(&db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE aggregate_id = 'RACE-ORG'").fetch_one(pool).await.unwrap()
    });
    assert_eq!(stored as usize, 1 + accepted.len(), "exactly the acknowledged events are stored");
    seal_and_verify(&db, &signer).await;
    db.close().await;
    let _ = std::fs::remove_dir_all(dir);
}
both_stores!(racing_writers_in_the_store_get_conflicts);

fn day(d: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
}

fn meta(actor: &str) -> CommandMeta {
    CommandMeta {
        envelope: Envelope { actor: actor.into(), role: "secretariat".into(), ..Envelope::default() },
        expected_version: None,
    }
}

/// Registering an organisation: a command that needs no lock and no facts.
fn register(id: &str) -> domain::reference::OrganisationCommand {
    domain::reference::OrganisationCommand::Register {
        organisation_id: id.into(),
        name: format!("Organisation {id}"),
        acronym: None,
        category: domain::reference::OrganisationCategory::Business,
        iati_ref: None,
        country: None,
        registered_on: day("2026-01-01"),
    }
}

async fn seal_and_verify(db: &ledger_store::Db, signer: &Arc<ledger_format::LedgerSigner>) {
    ledger_store::sealer::Sealer::new(db.clone(), Arc::clone(signer), "test.example/ledger".into())
        .catch_up()
        .await
        .unwrap();
    ledger_store::verify::verify(db, &signer.verifier(), &|_| {}).await.expect("chain intact");
}

/// A server decides a command on the state it last saw of the aggregate, without reloading
/// it. When another server wrote in between, neither a refusal nor a conflict is answered
/// from that stale state: the command is decided again on the stored one.
async fn a_stale_cached_state_is_never_answered(store: Store) {
    use domain::meeting::{Meeting, MeetingCommand, MeetingKind, Modality};
    let (dir, url) = fresh_ledger(store).await;
    let signer = Arc::new(ledger_format::LedgerSigner::from_seed("test.example/ledger", [3u8; 32]).unwrap());
    let db = ledger_store::Db::connect(&url).await.unwrap();
    let a = CommandService::new(db.clone(), signer.clone());
    let b = CommandService::new(ledger_store::Db::connect(&url).await.unwrap(), signer.clone());
    let schedule = MeetingCommand::Schedule {
        meeting_id: "GCG-40".into(),
        body_id: "gcg".into(),
        number: 40,
        kind: MeetingKind::Regular,
        date: day("2026-03-02"),
        modality: Modality::Virtual,
        location: None,
    };
    let open = MeetingCommand::Open { opened_on: day("2026-03-02"), chaired_by: None };
    let adjourn = MeetingCommand::Adjourn { adjourned_on: day("2026-03-02") };
    let item = domain::meeting::AgendaItem {
        number: "1".into(),
        title: "Pathfinder roadmaps".into(),
        objective: None,
        kind: domain::meeting::AgendaItemKind::Decision,
    };
    let agenda = MeetingCommand::PublishAgenda { items: vec![item], published_on: day("2026-03-02") };
    assert_eq!(a.execute::<Meeting>("GCG-40", schedule.clone(), meta("a")).await.unwrap().version, 1);

    // A last saw the meeting scheduled; B opens it. Adjourning is refused on what A saw
    // (not in session) and accepted on what is stored.
    assert_eq!(b.execute::<Meeting>("GCG-40", open.clone(), meta("b")).await.unwrap().version, 2);
    let adjourned =
        a.execute::<Meeting>("GCG-40", adjourn.clone(), meta("a")).await.expect("decided on the stored state");
    assert_eq!((adjourned.version, adjourned.events[0].event_type.as_str()), (3, "MeetingAdjourned"));

    // A saw version 3; B publishes an agenda (version 4). A's agenda is accepted on what A
    // saw, conflicts in the store at version 4, and is decided again: version 5.
    assert_eq!(b.execute::<Meeting>("GCG-40", agenda.clone(), meta("b")).await.unwrap().version, 4);
    assert_eq!(a.execute::<Meeting>("GCG-40", agenda.clone(), meta("a")).await.unwrap().version, 5);

    // A refusal that holds on the stored state is answered with its rule.
    let refused = a.execute::<Meeting>("GCG-40", open.clone(), meta("a")).await;
    assert!(
        matches!(&refused, Err(CommandError::Refused { .. })),
        "opening an adjourned meeting is refused: {refused:?}"
    );

    // A stale If-Match is still a conflict, after a fresh look.
    let stale = CommandMeta { expected_version: Some(4), ..meta("a") };
    assert!(matches!(a.execute::<Meeting>("GCG-40", agenda.clone(), stale).await, Err(CommandError::Conflict(_))));
    let current = CommandMeta { expected_version: Some(5), ..meta("b") };
    assert_eq!(b.execute::<Meeting>("GCG-40", agenda, current).await.unwrap().version, 6);

    let stored: i64 = ledger_store::with_pool!(&db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE aggregate_id = 'GCG-40'").fetch_one(pool).await.unwrap()
    });
    assert_eq!(stored, 6, "every accepted command stored once, nothing else");

    // A creating command guesses its aggregate is new. A server that has seen nothing of
    // GCG-40 scheduling it again is refused with the domain's rule, once the store has
    // refused the guess.
    let c = CommandService::new(ledger_store::Db::connect(&url).await.unwrap(), signer.clone());
    match c.execute::<Meeting>("GCG-40", schedule, meta("c")).await {
        Err(CommandError::Refused { rule, .. }) => assert_eq!(rule, "meeting_already_scheduled"),
        other => panic!("scheduling an existing meeting is refused by its rule: {other:?}"),
    }
    seal_and_verify(&db, &signer).await;
    let _ = std::fs::remove_dir_all(dir);
}
both_stores!(a_stale_cached_state_is_never_answered);

/// Commands that arrive together share a transaction. One that conflicts (two servers
/// registering one organisation) is refused on its own: the others of its batch are
/// stored, each exactly once.
async fn a_conflict_in_a_shared_transaction_fails_only_its_command(store: Store) {
    let (dir, url) = fresh_ledger(store).await;
    let signer = Arc::new(ledger_format::LedgerSigner::from_seed("test.example/ledger", [4u8; 32]).unwrap());
    let db = ledger_store::Db::connect(&url).await.unwrap();
    let servers = [
        Arc::new(CommandService::new(db.clone(), signer.clone())),
        Arc::new(CommandService::new(ledger_store::Db::connect(&url).await.unwrap(), signer.clone())),
    ];
    let mut tasks = Vec::new();
    for round in 0..4 {
        for (s, server) in servers.iter().enumerate() {
            for i in 0..12 {
                let (server, id) = (Arc::clone(server), format!("ORG-{s}-{round}-{i}"));
                tasks.push(tokio::spawn(async move {
                    let r = server.execute::<domain::reference::Organisation>(&id, register(&id), meta("batch")).await;
                    (id, r)
                }));
            }
            // Both servers register this one.
            let (server, id) = (Arc::clone(server), format!("ORG-BOTH-{round}"));
            tasks.push(tokio::spawn(async move {
                let r = server.execute::<domain::reference::Organisation>(&id, register(&id), meta("batch")).await;
                (id, r)
            }));
        }
    }
    let mut accepted = std::collections::HashMap::<String, usize>::new();
    for task in tasks {
        let (id, result) = task.await.unwrap();
        match result {
            Ok(outcome) => *accepted.entry(id).or_default() += outcome.events.len(),
            Err(CommandError::Conflict(_) | CommandError::Refused { .. }) => {
                assert!(id.starts_with("ORG-BOTH-"), "{id} was refused though no other command touched it");
            }
            Err(other) => panic!("{id}: {other}"),
        }
    }
    assert_eq!(accepted.len(), 2 * 4 * 12 + 4, "each organisation registered by exactly one command");
    assert!(accepted.values().all(|&events| events == 1));
    let stored: i64 = ledger_store::with_pool!(&db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE aggregate_type = 'organisation'").fetch_one(pool).await.unwrap()
    });
    assert_eq!(stored as usize, accepted.len(), "exactly the acknowledged events are stored");
    seal_and_verify(&db, &signer).await;
    let _ = std::fs::remove_dir_all(dir);
}
both_stores!(a_conflict_in_a_shared_transaction_fails_only_its_command);

/// Two servers on one PostgreSQL database: a meeting locked by one is locked for the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_meeting_lock_spans_servers_on_postgres() {
    let (dir, url) = fresh_ledger(Store::Postgres).await;
    let signer = Arc::new(ledger_format::LedgerSigner::from_seed("test.example/ledger", [2u8; 32]).unwrap());
    let first = CommandService::new(ledger_store::Db::connect(&url).await.unwrap(), Arc::clone(&signer));
    let second = CommandService::new(ledger_store::Db::connect(&url).await.unwrap(), Arc::clone(&signer));

    let held = first.lock_meeting("GCG-30").await.unwrap();
    let waiting = tokio::time::timeout(std::time::Duration::from_millis(300), second.lock_meeting("GCG-30")).await;
    assert!(waiting.is_err(), "the other server waits while the meeting is locked");
    let other_meeting = tokio::time::timeout(std::time::Duration::from_secs(5), second.lock_meeting("GCG-31")).await;
    assert!(other_meeting.is_ok(), "another meeting is not blocked");
    drop(other_meeting);
    drop(held);
    let acquired = tokio::time::timeout(std::time::Duration::from_secs(5), second.lock_meeting("GCG-30")).await;
    assert!(acquired.expect("released on drop").is_ok());
    let _ = std::fs::remove_dir_all(dir);
}
