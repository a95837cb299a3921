//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use serde_json::{json, Value};

use super::{decisions, dossiers, gcg, log, meetings, EnvelopeInput};

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
        super::questions::decisions, super::questions::written_procedures, super::questions::action_items,
        super::questions::attendance, super::questions::register, super::questions::stage_times, super::questions::support_lost,
        super::questions::admissions, super::questions::segregation, decisions::get_one, decisions::history,
        decisions::defer, decisions::retable, decisions::rescind, decisions::provenance,
        gcg::gcg, gcg::gcg_record, gcg::chairs, gcg::policies, gcg::gcg_history,
        gcg::organisations, gcg::organisation, gcg::organisation_history,
        gcg::countries, gcg::country, gcg::country_history,
        gcg::groups, gcg::group, gcg::group_history,
        gcg::partners, gcg::partner, gcg::partner_history,
        super::people::register, super::people::get_one, super::people::erase,
        super::pathfinders::board, super::pathfinders::country, super::pathfinders::approvals, super::pathfinders::country_history,
        super::pathfinders::roadmap, super::pathfinders::roadmap_history, super::pathfinders::cycles, super::pathfinders::cycle,
        super::pathfinders::cycle_history, super::pathfinders::compliance, super::pathfinders::report, super::pathfinders::report_history,
        super::programme::the_programme, super::programme::programme, super::programme::the_programme_history, super::programme::programme_history,
        super::programme::the_programme_reallocations, super::programme::the_programme_monthly, super::programme::the_programme_corrections, super::programme::programme_reallocations, super::programme::the_programme_iati, super::programme::programme_iati,
        super::programme::donors, super::programme::donor, super::programme::donor_history, super::programme::donor_trail_of,
        super::programme::contributions, super::programme::contribution, super::programme::contribution_history,
        log::checkpoint, log::checkpoints, super::witness::add_cosignature, log::inclusion_proof, log::consistency_proof, log::public_key, log::audit, dossiers::get_dossier, log::health, log::ready, log::metrics,
        super::tokens::list, super::tokens::create, super::tokens::revoke, super::tokens::access_log, super::tiles::checkpoint, super::tiles::tile,
    ),
    components(schemas(EnvelopeInput, super::witness::Cosignature, crate::pipeline::CommandOutcome, ledger_store::chaining::Receipt)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// The schema of one variant of an internally tagged command enum (tag `command`),
/// without the tag: the request body of that command's action.
fn variant_schema(schema: &Value, command: &str) -> Option<Value> {
    let variants = schema.get("oneOf")?.as_array()?;
    variants.iter().find_map(|variant| {
        let candidates: Vec<&Value> = match variant.get("allOf").and_then(Value::as_array) {
            Some(parts) => parts.iter().collect(),
            None => vec![variant],
        };
        let has_tag = candidates.iter().any(|c| {
            c.pointer("/properties/command/enum")
                .and_then(Value::as_array)
                .is_some_and(|e| e.iter().any(|v| v == command))
        });
        if !has_tag {
            return None;
        }
        let mut body = json!({"type": "object", "properties": {}, "required": []});
        for part in candidates {
            if let Some(properties) = part.get("properties").and_then(Value::as_object) {
                for (name, property) in properties.iter().filter(|(n, _)| n.as_str() != "command") {
                    body["properties"][name] = property.clone();
                }
            }
            if let Some(required) = part.get("required").and_then(Value::as_array) {
                for name in required.iter().filter(|n| n.as_str() != Some("command")) {
                    body["required"].as_array_mut().expect("made above").push(name.clone());
                }
            }
        }
        body["properties"]["envelope"] = json!({"$ref": "#/components/schemas/EnvelopeInput"});
        Some(body)
    })
}

type ComponentSchemas = Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>;

/// The schemas the command enums refer to, and each command enum's own schema by its short
/// name (`MeetingCommand`). Every one is a [`domain::command::DomainCommand`]: it states
/// its business date.
fn command_schemas() -> (ComponentSchemas, Vec<(&'static str, Value)>) {
    use utoipa::{PartialSchema, ToSchema};
    fn dated<T: domain::command::DomainCommand>() {}
    let mut schemas: ComponentSchemas = Vec::new();
    let mut enums: Vec<(&'static str, Value)> = Vec::new();
    macro_rules! command_schema {
        ($($ty:ty),*) => {$(
            dated::<$ty>();
            <$ty as ToSchema>::schemas(&mut schemas);
            let full = stringify!($ty);
            let short = full.rsplit("::").next().unwrap_or(full).trim();
            enums.push((short, serde_json::to_value(<$ty as PartialSchema>::schema()).unwrap_or_default()));
        )*};
    }
    command_schema!(
        domain::body::BodyCommand,
        domain::group::GroupCommand,
        domain::partner::PartnerCommand,
        domain::reference::OrganisationCommand,
        domain::reference::CountryCommand,
        domain::meeting::MeetingCommand,
        domain::decision::DecisionCommand,
        domain::pathfinder::country::PfcCommand,
        domain::pathfinder::roadmap::RoadmapCommand,
        domain::pathfinder::cycle::CycleCommand,
        domain::pathfinder::report::ReportCommand,
        domain::programme::budget::ProgrammeCommand,
        domain::programme::contribution::ContributionCommand,
        domain::programme::donor::DonorCommand
    );
    (schemas, enums)
}

/// Each command enum's schema by its short name (for the route registry's tidy test).
pub fn command_enums() -> Vec<(&'static str, Value)> {
    command_schemas().1
}

/// The whole document: the annotated handlers plus one path per governance action, each
/// with the request schema of its command.
pub fn document() -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_else(|_| json!({}));
    let (schemas, enums) = command_schemas();
    for (name, schema) in schemas {
        doc["components"]["schemas"][name] = serde_json::to_value(schema).unwrap_or_default();
    }
    for action in super::actions::all() {
        let Some((_, schema)) = enums.iter().find(|(name, _)| *name == action.schema) else { continue };
        let Some(body) = variant_schema(schema, action.command) else { continue };
        let mut parameters = Vec::new();
        if action.path.contains("{id}") {
            parameters.push(json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}));
        }
        doc["paths"][action.path]["post"] = json!({
            "tags": [action.tag],
            "summary": action.summary,
            "operationId": format!("{}_{}", action.schema.trim_end_matches("Command").to_lowercase(), action.command),
            "parameters": parameters,
            "security": [{"bearer": []}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": body}}},
            "responses": {
                "200": {"description": "recorded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CommandOutcome"}}}},
                "201": {"description": "created"},
                "400": {"description": "malformed (problem+json)"},
                "401": {"description": "no valid token"},
                "403": {"description": "not the secretariat"},
                "404": {"description": "no such resource"},
                "409": {"description": "stale If-Match or concurrent write"},
                "422": {"description": "refused by a domain rule, named in `rule`"}
            }
        });
    }
    doc
}

/// Serves the document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "this document", body = Object)))]
pub async fn serve() -> Json<Value> {
    Json(document())
}
