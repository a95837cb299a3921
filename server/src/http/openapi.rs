//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{decisions, dossiers, ledger, meetings, EnvelopeInput};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "Alliance 8.7 Accountability Ledger", version = "1",
        description = "Hash-chained, append-only record of Alliance 8.7 governance. Errors are RFC 9457 problem+json with a stable `code`; refusals by a domain rule are 422 and name the `rule`."),
    paths(
        meetings::schedule, meetings::open, meetings::record_attendance, meetings::declare_quorum, meetings::close,
        meetings::list, meetings::get_one, meetings::history,
        decisions::propose, decisions::record_position, decisions::adopt, decisions::reject, decisions::supersede,
        decisions::list, decisions::get_one, decisions::history,
        ledger::checkpoint, ledger::checkpoints, super::witness::add_cosignature, ledger::inclusion_proof, ledger::consistency_proof, ledger::public_key, ledger::audit, dossiers::get_dossier, ledger::health, ledger::ready, ledger::metrics,
    ),
    components(schemas(EnvelopeInput, super::witness::Cosignature, crate::app::CommandOutcome, crate::store::Receipt)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// Serves the document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "this document", body = Object)))]
pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
