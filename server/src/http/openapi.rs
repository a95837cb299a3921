//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::schema::{
    AdditionalProperties, AllOfBuilder, ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat,
    SchemaType, Type,
};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
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
        log::checkpoint, log::checkpoints, super::witness::add_cosignature, log::inclusion_proof, log::consistency_proof, log::public_key, log::keys, log::audit, dossiers::get_dossier, dossiers::get_dossier_documents, log::health, log::ready, log::metrics,
        super::documents::upload, super::documents::download, super::documents::meta,
        super::tokens::list, super::tokens::create, super::tokens::revoke, super::tokens::access_log, super::tiles::checkpoint, super::tiles::tile,
    ),
    components(schemas(EnvelopeInput, super::witness::Cosignature, crate::pipeline::CommandOutcome, ledger_store::chaining::Receipt,
        super::error::Problem, Stamped, StampedList, History, Person, PersonRegistered, PersonErased,
        Segregation, Absent, StampedListOrAbsent, super::log::Readiness)),
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

/// Declares a schema the Rust code has no type for (the answer is a JSON document built at
/// run time): a unit type whose [`utoipa::ToSchema`] is the schema built, so that a handler's
/// annotation can name it (`body = Stamped`), with the component schemas it refers to.
macro_rules! built_schema {
    ($(#[$doc:meta])* $name:ident => $schema:expr; refers $($dep:ty),*) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $schema.into()
            }
        }

        impl utoipa::ToSchema for $name {
            // A schema that refers to no other has nothing to add.
            #[allow(unused_variables)]
            fn schemas(schemas: &mut ComponentSchemas) {
                $(
                    schemas.push((<$dep as utoipa::ToSchema>::name().into(), <$dep as utoipa::PartialSchema>::schema()));
                    <$dep as utoipa::ToSchema>::schemas(schemas);
                )*
            }
        }
    };
}

/// A `$ref` to the component schema of `T`.
fn reference<T: utoipa::ToSchema>() -> Ref {
    Ref::from_schema_name(T::name())
}

fn typed(ty: impl Into<SchemaType>, description: &str) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(ty).description(Some(description))
}

fn strings(description: &str) -> ArrayBuilder {
    ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String)).description(Some(description))
}

/// The members every read of state adds to its answer ([`projections::time::stamp`]), in an
/// object that allows the view's own members beside them.
fn moment(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(description))
        .property(
            "as_of",
            typed(Type::String, "the business date of the answer")
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        )
        .required("as_of")
        .property(
            "known_at",
            typed(
                SchemaType::Array(vec![Type::Integer, Type::Null]),
                "the ledger position of the answer; null before anything was recorded",
            )
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))),
        )
        .required("known_at")
        .property("planned_fields", strings("JSON pointer patterns of the fields that are plans, not facts"))
        .required("planned_fields")
        .property(
            "recorded_fields",
            strings("JSON pointer patterns of the fields that are recording times, bounded by `known_at`"),
        )
        .required("recorded_fields")
        .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(true)))
}

built_schema! {
    /// What a read of state answers ([`projections::time::stamp`]): the view's own members
    /// beside the moment it was computed for and which of its fields are planned or recorded
    /// times.
    Stamped => moment(
        "An answer computed for a moment (docs/API.md, The time contract): the view's own members with `as_of`, \
         `known_at`, `planned_fields` and `recorded_fields`. A singleton that did not exist at the moment is \
         `exists: false` with the same four members.",
    )
    .property("exists", typed(Type::Boolean, "false for a singleton that did not exist at the moment"));
    refers
}

built_schema! {
    /// A list answer of a read of state: its rows as `items`, beside the moment.
    StampedList => moment(
        "A list computed for a moment: the rows as `items` (the rows of its CSV), with `as_of`, `known_at`, \
         `planned_fields`, `recorded_fields` and any members the answer adds (`pending`, `medians`, …).",
    )
    .property("items", ArrayBuilder::new().items(ObjectBuilder::new()).description(Some("the rows")))
    .required("items");
    refers
}

built_schema! {
    /// A singleton that did not exist at the moment ([`projections::time::absent`]).
    Absent => moment("Nothing existed at the moment: `exists: false` with the moment's members.")
        .property("exists", typed(Type::Boolean, "always false").enum_values(Some([false])))
        .required("exists")
        .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)));
    refers
}

built_schema! {
    /// A list that is computed from a singleton (the programme, the GCG), or `exists: false`
    /// before that singleton existed.
    StampedListOrAbsent => OneOfBuilder::new()
        .item(reference::<StampedList>())
        .item(reference::<Absent>())
        .description(Some("the rows as `items`, or `exists: false` when what they are computed from did not exist"));
    refers StampedList, Absent
}

built_schema! {
    /// The audit history of one resource, as the reader may see it.
    History => moment(
        "The audit history of a resource as `items`, oldest first: each event whole, or redacted to its head \
         where the reader may not read it; with `as_of`, `known_at`, `planned_fields` and `recorded_fields`.",
    )
    .property("items", ArrayBuilder::new().items(reference::<projections::lens::ShownEntry>()))
    .required("items");
    refers projections::lens::ShownEntry
}

built_schema! {
    /// A person as the reader may see them ([`projections::lens::personal::person`]).
    Person => ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("person_ref", typed(Type::String, "`person:…`"))
        .required("person_ref")
        .property("country", typed(Type::String, "ISO3"))
        .required("country")
        .property("commitment", typed(Type::String, "the salted commitment the ledger records"))
        .required("commitment")
        .property("registered_at", typed(Type::String, "when the register recorded the person"))
        .required("registered_at")
        .property("status", typed(Type::String, "`registered` or `erased`").enum_values(Some(["registered", "erased"])))
        .required("status")
        .property("erased_at", typed(SchemaType::Array(vec![Type::String, Type::Null]), "once erased"))
        .property("erasure_reason_ref", typed(SchemaType::Array(vec![Type::String, Type::Null]), "once erased"))
        .property(
            "personal_data",
            OneOfBuilder::new()
                .description(Some(
                    "the clear values, for the Secretariat and the country's focal point; `erased` once erased",
                ))
                .item(ObjectBuilder::new().schema_type(Type::Object).additional_properties(Some(
                    ObjectBuilder::new().schema_type(SchemaType::Array(vec![Type::String, Type::Null])),
                )))
                .item(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["erased"]))),
        )
        .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)));
    refers
}

built_schema! {
    /// A person's registration: the command's outcome with the reference and commitment.
    PersonRegistered => AllOfBuilder::new()
        .item(reference::<crate::pipeline::CommandOutcome>())
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property("person_ref", typed(Type::String, "`person:…`"))
                .required("person_ref")
                .property("commitment", typed(Type::String, "the salted commitment the ledger records"))
                .required("commitment"),
        );
    refers crate::pipeline::CommandOutcome
}

built_schema! {
    /// A person's erasure: the command's outcome with the reference and `status: erased`.
    PersonErased => AllOfBuilder::new()
        .item(reference::<crate::pipeline::CommandOutcome>())
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property("person_ref", typed(Type::String, "`person:…`"))
                .required("person_ref")
                .property("status", typed(Type::String, "always `erased`").enum_values(Some(["erased"])))
                .required("status"),
        );
    refers crate::pipeline::CommandOutcome
}

built_schema! {
    /// The segregation-of-duties report (not computed for a moment: it reads the whole
    /// audit history the reader may see).
    Segregation => ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            "items",
            ArrayBuilder::new().items(
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .property("rule", typed(Type::String, "which duty was not segregated"))
                    .required("rule")
                    .property("actor", typed(Type::String, "who recorded both"))
                    .required("actor"),
            ),
        )
        .required("items")
        .property("events_read", typed(Type::Integer, "how many events the reader could read").minimum(Some(0)))
        .required("events_read")
        .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)));
    refers
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
                "201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CommandOutcome"}}}},
                "400": {"description": "malformed"},
                "401": {"description": "no valid token"},
                "403": {"description": "not the secretariat"},
                "404": {"description": "no such resource"},
                "409": {"description": "stale If-Match or concurrent write"},
                "422": {"description": "refused by a domain rule, named in `rule`"}
            }
        });
    }
    document_bodies(&mut doc);
    declare_errors(&mut doc);
    doc
}

/// The documents' bytes: the upload's request body and the download's answer, one entry per
/// media type a document may have (utoipa has no annotation for a raw body of several types).
fn document_bodies(doc: &mut Value) {
    let content: serde_json::Map<String, Value> = ledger_store::documents::MEDIA_TYPES
        .iter()
        .map(|media| (media.to_string(), json!({"schema": {"type": "string", "contentMediaType": media}})))
        .collect();
    doc["paths"]["/api/v1/documents"]["post"]["requestBody"] = json!({
        "required": true,
        "description": "the document's bytes (at most 10 MiB), with its media type as `Content-Type`",
        "content": content.clone(),
    });
    doc["paths"]["/api/v1/documents/{sha256}"]["get"]["responses"]["200"]["content"] = Value::Object(content);
}

/// The operations that answer without the database (so never 503 `unavailable`).
const WITHOUT_DATABASE: &[&str] = &["/health", "/api/v1/ledger/public-key"];

/// Gives every operation an id of its own: an id that several handlers share (`get_one`,
/// `history`, `list`…) is prefixed with the operation's tag (`meetings_get_one`).
fn unique_operation_ids(doc: &mut Value) {
    let mut seen: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for item in doc["paths"].as_object().into_iter().flat_map(|paths| paths.values()) {
        for operation in item.as_object().into_iter().flat_map(|item| item.values()) {
            if let Some(id) = operation["operationId"].as_str() {
                *seen.entry(id.to_string()).or_default() += 1;
            }
        }
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut() {
        for operation in item.as_object_mut().into_iter().flat_map(|item| item.values_mut()) {
            let Some(id) = operation["operationId"].as_str() else { continue };
            if seen.get(id).is_some_and(|n| *n > 1) {
                let tag = operation["tags"][0].as_str().unwrap_or("api").replace('-', "_");
                operation["operationId"] = json!(format!("{tag}_{id}"));
            }
        }
    }
}

/// The problem+json content every error response carries.
fn problem_content() -> Value {
    json!({"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}})
}

/// Declares the errors of every operation, once for the whole document: every response
/// with a status of 400 or more (and `default`) gets the [`super::error::Problem`] body,
/// and the errors every request of a kind can meet are added where they apply:
///
/// * 400 where the operation takes query parameters (an unknown, repeated or malformed one);
/// * a read of state (one that takes `as_of`) accepts a bearer token without needing one
///   (it widens what the reader sees), so it declares the token optional;
/// * 401 wherever a token is read (a token presented must be valid), 403 where one is
///   required (the role or scope may not do this);
/// * 503 wherever the database is asked;
/// * `default`: any other refusal (405, 406, 408, 413, 414, 415, 431, 500).
fn declare_errors(doc: &mut Value) {
    unique_operation_ids(doc);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, operation) in item.iter_mut() {
            if !["get", "put", "post", "delete", "patch", "head", "options", "trace"].contains(&method.as_str()) {
                continue;
            }
            let params: Vec<(String, String)> = operation
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .filter_map(|p| {
                            Some((p.get("in")?.as_str()?.to_string(), p.get("name")?.as_str()?.to_string()))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let reads_state = params.iter().any(|(place, name)| place == "query" && name == "as_of");
            if reads_state && operation.get("security").is_none() {
                operation["security"] = json!([{}, {"bearer": []}]);
            }
            let security: Vec<Value> = operation.get("security").and_then(Value::as_array).cloned().unwrap_or_default();
            let token_read = !security.is_empty();
            let token_needed = token_read && !security.iter().any(|s| s.as_object().is_some_and(|o| o.is_empty()));
            let mut common: Vec<(&str, &str)> = Vec::new();
            if params.iter().any(|(place, _)| place == "query") || method == "post" {
                common.push(("400", "malformed: an unknown, repeated or malformed parameter or body"));
            }
            if token_read {
                common.push(("401", "the bearer token presented is malformed, unknown, expired or revoked"));
            }
            if token_needed {
                common.push(("403", "the token's role or scope may not do this"));
            }
            if !WITHOUT_DATABASE.contains(&path.as_str()) {
                common.push(("503", "the database is unavailable (`Retry-After`), or a read-only replica"));
            }
            common.push(("default", "any other refusal: 405, 406, 408, 413, 414, 415, 431 or 500"));
            let responses = &mut operation["responses"];
            for (status, description) in common {
                if responses.get(status).is_none() {
                    responses[status] = json!({"description": description});
                }
            }
            let Some(responses) = responses.as_object_mut() else { continue };
            for (status, response) in responses.iter_mut() {
                if status == "default" || status.parse::<u16>().is_ok_and(|s| s >= 400) {
                    response["content"] = problem_content();
                }
            }
        }
    }
}

/// Serves the document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "this document", body = Object)))]
pub async fn serve() -> Json<Value> {
    Json(document())
}

/// The 2xx responses whose schema says no more than "an object" (`{"type": "object"}`,
/// directly or through a `$ref`), as `METHOD path status`.
pub fn bare_object_successes(doc: &Value) -> Vec<String> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                if !status.starts_with('2') {
                    continue;
                }
                for media in response["content"].as_object().into_iter().flatten().map(|(_, m)| m) {
                    let mut schema = &media["schema"];
                    if let Some(target) = schema["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
                        schema = doc.pointer(target).unwrap_or(&Value::Null);
                    }
                    if is_bare_object(schema)
                        || schema["items"].as_object().is_some_and(|_| is_bare_object(&schema["items"]))
                    {
                        found.push(format!("{} {path} {status}", method.to_uppercase()));
                    }
                }
            }
        }
    }
    found
}

/// `{"type": "object"}` with nothing that says what is in it.
fn is_bare_object(schema: &Value) -> bool {
    let Some(fields) = schema.as_object() else { return false };
    schema["type"] == "object"
        && !["properties", "allOf", "oneOf", "anyOf", "$ref", "additionalProperties"]
            .iter()
            .any(|k| fields.contains_key(*k))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2xx answers allowed to stay a bare object, each with the reason.
    const BARE_OBJECT_ALLOWED: &[(&str, &str)] = &[];

    const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    fn operations(doc: &Value) -> Vec<(String, String, Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("path item") {
                if METHODS.contains(&method.as_str()) {
                    out.push((path.clone(), method.clone(), operation.clone()));
                }
            }
        }
        out
    }

    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(fields) => {
                for (key, item) in fields {
                    match (key.as_str(), item) {
                        ("$ref", Value::String(target)) => out.push(target),
                        _ => refs(item, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
            _ => {}
        }
    }

    /// The document is OpenAPI 3.1 and every operation has an id of its own (a generated
    /// client names its methods after them). utoipa's own types cannot read the document
    /// back (its `Object` requires a `type`, which an any-value schema such as a history
    /// row's `payload` has not), so the checks below walk the JSON; schemathesis validates
    /// the served document when it loads it (tests/tests/e2e/conformance.rs).
    #[test]
    fn the_document_is_openapi_3_1_with_one_id_per_operation() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
        let mut ids = std::collections::BTreeSet::new();
        for (path, method, operation) in operations(&doc) {
            let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            assert!(ids.insert(id.to_string()), "{method} {path}: operationId {id} is used twice");
            assert!(operation["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path}");
        }
    }

    #[test]
    fn every_ref_resolves() {
        let doc = document();
        let mut targets = Vec::new();
        refs(&doc, &mut targets);
        assert!(!targets.is_empty());
        for target in targets {
            let pointer = target.strip_prefix('#').unwrap_or_else(|| panic!("{target} is not local"));
            assert!(doc.pointer(pointer).is_some(), "{target} does not resolve");
        }
    }

    #[test]
    fn path_parameters_are_the_templates_and_query_parameters_are_in_the_query() {
        let doc = document();
        for (path, method, operation) in operations(&doc) {
            let template: Vec<&str> =
                path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect();
            let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
            let mut in_path = Vec::new();
            for parameter in &parameters {
                let name = parameter["name"].as_str().expect("a parameter's name");
                match parameter["in"].as_str() {
                    Some("path") => {
                        assert!(template.contains(&name), "{method} {path}: `{name}` is declared in: path");
                        assert_eq!(parameter["required"], true, "{method} {path}: path `{name}` must be required");
                        in_path.push(name);
                    }
                    Some("query" | "header" | "cookie") => {
                        assert!(!template.contains(&name), "{method} {path}: `{name}` is in the template");
                    }
                    other => panic!("{method} {path}: `{name}` is in {other:?}"),
                }
            }
            for name in template {
                assert!(in_path.contains(&name), "{method} {path}: `{{{name}}}` is not declared");
            }
        }
    }

    #[test]
    fn every_error_response_is_a_problem() {
        let doc = document();
        assert!(doc.pointer("/components/schemas/Problem/properties/code").is_some());
        for (path, method, operation) in operations(&doc) {
            let responses = operation["responses"].as_object().expect("responses");
            assert!(responses.contains_key("default"), "{method} {path}: no default response");
            for (status, response) in responses {
                if status != "default" && status.parse::<u16>().expect("a status") < 400 {
                    continue;
                }
                let content = response["content"].as_object().expect("content");
                assert_eq!(content.len(), 1, "{method} {path} {status}: one media type");
                assert_eq!(
                    content["application/problem+json"]["schema"]["$ref"], "#/components/schemas/Problem",
                    "{method} {path} {status}"
                );
            }
            let has = |status: &str| responses.contains_key(status);
            let security = operation["security"].as_array().cloned().unwrap_or_default();
            let takes_query =
                operation["parameters"].as_array().is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
            assert!(!takes_query || has("400"), "{method} {path}: a query can be malformed (400)");
            assert!(security.is_empty() || has("401"), "{method} {path}: a token can be bad (401)");
            if !security.is_empty() && !security.iter().any(|s| s.as_object().is_some_and(|o| o.is_empty())) {
                assert!(has("403"), "{method} {path}: a token is needed, so its role can be wrong (403)");
            }
            if !WITHOUT_DATABASE.contains(&path.as_str()) {
                assert!(has("503"), "{method} {path}: the database can be away (503)");
            }
        }
    }

    #[test]
    fn reads_of_state_take_a_token_optionally() {
        let doc = document();
        for (path, method, operation) in operations(&doc) {
            let takes_as_of = operation["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query" && p["name"] == "as_of"));
            if takes_as_of {
                assert!(operation["security"].as_array().is_some_and(|s| !s.is_empty()), "{method} {path}");
            }
        }
    }

    #[test]
    fn no_success_is_a_bare_object_unless_allowed() {
        let doc = document();
        let found = bare_object_successes(&doc);
        let unexplained: Vec<&String> =
            found.iter().filter(|f| !BARE_OBJECT_ALLOWED.iter().any(|(allowed, _)| allowed == f)).collect();
        assert!(unexplained.is_empty(), "{} bare object answers: {unexplained:#?}", unexplained.len());
        for (allowed, _) in BARE_OBJECT_ALLOWED {
            assert!(found.iter().any(|f| f == allowed), "{allowed} is no longer bare: drop it from the allow-list");
        }
    }
}
