//! The Multi-Donor Programme over HTTP: programmes, donors and contributions.
//!
//! Commands follow the governance convention (`POST …/<action>`, the body the command's
//! fields plus `envelope`); [`ACTIONS`] lists them for the OpenAPI document. Reads: the
//! programme summary as of any date (public totals), its reallocations since a date with
//! who authorised them, its IATI 2.03 activity file, and each donor's accountability trail.
//!
//! **Scope.** Per-donor detail (a donor's trail, its contributions, the per-contribution
//! breakdown of the summary, allocations named in the programme's history) is shown to the
//! Secretariat and auditors in full, to a donor's token for that donor only, and to no one
//! else: the trail and contributions answer 401 without a token and 403 to another donor or
//! role; the summary and the programme history stay public with that detail left out.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use domain::programme::{Contribution, Donor, Programme};
use domain::visibility::{Reader, Visibility};
use projections::governance::{OrganisationView, ORGANISATIONS};
use projections::iati::{check_rules, render_activity_file};
use projections::programme::{
    contribution_summaries, donor_trail, iati_activity, reallocations_since, summary, ContributionView, DonorView,
    Known, ProgrammeRecord, ProgrammeSummary, ProgrammeView, CONTRIBUTIONS, DONORS, PROGRAMMES,
};
use projections::read::At;
use projections::time::planned;
use projections::views::DECISIONS;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use super::actions::Action;
use super::auth::{Caller, MaybeCaller, Secretariat};
use super::error::ApiError;
use super::{
    all_documents, answer, answer_or_absent, found, history_of, moment_headers, not_found_at, page, run_action,
    AppJson, AppPath, AppState, AsOfQuery, CommandHeaders, PageQuery, ReadAt, ReadParams,
};
use crate::facts::programme::DEFAULT_PROGRAMME;

const fn action(path: &'static str, schema: &'static str, command: &'static str, summary: &'static str) -> Action {
    Action { path, schema, command, tag: "programme", summary }
}

/// Every Multi-Donor Programme command served over HTTP.
pub const ACTIONS: &[Action] = &[
    action(
        "/api/v1/programmes",
        "ProgrammeCommand",
        "establish",
        "Establish a programme (cite an adopted `establish_programme` decision in `envelope.authority`; a stated duration may go in `envelope.provenance.stated.duration`)",
    ),
    action(
        "/api/v1/programmes/{id}/define_budget_line",
        "ProgrammeCommand",
        "define_budget_line",
        "Define a budget line before the baseline (a share the source states may go in `envelope.provenance.stated.share_percent`; it is shown, never computed with)",
    ),
    action(
        "/api/v1/programmes/{id}/set_baseline",
        "ProgrammeCommand",
        "set_baseline",
        "Set the baseline (IATI original budget): the lines are frozen",
    ),
    action(
        "/api/v1/programmes/{id}/change_status",
        "ProgrammeCommand",
        "change_status",
        "Move the programme to another IATI activity status",
    ),
    action(
        "/api/v1/programmes/{id}/allocate",
        "ProgrammeCommand",
        "allocate",
        "Allocate funds received on a contribution to a line (never more than received and not yet allocated; only to its earmark)",
    ),
    action(
        "/api/v1/programmes/{id}/record_expenditure",
        "ProgrammeCommand",
        "record_expenditure",
        "Record expenditure on a line (never more than its allocated funds not yet spent, never in the future)",
    ),
    action(
        "/api/v1/programmes/{id}/reverse_entry",
        "ProgrammeCommand",
        "reverse_entry",
        "Reverse an allocation or expenditure with an entry of the opposite amount (never an edit)",
    ),
    action(
        "/api/v1/programmes/{id}/reallocate",
        "ProgrammeCommand",
        "reallocate",
        "Move an amount per month between lines; above the policy threshold cite an adopted `approve_budget_reallocation` decision; donors whose agreements require it must have consented",
    ),
    action(
        "/api/v1/programmes/{id}/report_result",
        "ProgrammeCommand",
        "report_result",
        "Report a result of a line: an indicator's actual value (and target) over a period inside the programme",
    ),
    action("/api/v1/donors", "DonorCommand", "register", "Register a registered organisation as a donor"),
    action(
        "/api/v1/contributions",
        "ContributionCommand",
        "pledge",
        "Record a registered donor's pledge to an established programme",
    ),
    action(
        "/api/v1/contributions/{id}/commit",
        "ContributionCommand",
        "commit",
        "Record the signed agreement (IATI incoming commitment)",
    ),
    action(
        "/api/v1/contributions/{id}/receive",
        "ContributionCommand",
        "receive",
        "Record funds received (IATI incoming funds; never in the future, never more than committed)",
    ),
    action(
        "/api/v1/contributions/{id}/adjust_commitment",
        "ContributionCommand",
        "adjust_commitment",
        "Correct the commitment by a signed delta",
    ),
    action(
        "/api/v1/contributions/{id}/cancel",
        "ContributionCommand",
        "cancel",
        "Cancel a contribution before anything was received",
    ),
    action(
        "/api/v1/contributions/{id}/record_consent",
        "ContributionCommand",
        "record_consent",
        "Record the donor's consent to a reallocation (with the SHA-256 of the letter)",
    ),
];

fn id_in(body: &Value, field: &str) -> String {
    body.get(field).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// `POST /api/v1/programmes` (establish)
pub async fn establish(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppJson(body): AppJson<Value>,
) -> Result<Response, ApiError> {
    let id = id_in(&body, "programme_id");
    run_action::<Programme>(&state, &caller, &headers, &id, "establish", body, StatusCode::CREATED).await
}

/// `POST /api/v1/donors` (register)
pub async fn register_donor(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppJson(body): AppJson<Value>,
) -> Result<Response, ApiError> {
    let id = id_in(&body, "organisation");
    run_action::<Donor>(&state, &caller, &headers, &id, "register", body, StatusCode::CREATED).await
}

/// `POST /api/v1/contributions` (pledge)
pub async fn pledge(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppJson(body): AppJson<Value>,
) -> Result<Response, ApiError> {
    let id = id_in(&body, "contribution_id");
    run_action::<Contribution>(&state, &caller, &headers, &id, "pledge", body, StatusCode::CREATED).await
}

// --- scope ---------------------------------------------------------------------------

fn reads_donor(reader: &Reader, donor: &str) -> bool {
    reader.may_read(&Visibility::donor(donor))
}

/// 401 without a token; 403 unless the caller may read `donor`'s confidential events.
fn require_donor(caller: Option<&Caller>, donor: &str) -> Result<(), ApiError> {
    let caller = caller.ok_or(ApiError::Unauthorized)?;
    if reads_donor(&caller.reader(), donor) {
        return Ok(());
    }
    Err(ApiError::Forbidden(match caller.scope.as_deref() {
        Some(scope) if caller.role == "donor" => {
            format!("this token speaks for {scope}; it may not read another donor's detail")
        }
        _ => format!(
            "the {} role may not read a donor's detail (the Secretariat, auditors and the donor itself may)",
            caller.role
        ),
    }))
}

/// A contribution's dossier names its (confidential) id: only those who may read its
/// donor take it (401 without a token, 403 otherwise). Other subjects are served to
/// anyone, with what the reader may not read redacted.
pub async fn check_dossier_scope(state: &AppState, caller: Option<&Caller>, subject: &str) -> Result<(), ApiError> {
    let Some(("contribution", id)) = subject.split_once(':') else { return Ok(()) };
    match crate::facts::programme::donor_of_contribution(&state.db, id).await? {
        Some(donor) => require_donor(caller, &donor),
        None => Ok(()),
    }
}

// --- reads ---------------------------------------------------------------------------

async fn document<T: DeserializeOwned>(at: &At, view: &str, id: &str) -> Result<Option<T>, ApiError> {
    match at.document(view, id).await? {
        Some(document) => Ok(Some(serde_json::from_value(document).map_err(|e| ApiError::Internal(e.into()))?)),
        None => Ok(None),
    }
}

fn value<T: serde::Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Internal(e.into()))
}

/// The programme as of the read's moment (`None` before it was established).
async fn programme_view(at: &At, id: &str) -> Result<Option<ProgrammeView>, ApiError> {
    Ok(document::<ProgrammeView>(at, PROGRAMMES, id).await?.filter(|p| !p.programme_id.is_empty()))
}

async fn established(at: &At, id: &str) -> Result<ProgrammeView, ApiError> {
    programme_view(at, id).await?.ok_or_else(|| not_found_at(at, &format!("programme {id}")))
}

/// What the programme's computations see: the business date. Which events they see at all
/// (`known_at`, and what was in effect on `as_of`) the read's moment has already decided.
fn known(at: &At) -> Known {
    Known { as_of: at.moment.as_of }
}

/// The summary from what the reader may read: other donors' allocations are left out, and
/// their contributions count only with what the IATI file publishes (commitments and
/// receipts). The per-contribution breakdown lists the contributions the reader may read.
async fn programme_summary(at: &At, p: ProgrammeView) -> Result<Response, ApiError> {
    let id = p.programme_id.clone();
    let s = summary_of(at, &p).await?;
    found(at, "programme", &id, Some(value(&s)?), planned::PROGRAMME)
}

async fn summary_of(at: &At, p: &ProgrammeView) -> Result<ProgrammeSummary, ApiError> {
    let contributions: Vec<ContributionView> = all_documents(at, CONTRIBUTIONS).await?;
    let k = known(at);
    let mut s = summary(p, &contributions, &k);
    if contributions.iter().any(|c| reads_donor(&at.reader, &c.donor)) {
        s.contributions = Some(contribution_summaries(p, &contributions, &k, |c| reads_donor(&at.reader, &c.donor)));
    }
    Ok(s)
}

/// The Multi-Donor Programme's summary as `GET /api/v1/programme` answers it for the read's
/// reader and moment (`None` before it was established): the `/programme` page's read.
pub async fn the_programme_summary(at: &At) -> Result<Option<ProgrammeSummary>, ApiError> {
    match programme_view(at, DEFAULT_PROGRAMME).await? {
        Some(p) => Ok(Some(summary_of(at, &p).await?)),
        None => Ok(None),
    }
}

/// The Multi-Donor Programme (MDP-A87) as of a moment: per budget line the plan for the
/// period so far, committed, received, allocated, spent and balance; shares computed from
/// the amounts beside those the source states; data-quality notes. Per-contribution detail
/// only for the Secretariat, auditors and (its own) a donor's token. Before it was
/// established: `{"exists": false}`.
#[utoipa::path(get, path = "/api/v1/programme", tag = "programme", params(AsOfQuery),
    responses((status = 200, description = "the programme summary, or `exists: false`", body = crate::http::openapi::Stamped)))]
pub async fn the_programme(_caller: MaybeCaller, read: ReadAt) -> Result<Response, ApiError> {
    let at = &read.at;
    match programme_view(at, DEFAULT_PROGRAMME).await? {
        Some(p) => programme_summary(at, p).await,
        None => Ok(answer_or_absent(at, None, &[])),
    }
}

/// One programme's summary as of a moment (as `/api/v1/programme`; 404 before it was established).
#[utoipa::path(get, path = "/api/v1/programmes/{id}", tag = "programme",
    params(("id" = String, Path, description = "e.g. MDP-A87"), AsOfQuery),
    responses((status = 200, description = "the programme summary", body = crate::http::openapi::Stamped), (status = 404, description = "not established by that moment")))]
pub async fn programme(_caller: MaybeCaller, AppPath(id): AppPath<String>, read: ReadAt) -> Result<Response, ApiError> {
    let p = established(&read.at, &id).await?;
    programme_summary(&read.at, p).await
}

async fn programme_history_of(at: &At, id: &str, singleton: bool) -> Result<Response, ApiError> {
    let rows = at.history("programme", id).await?;
    if rows.is_empty() && !singleton {
        return Err(not_found_at(at, &format!("the history of programme {id}")));
    }
    Ok(answer(at, value(&rows)?, planned::HISTORY))
}

/// Every event of the programme (MDP-A87) known at a moment; allocations of donors the
/// caller may not read are redacted records.
#[utoipa::path(get, path = "/api/v1/programme/history", tag = "programme", params(AsOfQuery),
    responses((status = 200, description = "audit history as `items` (empty before it was established)", body = crate::http::openapi::History)))]
pub async fn the_programme_history(_caller: MaybeCaller, read: ReadAt) -> Result<Response, ApiError> {
    programme_history_of(&read.at, DEFAULT_PROGRAMME, true).await
}

/// Every event of a programme (as `/api/v1/programme/history`).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/history", tag = "programme",
    params(("id" = String, Path, description = "e.g. MDP-A87"), AsOfQuery),
    responses((status = 200, description = "audit history as `items`", body = crate::http::openapi::History), (status = 404, description = "unknown id at that moment")))]
pub async fn programme_history(
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
    read: ReadAt,
) -> Result<Response, ApiError> {
    programme_history_of(&read.at, &id, false).await
}

/// `?since=YYYY-MM-DD`, besides `as_of` and `known_at`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SinceQuery {
    /// Reallocations made on or after this day (default: all).
    pub since: Option<NaiveDate>,
}

impl ReadParams for SinceQuery {
    const NAMES: &'static [&'static str] = &["since"];
}

async fn reallocations_of(at: &At, p: &ProgrammeView, query: &SinceQuery) -> Result<Response, ApiError> {
    let contributions: Vec<ContributionView> = all_documents(at, CONTRIBUTIONS).await?;
    let since = query.since.unwrap_or(NaiveDate::MIN);
    Ok(answer(at, value(&reallocations_since(p, &contributions, since, &known(at)))?, planned::REALLOCATIONS))
}

/// Every reallocation of the programme (MDP-A87) made since a date, as of a moment: lines,
/// amounts, effective period, share of the from-line and the threshold it was judged
/// against, who authorised it (delegation or the GCG decision) and the donors' consents.
#[utoipa::path(get, path = "/api/v1/programme/reallocations", tag = "programme", params(SinceQuery, AsOfQuery),
    responses((status = 200, description = "reallocations in order as `items` (empty before it was established)", body = crate::http::openapi::StampedList)))]
pub async fn the_programme_reallocations(_caller: MaybeCaller, read: ReadAt<SinceQuery>) -> Result<Response, ApiError> {
    let at = &read.at;
    match programme_view(at, DEFAULT_PROGRAMME).await? {
        Some(p) => reallocations_of(at, &p, &read.params).await,
        None => Ok(answer(at, Value::Array(vec![]), planned::REALLOCATIONS)),
    }
}

/// A programme's reallocations since a date (as `/api/v1/programme/reallocations`).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/reallocations", tag = "programme",
    params(("id" = String, Path, description = "e.g. MDP-A87"), SinceQuery, AsOfQuery),
    responses((status = 200, description = "reallocations in order as `items`", body = crate::http::openapi::StampedList), (status = 404, description = "unknown id at that moment")))]
pub async fn programme_reallocations(
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
    read: ReadAt<SinceQuery>,
) -> Result<Response, ApiError> {
    let p = established(&read.at, &id).await?;
    reallocations_of(&read.at, &p, &read.params).await
}

/// The IATI file is a publication the Secretariat makes: it reads as the Secretariat and
/// publishes only the figures docs/API.md lists (no contribution, agreement or receipt
/// reference).
async fn iati_of(at: &At, id: &str) -> Result<Response, ApiError> {
    let at = &at.for_reader(&Reader::new("secretariat", None));
    let programme = established(at, id).await?;
    let mut contributions: Vec<ContributionView> = all_documents(at, CONTRIBUTIONS).await?;
    contributions.retain(|c| c.programme_id == id);
    let record = ProgrammeRecord {
        programme,
        contributions,
        donors: all_documents::<DonorView>(at, DONORS).await?,
        organisations: all_documents::<OrganisationView>(at, ORGANISATIONS).await?,
    };
    let as_of = at.moment.as_of;
    let activity = iati_activity(&record, as_of);
    let issues = check_rules(&activity, as_of);
    let generated = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let file = render_activity_file(&activity, &generated);
    // The moment, stated in the file too (a comment after the XML declaration).
    let known = at.moment.known_at.map_or("none".to_string(), |k| k.to_string());
    let stated = format!("<!-- ledger as_of={as_of} known_at={known} -->");
    let file = match file.find("?>") {
        Some(end) => format!("{}\n{stated}{}", &file[..end + 2], &file[end + 2..]),
        None => format!("{stated}\n{file}"),
    };
    let mut response = ([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], file).into_response();
    if let Ok(count) = axum::http::HeaderValue::from_str(&issues.len().to_string()) {
        response.headers_mut().insert("iati-guidance-issues", count);
    }
    moment_headers(&mut response, &at.moment);
    Ok(response)
}

/// The programme (MDP-A87) as of a moment as an IATI 2.03 activity file: participating
/// organisations with their roles, status and dates, budgets per period of at most 12 months
/// (original, and revised where a reallocation changed the plan), incoming commitments,
/// incoming funds and expenditure (corrections as negative transactions). The
/// `IATI-Guidance-Issues` header counts what the IATI guidance checks found (0 when fit to
/// publish). The moment is in the `Ledger-As-Of`/`Ledger-Known-At` headers and in a
/// comment after the XML declaration.
#[utoipa::path(get, path = "/api/v1/programme/iati.xml", tag = "programme", params(AsOfQuery),
    responses((status = 200, description = "IATI 2.03 activity file", content_type = "application/xml", body = String), (status = 404, description = "not established by that moment")))]
pub async fn the_programme_iati(_caller: MaybeCaller, read: ReadAt) -> Result<Response, ApiError> {
    iati_of(&read.at, DEFAULT_PROGRAMME).await
}

/// A programme as an IATI 2.03 activity file (as `/api/v1/programme/iati.xml`).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/iati.xml", tag = "programme",
    params(("id" = String, Path, description = "e.g. MDP-A87"), AsOfQuery),
    responses((status = 200, description = "IATI 2.03 activity file", content_type = "application/xml", body = String), (status = 404, description = "unknown id at that moment")))]
pub async fn programme_iati(
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
    read: ReadAt,
) -> Result<Response, ApiError> {
    iati_of(&read.at, &id).await
}

/// Registered donors as of a moment (organisation, type, IATI reference, contributions' ids).
#[utoipa::path(get, path = "/api/v1/donors", tag = "programme", params(PageQuery, AsOfQuery),
    responses((status = 200, description = "one page in id order as `items`", body = crate::http::openapi::StampedList)))]
pub async fn donors(_caller: MaybeCaller, read: ReadAt<PageQuery>) -> Result<Response, ApiError> {
    page(&read.at, DONORS, "/api/v1/donors", &read.params, planned::NONE).await
}

/// One registered donor as of a moment.
#[utoipa::path(get, path = "/api/v1/donors/{id}", tag = "programme",
    params(("id" = String, Path, description = "the donor organisation, e.g. DONOR-A"), AsOfQuery),
    responses((status = 200, description = "the donor", body = crate::http::openapi::Stamped), (status = 404, description = "unknown id at that moment")))]
pub async fn donor(_caller: MaybeCaller, AppPath(id): AppPath<String>, read: ReadAt) -> Result<Response, ApiError> {
    found(&read.at, "donor", &id, read.at.document(DONORS, &id).await?, planned::NONE)
}

/// Every event of a donor's registration known at a moment.
#[utoipa::path(get, path = "/api/v1/donors/{id}/history", tag = "programme",
    params(("id" = String, Path, description = "the donor organisation"), AsOfQuery),
    responses((status = 200, description = "audit history as `items`", body = crate::http::openapi::History), (status = 404, description = "unknown id at that moment")))]
pub async fn donor_history(
    _caller: MaybeCaller,
    AppPath(id): AppPath<String>,
    read: ReadAt,
) -> Result<Response, ApiError> {
    history_of(&read.at, "donor", &id).await
}

/// A donor's accountability trail as of a moment: each pledge → its commitment and
/// adjustments → receipts → allocations to lines → the expenditure on those lines and the
/// reallocations that touched them, with the decisions that moved money. A donor's token
/// sees its own trail only (403 for another's); the Secretariat and auditors see any; no
/// token is a 401.
#[utoipa::path(get, path = "/api/v1/donors/{id}/trail", tag = "programme",
    params(("id" = String, Path, description = "the donor organisation"), AsOfQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "the trail", body = crate::http::openapi::Stamped), (status = 401, description = "no token"),
        (status = 403, description = "another donor's trail, or a role without access"), (status = 404, description = "not a donor at that moment")))]
pub async fn donor_trail_of(
    MaybeCaller(caller): MaybeCaller,
    AppPath(id): AppPath<String>,
    read: ReadAt,
) -> Result<Response, ApiError> {
    let body = trail_of(caller.as_ref(), &id, &read.at).await?;
    Ok(answer(&read.at, body, planned::TRAIL))
}

/// A donor's trail as `GET /api/v1/donors/{id}/trail` answers it (before its moment is
/// stamped): 401 without a caller, 403 unless the caller may read the donor, 404 when it
/// was not a donor at the moment. The trail page and its downloads read through it.
pub async fn trail_of(caller: Option<&Caller>, id: &str, at: &At) -> Result<Value, ApiError> {
    require_donor(caller, id)?;
    let donor = document::<DonorView>(at, DONORS, id)
        .await?
        .filter(|d| d.registered_on.is_some())
        .ok_or_else(|| not_found_at(at, &format!("registered donor {id}")))?;
    let organisation = document::<OrganisationView>(at, ORGANISATIONS, id).await?;
    let mut contributions = Vec::new();
    let mut programmes: Vec<ProgrammeView> = Vec::new();
    for contribution_id in &donor.contributions {
        let Some(c) = document::<ContributionView>(at, CONTRIBUTIONS, contribution_id).await? else { continue };
        if !programmes.iter().any(|p| p.programme_id == c.programme_id) {
            if let Some(p) = document::<ProgrammeView>(at, PROGRAMMES, &c.programme_id).await? {
                programmes.push(p);
            }
        }
        contributions.push(c);
    }
    let trail = donor_trail(&donor, organisation.as_ref(), &contributions, &programmes, &known(at));
    let mut body = value(&trail)?;
    let mut decisions = Vec::new();
    for decision_id in &trail.decisions {
        if let Some(d) = at.document(DECISIONS, decision_id).await? {
            decisions.push(json!({
                "decision_id": decision_id,
                "meeting_id": d.get("meeting_id"),
                "status": d.get("status"),
                "subject": d.get("subject"),
                "effective_on": d.get("effective_on"),
                "text": d.get("text"),
            }));
        }
    }
    body["decision_details"] = Value::Array(decisions);
    Ok(body)
}

/// Contributions as of a moment: every one for the Secretariat and auditors, a donor's own
/// for its token.
#[utoipa::path(get, path = "/api/v1/contributions", tag = "programme", params(AsOfQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "contributions in id order as `items`", body = crate::http::openapi::StampedList), (status = 401, description = "no token"),
        (status = 403, description = "a role without access")))]
pub async fn contributions(MaybeCaller(caller): MaybeCaller, read: ReadAt) -> Result<Response, ApiError> {
    let caller = caller.ok_or(ApiError::Unauthorized)?;
    if !read.at.reader.sees_all() && caller.role != "donor" {
        return Err(ApiError::Forbidden(format!("the {} role may not read contributions", caller.role)));
    }
    let all: Vec<Value> = all_documents(&read.at, CONTRIBUTIONS).await?;
    let visible: Vec<Value> = all
        .into_iter()
        .filter(|c| c.get("donor").and_then(Value::as_str).is_some_and(|d| reads_donor(&read.at.reader, d)))
        .collect();
    Ok(answer(&read.at, Value::Array(visible), planned::CONTRIBUTION))
}

async fn contribution_donor(at: &At, id: &str) -> Result<String, ApiError> {
    document::<ContributionView>(at, CONTRIBUTIONS, id)
        .await?
        .map(|c| c.donor)
        .filter(|d| !d.is_empty())
        .ok_or_else(|| not_found_at(at, &format!("contribution {id}")))
}

/// One contribution as of a moment (the Secretariat, auditors, or its donor's token).
#[utoipa::path(get, path = "/api/v1/contributions/{id}", tag = "programme",
    params(("id" = String, Path, description = "e.g. C-001"), AsOfQuery), security(("bearer" = [])),
    responses((status = 200, description = "the contribution", body = crate::http::openapi::Stamped), (status = 401, description = "no token"),
        (status = 403, description = "another donor's contribution"), (status = 404, description = "unknown id at that moment")))]
pub async fn contribution(
    MaybeCaller(caller): MaybeCaller,
    AppPath(id): AppPath<String>,
    read: ReadAt,
) -> Result<Response, ApiError> {
    caller.as_ref().ok_or(ApiError::Unauthorized)?;
    let donor = contribution_donor(&read.at, &id).await?;
    require_donor(caller.as_ref(), &donor)?;
    found(&read.at, "contribution", &id, read.at.document(CONTRIBUTIONS, &id).await?, planned::CONTRIBUTION)
}

/// Every event of a contribution known at a moment (the Secretariat, auditors, or its donor's token).
#[utoipa::path(get, path = "/api/v1/contributions/{id}/history", tag = "programme",
    params(("id" = String, Path, description = "e.g. C-001"), AsOfQuery), security(("bearer" = [])),
    responses((status = 200, description = "audit history as `items`", body = crate::http::openapi::History), (status = 401, description = "no token"),
        (status = 403, description = "another donor's contribution"), (status = 404, description = "unknown id at that moment")))]
pub async fn contribution_history(
    MaybeCaller(caller): MaybeCaller,
    AppPath(id): AppPath<String>,
    read: ReadAt,
) -> Result<Response, ApiError> {
    caller.as_ref().ok_or(ApiError::Unauthorized)?;
    let donor = contribution_donor(&read.at, &id).await?;
    require_donor(caller.as_ref(), &donor)?;
    history_of(&read.at, "contribution", &id).await
}

/// The programme's contributions as the reader may read them (others' as the IATI file
/// publishes them).
async fn contributions_read(at: &At) -> Result<Vec<ContributionView>, ApiError> {
    all_documents(at, CONTRIBUTIONS).await
}

/// Plan, revised plan, committed, received and spent per month and line, with the burn
/// rate and the months of runway at it (Q17).
#[utoipa::path(get, path = "/api/v1/programme/monthly", tag = "questions", params(AsOfQuery),
    responses((status = 200, description = "`items` per month from the start to `as_of` (with per-line `lines`); \
        `burn_rate`, `funds_available`, `runway_months`; or `exists: false` before the programme", body = crate::http::openapi::StampedListOrAbsent)))]
pub async fn the_programme_monthly(_caller: MaybeCaller, read: ReadAt) -> Result<Response, ApiError> {
    let at = &read.at;
    Ok(answer_or_absent(at, the_programme_monthly_of(at).await?, &[]))
}

/// The programme's months as `GET /api/v1/programme/monthly` answers them (`None` before
/// it was established): the `/programme` page's read.
pub async fn the_programme_monthly_of(at: &At) -> Result<Option<Value>, ApiError> {
    let Some(p) = programme_view(at, DEFAULT_PROGRAMME).await? else { return Ok(None) };
    let contributions = contributions_read(at).await?;
    Ok(Some(projections::programme::monthly(&p, &contributions, &known(at))))
}

/// Reversals and commitment adjustments with who, why, when, and whether the corrected
/// entry was already under a signed checkpoint (Q21).
#[utoipa::path(get, path = "/api/v1/programme/corrections", tag = "questions", params(AsOfQuery),
    responses((status = 200, description = "as `items` in ledger order: kind, entry_id, amount, reason, on, recorded_by, \
        position, original_position, after_checkpoint, checkpoint_tree_size", body = crate::http::openapi::StampedList)))]
pub async fn the_programme_corrections(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    read: ReadAt,
) -> Result<Response, ApiError> {
    let at = &read.at;
    let Some(p) = programme_view(at, DEFAULT_PROGRAMME).await? else {
        return Ok(answer(at, Value::Array(Vec::new()), &[]));
    };
    let contributions = contributions_read(at).await?;
    let mut sizes = Vec::new();
    let mut from = 0;
    loop {
        let page = state.reads.checkpoints(from, 1000).await?;
        let Some(last) = page.last().map(|c| c.tree_size) else { break };
        sizes.extend(page.iter().map(|c| c.tree_size));
        from = last + 1;
    }
    if let Some(known_at) = at.moment.known_at {
        sizes.retain(|size| *size <= known_at + 1);
    }
    let rows = projections::programme::corrections(&p, &contributions, &sizes);
    Ok(answer(at, Value::Array(rows), &[]))
}
