//! The web pages in a real browser: Debian's Chromium driven over WebDriver (chromedriver,
//! started here on a free port) by fantoccini, against the real binary with the demo
//! history on SQLite. `ops/scripts/test.sh` installs `chromium` and `chromium-driver`
//! when `/usr/bin/chromedriver` is missing.

use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::process::{Child, Command};

use crate::support::{Store, TestApp};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A chromedriver this test started, in a process group of its own with the browsers it
/// starts; the whole group is killed when dropped, so a failing test leaves no browser.
pub(crate) struct Driver {
    url: String,
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill").args(["-KILL", "--", &format!("-{pid}")]).status();
        }
        let _ = self.child.start_kill();
    }
}

impl Driver {
    pub(crate) async fn start() -> Self {
        assert!(
            std::path::Path::new(CHROMEDRIVER).exists(),
            "{CHROMEDRIVER} is missing: run ops/scripts/test.sh, which installs Debian's chromium and chromium-driver"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if client.get(format!("{url}/status")).send().await.is_ok_and(|r| r.status().is_success()) {
                return Driver { url, child };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not answer on {url}");
    }

    /// A headless Chromium session.
    pub(crate) async fn browser(&self) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({"binary": CHROMIUM, "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1024"]}),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a browser session")
    }
}

/// The text of the element with `id`, once the page shows it. A page that is still
/// loading can replace the element between finding and reading it (a stale element): then
/// it is found again, for up to 20 s.
pub(crate) async fn text(browser: &Client, id: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let element = browser.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id(id)).await.unwrap();
        match element.text().await {
            Ok(text) => return text,
            Err(e) if std::time::Instant::now() < deadline && format!("{e:?}").contains("StaleElementReference") => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("reading #{id}: {e}"),
        }
    }
}

async fn attendance_events(app: &TestApp, meeting: &str) -> usize {
    app.settle().await;
    let history = app.get_json(&format!("/api/v1/meetings/{meeting}/history")).await;
    history["items"].as_array().unwrap().iter().filter(|e| e["event_type"] == "AttendanceRecorded").count()
}

async fn choose(browser: &Client, seat: &str, status: &str) {
    let select = browser.find(Locator::Id(&format!("status-{seat}"))).await.unwrap();
    select.select_by_value(status).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_work_in_a_browser() {
    let app = TestApp::spawn_demo(Store::Sqlite).await;
    let meeting =
        json!({"meeting_id": "GCG-23", "number": 23, "kind": "regular", "date": "2026-11-02", "modality": "virtual"});
    assert_eq!(app.post("/api/v1/meetings", meeting).await.status(), 201);
    assert_eq!(app.post("/api/v1/meetings/GCG-23/open", json!({"opened_on": "2026-11-02"})).await.status(), 200);
    app.settle().await;
    let driver = Driver::start().await;
    let browser = driver.browser().await;

    // Home: the Chair and Deputy Chair of the demo.
    browser.goto(&app.url("/")).await.unwrap();
    let chair = text(&browser, "chair").await;
    assert!(chair.contains("CHL") && chair.contains("Chile"), "{chair}");
    let deputy = text(&browser, "deputy-chair").await;
    assert!(deputy.contains("CIV"), "{deputy}");

    // The timeline's filter narrows the events to one subject's.
    browser.goto(&app.url("/timeline")).await.unwrap();
    assert_eq!(browser.find_all(Locator::Css("tr.event")).await.unwrap().len(), 50);
    browser.find(Locator::Id("aggregate_type")).await.unwrap().select_by_value("decision").await.unwrap();
    browser.find(Locator::Id("aggregate_id")).await.unwrap().send_keys("GCG-19-D04").await.unwrap();
    browser.find(Locator::Id("filter")).await.unwrap().click().await.unwrap();
    // The new page keeps the filter in the field's value attribute.
    browser
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath("//input[@id='aggregate_id' and @value='GCG-19-D04']"))
        .await
        .unwrap();
    let rows = browser.find_all(Locator::Css("tr.event")).await.unwrap();
    let history = app.get_json("/api/v1/decisions/GCG-19-D04/history").await;
    assert_eq!(rows.len(), history["items"].as_array().unwrap().len());
    for row in rows {
        assert!(row.text().await.unwrap().contains("GCG-19-D04"));
    }

    // The attendance form asks to sign in first, and comes back to it.
    browser.goto(&app.url("/meetings/GCG-23/attendance")).await.unwrap();
    assert_eq!(browser.current_url().await.unwrap().path(), "/sign-in");
    browser.find(Locator::Id("token")).await.unwrap().send_keys(&app.token).await.unwrap();
    browser.find(Locator::Id("sign-in-submit")).await.unwrap().click().await.unwrap();
    browser.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("attendance-form")).await.unwrap();
    assert!(text(&browser, "signed-in").await.contains("alice"));

    // One submit records every line; submitting the same form again records nothing more.
    choose(&browser, "CHAIR", "present").await;
    choose(&browser, "WRK", "present").await;
    choose(&browser, "EMP", "apologies").await;
    browser.find(Locator::Id("record")).await.unwrap().click().await.unwrap();
    let summary = text(&browser, "summary").await;
    assert!(summary.contains("3 recorded, 0 already recorded by this form, 0 refused."), "{summary}");
    assert_eq!(attendance_events(&app, "GCG-23").await, 3);
    browser.find(Locator::Id("record")).await.unwrap().click().await.unwrap();
    browser
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath("//p[@id='summary' and contains(., '0 recorded')]"))
        .await
        .unwrap();
    assert!(text(&browser, "summary").await.contains("3 already recorded by this form"));
    assert_eq!(attendance_events(&app, "GCG-23").await, 3, "a double submit records once");
    // A line the rules refuse shows its rule beside the field.
    browser.goto(&app.url("/meetings/GCG-23/attendance")).await.unwrap();
    choose(&browser, "CHAIR", "absent").await;
    browser.find(Locator::Id("record")).await.unwrap().click().await.unwrap();
    let outcome = text(&browser, "outcome-CHAIR").await;
    assert!(outcome.contains("attendance_already_recorded"), "{outcome}");

    // A form whose CSRF token was taken out is refused, and records nothing.
    browser.goto(&app.url("/meetings/GCG-23/attendance")).await.unwrap();
    choose(&browser, "UN-1", "present").await;
    browser.execute("document.querySelector('#attendance-form input[name=csrf]').remove()", vec![]).await.unwrap();
    browser.find(Locator::Id("record")).await.unwrap().click().await.unwrap();
    browser.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("problem")).await.unwrap();
    assert!(browser.find(Locator::Css("h1")).await.unwrap().text().await.unwrap().starts_with("403"));
    assert_eq!(attendance_events(&app, "GCG-23").await, 3);

    // Signing out ends the session: the form asks to sign in again.
    browser.goto(&app.url("/")).await.unwrap();
    browser.find(Locator::Id("sign-out")).await.unwrap().click().await.unwrap();
    browser.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("sign-in")).await.unwrap();
    browser.goto(&app.url("/meetings/GCG-23/attendance")).await.unwrap();
    assert_eq!(browser.current_url().await.unwrap().path(), "/sign-in");
    browser.close().await.unwrap();
}
