//! The reads the pages share with the API, made for the signed-in reader (or the public):
//! each goes through `projections::read::At`, so the pages answer under the same time
//! contract and the same visibility rule as the JSON handlers.

use chrono::NaiveDate;
use domain::visibility::Reader;
use projections::governance::{composition, BodyView, Composition, GCG};
use projections::lens::ShownEntry;
use projections::pathfinder::{BoardLine, PathfinderView, PATHFINDERS};
use projections::read::At;
use projections::views::{DECISIONS, MEETINGS};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::http::error::ApiError;
use crate::http::AppState;

/// The ledger for `reader` as of `as_of` (default today), as known now.
pub async fn at(state: &AppState, reader: &Reader, as_of: Option<NaiveDate>) -> Result<At, ApiError> {
    let today = crate::pipeline::today();
    state.reads.at(as_of.unwrap_or(today), None, today, reader).await.map_err(|e| match e {
        projections::read::AtError::Moment(e) => ApiError::BadRequest(e.to_string()),
        projections::read::AtError::Db(e) => ApiError::from(e),
    })
}

/// Every document of a view, parsed.
pub async fn all_documents<T: DeserializeOwned>(at: &At, view: &str) -> Result<Vec<T>, ApiError> {
    crate::http::all_documents(at, view).await
}

/// The GCG's composition on the moment's date (404 before the GCG existed).
pub async fn composition_on(at: &At) -> Result<Composition, ApiError> {
    let document = at
        .document(GCG, crate::facts::DEFAULT_BODY)
        .await?
        .ok_or_else(|| ApiError::NotFound("the GCG has not been established".into()))?;
    let view: BodyView = serde_json::from_value(document).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(composition(&view, at.moment.as_of))
}

/// The Pathfinder board on a date, as `GET /api/v1/pathfinders` answers it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Board {
    pub as_of: NaiveDate,
    /// One line per country, in ISO3 order.
    pub countries: Vec<BoardLine>,
    /// How many countries are in each stage.
    pub by_stage: std::collections::BTreeMap<String, u32>,
}

/// The Pathfinder board on the moment's date.
pub async fn board_on(at: &At) -> Result<Board, ApiError> {
    let views: Vec<PathfinderView> = all_documents(at, PATHFINDERS).await?;
    let board = projections::pathfinder::board(&views, at.moment.as_of);
    serde_json::from_value(board).map_err(|e| ApiError::Internal(e.into()))
}

/// A meeting's document, if it existed at the moment.
pub async fn meeting_document(at: &At, id: &str) -> Result<Option<Value>, ApiError> {
    Ok(at.document(MEETINGS, id).await?)
}

/// A decision's document, if it existed at the moment.
pub async fn decision_document(at: &At, id: &str) -> Result<Option<Value>, ApiError> {
    Ok(at.document(DECISIONS, id).await?)
}

/// A decision's provenance as the reader may see it.
#[derive(Debug, Clone)]
pub struct Provenance {
    pub decision: Value,
    pub meeting: Option<Value>,
    pub policy: Option<Value>,
    pub effects_authorised: Vec<ShownEntry>,
    pub history: Vec<ShownEntry>,
}

/// The decision page's read: the same parts as `GET /api/v1/decisions/{id}/provenance`.
pub async fn provenance_of(at: &At, id: &str) -> Result<Provenance, ApiError> {
    let decision =
        decision_document(at, id).await?.ok_or_else(|| ApiError::NotFound(format!("decision {id} does not exist")))?;
    let meeting_id = decision.get("meeting_id").and_then(Value::as_str).unwrap_or_default().to_string();
    let meeting = meeting_document(at, &meeting_id).await?;
    let policy_version = decision.get("policy_version").and_then(Value::as_str).map(str::to_string);
    let policy = match (&policy_version, at.document(GCG, crate::facts::DEFAULT_BODY).await?) {
        (Some(version), Some(gcg)) => gcg
            .get("policies")
            .and_then(Value::as_array)
            .and_then(|all| all.iter().find(|p| p.pointer("/policy/version").and_then(Value::as_str) == Some(version)))
            .cloned(),
        _ => None,
    };
    let effects_authorised = at.authorised_by(id).await?;
    let history = at.history("decision", id).await?;
    Ok(Provenance { decision, meeting, policy, effects_authorised, history })
}
