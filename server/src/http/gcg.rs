//! The GCG and the parties around it, over HTTP: the GCG (seats, offices, calls, policy),
//! Action and Working Groups, partners, organisations and countries; their commands and
//! their reads.
//!
//! Commands are `POST /api/v1/<resource>/<action>` whose JSON body is the command's
//! fields plus an optional `envelope`; the action names the command (its `command` tag in
//! the domain). [`super::actions`] lists every one; the OpenAPI document describes each with its
//! own request schema ([`super::openapi`]).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::body::Body;
use domain::group::Group;
use domain::partner::Partner;
use domain::reference::{Country, Organisation};
use projections::governance::{composition, BodyView, Composition, PartnerView};
use projections::read::HistoryEntry;
use projections::views::{COUNTRIES, GCG, GROUPS, ORGANISATIONS, PARTNERS};
use serde::Deserialize;
use serde_json::{json, Value};

use super::actions::served;
use super::auth::{MaybeCaller, Secretariat};
use super::error::ApiError;
use super::{
    all_documents, found, history_of, page, run_action, AppJson, AppPath, AppQuery, AppState, AsOfQuery,
    CommandHeaders, PageQuery,
};
use crate::facts::DEFAULT_BODY;

// --- commands ------------------------------------------------------------------------

/// `POST /api/v1/organisations`
pub async fn register_organisation(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppJson(body): AppJson<Value>,
) -> Result<Response, ApiError> {
    let id = body.get("organisation_id").and_then(Value::as_str).unwrap_or_default().to_string();
    run_action::<Organisation>(&state, &caller, &headers, &id, "register", body, StatusCode::CREATED).await
}

/// `POST /api/v1/countries`
pub async fn register_country(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppJson(body): AppJson<Value>,
) -> Result<Response, ApiError> {
    let id = body.get("iso3").and_then(Value::as_str).unwrap_or_default().to_string();
    run_action::<Country>(&state, &caller, &headers, &id, "register", body, StatusCode::CREATED).await
}

/// `POST /api/v1/gcg/{action}`
pub async fn gcg_action(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(action): AppPath<String>,
    AppJson(body): AppJson<Value>,
) -> Result<Response, ApiError> {
    served("BodyCommand", &action)?;
    if action == "establish" && body.get("body_id").and_then(Value::as_str).is_some_and(|b| b != DEFAULT_BODY) {
        return Err(ApiError::BadRequest(format!(
            "this API records the governing body {DEFAULT_BODY}; body_id must be {DEFAULT_BODY}"
        )));
    }
    let status = if action == "establish" { StatusCode::CREATED } else { StatusCode::OK };
    run_action::<Body>(&state, &caller, &headers, DEFAULT_BODY, &action, body, status).await
}

/// `POST /api/v1/groups`
pub async fn establish_group(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppJson(body): AppJson<Value>,
) -> Result<Response, ApiError> {
    let id = body.get("group_id").and_then(Value::as_str).unwrap_or_default().to_string();
    run_action::<Group>(&state, &caller, &headers, &id, "establish", body, StatusCode::CREATED).await
}

/// `POST /api/v1/partners`
pub async fn apply_partner(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppJson(body): AppJson<Value>,
) -> Result<Response, ApiError> {
    let id = body.get("organisation").and_then(Value::as_str).unwrap_or_default().to_string();
    run_action::<Partner>(&state, &caller, &headers, &id, "apply", body, StatusCode::CREATED).await
}

// --- reads ---------------------------------------------------------------------------

async fn body_view(state: &AppState) -> Result<BodyView, ApiError> {
    let document = state
        .reads
        .document(GCG, DEFAULT_BODY)
        .await?
        .ok_or_else(|| ApiError::NotFound("the GCG has not been established".into()))?;
    serde_json::from_value(document).map_err(|e| ApiError::Internal(e.into()))
}

/// The GCG's composition on a date: seats, holders, Chair and Deputy Chair, policy in force.
#[utoipa::path(get, path = "/api/v1/gcg", tag = "gcg", params(AsOfQuery),
    responses((status = 200, description = "the composition", body = Object), (status = 404, description = "no GCG recorded")))]
pub async fn gcg(
    State(state): State<AppState>,
    _caller: MaybeCaller,
    AppQuery(query): AppQuery<AsOfQuery>,
) -> Result<Response, ApiError> {
    Ok(Json(composition_on(&state, query.as_of, query.known_at).await?).into_response())
}

/// The GCG's composition on a date (default today, UTC) as the ledger knew it at a
/// position: the one read behind `GET /api/v1/gcg`, the home page and the attendance form.
pub async fn composition_on(
    state: &AppState,
    as_of: Option<chrono::NaiveDate>,
    known_at: Option<i64>,
) -> Result<Composition, ApiError> {
    let view = body_view(state).await?;
    let as_of = as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    Ok(composition(&view, as_of, known_at))
}

/// The whole GCG record: every seat with every holding, every term, call and policy version.
#[utoipa::path(get, path = "/api/v1/gcg/record", tag = "gcg",
    responses((status = 200, description = "the record", body = Object), (status = 404, description = "no GCG recorded")))]
pub async fn gcg_record(State(state): State<AppState>, _caller: MaybeCaller) -> Result<Response, ApiError> {
    found("GCG", DEFAULT_BODY, state.reads.document(GCG, DEFAULT_BODY).await?)
}

/// Chair and Deputy Chair succession: every term in order, with its electing decision,
/// extensions and end, the calls for candidacy, and when the current terms end.
#[utoipa::path(get, path = "/api/v1/gcg/chairs", tag = "gcg",
    responses((status = 200, description = "the succession timeline", body = Object), (status = 404, description = "no GCG recorded")))]
pub async fn chairs(State(state): State<AppState>, _caller: MaybeCaller) -> Result<Response, ApiError> {
    let view = body_view(&state).await?;
    let today = chrono::Utc::now().date_naive();
    let now = composition(&view, today, None);
    let open_calls: Vec<&str> =
        view.calls.iter().filter(|c| c.closed_on.is_none()).map(|c| c.call_id.as_str()).collect();
    Ok(Json(json!({
        "terms": view.terms,
        "calls": view.calls,
        "today": today,
        "chair": now.chair,
        "deputy_chair": now.deputy_chair,
        "succession_call_open": !open_calls.is_empty(),
        "open_calls": open_calls,
    }))
    .into_response())
}

/// Policy versions in the order adopted, each with its adopting decision.
#[utoipa::path(get, path = "/api/v1/gcg/policies", tag = "gcg",
    responses((status = 200, description = "policy versions", body = Vec<Object>), (status = 404, description = "no GCG recorded")))]
pub async fn policies(State(state): State<AppState>, _caller: MaybeCaller) -> Result<Response, ApiError> {
    let view = body_view(&state).await?;
    Ok(Json(view.policies).into_response())
}

/// Every event of the GCG record.
#[utoipa::path(get, path = "/api/v1/gcg/history", tag = "gcg",
    responses((status = 200, description = "audit history", body = Vec<Object>), (status = 404, description = "no GCG recorded")))]
pub async fn gcg_history(
    State(state): State<AppState>,
    _caller: MaybeCaller,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    history_of(&state, "body", DEFAULT_BODY).await
}

macro_rules! resource_reads {
    ($list:ident, $one:ident, $history:ident, $view:expr, $kind:literal, $path:literal, $tag:literal) => {
        #[doc = concat!("Lists ", $path, ".")]
        #[utoipa::path(get, path = $path, tag = $tag, params(PageQuery),
            responses((status = 200, description = "one page in id order; `Link: rel=next` when there are more", body = Vec<Object>)))]
        pub async fn $list(
            State(state): State<AppState>,
            _caller: MaybeCaller,
            AppQuery(query): AppQuery<PageQuery>,
        ) -> Result<Response, ApiError> {
            page(&state, $view, $path, query).await
        }

        #[doc = concat!("One of ", $path, ".")]
        #[utoipa::path(get, path = concat!($path, "/{id}"), tag = $tag,
            params(("id" = String, Path, description = "id")),
            responses((status = 200, description = "the document", body = Object), (status = 404, description = "unknown id")))]
        pub async fn $one(
            State(state): State<AppState>,
            _caller: MaybeCaller,
            AppPath(id): AppPath<String>,
        ) -> Result<Response, ApiError> {
            found($kind, &id, state.reads.document($view, &id).await?)
        }

        #[doc = concat!("Every event of one of ", $path, ".")]
        #[utoipa::path(get, path = concat!($path, "/{id}/history"), tag = $tag,
            params(("id" = String, Path, description = "id")),
            responses((status = 200, description = "audit history", body = Vec<Object>), (status = 404, description = "unknown id")))]
        pub async fn $history(
            State(state): State<AppState>,
            _caller: MaybeCaller,
            AppPath(id): AppPath<String>,
        ) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
            history_of(&state, $kind, &id).await
        }
    };
}

resource_reads!(
    organisations,
    organisation,
    organisation_history,
    ORGANISATIONS,
    "organisation",
    "/api/v1/organisations",
    "reference"
);
resource_reads!(countries, country, country_history, COUNTRIES, "country", "/api/v1/countries", "reference");
resource_reads!(groups, group, group_history, GROUPS, "group", "/api/v1/groups", "groups");
resource_reads!(partners_page, partner, partner_history, PARTNERS, "partner", "/api/v1/partners", "partners");

/// `?status=&category=&group=` filters on the partner directory.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PartnerFilter {
    /// `applied`, `admitted`, `rejected` or `withdrawn`.
    pub status: Option<String>,
    /// An organisation category, e.g. `civil_society`.
    pub category: Option<String>,
    /// Members of this group now.
    pub group: Option<String>,
    pub after: Option<String>,
    pub limit: Option<i64>,
}

/// The partner directory, filtered by status, category or group membership.
#[utoipa::path(get, path = "/api/v1/partners", tag = "partners", params(PartnerFilter),
    responses((status = 200, description = "partners in id order", body = Vec<Object>), (status = 400, description = "bad filter")))]
pub async fn partners(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppQuery(filter): AppQuery<PartnerFilter>,
) -> Result<Response, ApiError> {
    if filter.status.is_none() && filter.category.is_none() && filter.group.is_none() {
        let query = PageQuery { after: filter.after, limit: filter.limit };
        return partners_page(State(state), caller, AppQuery(query)).await;
    }
    let as_value = |text: &str| Value::String(text.to_string());
    let status = filter.status.as_deref().map(as_value);
    let category = filter.category.as_deref().map(as_value);
    if let Some(s) = &status {
        serde_json::from_value::<domain::partner::PartnerStatus>(s.clone())
            .map_err(|_| ApiError::BadRequest("status must be applied, admitted, rejected or withdrawn".into()))?;
    }
    if let Some(c) = &category {
        serde_json::from_value::<domain::reference::OrganisationCategory>(c.clone())
            .map_err(|_| ApiError::BadRequest("category is not an organisation category".into()))?;
    }
    let limit = filter.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be between 1 and 1000".into()));
    }
    let after = filter.after.unwrap_or_default();
    let mut matches = Vec::new();
    for document in all_documents::<Value>(&state, PARTNERS).await? {
        let partner: PartnerView =
            serde_json::from_value(document.clone()).map_err(|e| ApiError::Internal(e.into()))?;
        let keep = partner.organisation > after
            && status.as_ref().is_none_or(|s| serde_json::to_value(partner.status).ok().as_ref() == Some(s))
            && category.as_ref().is_none_or(|c| serde_json::to_value(partner.category).ok().as_ref() == Some(c))
            && filter.group.as_ref().is_none_or(|g| partner.groups.contains(g));
        if keep && matches.len() < usize::try_from(limit).unwrap_or(0) {
            matches.push(document);
        }
    }
    Ok(Json(matches).into_response())
}
