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
use axum::response::Response;
use domain::body::Body;
use domain::group::Group;
use domain::partner::Partner;
use domain::reference::{Country, Organisation};
use projections::governance::{composition, succession, BodyView, PartnerView};
use projections::read::At;
use projections::time::planned;
use projections::views::{COUNTRIES, GCG, GROUPS, ORGANISATIONS, PARTNERS};
use serde::Deserialize;
use serde_json::Value;

use super::actions::served;
use super::auth::{MaybeCaller, Secretariat};
use super::error::ApiError;
use super::{
    all_documents, answer, answer_or_absent, found, history_of, page, run_action, AppJson, AppPath, AppState,
    AsOfQuery, CommandHeaders, PageQuery, ReadAt, ReadParams,
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

/// The GCG's document as of the read's moment (`None` before it was established).
async fn body_view(at: &At) -> Result<Option<BodyView>, ApiError> {
    match at.document(GCG, DEFAULT_BODY).await? {
        Some(document) => Ok(Some(serde_json::from_value(document).map_err(|e| ApiError::Internal(e.into()))?)),
        None => Ok(None),
    }
}

fn value<T: serde::Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Internal(e.into()))
}

/// The GCG's composition on a date: seats, holders, Chair and Deputy Chair, policy in force.
/// Before the GCG was established: `{"exists": false}`.
#[utoipa::path(get, path = "/api/v1/gcg", tag = "gcg", params(AsOfQuery),
    responses((status = 200, description = "the composition, or `exists: false`", body = crate::http::openapi::Stamped)))]
pub async fn gcg(_caller: MaybeCaller, read: ReadAt) -> Result<Response, ApiError> {
    let at = &read.at;
    let composition = match body_view(at).await? {
        Some(view) => Some(value(&composition(&view, at.moment.as_of))?),
        None => None,
    };
    Ok(answer_or_absent(at, composition, planned::COMPOSITION))
}

/// The whole GCG record as of a moment: every seat with every holding, every term, call and
/// policy version.
#[utoipa::path(get, path = "/api/v1/gcg/record", tag = "gcg", params(AsOfQuery),
    responses((status = 200, description = "the record, or `exists: false`", body = crate::http::openapi::Stamped)))]
pub async fn gcg_record(_caller: MaybeCaller, read: ReadAt) -> Result<Response, ApiError> {
    let at = &read.at;
    Ok(answer_or_absent(at, at.document(GCG, DEFAULT_BODY).await?, planned::BODY))
}

/// Chair and Deputy Chair succession as of a moment: every term in order, with its electing
/// decision, extensions and end, the calls for candidacy, and the terms served on `as_of`.
#[utoipa::path(get, path = "/api/v1/gcg/chairs", tag = "gcg", params(AsOfQuery),
    responses((status = 200, description = "the succession timeline, or `exists: false`", body = crate::http::openapi::Stamped)))]
pub async fn chairs(_caller: MaybeCaller, read: ReadAt) -> Result<Response, ApiError> {
    let at = &read.at;
    let Some(view) = body_view(at).await? else { return Ok(answer_or_absent(at, None, &[])) };
    Ok(answer(at, value(&succession(&view, at.moment.as_of))?, planned::CHAIRS))
}

/// Policy versions adopted by the moment, in order, each with its adopting decision.
#[utoipa::path(get, path = "/api/v1/gcg/policies", tag = "gcg", params(AsOfQuery),
    responses((status = 200, description = "policy versions as `items`", body = crate::http::openapi::StampedList)))]
pub async fn policies(_caller: MaybeCaller, read: ReadAt) -> Result<Response, ApiError> {
    let at = &read.at;
    let policies = body_view(at).await?.map(|v| v.policies).unwrap_or_default();
    Ok(answer(at, value(&policies)?, planned::POLICIES))
}

/// Every event of the GCG record known at the moment.
#[utoipa::path(get, path = "/api/v1/gcg/history", tag = "gcg", params(AsOfQuery),
    responses((status = 200, description = "audit history as `items` (empty before the GCG was established)", body = crate::http::openapi::History)))]
pub async fn gcg_history(_caller: MaybeCaller, read: ReadAt) -> Result<Response, ApiError> {
    let at = &read.at;
    let rows = at.history("body", DEFAULT_BODY).await?;
    Ok(answer(at, value(&rows)?, planned::HISTORY))
}

macro_rules! resource_reads {
    ($list:ident, $one:ident, $history:ident, $view:expr, $kind:literal, $path:literal, $tag:literal, $planned:expr) => {
        #[doc = concat!("Lists ", $path, " as of a moment.")]
        #[utoipa::path(get, path = $path, tag = $tag, params(PageQuery, AsOfQuery),
            responses((status = 200, description = "one page in id order as `items`; `Link: rel=next` when there are more", body = crate::http::openapi::StampedList)))]
        pub async fn $list(_caller: MaybeCaller, read: ReadAt<PageQuery>) -> Result<Response, ApiError> {
            page(&read.at, $view, $path, &read.params, $planned).await
        }

        #[doc = concat!("One of ", $path, " as of a moment.")]
        #[utoipa::path(get, path = concat!($path, "/{id}"), tag = $tag,
            params(("id" = String, Path, description = "id"), AsOfQuery),
            responses((status = 200, description = "the document", body = crate::http::openapi::Stamped), (status = 404, description = "unknown id at that moment")))]
        pub async fn $one(_caller: MaybeCaller, AppPath(id): AppPath<String>, read: ReadAt) -> Result<Response, ApiError> {
            found(&read.at, $kind, &id, read.at.document($view, &id).await?, $planned)
        }

        #[doc = concat!("Every event of one of ", $path, " known at a moment.")]
        #[utoipa::path(get, path = concat!($path, "/{id}/history"), tag = $tag,
            params(("id" = String, Path, description = "id"), AsOfQuery),
            responses((status = 200, description = "audit history as `items`", body = crate::http::openapi::History), (status = 404, description = "unknown id at that moment")))]
        pub async fn $history(_caller: MaybeCaller, AppPath(id): AppPath<String>, read: ReadAt) -> Result<Response, ApiError> {
            history_of(&read.at, $kind, &id).await
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
    "reference",
    planned::NONE
);
resource_reads!(
    countries,
    country,
    country_history,
    COUNTRIES,
    "country",
    "/api/v1/countries",
    "reference",
    planned::NONE
);
resource_reads!(groups, group, group_history, GROUPS, "group", "/api/v1/groups", "groups", planned::GROUP);
resource_reads!(
    partners_page,
    partner,
    partner_history,
    PARTNERS,
    "partner",
    "/api/v1/partners",
    "partners",
    planned::NONE
);

/// `?status=&category=&group=` filters on the partner directory.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PartnerFilter {
    /// `applied`, `admitted`, `rejected` or `withdrawn`.
    pub status: Option<String>,
    /// An organisation category, e.g. `civil_society`.
    pub category: Option<String>,
    /// Members of this group at the moment.
    pub group: Option<String>,
    pub after: Option<String>,
    pub limit: Option<i64>,
}

impl ReadParams for PartnerFilter {
    const NAMES: &'static [&'static str] = &["status", "category", "group", "after", "limit"];
}

/// The partner directory as of a moment, filtered by status, category or group membership.
#[utoipa::path(get, path = "/api/v1/partners", tag = "partners", params(PartnerFilter, AsOfQuery),
    responses((status = 200, description = "partners in id order as `items`", body = crate::http::openapi::StampedList), (status = 400, description = "bad filter")))]
pub async fn partners(_caller: MaybeCaller, read: ReadAt<PartnerFilter>) -> Result<Response, ApiError> {
    let (at, filter) = (&read.at, read.params);
    if filter.status.is_none() && filter.category.is_none() && filter.group.is_none() {
        let query = PageQuery { after: filter.after, limit: filter.limit };
        return page(at, PARTNERS, "/api/v1/partners", &query, planned::NONE).await;
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
    for document in all_documents::<Value>(at, PARTNERS).await? {
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
    Ok(answer(at, Value::Array(matches), planned::NONE))
}
