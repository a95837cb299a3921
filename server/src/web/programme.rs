//! The Multi-Donor Programme and donors' trails as pages: `/programme` (public, as the
//! API's programme reads are) with its charts drawn as inline SVG beside tables of the same
//! figures, and `/donors/{id}/trail` (a signed-in session whose token may read the donor),
//! with its downloads `/donors/{id}/trail.csv` and `.xlsx`. Each reads through the function
//! its API counterpart calls (`http::programme::the_programme_summary`,
//! `the_programme_monthly_of`, `trail_of`), for the session's reader, so what the API
//! hides or refuses the page hides or refuses too.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use projections::programme::{DonorTrail, ProgrammeSummary};
use serde_json::{json, Value};

use super::pages::{name_of, parse_date, reader_of, BoardQuery};
use super::reads;
use super::session::WebSession;
use super::svg::{self, money, Group, Series};
use super::{encode, page_headers, render, Nav, PageError};
use crate::http::csv::{convert, Form};
use crate::http::error::ApiError;
use crate::http::programme::{the_programme_monthly_of, the_programme_summary, trail_of};
use crate::http::AppState;

/// An amount in a table cell: its exact minor units (for machines) and its text.
#[derive(Debug, Clone)]
pub struct Amount {
    pub minor: i64,
    pub text: String,
}

fn amount(minor: i64, currency: &str) -> Amount {
    Amount { minor, text: money(minor, currency) }
}

/// `{"amount_minor": …, "currency": …}` as an [`Amount`] (the currency from the data).
fn amount_of(value: &Value, fallback_currency: &str) -> Amount {
    let minor = value.get("amount_minor").and_then(Value::as_i64).unwrap_or_default();
    let currency = value.get("currency").and_then(Value::as_str).unwrap_or(fallback_currency);
    amount(minor, currency)
}

/// `?as_of=` kept in a link (`?as_of=…&` or `?`).
fn query_with(as_of: Option<NaiveDate>) -> String {
    as_of.map_or_else(|| "?".to_string(), |d| format!("?as_of={d}&"))
}

// --- /programme ---------------------------------------------------------------------------

/// A budget line's row.
#[derive(Debug, Clone)]
pub struct LineRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// (field, amount) in the table's column order.
    pub cells: Vec<(&'static str, Amount)>,
}

/// A month's row.
#[derive(Debug, Clone)]
pub struct MonthRow {
    pub month: String,
    pub cells: Vec<(&'static str, Amount)>,
}

/// A contribution the reader may read, as the summary breaks it down.
#[derive(Debug, Clone)]
pub struct ContributionRow {
    pub id: String,
    pub donor: String,
    pub trail: String,
    pub earmark: String,
    pub status: String,
    pub cells: Vec<(&'static str, Amount)>,
}

/// A download link: what, format, href.
#[derive(Debug, Clone)]
pub struct Download {
    pub what: &'static str,
    pub format: &'static str,
    pub href: String,
}

/// The columns of the budget lines' table (the summary's fields).
pub const LINE_COLUMNS: &[(&str, &str)] = &[
    ("baseline_monthly", "Baseline a month"),
    ("monthly_plan", "Plan this month"),
    ("planned_to_date", "Plan to date"),
    ("planned_total", "Plan, whole period"),
    ("committed", "Committed"),
    ("received", "Received"),
    ("allocated", "Allocated"),
    ("spent", "Spent"),
    ("balance", "Balance"),
];

/// The columns of the months' table (the monthly read's fields).
pub const MONTH_COLUMNS: &[(&str, &str)] = &[
    ("plan", "Plan"),
    ("revised_plan", "Revised plan"),
    ("committed", "Committed"),
    ("received", "Received"),
    ("spent", "Spent"),
    ("cumulative_committed", "Committed to date"),
    ("cumulative_received", "Received to date"),
    ("cumulative_spent", "Spent to date"),
];

const LINE_SERIES: &[Series] = &[
    Series { class: "plan", label: "plan to date (revised)" },
    Series { class: "committed", label: "committed" },
    Series { class: "received", label: "received" },
    Series { class: "spent", label: "spent" },
];

const MONTH_SERIES: &[Series] = &[
    Series { class: "baseline", label: "plan" },
    Series { class: "plan", label: "revised plan" },
    Series { class: "spent", label: "spent" },
];

const CUMULATIVE_SERIES: &[Series] = &[
    Series { class: "committed", label: "committed to date" },
    Series { class: "received", label: "received to date" },
    Series { class: "spent", label: "spent to date" },
];

#[derive(Template)]
#[template(path = "programme.html")]
struct ProgrammePage {
    nav: Nav,
    as_of: String,
    s: Option<ProgrammeSummary>,
    status: String,
    period: String,
    lines: Vec<LineRow>,
    totals: Vec<(&'static str, Amount)>,
    line_columns: Vec<&'static str>,
    month_columns: Vec<&'static str>,
    lines_chart: String,
    lines_legend: String,
    months: Vec<MonthRow>,
    months_chart: String,
    months_legend: String,
    cumulative_chart: String,
    cumulative_legend: String,
    burn_rate: String,
    burn_rate_basis: String,
    months_reported: String,
    funds_available: String,
    runway: String,
    contributions: Vec<ContributionRow>,
    downloads: Vec<Download>,
}

/// `GET /programme`: the Multi-Donor Programme as of a date (`?as_of=`, default today):
/// per budget line plan, committed, received and spent; per month plan against spent, with
/// the burn rate and the runway; charts and tables of the same figures, and downloads.
pub async fn programme(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    query: Result<Query<BoardQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let Query(query) = query.map_err(ApiError::from)?;
    let as_of = parse_date("as_of", &query.as_of)?;
    let at = reads::at(&state, &reader_of(session.as_ref()), as_of).await?;
    let summary = the_programme_summary(&at).await?;
    let monthly = the_programme_monthly_of(&at).await?.unwrap_or(Value::Null);
    let currency = summary.as_ref().map(|s| s.currency.clone()).unwrap_or_default();
    let mut lines = Vec::new();
    let mut groups = Vec::new();
    let mut totals = Vec::new();
    let mut contributions = Vec::new();
    if let Some(s) = &summary {
        for line in &s.lines {
            let value = serde_json::to_value(line).map_err(|e| ApiError::Internal(e.into()))?;
            let cells = LINE_COLUMNS.iter().map(|(field, _)| (*field, amount_of(&value[*field], &currency))).collect();
            groups.push(Group {
                label: line.line_code.clone(),
                values: vec![
                    line.planned_to_date.amount_minor,
                    line.committed.amount_minor,
                    line.received.amount_minor,
                    line.spent.amount_minor,
                ],
            });
            lines.push(LineRow {
                code: line.line_code.clone(),
                name: line.name.clone(),
                kind: name_of(&line.kind),
                cells,
            });
        }
        // The totals row: the summary's totals, and the baseline's monthly total.
        let mut value = serde_json::to_value(&s.totals).map_err(|e| ApiError::Internal(e.into()))?;
        if let Some(baseline) = &s.baseline {
            value["baseline_monthly"] =
                serde_json::to_value(&baseline.monthly_total).map_err(|e| ApiError::Internal(e.into()))?;
        }
        totals = LINE_COLUMNS
            .iter()
            .map(|(field, _)| (*field, value.get(*field).map(|v| amount_of(v, &currency))))
            .map(|(field, a)| (field, a.unwrap_or_else(|| Amount { minor: 0, text: String::new() })))
            .collect();
        for c in s.contributions.iter().flatten() {
            let value = serde_json::to_value(c).map_err(|e| ApiError::Internal(e.into()))?;
            contributions.push(ContributionRow {
                id: c.contribution_id.clone(),
                trail: format!("/donors/{}/trail", encode(&c.donor)),
                donor: c.donor.clone(),
                earmark: c.earmark.clone().unwrap_or_else(|| "unearmarked".into()),
                status: name_of(&c.status),
                cells: ["committed", "received", "allocated", "unallocated"]
                    .into_iter()
                    .map(|f| (f, amount_of(&value[f], &currency)))
                    .collect(),
            });
        }
    }
    let items = monthly.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut months = Vec::new();
    let mut month_groups = Vec::new();
    let mut cumulative: Vec<Vec<i64>> = vec![Vec::new(); CUMULATIVE_SERIES.len()];
    let mut labels = Vec::new();
    for item in &items {
        let month = item.get("month").and_then(Value::as_str).unwrap_or_default().to_string();
        let cells: Vec<(&'static str, Amount)> =
            MONTH_COLUMNS.iter().map(|(field, _)| (*field, amount_of(&item[*field], &currency))).collect();
        let minor_of = |field: &str| cells.iter().find(|(f, _)| *f == field).map_or(0, |(_, a)| a.minor);
        month_groups.push(Group {
            label: month.clone(),
            values: vec![minor_of("plan"), minor_of("revised_plan"), minor_of("spent")],
        });
        for (series, field) in
            cumulative.iter_mut().zip(["cumulative_committed", "cumulative_received", "cumulative_spent"])
        {
            series.push(minor_of(field));
        }
        labels.push(month.clone());
        months.push(MonthRow { month, cells });
    }
    let text_of = |v: &Value| if v.is_null() { String::new() } else { amount_of(v, &currency).text };
    let as_of_day = at.moment.as_of;
    let q = query_with(as_of);
    let downloads = vec![
        Download {
            what: "Programme summary (budget lines, totals)",
            format: "XLSX",
            href: format!("/api/v1/programme{q}format=xlsx"),
        },
        Download {
            what: "Months (plan, committed, received, spent)",
            format: "CSV",
            href: format!("/api/v1/programme/monthly{q}format=csv"),
        },
        Download {
            what: "Months (plan, committed, received, spent)",
            format: "XLSX",
            href: format!("/api/v1/programme/monthly{q}format=xlsx"),
        },
        Download {
            what: "Reallocations",
            format: "CSV",
            href: format!("/api/v1/programme/reallocations{q}format=csv"),
        },
        Download {
            what: "Reallocations",
            format: "XLSX",
            href: format!("/api/v1/programme/reallocations{q}format=xlsx"),
        },
        Download {
            what: "Programme history (events)",
            format: "CSV",
            href: format!("/api/v1/programme/history{q}format=csv"),
        },
        Download {
            what: "IATI 2.03 activity file",
            format: "XML",
            href: format!("/api/v1/programme/iati.xml{}", q.trim_end_matches(['&', '?'])),
        },
    ];
    let here = match as_of {
        Some(day) => format!("/programme?as_of={day}"),
        None => "/programme".to_string(),
    };
    let page = ProgrammePage {
        nav: Nav::new(session.as_ref(), &here),
        as_of: as_of_day.to_string(),
        status: summary.as_ref().map(|s| name_of(&s.status)).unwrap_or_default(),
        period: summary
            .as_ref()
            .map(|s| {
                let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "?".into());
                format!("{} to {}", day(s.period_start), day(s.period_end))
            })
            .unwrap_or_default(),
        lines_chart: svg::grouped_bars(
            "chart-lines",
            &format!("Per budget line as of {as_of_day}: plan to date, committed, received and spent ({currency})"),
            LINE_SERIES,
            &groups,
            &currency,
        ),
        lines_legend: svg::chart_legend(LINE_SERIES),
        months_chart: svg::grouped_bars(
            "chart-months",
            &format!("Per month to {as_of_day}: plan, revised plan and spent ({currency})"),
            MONTH_SERIES,
            &month_groups,
            &currency,
        ),
        months_legend: svg::chart_legend(MONTH_SERIES),
        cumulative_chart: svg::cumulative_lines(
            "chart-cumulative",
            &format!("Committed, received and spent to date, month by month to {as_of_day} ({currency})"),
            CUMULATIVE_SERIES,
            &labels,
            &cumulative,
            &currency,
        ),
        cumulative_legend: svg::chart_legend(CUMULATIVE_SERIES),
        burn_rate: text_of(&monthly["burn_rate"]),
        burn_rate_basis: monthly.get("burn_rate_basis").and_then(Value::as_str).unwrap_or_default().to_string(),
        months_reported: monthly
            .get("months_reported")
            .filter(|v| !v.is_null())
            .map(Value::to_string)
            .unwrap_or_default(),
        funds_available: text_of(&monthly["funds_available"]),
        runway: monthly.get("runway_months").and_then(Value::as_str).unwrap_or_default().to_string(),
        line_columns: LINE_COLUMNS.iter().map(|(_, title)| *title).collect(),
        month_columns: MONTH_COLUMNS.iter().map(|(_, title)| *title).collect(),
        lines,
        totals,
        months,
        contributions,
        downloads,
        s: summary,
    };
    render(StatusCode::OK, &page)
}

// --- /donors/{id}/trail ---------------------------------------------------------------------

/// A decision in the trail, with what the API tells of it.
#[derive(Debug, Clone)]
pub struct DecisionRow {
    pub id: String,
    pub meeting: String,
    pub status: String,
    pub effective_on: String,
    pub text: String,
}

/// A line the contribution funded, as the trail page shows it.
#[derive(Debug, Clone)]
pub struct TrailLineRow {
    pub code: String,
    pub name: String,
    pub from_contribution: String,
    pub line_allocated: String,
    pub line_spent: String,
    pub line_balance: String,
    pub share: String,
    /// (id, month, spent on, amount, description, reversal)
    pub expenditures: Vec<(String, String, String, String, String, String)>,
    /// (id, from → to, a month, effective, authorised by)
    pub reallocations: Vec<(String, String, String, String, String)>,
    /// (indicator, period, target, actual, reported on)
    pub results: Vec<(String, String, String, String, String)>,
}

/// One contribution's trail as the page shows it.
#[derive(Debug, Clone)]
pub struct TrailRow {
    pub id: String,
    pub programme: String,
    pub status: String,
    pub earmark: String,
    pub conditions: String,
    pub pledge: String,
    pub committed: String,
    pub received: String,
    pub allocated: String,
    pub unallocated: String,
    /// (kind, agreement reference, amount, on, reason)
    pub commitments: Vec<(String, String, String, String, String)>,
    /// (id, amount, received on, provider reference)
    pub receipts: Vec<(String, String, String, String)>,
    /// (id, line, amount, on, reversal)
    pub allocations: Vec<(String, String, String, String, String)>,
    pub lines: Vec<TrailLineRow>,
    /// (reallocation, consented on, letter SHA-256)
    pub consents: Vec<(String, String, String)>,
    pub cancelled: String,
    /// (decision, why)
    pub decisions: Vec<(String, String)>,
    pub illustrative: bool,
}

#[derive(Template)]
#[template(path = "trail.html")]
struct TrailPage {
    nav: Nav,
    t: DonorTrail,
    donor_type: String,
    registered_on: String,
    totals: Vec<(String, Amount, Amount, Amount)>,
    contributions: Vec<TrailRow>,
    decisions: Vec<DecisionRow>,
    downloads: Vec<Download>,
}

fn m(value: &domain::programme::Money) -> String {
    money(value.amount_minor, &value.currency)
}

fn reversal_text(r: &Option<projections::programme::ReversalView>) -> String {
    r.as_ref().map(|r| format!("reversed {} ({}): {}", r.reversed_on, m(&r.amount), r.reason)).unwrap_or_default()
}

fn trail_rows(t: &DonorTrail) -> Vec<TrailRow> {
    t.contributions
        .iter()
        .map(|c| TrailRow {
            id: c.contribution_id.clone(),
            programme: match &c.programme_title {
                Some(title) => format!("{} ({title})", c.programme_id),
                None => c.programme_id.clone(),
            },
            status: name_of(&c.status),
            earmark: c.earmark.clone().unwrap_or_else(|| "unearmarked".into()),
            conditions: {
                let mut text = if c.conditions.reallocation_consent_required {
                    match c.conditions.reallocation_consent_above_basis_points {
                        Some(bp) => format!("consent needed for reallocations above {}.{:02} %", bp / 100, bp % 100),
                        None => "consent needed for every reallocation".to_string(),
                    }
                } else {
                    "no consent needed for reallocations".to_string()
                };
                if let Some(reporting) = &c.conditions.reporting {
                    text.push_str(&format!("; reporting: {reporting}"));
                }
                text
            },
            pledge: c.pledge.as_ref().map(|p| format!("{} on {}", m(&p.amount), p.pledged_on)).unwrap_or_default(),
            committed: m(&c.committed),
            received: m(&c.received),
            allocated: m(&c.allocated),
            unallocated: m(&c.unallocated),
            commitments: c
                .commitments
                .iter()
                .map(|x| {
                    (
                        x.kind.clone(),
                        x.agreement_ref.clone().unwrap_or_default(),
                        m(&x.amount),
                        x.on.to_string(),
                        x.reason.clone().unwrap_or_default(),
                    )
                })
                .collect(),
            receipts: c
                .receipts
                .iter()
                .map(|r| {
                    (
                        r.receipt_id.clone(),
                        m(&r.amount),
                        r.received_on.to_string(),
                        r.provider_reference.clone().unwrap_or_default(),
                    )
                })
                .collect(),
            allocations: c
                .allocations
                .iter()
                .map(|a| {
                    (
                        a.allocation_id.clone(),
                        a.line_code.clone(),
                        m(&a.amount),
                        a.allocated_on.to_string(),
                        reversal_text(&a.reversal),
                    )
                })
                .collect(),
            lines: c
                .lines
                .iter()
                .map(|l| TrailLineRow {
                    code: l.line_code.clone(),
                    name: l.name.clone(),
                    from_contribution: m(&l.allocated_from_contribution),
                    line_allocated: m(&l.line_allocated),
                    line_spent: m(&l.line_spent),
                    line_balance: m(&l.line_balance),
                    share: l.contribution_share_percent.clone(),
                    expenditures: l
                        .expenditures
                        .iter()
                        .map(|e| {
                            let x = &e.expenditure;
                            (
                                x.expenditure_id.clone(),
                                x.period_month.format("%Y-%m").to_string(),
                                x.spent_on.to_string(),
                                m(&x.amount),
                                x.description.clone(),
                                reversal_text(&e.reversal),
                            )
                        })
                        .collect(),
                    reallocations: l
                        .reallocations
                        .iter()
                        .map(|r| {
                            (
                                r.realloc_id.clone(),
                                format!("{} → {}", r.from_line, r.to_line),
                                m(&r.amount_per_month),
                                format!("{} to {}", r.effective_from, r.effective_to),
                                r.authorised_by.clone(),
                            )
                        })
                        .collect(),
                    results: l
                        .results
                        .iter()
                        .map(|r| {
                            (
                                r.indicator.clone(),
                                format!("{} to {}", r.period_start, r.period_end),
                                r.target.map(|t| format!("{t} {}", r.unit)).unwrap_or_default(),
                                format!("{} {}", r.actual, r.unit),
                                r.reported_on.to_string(),
                            )
                        })
                        .collect(),
                })
                .collect(),
            consents: c
                .consents
                .iter()
                .map(|x| (x.realloc_id.clone(), x.consented_on.to_string(), x.letter_sha256.clone()))
                .collect(),
            cancelled: c
                .cancelled
                .as_ref()
                .map(|x| format!("cancelled {}: {}", x.cancelled_on, x.reason))
                .unwrap_or_default(),
            decisions: c.decisions.iter().map(|d| (d.decision_id.clone(), d.why.clone())).collect(),
            illustrative: c.labels.illustrative,
        })
        .collect()
}

/// Where a donor's pages send a browser without a session: to sign in first and come back.
fn sign_in_first(back: &str) -> Response {
    Redirect::to(&format!("/sign-in?next={}", encode(back))).into_response()
}

/// `GET /donors/{id}/trail`: the donor's trail (contribution → commitment and receipts →
/// allocations → lines, expenditure and results → the decisions that moved money), for a
/// session whose token may read it; any other reader is refused as the API refuses.
pub async fn trail(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
    query: Result<Query<BoardQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let Query(query) = query.map_err(ApiError::from)?;
    let as_of = parse_date("as_of", &query.as_of)?;
    let here = format!("/donors/{}/trail", encode(&id));
    let Some(session) = session.as_ref() else { return Ok(sign_in_first(&here)) };
    let at = reads::at(&state, &session.caller.reader(), as_of).await?;
    let body = trail_of(Some(&session.caller), &id, &at).await?;
    let t: DonorTrail = serde_json::from_value(body.clone()).map_err(|e| ApiError::Internal(e.into()))?;
    let decisions = body["decision_details"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| DecisionRow {
            id: d["decision_id"].as_str().unwrap_or_default().to_string(),
            meeting: d["meeting_id"].as_str().unwrap_or_default().to_string(),
            status: d["status"].as_str().unwrap_or_default().to_string(),
            effective_on: d["effective_on"].as_str().unwrap_or_default().to_string(),
            text: d["text"].as_str().unwrap_or_default().to_string(),
        })
        .collect();
    let totals = t
        .totals
        .iter()
        .map(|x| {
            (
                x.currency.clone(),
                amount(x.committed, &x.currency),
                amount(x.received, &x.currency),
                amount(x.allocated, &x.currency),
            )
        })
        .collect();
    let q = query_with(as_of);
    let q = q.trim_end_matches(['&', '?']);
    let downloads = vec![
        Download {
            what: "The trail (a summary sheet, and a sheet of its contributions)",
            format: "XLSX",
            href: format!("{here}.xlsx{q}"),
        },
        Download { what: "Its contributions, one row each", format: "CSV", href: format!("{here}.csv{q}") },
    ];
    let here = match as_of {
        Some(day) => format!("{here}?as_of={day}"),
        None => here,
    };
    let page = TrailPage {
        nav: Nav::new(Some(session), &here),
        donor_type: t.donor_type.as_ref().map(name_of).unwrap_or_default(),
        registered_on: t.registered_on.map(|d| d.to_string()).unwrap_or_default(),
        contributions: trail_rows(&t),
        totals,
        decisions,
        downloads,
        t,
    };
    render(StatusCode::OK, &page)
}

async fn trail_download(
    state: AppState,
    session: Option<super::session::Session>,
    id: String,
    query: Result<Query<BoardQuery>, axum::extract::rejection::QueryRejection>,
    form: Form,
) -> Result<Response, PageError> {
    let Query(query) = query.map_err(ApiError::from)?;
    let as_of = parse_date("as_of", &query.as_of)?;
    let Some(session) = session.as_ref() else { return Ok(sign_in_first(&format!("/donors/{}/trail", encode(&id)))) };
    let at = reads::at(&state, &session.caller.reader(), as_of).await?;
    let body = trail_of(Some(&session.caller), &id, &at).await?;
    let body = match form {
        // The CSV is the trail's list: its contributions, one row each (the workbook's
        // `contributions` sheet).
        Form::Csv => json!({"items": body.get("contributions").cloned().unwrap_or(Value::Array(Vec::new()))}),
        Form::Xlsx => body,
    };
    let name = format!("trail-{id}");
    let mut response = convert(crate::http::answer(&at, body, projections::time::planned::TRAIL), form, &name).await;
    if !response.status().is_success() {
        return Err(ApiError::Internal(anyhow::anyhow!("the trail's {form:?} could not be written")).into());
    }
    page_headers(&mut response);
    if form == Form::Csv {
        if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.csv\"")) {
            response.headers_mut().insert(header::CONTENT_DISPOSITION, disposition);
        }
    }
    Ok(response)
}

/// `GET /donors/{id}/trail.csv`: the trail's contributions as CSV, for the session's
/// reader (the API's own download needs a bearer token, which a browser does not have).
pub async fn trail_csv(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
    query: Result<Query<BoardQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    trail_download(state, session, id, query, Form::Csv).await
}

/// `GET /donors/{id}/trail.xlsx`: the trail as the API's `?format=xlsx` writes it, for the
/// session's reader.
pub async fn trail_xlsx(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(id): Path<String>,
    query: Result<Query<BoardQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    trail_download(state, session, id, query, Form::Xlsx).await
}
