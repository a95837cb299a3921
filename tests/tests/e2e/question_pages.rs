//! The users' questions as pages, and the compliance, groups and partners pages, over
//! plain HTTP on the demo history, on both stores: every question's page answers with the
//! API's answer laid out; what needs a token says so to the public and shows to the
//! reader who may read it, and to no other; dates are picked and checked.

use crate::support::{last_line, Store, TestApp};
use crate::web::{page, sign_in};

async fn the_questions_are_pages(store: Store) {
    let app = TestApp::spawn_demo(store).await;
    app.settle().await;
    let (status, _, html) = page(&app, "/questions", None).await;
    assert_eq!(status, 200);
    for n in 1..=25 {
        assert!(html.contains(&format!("id=\"q{n}\"")), "question {n} is listed");
    }
    let secretariat = sign_in(&app, &app.token, "/questions").await;
    for n in 1..=25 {
        let (status, _, html) = page(&app, &format!("/questions/{n}"), Some(&secretariat)).await;
        assert_eq!(status, 200, "Q{n}");
        assert!(html.contains(&format!("<h1 id=\"title\">Q{n}. ")), "Q{n}");
        if n != 18 {
            assert!(!html.contains("class=\"refused\""), "Q{n} answers the Secretariat: {html}");
        }
        assert!(html.contains("Excel (XLSX)") || n == 18, "Q{n} links its download");
    }
    // The demo's answers, as docs/QUESTIONS.md gives them.
    let (_, _, html) = page(&app, "/questions/13", None).await;
    assert!(html.contains("MDG") && html.contains("186"), "{html}");
    assert!(html.contains("value=\"2026-12-03\""), "the picker shows the date read");
    let (_, _, html) = page(&app, "/questions/7?as_of=2020-01-01", None).await;
    assert!(html.contains("as_of=2020-01-01"), "the chosen date is asked");

    // A donor's trail: the public is told to sign in; DONOR-A reads its own, never DONOR-B's.
    let (status, _, html) = page(&app, "/questions/18", None).await;
    assert_eq!(status, 200);
    assert!(html.contains("HTTP 401") && html.contains("id=\"answer-sign-in\""), "{html}");
    let out = app.ledger(&["token", "create", "--role", "donor", "--subject", "donor-a", "--scope", "DONOR-A"]).await;
    let donor_a = sign_in(&app, &last_line(&out), "/questions/18").await;
    let (status, _, html) = page(&app, "/questions/18", Some(&donor_a)).await;
    assert_eq!(status, 200);
    assert!(!html.contains("class=\"refused\"") && html.contains("C-001"), "DONOR-A reads its trail: {html}");
    for secret in ["C-002", "A-005", "DONOR-B/MDP-A87"] {
        assert!(!html.contains(secret), "DONOR-A's page shows {secret}");
    }
    let out = app.ledger(&["token", "create", "--role", "donor", "--subject", "donor-b", "--scope", "DONOR-B"]).await;
    let donor_b = sign_in(&app, &last_line(&out), "/questions/18").await;
    let (_, _, html) = page(&app, "/questions/18", Some(&donor_b)).await;
    assert!(html.contains("HTTP 403") && !html.contains("C-001"), "DONOR-B may not read DONOR-A's trail");

    // Compliance, groups and partners.
    let (status, _, html) = page(&app, "/compliance", None).await;
    assert_eq!(status, 200);
    assert!(html.contains("cycle 2026") && html.contains("MDG"), "{html}");
    let (_, _, html) = page(&app, "/groups?as_of=2024-06-30", None).await;
    assert!(html.contains("AG-MIG") && !html.contains("AG-AGRI"), "groups on 2024-06-30");
    let (_, _, html) = page(&app, "/groups", None).await;
    assert!(html.contains("AG-AGRI"), "Agriculture from December 2024");
    let (_, _, html) = page(&app, "/partners", None).await;
    assert!(html.contains("UNU"), "{html}");

    // Malformed and unknown: the reason, as a page.
    assert_eq!(page(&app, "/groups?as_of=2024-13-01", None).await.0, 400);
    assert_eq!(page(&app, "/groups?colour=red", None).await.0, 400);
    assert_eq!(page(&app, "/questions/26", None).await.0, 404);
    assert_eq!(page(&app, "/questions/first", None).await.0, 404);
}
crate::both_stores!(the_questions_are_pages);
