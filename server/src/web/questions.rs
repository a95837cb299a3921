//! The users' questions as pages (`/questions`, `/questions/{n}`), and the reporting
//! compliance, groups and partners pages (`/compliance`, `/groups`, `/partners`).
//!
//! The questions and their calls are read from docs/QUESTIONS.md, compiled in, so the pages
//! ask exactly what the documentation says. Each call is sent through the API's own router
//! as the session's reader (or the public's), so a page answers what the API answers, under
//! the same visibility rules; the page only lays the JSON out: its plain members as facts,
//! each list of records as a table. Every answer links its CSV (lists) and XLSX downloads,
//! and takes an `as_of` date.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;

use super::session::{Session, WebSession};
use super::svg::escape;
use super::{encode, render, Nav, PageError};
use crate::http::error::ApiError;
use crate::http::AppState;

/// The documentation the questions come from.
const QUESTIONS_MD: &str = include_str!("../../../docs/QUESTIONS.md");

/// One of the users' questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub number: u32,
    pub text: String,
    /// Who asks it: A auditors, D donors, S the Secretariat, P the public.
    pub askers: String,
    /// The API calls that answer it (paths under `/api/v1`, with their query).
    pub calls: Vec<String>,
    /// What else the documentation runs for it (a CLI command).
    pub commands: Vec<String>,
}

/// Reads the questions from docs/QUESTIONS.md: `**Qn. text** (askers)` and the first
/// `sh` block after it.
pub fn questions() -> Vec<Question> {
    let mut out: Vec<Question> = Vec::new();
    let mut lines = QUESTIONS_MD.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("**Q") else { continue };
        let Some((number, text)) = rest.split_once(". ") else { continue };
        let Ok(number) = number.parse::<u32>() else { continue };
        let mut heading = text.to_string();
        while !heading.contains("**") {
            match lines.next() {
                Some(next) => {
                    heading.push(' ');
                    heading.push_str(next);
                }
                None => break,
            }
        }
        let (text, after) = heading.split_once("**").unwrap_or((&heading, ""));
        let mut askers = after.trim().trim_start_matches('(').trim_end_matches(')').to_string();
        if askers.is_empty() {
            if let Some(next) = lines.peek().filter(|l| l.starts_with('(')) {
                askers = next.trim_start_matches('(').trim_end_matches(')').to_string();
            }
        }
        let (mut calls, mut commands) = (Vec::new(), Vec::new());
        for line in lines.by_ref() {
            if line.starts_with("```sh") {
                break;
            }
        }
        for line in lines.by_ref() {
            if line.starts_with("```") {
                break;
            }
            match line.split_once("\"$L").and_then(|(_, rest)| rest.split_once('"')) {
                Some((call, _)) => calls.push(call.to_string()),
                None => commands.push(line.trim().to_string()),
            }
        }
        out.push(Question { number, text: text.trim().to_string(), askers, calls, commands });
    }
    out
}

/// A call's path with the page's `as_of`, for a call that takes one (the documentation's
/// calls of reads of state name theirs; the others take none, and refuse one).
fn with_as_of(call: &str, as_of: Option<&str>) -> String {
    let (path, query) = call.split_once('?').unwrap_or((call, ""));
    let Some(as_of) = as_of.filter(|_| query.split('&').any(|p| p.starts_with("as_of="))) else {
        return call.to_string();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|p| if p.starts_with("as_of=") { format!("as_of={as_of}") } else { p.to_string() })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

/// `path` with `format=…` added.
fn download(path: &str, format: &str) -> String {
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("/api/v1{path}{separator}format={format}")
}

/// A value in one cell: text as it is, anything else as compact JSON (shortened).
fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    if text.chars().count() > 160 {
        let short: String = text.chars().take(157).collect();
        format!("<span title=\"{}\">{}…</span>", escape(&text), escape(&short))
    } else {
        escape(&text)
    }
}

fn is_table(value: &Value) -> bool {
    value.as_array().is_some_and(|items| !items.is_empty() && items.iter().all(Value::is_object))
}

/// Lays a JSON answer out as HTML: plain members as a list of facts, each list of records
/// as a table (its columns the records' members), nested objects the same way, one level
/// down. Every text is escaped.
pub fn layout(value: &Value, depth: usize) -> String {
    let mut html = String::new();
    match value {
        Value::Object(members) => {
            let facts: Vec<(&String, &Value)> =
                members.iter().filter(|(_, v)| !(is_table(v) || v.is_object() && depth < 2)).collect();
            if !facts.is_empty() {
                html.push_str("<dl class=\"facts\">");
                for (name, value) in facts {
                    html.push_str(&format!("<dt>{}</dt><dd>{}</dd>", escape(name), cell(value)));
                }
                html.push_str("</dl>");
            }
            for (name, value) in members {
                if is_table(value) {
                    html.push_str(&format!("<h3>{}</h3>", escape(name)));
                    html.push_str(&table(value.as_array().map(Vec::as_slice).unwrap_or_default()));
                } else if value.is_object() && depth < 2 {
                    html.push_str(&format!(
                        "<section class=\"nested\"><h3>{}</h3>{}</section>",
                        escape(name),
                        layout(value, depth + 1)
                    ));
                }
            }
        }
        Value::Array(items) if is_table(value) => html.push_str(&table(items)),
        other => html.push_str(&format!("<p>{}</p>", cell(other))),
    }
    html
}

fn table(rows: &[Value]) -> String {
    let mut columns: Vec<&str> = Vec::new();
    for row in rows {
        for name in row.as_object().into_iter().flat_map(|o| o.keys()) {
            if !columns.contains(&name.as_str()) {
                columns.push(name);
            }
        }
    }
    let mut html = String::from("<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"table, scrolls sideways\"><table class=\"answer\"><thead><tr>");
    for column in &columns {
        html.push_str(&format!("<th scope=\"col\">{}</th>", escape(column)));
    }
    html.push_str("</tr></thead><tbody>");
    for row in rows {
        html.push_str("<tr>");
        for column in &columns {
            html.push_str(&format!("<td>{}</td>", row.get(*column).map(cell).unwrap_or_default()));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div>");
    html
}

/// One call's answer on a page.
#[derive(Debug, Clone)]
pub struct Answered {
    pub call: String,
    pub status: u16,
    /// The answer laid out (escaped HTML), or the problem's detail.
    pub html: String,
    pub problem: Option<(String, String)>,
    pub csv: String,
    pub xlsx: String,
    /// Whether the answer holds a list (so its CSV exists).
    pub listed: bool,
}

/// Asks the API, as the session's reader (or the public), and lays out its answer.
async fn ask(state: &AppState, session: Option<&Session>, call: &str) -> Result<Answered, PageError> {
    let (status, answer) =
        super::through_api(state, session, Method::GET, &format!("/api/v1{call}"), None, None).await?;
    let (html, problem) = if status.is_success() {
        (layout(&answer, 0), None)
    } else {
        let code = answer["code"].as_str().unwrap_or("error").to_string();
        let detail = answer["detail"].as_str().unwrap_or_default().to_string();
        (String::new(), Some((code, detail)))
    };
    let listed = answer.get("items").is_some_and(Value::is_array) || answer.is_array();
    Ok(Answered {
        call: call.to_string(),
        status: status.as_u16(),
        html,
        problem,
        csv: download(call, "csv"),
        xlsx: download(call, "xlsx"),
        listed,
    })
}

/// The `as_of` a page takes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsOf {
    pub as_of: Option<String>,
}

fn checked_as_of(query: &AsOf) -> Result<Option<String>, ApiError> {
    match query.as_of.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(None),
        Some(date) => chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map(|d| Some(d.to_string()))
            .map_err(|_| ApiError::BadRequest(format!("as_of {date:?} is not a date (YYYY-MM-DD)"))),
    }
}

#[derive(Template)]
#[template(path = "questions.html")]
struct IndexPage {
    nav: Nav,
    questions: Vec<Question>,
}

#[derive(Template)]
#[template(path = "answer.html")]
struct AnswerPage {
    nav: Nav,
    title: String,
    intro: String,
    here: String,
    as_of: String,
    commands: Vec<String>,
    answers: Vec<Answered>,
    previous: Option<u32>,
    next: Option<u32>,
}

/// `GET /questions`: the 25 questions.
pub async fn index(WebSession(session): WebSession) -> Result<Response, PageError> {
    render(StatusCode::OK, &IndexPage { nav: Nav::new(session.as_ref(), "/questions"), questions: questions() })
}

/// `GET /questions/{n}?as_of=`: a question and the API's answers to its calls.
pub async fn question(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(number): Path<String>,
    Query(query): Query<AsOf>,
) -> Result<Response, PageError> {
    let all = questions();
    let question = number.parse::<u32>().ok().and_then(|n| all.iter().find(|q| q.number == n)).ok_or_else(|| {
        ApiError::NotFound(format!("there is no question {number:?}; they are numbered 1 to {}", all.len()))
    })?;
    let as_of = checked_as_of(&query)?;
    let mut answers = Vec::new();
    for call in &question.calls {
        answers.push(ask(&state, session.as_ref(), &with_as_of(call, as_of.as_deref())).await?);
    }
    let here = format!("/questions/{}", question.number);
    // The date the answers are read at: the one chosen, or the documentation's.
    let shown = as_of.or_else(|| {
        question
            .calls
            .iter()
            .find_map(|c| c.split("as_of=").nth(1).map(|d| d.split('&').next().unwrap_or(d).to_string()))
    });
    let page = AnswerPage {
        nav: Nav::new(session.as_ref(), &here),
        title: format!("Q{}. {}", question.number, question.text),
        intro: format!("Asked by: {}.", question.askers),
        here,
        as_of: shown.unwrap_or_default(),
        commands: question.commands.clone(),
        answers,
        previous: all.iter().rev().find(|q| q.number < question.number).map(|q| q.number),
        next: all.iter().find(|q| q.number > question.number).map(|q| q.number),
    };
    render(StatusCode::OK, &page)
}

/// A page answering one read of the API: reporting compliance, groups, partners.
async fn read_page(
    state: &AppState,
    session: Option<Session>,
    here: &str,
    title: &str,
    intro: &str,
    calls: &[&str],
    query: &AsOf,
) -> Result<Response, PageError> {
    let as_of = checked_as_of(query)?;
    let mut answers = Vec::new();
    for call in calls {
        // `?as_of=` marks a read of state: the page's date, or none (today).
        let call = match &as_of {
            Some(_) => with_as_of(call, as_of.as_deref()),
            None => call.trim_end_matches("?as_of=").to_string(),
        };
        answers.push(ask(state, session.as_ref(), &call).await?);
    }
    let page = AnswerPage {
        nav: Nav::new(session.as_ref(), here),
        title: title.to_string(),
        intro: intro.to_string(),
        here: here.to_string(),
        as_of: as_of.unwrap_or_default(),
        commands: Vec::new(),
        answers,
        previous: None,
        next: None,
    };
    render(StatusCode::OK, &page)
}

/// `GET /compliance?as_of=`: the reporting cycles and each one's compliance.
pub async fn compliance(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Query(query): Query<AsOf>,
) -> Result<Response, PageError> {
    let cycle = reporting_cycle(&state, session.as_ref()).await?;
    let call = format!("/reporting-cycles/{}/compliance", encode(&cycle));
    read_page(
        &state,
        session,
        "/compliance",
        &format!("Reporting compliance, cycle {cycle}"),
        "Every Pathfinder Country expected to report in the latest reporting cycle: submitted, late or missing, with the days late.",
        &[&format!("{call}?as_of=")],
        &query,
    )
    .await
}

/// The latest reporting cycle's id (the demo's is `2026`), as the reader may see it.
async fn reporting_cycle(state: &AppState, session: Option<&Session>) -> Result<String, PageError> {
    let (_, list) = super::through_api(state, session, Method::GET, "/api/v1/reporting-cycles", None, None).await?;
    list["items"]
        .as_array()
        .and_then(|items| items.iter().filter_map(|c| c["cycle_id"].as_str()).max())
        .map(str::to_string)
        .ok_or_else(|| ApiError::NotFound("no reporting cycle is recorded yet".into()).into())
}

/// `GET /groups?as_of=`: the Action and Working Groups.
pub async fn groups(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Query(query): Query<AsOf>,
) -> Result<Response, PageError> {
    read_page(
        &state,
        session,
        "/groups",
        "Action and Working Groups",
        "The groups active on the date, with their leads, members, workplans and the decisions that created them.",
        &["/groups?as_of="],
        &query,
    )
    .await
}

/// `GET /partners?as_of=`: the partners and their admissions.
pub async fn partners(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Query(query): Query<AsOf>,
) -> Result<Response, PageError> {
    read_page(
        &state,
        session,
        "/partners",
        "Partners",
        "The registered partners, and admissions per quarter and category with the applications still pending.",
        &["/partners?as_of=", "/partners/admissions?as_of="],
        &query,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_twenty_five_questions_and_their_calls_are_read_from_the_documentation() {
        let all = questions();
        assert_eq!(all.iter().map(|q| q.number).collect::<Vec<_>>(), (1..=25).collect::<Vec<_>>());
        for q in &all {
            assert!(!q.text.is_empty() && !q.askers.is_empty(), "Q{}: {q:?}", q.number);
            assert!(!q.calls.is_empty(), "Q{} has an API call", q.number);
            assert!(q.calls.iter().all(|c| c.starts_with('/')), "Q{}: {:?}", q.number, q.calls);
        }
        assert_eq!(all[0].calls, vec!["/pathfinders/NPL/approvals?as_of=2026-12-03".to_string()]);
        assert_eq!(
            all[23].commands.first().map(String::as_str),
            Some("ledger verify                      # or, offline, ledger-verify on an export")
        );
        assert!(all[24].askers.contains('A'));
    }

    #[test]
    fn the_page_sets_its_date_and_escapes_what_it_shows() {
        assert_eq!(with_as_of("/groups?as_of=2024-06-30", Some("2025-01-01")), "/groups?as_of=2025-01-01");
        assert_eq!(with_as_of("/audit/segregation", Some("2025-01-01")), "/audit/segregation", "it takes no date");
        assert_eq!(with_as_of("/groups?as_of=", Some("2025-01-01")), "/groups?as_of=2025-01-01");
        assert_eq!(with_as_of("/audit/segregation", None), "/audit/segregation");
        let html =
            layout(&serde_json::json!({"as_of": "2026-12-03", "items": [{"name": "<script>x</script>", "n": 1}]}), 0);
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"), "{html}");
        assert!(html.contains("<th scope=\"col\">name</th>"), "{html}");
    }
}
