//! The HTTP API under `/api/v1`: router, shared state and extractors.
//!
//! Commands are `POST`s on a resource or an action; reads are `GET`s; every resource has
//! `/history`. Errors are problem+json ([`error::ApiError`]). The OpenAPI document is
//! generated from the handlers' annotations ([`openapi`]).

pub mod actions;
pub mod auth;
pub mod csv;
pub mod decisions;
pub mod documents;
pub mod dossiers;
pub mod error;
pub mod gcg;
pub mod log;
pub mod meetings;
pub mod openapi;
pub mod pathfinders;
pub mod people;
pub mod programme;
pub mod questions;
pub mod tiles;
pub mod tokens;
pub mod witness;

use std::fmt::Display;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use ledger_store::proofs::Proofs;
use projections::read::Reads;
use serde::de::DeserializeOwned;

use serde::Deserialize;
use serde_json::Value;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::ToSchema;

use crate::pipeline::{CommandMeta, CommandOutcome, CommandService, Prepare};
use auth::Caller;
use domain::command::DomainCommand;
use error::ApiError;
use ledger_store::chaining::Envelope;
use ledger_store::Db;

/// Everything a handler needs.
#[derive(Clone)]
pub struct AppState {
    /// The database every read (and the bearer check) uses.
    pub db: Db,
    /// Whether this server records commands: [`AppState::commands`] is the one place that
    /// says so.
    pub mode: Mode,
    /// The ledger's public key (`name+id+base64`), served and put into dossiers.
    pub public_key: Arc<str>,
    pub reads: Reads,
    pub proofs: Proofs,
    pub witnesses: Arc<witness::WitnessPolicy>,
}

/// Whether a server records commands.
#[derive(Clone)]
pub enum Mode {
    /// It records commands, through this pipeline (and runs the sealer and projector).
    Writable(Arc<CommandService>),
    /// A read-only replica (`serve --read-only`): it records nothing and holds no signing
    /// key; commands go to the primary, at this URL when it was given.
    ReadOnly { primary: Option<Arc<str>> },
}

impl AppState {
    /// The command pipeline, or, on a read-only replica, the 503 it answers to every
    /// command (naming the primary). The one place that decides whether this server
    /// writes: [`refuse_writes_on_replica`] asks it for every request that is not a read.
    pub fn commands(&self) -> Result<&Arc<CommandService>, ApiError> {
        match &self.mode {
            Mode::Writable(commands) => Ok(commands),
            Mode::ReadOnly { primary } => Err(ApiError::ReadOnly { primary: primary.as_deref().map(str::to_string) }),
        }
    }

    /// True on a read-only replica: nothing may write, not even the bearer check's record
    /// of a token's last use.
    pub fn is_read_only(&self) -> bool {
        self.commands().is_err()
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// At most this many API requests run at once; the others wait their turn. A command may
/// hold two of the 32 pooled connections at once (its transaction and a read of facts),
/// and the sealer and projector need theirs: with 64 commands at once on PostgreSQL,
/// requests holding one connection waited out the pool's timeout for a second one and were
/// answered 503 (docs/BENCHMARKS.md, "Through HTTP"). Queued here they are served instead.
pub const CONCURRENT_REQUESTS: usize = 12;

/// The whole API.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/meetings", post(meetings::schedule).get(meetings::list))
        .route("/meetings/{id}", get(meetings::get_one))
        .route("/meetings/{id}/history", get(meetings::history))
        .route("/meetings/{id}/open", post(meetings::open))
        .route("/meetings/{id}/attendance", post(meetings::record_attendance))
        .route("/meetings/{id}/quorum", post(meetings::declare_quorum))
        .route("/meetings/{id}/close", post(meetings::close))
        .route("/meetings/{id}/decisions", post(decisions::propose))
        .route("/decisions", get(questions::decisions))
        .route("/decisions/written-procedures", get(questions::written_procedures))
        .route("/action-items", get(questions::action_items))
        .route("/gcg/attendance", get(questions::attendance))
        .route("/meetings/register", get(questions::register))
        .route("/pathfinders/stage-times", get(questions::stage_times))
        .route("/pathfinders/support-lost", get(questions::support_lost))
        .route("/partners/admissions", get(questions::admissions))
        .route("/audit/segregation", get(questions::segregation))
        .route("/decisions/{id}", get(decisions::get_one))
        .route("/decisions/{id}/history", get(decisions::history))
        .route("/decisions/{id}/positions", post(decisions::record_position))
        .route("/decisions/{id}/adopt", post(decisions::adopt))
        .route("/decisions/{id}/reject", post(decisions::reject))
        .route("/decisions/{id}/supersede", post(decisions::supersede))
        .route("/decisions/{id}/defer", post(decisions::defer))
        .route("/decisions/{id}/retable", post(decisions::retable))
        .route("/decisions/{id}/rescind", post(decisions::rescind))
        .route("/decisions/{id}/provenance", get(decisions::provenance))
        .route("/decisions/{id}/{action}", post(item_action::<domain::decision::Decision>))
        .route("/meetings/{id}/{action}", post(item_action::<domain::meeting::Meeting>))
        .route("/gcg", get(gcg::gcg))
        .route("/gcg/record", get(gcg::gcg_record))
        .route("/gcg/chairs", get(gcg::chairs))
        .route("/gcg/policies", get(gcg::policies))
        .route("/gcg/history", get(gcg::gcg_history))
        .route("/gcg/{action}", post(gcg::gcg_action))
        .route("/organisations", post(gcg::register_organisation).get(gcg::organisations))
        .route("/organisations/{id}", get(gcg::organisation))
        .route("/organisations/{id}/history", get(gcg::organisation_history))
        .route("/organisations/{id}/{action}", post(item_action::<domain::reference::Organisation>))
        .route("/countries", post(gcg::register_country).get(gcg::countries))
        .route("/countries/{id}", get(gcg::country))
        .route("/countries/{id}/history", get(gcg::country_history))
        .route("/groups", post(gcg::establish_group).get(gcg::groups))
        .route("/groups/{id}", get(gcg::group))
        .route("/groups/{id}/history", get(gcg::group_history))
        .route("/groups/{id}/{action}", post(item_action::<domain::group::Group>))
        .route("/partners", post(gcg::apply_partner).get(gcg::partners))
        .route("/partners/{id}", get(gcg::partner))
        .route("/partners/{id}/history", get(gcg::partner_history))
        .route("/partners/{id}/{action}", post(item_action::<domain::partner::Partner>))
        .route("/people", post(people::register))
        .route("/people/{id}", get(people::get_one))
        .route("/people/{id}/erase", post(people::erase))
        .route("/pathfinders", get(pathfinders::board))
        .route("/pathfinders/{id}", get(pathfinders::country))
        .route("/pathfinders/{id}/history", get(pathfinders::country_history))
        .route("/pathfinders/{id}/approvals", get(pathfinders::approvals))
        .route("/pathfinders/{id}/roadmaps", post(pathfinders::draft_roadmap))
        .route("/pathfinders/{id}/{action}", post(item_action::<domain::pathfinder::PathfinderCountry>))
        .route("/roadmaps/{id}", get(pathfinders::roadmap))
        .route("/roadmaps/{id}/history", get(pathfinders::roadmap_history))
        .route("/roadmaps/{id}/{action}", post(item_action::<domain::pathfinder::Roadmap>))
        .route("/reporting-cycles", post(pathfinders::launch_cycle).get(pathfinders::cycles))
        .route("/reporting-cycles/{id}", get(pathfinders::cycle))
        .route("/reporting-cycles/{id}/history", get(pathfinders::cycle_history))
        .route("/reporting-cycles/{id}/compliance", get(pathfinders::compliance))
        .route("/reporting-cycles/{id}/{action}", post(item_action::<domain::pathfinder::ReportingCycle>))
        .route("/reports/{id}", get(pathfinders::report))
        .route("/reports/{id}/history", get(pathfinders::report_history))
        .route("/reports/{id}/{action}", post(item_action::<domain::pathfinder::CountryReport>))
        .route("/programme", get(programme::the_programme))
        .route("/programme/history", get(programme::the_programme_history))
        .route("/programme/reallocations", get(programme::the_programme_reallocations))
        .route("/programme/monthly", get(programme::the_programme_monthly))
        .route("/programme/corrections", get(programme::the_programme_corrections))
        .route("/programme/iati.xml", get(programme::the_programme_iati))
        .route("/programmes", post(programme::establish))
        .route("/programmes/{id}", get(programme::programme))
        .route("/programmes/{id}/history", get(programme::programme_history))
        .route("/programmes/{id}/reallocations", get(programme::programme_reallocations))
        .route("/programmes/{id}/iati.xml", get(programme::programme_iati))
        .route("/programmes/{id}/{action}", post(item_action::<domain::programme::Programme>))
        .route("/donors", post(programme::register_donor).get(programme::donors))
        .route("/donors/{id}", get(programme::donor))
        .route("/donors/{id}/history", get(programme::donor_history))
        .route("/donors/{id}/trail", get(programme::donor_trail_of))
        .route("/contributions", post(programme::pledge).get(programme::contributions))
        .route("/contributions/{id}", get(programme::contribution))
        .route("/contributions/{id}/history", get(programme::contribution_history))
        .route("/contributions/{id}/{action}", post(item_action::<domain::programme::Contribution>))
        .route("/audit", get(log::audit))
        .route("/dossiers/{subject}", get(dossiers::get_dossier))
        .route("/dossiers/{subject}/documents", get(dossiers::get_dossier_documents))
        .route("/documents", post(documents::upload))
        .route("/documents/{sha256}", get(documents::download))
        .route("/documents/{sha256}/meta", get(documents::meta))
        .route("/ledger/checkpoint", get(log::checkpoint))
        .route("/ledger/checkpoints", get(log::checkpoints))
        .route("/ledger/checkpoints/{tree_size}/cosignatures", post(witness::add_cosignature))
        .route("/ledger/proofs/inclusion", get(log::inclusion_proof))
        .route("/ledger/proofs/consistency", get(log::consistency_proof))
        .route("/ledger/public-key", get(log::public_key))
        .route("/ledger/keys", get(log::keys))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}/revoke", post(tokens::revoke))
        .route("/access-log", get(tokens::access_log))
        .route("/openapi.json", get(openapi::serve))
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(CONCURRENT_REQUESTS));
    Router::new()
        .nest("/api/v1", api)
        .route("/health", get(log::health))
        .route("/ready", get(log::ready))
        .route("/metrics", get(log::metrics))
        .route("/checkpoint", get(tiles::checkpoint))
        .route("/tile/{*path}", get(tiles::tile))
        .route_layer(axum::middleware::from_fn(csv::negotiate))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), log_access))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), refuse_writes_on_replica))
        .route_layer(axum::middleware::from_fn(record_request))
        .merge(crate::web::router())
        .fallback(|| async { ApiError::NotFound("no such resource".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state)
        .layer(
            tower::ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
                    let request_id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %request_id)
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(axum::extract::DefaultBodyLimit::max(256 * 1024))
                .layer(axum::middleware::from_fn(edge_checks)),
        )
}

/// The SHA-256 of a request's JSON body, filled in by [`AppJson`] and read by
/// [`CommandHeaders`]: a replayed `Idempotency-Key` must come with the same body.
#[derive(Debug, Clone, Default)]
pub struct BodyDigest(Arc<std::sync::OnceLock<String>>);

impl BodyDigest {
    /// The digest of a body read by other means than [`AppJson`] (a form's line).
    pub fn of(bytes: &[u8]) -> Self {
        let cell = std::sync::OnceLock::new();
        let _ = cell.set(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes)));
        Self(Arc::new(cell))
    }
}

/// Counts a routed request and its latency by route template (`/api/v1/meetings/{id}`),
/// method and status.
async fn record_request(request: Request, next: axum::middleware::Next) -> Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = request.method().as_str().to_string();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    crate::metrics::observe_request(&method, &route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

/// Records every successful read by a `donor` or `auditor` token in the access log
/// ([`crate::access_log`]) before the answer leaves: a read that cannot be logged is not
/// served (503). The token is looked up once here and handed to the handler.
async fn log_access(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: Request,
    next: axum::middleware::Next,
) -> Response {
    let method = request.method().clone();
    if !(method == axum::http::Method::GET || method == axum::http::Method::HEAD) {
        return next.run(request).await;
    }
    let Ok(Some(caller)) = auth::bearer_caller(request.headers(), &state).await else {
        // No token, or a bad one: the handler answers (a bad token is its 401).
        return next.run(request).await;
    };
    if !crate::access_log::logged(&caller) {
        request.extensions_mut().insert(auth::Resolved(caller));
        return next.run(request).await;
    }
    if state.is_read_only() {
        // A replica cannot write the log, so it does not serve these reads.
        return state.commands().err().map(IntoResponse::into_response).unwrap_or_default();
    }
    let target = request.uri().path_and_query().map_or_else(|| request.uri().path().to_string(), |p| p.to_string());
    request.extensions_mut().insert(auth::Resolved(caller.clone()));
    let response = next.run(request).await;
    if !response.status().is_success() {
        return response;
    }
    match crate::access_log::record(&state.db, &caller, method.as_str(), &target, response.status().as_u16()).await {
        Ok(()) => response,
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Answers every request that is not a read (any method but GET, HEAD, OPTIONS and
/// TRACE) with the 503 of [`AppState::commands`] on a read-only replica, before
/// authentication or parsing: every command, the token administration and cosignatures
/// alike. It runs only on routes that exist, so an unknown path stays a 404 and a method a
/// route does not have a 405.
async fn refuse_writes_on_replica(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    if !request.method().is_safe() {
        if let Err(refusal) = state.commands() {
            return refusal.into_response();
        }
    }
    next.run(request).await
}

/// How long a request may take before it is answered 408.
const REQUEST_TIMEOUT_SECS: u64 = 30;
/// The longest request target (path and query) served; longer ones are answered 414.
const MAX_TARGET_BYTES: usize = 8 * 1024;
/// The most header bytes a request may carry; more are answered 431.
const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Checks every request before routing, each refusal problem+json: the target's length
/// (414), the headers' size (431), NUL (`%00`) anywhere in the path or query, which no
/// identifier or parameter may hold and PostgreSQL cannot store (400); and the time it
/// takes (408). It also gives the request its [`BodyDigest`] slot.
async fn edge_checks(mut request: Request, next: axum::middleware::Next) -> Response {
    let target = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or_default();
    if target.len() > MAX_TARGET_BYTES {
        return ApiError::UriTooLong(MAX_TARGET_BYTES).into_response();
    }
    let header_bytes: usize = request.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    if header_bytes > MAX_HEADER_BYTES {
        return ApiError::HeadersTooLarge(MAX_HEADER_BYTES).into_response();
    }
    if target.to_ascii_lowercase().contains("%00") {
        return ApiError::BadRequest("the path and query must not contain NUL (%00)".into()).into_response();
    }
    request.extensions_mut().insert(BodyDigest::default());
    match tokio::time::timeout(Duration::from_secs(REQUEST_TIMEOUT_SECS), next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Timeout(REQUEST_TIMEOUT_SECS).into_response(),
    }
}

/// The first number in a JSON value that is not an integer within ±(2^53−1), with its
/// path (`envelope.provenance.weight`, `items[2].amount`): such numbers do not survive
/// canonical JSON (RFC 8785) exactly, so the ledger refuses them.
fn unsafe_number(value: &Value, path: &str) -> Option<String> {
    const MAX_SAFE: u64 = (1 << 53) - 1;
    let here = |key: &str| if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
    match value {
        Value::Number(n) => {
            let safe =
                n.as_u64().is_some_and(|v| v <= MAX_SAFE) || n.as_i64().is_some_and(|v| v.unsigned_abs() <= MAX_SAFE);
            (!safe).then(|| if path.is_empty() { "the body".to_string() } else { path.to_string() })
        }
        Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, item)| unsafe_number(item, &format!("{path}[{i}]")))
        }
        Value::Object(fields) => fields.iter().find_map(|(key, item)| unsafe_number(item, &here(key))),
        _ => None,
    }
}

/// `Json` whose rejections are problem+json (400, 413 or 415); it also records the body's
/// digest and refuses NUL characters, which PostgreSQL's JSON cannot store.
#[derive(Debug)]
pub struct AppJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim().to_ascii_lowercase();
                v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let digest = req.extensions().get::<BodyDigest>().cloned();
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest(rejection.body_text())
            }
        })?;
        if bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
            return Err(ApiError::BadRequest("strings must not contain NUL (\\u0000) characters".into()));
        }
        if let Some(BodyDigest(cell)) = digest {
            let _ = cell.set(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)));
        }
        if let Ok(parsed) = serde_json::from_slice::<Value>(&bytes) {
            if let Some(field) = unsafe_number(&parsed, "") {
                return Err(ApiError::BadRequest(format!(
                    "`{field}` must be an integer between -(2^53-1) and 2^53-1: the ledger stores no fractions \
                     or larger numbers (money is in integer minor units)"
                )));
            }
        }
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes)?;
        Ok(AppJson(value))
    }
}

/// `Path` whose rejections are problem+json.
#[derive(Debug)]
pub struct AppPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for AppPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(value) = axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(AppPath(value))
    }
}

/// `Query` whose rejections are problem+json.
#[derive(Debug)]
pub struct AppQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for AppQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) = axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(AppQuery(value))
    }
}

/// Headers every command reads: request id, `Idempotency-Key`, `If-Match`, `Prefer`.
#[derive(Debug, Clone)]
pub struct CommandHeaders {
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
    pub expected_version: Option<u64>,
    /// `Prefer: wait=sealed`: answer only once the events are sealed, with receipts.
    pub wait_sealed: bool,
    /// The body's digest, once [`AppJson`] has read it.
    pub body_digest: BodyDigest,
}

impl<S: Send + Sync> FromRequestParts<S> for CommandHeaders {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let text = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let idempotency_key = text("idempotency-key");
        if idempotency_key.as_ref().is_some_and(|k| k.is_empty() || k.len() > 200) {
            return Err(ApiError::BadRequest("Idempotency-Key must be 1 to 200 characters".into()));
        }
        let expected_version =
            match text("if-match") {
                None => None,
                Some(v) => {
                    Some(v.trim().trim_start_matches("W/").trim_matches('"').parse::<u64>().map_err(|_| {
                        ApiError::BadRequest("If-Match must be the aggregate version, e.g. \"3\"".into())
                    })?)
                }
            };
        let wait_sealed = text("prefer").is_some_and(|p| p.split([',', ';']).any(|part| part.trim() == "wait=sealed"));
        let body_digest = parts.extensions.get::<BodyDigest>().cloned().unwrap_or_default();
        Ok(CommandHeaders {
            request_id: text("x-request-id"),
            idempotency_key,
            expected_version,
            wait_sealed,
            body_digest,
        })
    }
}

/// What a caller may add to the envelope of the events a command records.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeInput {
    /// Why the command is legitimate, e.g. `{"kind": "decision", "decision_id": "GCG-19-D04"}`.
    #[schema(value_type = Object)]
    pub authority: Option<Value>,
    /// When it happened (`YYYY-MM-DD` or RFC 3339), if not the command's own business date.
    pub occurred_at: Option<String>,
    /// Why it was recorded (e.g. a backfill from the meeting report).
    pub reason: Option<String>,
    /// Supporting documents: `[{"sha256": "<64 hex>", "title": "...", "url": "..."}]`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub evidence: Vec<Value>,
    /// Confidence: `{"confidence": "S|P|I|U|X", "note": "..."}`; `X` marks an invented value.
    #[schema(value_type = Object)]
    pub provenance: Option<Value>,
}

impl EnvelopeInput {
    /// Checks the input and builds the command's metadata.
    pub fn into_meta(self, caller: &Caller, headers: &CommandHeaders) -> Result<CommandMeta, ApiError> {
        if let Some(at) = &self.occurred_at {
            let valid = chrono::NaiveDate::parse_from_str(at, "%Y-%m-%d").is_ok()
                || chrono::DateTime::parse_from_rfc3339(at).is_ok();
            if !valid {
                return Err(ApiError::BadRequest("envelope.occurred_at must be YYYY-MM-DD or RFC 3339".into()));
            }
        }
        for item in &self.evidence {
            let ok = item
                .get("sha256")
                .and_then(Value::as_str)
                .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
            if !ok {
                return Err(ApiError::BadRequest(
                    "each evidence item needs a \"sha256\" of 64 lowercase hex digits".into(),
                ));
            }
        }
        if let Some(provenance) = &self.provenance {
            let ok = provenance
                .get("confidence")
                .and_then(Value::as_str)
                .is_some_and(|c| ["S", "P", "I", "U", "X"].contains(&c));
            if !ok {
                return Err(ApiError::BadRequest("provenance.confidence must be one of S, P, I, U, X".into()));
            }
        }
        if self.authority.as_ref().is_some_and(|a| !a.is_object()) {
            return Err(ApiError::BadRequest("envelope.authority must be an object".into()));
        }
        Ok(CommandMeta {
            envelope: Envelope {
                actor: caller.subject.clone(),
                role: caller.role.clone(),
                command: None,
                authority: self.authority,
                occurred_at: self.occurred_at,
                recorded_at: String::new(),
                request_id: headers.request_id.clone(),
                // Keys are scoped to the caller: one caller's key never replays another's command.
                idempotency_key: headers
                    .idempotency_key
                    .as_ref()
                    .map(|key| format!("{}:{}:{key}", caller.subject.len(), caller.subject)),
                request_digest: headers.idempotency_key.as_ref().and_then(|_| headers.body_digest.0.get().cloned()),
                reason: self.reason,
                evidence: self.evidence,
                provenance: self.provenance,
            },
            expected_version: headers.expected_version,
        })
    }
}

/// A recorded command: 201 or 200 with the receipts and the new version as `ETag`.
///
/// With `Prefer: wait=sealed` the answer waits (up to 10 s) until every event has a ledger
/// position, and each receipt then carries its position, inclusion proof and the signed
/// checkpoint it is proven against.
pub async fn respond(
    state: &AppState,
    headers: &CommandHeaders,
    status: StatusCode,
    outcome: CommandOutcome,
) -> Result<Response, ApiError> {
    let status = if outcome.replayed { StatusCode::OK } else { status };
    let mut body = serde_json::to_value(&outcome).map_err(|e| ApiError::Internal(e.into()))?;
    let mut sealed = false;
    if headers.wait_sealed {
        if let Some(receipts) = sealed_receipts(state, &outcome).await? {
            body["receipts"] = Value::Array(receipts);
            sealed = true;
        }
    }
    let etag = HeaderValue::from_str(&format!("\"{}\"", outcome.version)).unwrap_or(HeaderValue::from_static("\"0\""));
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(axum::http::header::ETAG, etag);
    if outcome.replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    if sealed {
        response.headers_mut().insert("preference-applied", HeaderValue::from_static("wait=sealed"));
    }
    Ok(response)
}

/// Waits for the outcome's events to be sealed; `None` if that takes longer than 10 s.
async fn sealed_receipts(state: &AppState, outcome: &CommandOutcome) -> Result<Option<Vec<Value>>, ApiError> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut positions = Vec::with_capacity(outcome.events.len());
    for receipt in &outcome.events {
        let sequence = i64::try_from(receipt.sequence).unwrap_or(i64::MAX);
        loop {
            let found = state
                .proofs
                .position_of(&receipt.aggregate_type, &receipt.aggregate_id, sequence)
                .await
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
            if let Some(position) = found {
                positions.push(position);
                break;
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
            if let Ok(commands) = state.commands() {
                commands.sealer_wake.notify_one();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    // The sealer signs a checkpoint in the same transaction as the positions it assigns.
    let Some(checkpoint) = state.reads.latest_checkpoint().await? else { return Ok(None) };
    let mut receipts = Vec::with_capacity(positions.len());
    for (receipt, position) in outcome.events.iter().zip(positions) {
        let proof = log::inclusion_against(state, position, &checkpoint).await?;
        receipts.push(serde_json::json!({
            "aggregate_type": receipt.aggregate_type,
            "aggregate_id": receipt.aggregate_id,
            "sequence": receipt.sequence,
            "position": position,
            "hash": receipt.hash,
            "signature": receipt.signature,
            "inclusion_proof": proof,
        }));
    }
    Ok(Some(receipts))
}

/// The documentation of `?as_of=YYYY-MM-DD&known_at=POSITION`, the moment every read of
/// state accepts (parsed by [`ReadAt`], which refuses any parameter the read does not take).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// The business date (default: today, UTC): only what was in effect on that day.
    pub as_of: Option<chrono::NaiveDate>,
    /// A ledger position (default: the head): only what had been recorded at or before it;
    /// beyond the head is a 400.
    pub known_at: Option<i64>,
}

/// The parameters a read takes besides `as_of` and `known_at`: their names (any other is
/// refused with 400) and their values. A read's parameters are deserialised from the whole
/// query, so the type must not deny unknown fields (the names are checked here first).
pub trait ReadParams: DeserializeOwned + Send {
    /// The names of the read's own parameters.
    const NAMES: &'static [&'static str];
}

/// A read that takes nothing besides `as_of` and `known_at`.
#[derive(Debug, Deserialize)]
pub struct NoParams {}

impl ReadParams for NoParams {
    const NAMES: &'static [&'static str] = &[];
}

/// Every read of state: the moment it is computed for (`?as_of=&known_at=`, resolved
/// against the ledger's head by [`projections::read::Reads::at`]) and the read's own
/// parameters. An unknown or repeated parameter, a malformed date or position and a
/// `known_at` beyond the head are 400s that name the parameter.
#[derive(Debug)]
pub struct ReadAt<T = NoParams> {
    pub at: projections::read::At,
    pub params: T,
}

impl<T: ReadParams> FromRequestParts<AppState> for ReadAt<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(pairs) = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)?;
        let mut as_of = None;
        let mut known_at = None;
        for (name, value) in &pairs {
            match name.as_str() {
                "as_of" | "known_at" if pairs.iter().filter(|(n, _)| n == name).count() > 1 => {
                    return Err(ApiError::BadRequest(format!("query parameter `{name}` is given more than once")));
                }
                "as_of" => {
                    as_of = Some(chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|e| {
                        ApiError::BadRequest(format!(
                            "query parameter `as_of`: {e} (dates are YYYY-MM-DD, e.g. 2026-06-16)"
                        ))
                    })?);
                }
                "known_at" => {
                    known_at = Some(value.parse::<i64>().map_err(|_| {
                        ApiError::BadRequest(format!(
                            "query parameter `known_at` must be a ledger position (an integer), not {value:?}"
                        ))
                    })?);
                }
                other if T::NAMES.contains(&other) => {}
                other => {
                    let accepted: Vec<String> =
                        ["as_of", "known_at"].iter().chain(T::NAMES).map(|n| format!("`{n}`")).collect();
                    return Err(ApiError::BadRequest(format!(
                        "unknown query parameter `{other}`: this read accepts {}",
                        accepted.join(", ")
                    )));
                }
            }
        }
        let axum::extract::Query(params) = axum::extract::Query::<T>::try_from_uri(&parts.uri)?;
        let today = crate::pipeline::today();
        let reader = auth::MaybeCaller::from_request_parts(parts, state).await?.reader();
        let at = state.reads.at(as_of.unwrap_or(today), known_at, today, &reader).await.map_err(|e| match e {
            projections::read::AtError::Moment(e) => ApiError::BadRequest(e.to_string()),
            projections::read::AtError::Db(e) => ApiError::from(e),
        })?;
        Ok(ReadAt { at, params })
    }
}

/// `Ledger-As-Of` and `Ledger-Known-At`: the moment an answer was computed for.
pub fn moment_headers(response: &mut Response, moment: &projections::time::Moment) {
    if let Ok(value) = HeaderValue::from_str(&moment.as_of.to_string()) {
        response.headers_mut().insert("ledger-as-of", value);
    }
    if let Some(known_at) = moment.known_at {
        response.headers_mut().insert("ledger-known-at", HeaderValue::from(known_at));
    }
}

/// An answer to a read of state: the body with its moment and planned fields stated
/// ([`projections::time::stamp`]), and the moment in the headers.
pub fn answer(at: &projections::read::At, body: Value, planned: &[&str]) -> Response {
    let mut response = axum::Json(projections::time::stamp(body, &at.moment, planned)).into_response();
    moment_headers(&mut response, &at.moment);
    response
}

/// A singleton's answer: its body, or `{"exists": false}` when it did not exist at the moment.
pub fn answer_or_absent(at: &projections::read::At, body: Option<Value>, planned: &[&str]) -> Response {
    match body {
        Some(body) => answer(at, body, planned),
        None => answer(at, projections::time::absent(&at.moment), &[]),
    }
}

/// A 404 for something that did not exist at the read's moment (the same answer whether
/// or not it came to exist later).
pub fn not_found_at(at: &projections::read::At, what: &str) -> ApiError {
    let known = at.moment.known_at.map_or("nothing recorded".to_string(), |k| format!("known at position {k}"));
    ApiError::NotFound(format!("{what} does not exist as of {} ({known})", at.moment.as_of))
}

/// Paging through a list: `?after=<last id seen>&limit=N` (default 100, at most 1000).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Return the documents after this id (the last one of the previous page).
    pub after: Option<String>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<i64>,
}

impl ReadParams for PageQuery {
    const NAMES: &'static [&'static str] = &["after", "limit"];
}

/// Percent-encodes a path segment or query value (everything but unreserved characters).
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// One page of a view as of the read's moment, as `items`, with `Link: <…>; rel="next"`
/// (at the same moment) when there is more.
pub async fn page(
    at: &projections::read::At,
    view: &str,
    path: &str,
    query: &PageQuery,
    planned: &[&str],
) -> Result<Response, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be between 1 and 1000".into()));
    }
    let (documents, next) = at.documents(view, query.after.as_deref().unwrap_or(""), limit).await?;
    let mut response = answer(at, Value::Array(documents), planned);
    if let Some(next) = next {
        link_next(&mut response, at, path, &next, limit);
    }
    Ok(response)
}

/// `Link: rel=next` to the page of a list after the id `next`, at the same moment.
pub fn link_next(response: &mut Response, at: &projections::read::At, path: &str, next: &str, limit: impl Display) {
    let known = at.moment.known_at.map(|k| format!("&known_at={k}")).unwrap_or_default();
    let separator = if path.contains('?') { '&' } else { '?' };
    let link = format!(
        "<{path}{separator}after={}&limit={limit}&as_of={}{known}>; rel=\"next\"",
        encode(next),
        at.moment.as_of
    );
    if let Ok(link) = HeaderValue::from_str(&link) {
        response.headers_mut().insert(axum::http::header::LINK, link);
    }
}

/// A view document as of the read's moment with its version as `ETag`, or 404.
pub fn found(
    at: &projections::read::At,
    kind: &str,
    id: &str,
    document: Option<Value>,
    planned: &[&str],
) -> Result<Response, ApiError> {
    let document = document.ok_or_else(|| not_found_at(at, &format!("{kind} {id}")))?;
    let version = document.get("version").and_then(Value::as_u64).unwrap_or_default();
    let mut response = answer(at, document, planned);
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(axum::http::header::ETAG, etag);
    }
    Ok(response)
}

/// A command body split into the command (tagged with the action the path names) and its
/// envelope. An action the command type does not have is a 404; a malformed body a 400.
pub fn split_command<C: DeserializeOwned>(action: &str, body: Value) -> Result<(C, EnvelopeInput), ApiError> {
    let Value::Object(mut fields) = body else {
        return Err(ApiError::BadRequest("the body must be a JSON object".into()));
    };
    let envelope = match fields.remove("envelope") {
        None | Some(Value::Null) => EnvelopeInput::default(),
        Some(value) => serde_json::from_value(value).map_err(|e| ApiError::malformed(format!("envelope: {e}")))?,
    };
    if fields.contains_key("command") {
        return Err(ApiError::BadRequest(
            "the path names the command; the body must not have a \"command\" field".into(),
        ));
    }
    fields.insert("command".into(), Value::String(action.to_string()));
    match serde_json::from_value::<C>(Value::Object(fields)) {
        Ok(command) => Ok((command, envelope)),
        Err(e) if e.to_string().starts_with("unknown variant") => {
            Err(ApiError::NotFound(format!("no such action `{action}` here ({e})")))
        }
        Err(e) => Err(ApiError::malformed(e.to_string())),
    }
}

/// Runs one generic action on the aggregate `id`: splits the body into the command and
/// its envelope, and sends it down the command pipeline.
pub async fn run_action<A>(
    state: &AppState,
    caller: &Caller,
    headers: &CommandHeaders,
    id: &str,
    action: &str,
    body: Value,
    status: StatusCode,
) -> Result<Response, ApiError>
where
    A: Prepare,
    A::Command: DeserializeOwned + DomainCommand + Send,
{
    let (command, envelope) = split_command::<A::Command>(action, body)?;
    run_command::<A>(state, caller, headers, id, command, envelope, status).await
}

/// `POST /<resource>/{id}/{action}` for the aggregate type `A`: any generic action of its
/// command enum served on the item path ([`actions::on_item`]), sent down the pipeline.
pub async fn item_action<A>(
    axum::extract::State(state): axum::extract::State<AppState>,
    auth::Secretariat(caller): auth::Secretariat,
    headers: CommandHeaders,
    AppPath((id, action)): AppPath<(String, String)>,
    AppJson(body): AppJson<Value>,
) -> Result<Response, ApiError>
where
    A: Prepare,
    A::Command: DeserializeOwned + DomainCommand + Send,
{
    let full = std::any::type_name::<A::Command>();
    let schema = full.rsplit("::").next().unwrap_or(full);
    let status = actions::on_item(schema, &action)?;
    run_action::<A>(&state, &caller, &headers, &id, &action, body, status).await
}

/// Sends a parsed command down the command pipeline and answers with its receipts.
pub async fn run_command<A>(
    state: &AppState,
    caller: &Caller,
    headers: &CommandHeaders,
    id: &str,
    command: A::Command,
    envelope: EnvelopeInput,
    status: StatusCode,
) -> Result<Response, ApiError>
where
    A: Prepare,
    A::Command: DomainCommand + Send,
{
    let meta = envelope.into_meta(caller, headers)?;
    let outcome = state.commands()?.execute::<A>(id, command, meta).await?;
    respond(state, headers, status, outcome).await
}

/// Every document of a view as of the read's moment, parsed (views that stay small:
/// groups, partners, countries).
pub async fn all_documents<T: DeserializeOwned>(at: &projections::read::At, view: &str) -> Result<Vec<T>, ApiError> {
    let mut after = String::new();
    let mut out = Vec::new();
    loop {
        let (documents, next) = at.documents(view, &after, 1000).await?;
        for document in documents {
            out.push(serde_json::from_value(document).map_err(|e| ApiError::Internal(e.into()))?);
        }
        match next {
            Some(n) => after = n,
            None => return Ok(out),
        }
    }
}

/// The audit history of one aggregate as of the read's moment, as `items`; 404 when
/// nothing had been recorded about it by then.
pub async fn history_of(at: &projections::read::At, kind: &str, id: &str) -> Result<Response, ApiError> {
    let rows = at.history(kind, id).await?;
    if rows.is_empty() {
        return Err(not_found_at(at, &format!("the history of {kind} {id}")));
    }
    Ok(answer(
        at,
        serde_json::to_value(rows).map_err(|e| ApiError::Internal(e.into()))?,
        projections::time::planned::HISTORY,
    ))
}
