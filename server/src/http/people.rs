//! The personal-data register over HTTP: register a person, read them, erase their clear
//! values. Handlers only parse; the command service does the rest
//! ([`crate::facts::people`]), and what a reader sees of a person is the lens's
//! (`projections::lens::personal`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::{MaybeCaller, Secretariat};
use super::error::ApiError;
use super::{respond, split_command, AppJson, AppPath, AppState, CommandHeaders, ReadAt};
use ledger_store::personal::ClearValues;

/// `POST /api/v1/people`: a person's clear values and country.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterPerson {
    /// Always `register` (set from the path).
    #[serde(default)]
    #[schema(ignore)]
    pub command: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// ISO 3166-1 alpha-3 of the country the person belongs to.
    pub country: String,
}

/// `POST /api/v1/people/{ref}/erase`: why.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasePerson {
    #[serde(default)]
    #[schema(ignore)]
    pub command: String,
    /// A reference to the data subject's request (or the decision) asking for erasure.
    pub reason: String,
}

/// Registers a person (Secretariat): the clear values go into the personal-data register,
/// the ledger records the reference and the salted commitment only.
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = RegisterPerson, security(("bearer" = [])),
    responses((status = 201, description = "`person_ref`, `commitment` and the receipts", body = super::openapi::PersonRegistered),
        (status = 422, description = "a rule refused it")))]
pub async fn register(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppJson(body): AppJson<Value>,
) -> Result<Response, ApiError> {
    let (request, envelope) = split_command::<RegisterPerson>("register", body)?;
    let meta = envelope.into_meta(&caller, &headers)?;
    let values = ClearValues { name: request.name, email: request.email, phone: request.phone };
    let (person, outcome) = state.commands()?.register_person(&request.country, values, meta).await?;
    let response = respond(&state, &headers, StatusCode::CREATED, outcome).await?;
    with_members(response, json!({"person_ref": person.person_ref, "commitment": person.commitment})).await
}

/// Erases a person's clear values and salt (Secretariat) and records `PersonalDataErased`.
#[utoipa::path(post, path = "/api/v1/people/{ref}/erase", tag = "people", request_body = ErasePerson,
    params(("ref" = String, Path, description = "person reference, `person:…`")), security(("bearer" = [])),
    responses((status = 200, description = "the receipts", body = super::openapi::PersonErased),
        (status = 404, description = "no such person"),
        (status = 422, description = "already erased (`person_already_erased`)")))]
pub async fn erase(
    State(state): State<AppState>,
    Secretariat(caller): Secretariat,
    headers: CommandHeaders,
    AppPath(person_ref): AppPath<String>,
    AppJson(body): AppJson<Value>,
) -> Result<Response, ApiError> {
    let (request, envelope) = split_command::<ErasePerson>("erase", body)?;
    let meta = envelope.into_meta(&caller, &headers)?;
    let outcome = state.commands()?.erase_person(&person_ref, &request.reason, meta).await?;
    let response = respond(&state, &headers, StatusCode::OK, outcome).await?;
    with_members(response, json!({"person_ref": person_ref, "status": "erased"})).await
}

/// A person as the reader may see them: the Secretariat and the country's focal point
/// see the clear values (or `"erased"`), auditors the reference and commitment only,
/// anyone else nothing (404).
#[utoipa::path(get, path = "/api/v1/people/{ref}", tag = "people",
    params(("ref" = String, Path, description = "person reference, `person:…`"), super::AsOfQuery),
    responses((status = 200, description = "the person", body = super::openapi::Person),
        (status = 404, description = "no such person, or not one the reader may see")))]
pub async fn get_one(
    _caller: MaybeCaller,
    AppPath(person_ref): AppPath<String>,
    read: ReadAt,
) -> Result<Response, ApiError> {
    match read.at.person(&person_ref).await? {
        Some(person) => Ok(axum::Json(person).into_response()),
        None => Err(ApiError::NotFound(format!("person {person_ref} does not exist"))),
    }
}

/// Adds members to a command's JSON answer, keeping its status and headers.
async fn with_members(response: Response, members: Value) -> Result<Response, ApiError> {
    let (mut parts, body) = response.into_parts();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    let bytes = axum::body::to_bytes(body, 1024 * 1024).await.map_err(|e| ApiError::Internal(e.into()))?;
    let mut document: Value = serde_json::from_slice(&bytes).map_err(|e| ApiError::Internal(e.into()))?;
    if let (Value::Object(document), Value::Object(members)) = (&mut document, members) {
        document.extend(members);
    }
    let body = serde_json::to_vec(&document).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Response::from_parts(parts, axum::body::Body::from(body)))
}
