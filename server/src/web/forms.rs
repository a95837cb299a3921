//! The Secretariat's recording forms (`/record`): one form for every command the API takes,
//! generated from the same OpenAPI document the API publishes, and sent to the API itself.
//!
//! * **The form** is read from the operation's request schema: a text, date, number or
//!   yes/no input per member, a list for an enumeration, one line per item for a list of
//!   strings, and JSON for a nested object. A member that is one of several tagged shapes
//!   (a decision's `effect` and `subject`) is a list of its shapes plus the members each
//!   shape takes. The envelope is the decision cited as authority, the business date, the
//!   reason and the confidence label.
//! * **The submit** builds the JSON body the API documents and sends it through the API's
//!   own router as the signed-in caller, with the form's `Idempotency-Key` (a hidden field,
//!   one per form shown): a handler, the rules and the refusals are the API's, so a page
//!   can never record what the API would refuse, and a double submit records once.
//! * **A refusal** is shown beside the field it names (the member quoted in the problem's
//!   detail, or named in its rule), with the rule's name; otherwise above the form.

use std::sync::OnceLock;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value};

use super::session::{check_csrf, Session, WebSession};
use super::{encode, render, Nav, PageError};
use crate::http::error::ApiError;
use crate::http::AppState;

/// The confidence labels a fact may carry (docs/API.md): sourced, probable, inferred,
/// unknown, invented.
const CONFIDENCE: &[&str] = &["S", "P", "I", "U", "X"];

/// How a field is entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Text,
    Date,
    Number,
    YesNo,
    /// One of these values.
    Select(Vec<String>),
    /// One string per line.
    Lines,
    /// A JSON value.
    Json,
}

/// One field of a form.
#[derive(Debug, Clone)]
pub struct Field {
    /// The form field's name: the member's JSON path, dotted (`effect.term_id`), or
    /// `path.id` for the resource's id.
    pub name: String,
    pub label: String,
    pub input: Input,
    pub required: bool,
    pub help: String,
    /// For a member of a tagged shape: the shapes that take it.
    pub shapes: Vec<String>,
    /// What the form holds now (what was submitted, or a default).
    pub value: String,
    /// The refusal beside this field: (rule or code, detail).
    pub refusal: Option<(String, String)>,
}

impl Field {
    fn new(name: String, label: String, input: Input, required: bool, help: String) -> Self {
        Field { name, label, input, required, help, shapes: Vec::new(), value: String::new(), refusal: None }
    }

    /// The HTML id of the field's input.
    pub fn id(&self) -> String {
        format!("f-{}", self.name.replace('.', "-"))
    }

    /// `(value, label, selected)` for a list.
    pub fn options(&self) -> Vec<(String, bool)> {
        let values: Vec<String> = match &self.input {
            Input::Select(values) => values.clone(),
            Input::YesNo => vec!["true".into(), "false".into()],
            _ => Vec::new(),
        };
        values.into_iter().map(|v| (v.clone(), v == self.value)).collect()
    }

    pub fn is_select(&self) -> bool {
        matches!(self.input, Input::Select(_) | Input::YesNo)
    }

    pub fn is_area(&self) -> bool {
        matches!(self.input, Input::Lines | Input::Json)
    }

    /// The `type` of an `<input>` (dates are typed as ISO 8601 text, `YYYY-MM-DD`,
    /// whatever the browser's locale).
    pub fn html_type(&self) -> &'static str {
        match self.input {
            Input::Number => "number",
            _ => "text",
        }
    }

    pub fn is_date(&self) -> bool {
        self.input == Input::Date
    }
}

/// A recording form: an operation of the API and its fields.
#[derive(Debug, Clone)]
pub struct FormSpec {
    pub operation: String,
    /// The API path, with `{id}` where the resource's id goes.
    pub path: String,
    pub tag: String,
    pub summary: String,
    pub fields: Vec<Field>,
}

/// The API's OpenAPI document, built once.
fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(crate::http::openapi::document)
}

/// Follows a `$ref` into the document's components.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")) {
        Some(name) => doc.pointer(&format!("/components/schemas/{name}")).unwrap_or(schema),
        None => schema,
    }
}

/// Members typed only as "an object" whose shapes the document names elsewhere.
fn shaped(operation: &str, member: &str) -> Option<&'static str> {
    match (operation, member) {
        (_, "effect") => Some("DecisionEffect"),
        ("propose", "subject") => Some("DecisionSubject"),
        _ => None,
    }
}

fn types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn enumeration(schema: &Value) -> Option<Vec<String>> {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|values| values.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
}

/// The input of a plain member.
fn input_of(doc: &Value, schema: &Value) -> Input {
    let schema = resolve(doc, schema);
    if let Some(values) = enumeration(schema) {
        return Input::Select(values);
    }
    let kinds = types(schema);
    if kinds.contains(&"string") {
        return if schema.get("format").and_then(Value::as_str) == Some("date") { Input::Date } else { Input::Text };
    }
    if kinds.contains(&"integer") {
        return Input::Number;
    }
    if kinds.contains(&"boolean") {
        return Input::YesNo;
    }
    if kinds.contains(&"array") && schema.pointer("/items/type").and_then(Value::as_str) == Some("string") {
        return Input::Lines;
    }
    Input::Json
}

/// The tag member of a oneOf of tagged objects, and each shape's tag value and schema.
fn tagged_shapes<'a>(doc: &'a Value, schema: &'a Value) -> Option<(String, Vec<(String, &'a Value)>)> {
    let options = resolve(doc, schema).get("oneOf")?.as_array()?;
    let first = resolve(doc, options.first()?);
    let tag = first.get("properties")?.as_object()?.iter().find_map(|(name, p)| {
        let values = enumeration(p)?;
        (values.len() == 1
            && options.iter().all(|o| {
                resolve(doc, o)
                    .pointer(&format!("/properties/{name}/enum"))
                    .and_then(Value::as_array)
                    .is_some_and(|e| e.len() == 1)
            }))
        .then(|| name.clone())
    })?;
    let shapes = options
        .iter()
        .map(|o| {
            let o = resolve(doc, o);
            let value = o.pointer(&format!("/properties/{tag}/enum/0")).and_then(Value::as_str).unwrap_or_default();
            (value.to_string(), o)
        })
        .collect();
    Some((tag, shapes))
}

fn help_of(schema: &Value) -> String {
    schema.get("description").and_then(Value::as_str).unwrap_or_default().replace('\n', " ")
}

fn label_of(name: &str) -> String {
    let text = name.replace('_', " ");
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

/// The form of an operation, or `None` when the API has no such command.
pub fn spec(operation: &str) -> Option<FormSpec> {
    let doc = document();
    let (path, op) = doc["paths"].as_object()?.iter().find_map(|(path, item)| {
        let op = item.get("post")?;
        (op.get("operationId").and_then(Value::as_str) == Some(operation)).then_some((path, op))
    })?;
    let body = resolve(doc, op.pointer("/requestBody/content/application~1json/schema")?);
    let path = path.strip_prefix("/api/v1").unwrap_or(path).to_string();
    let mut fields = Vec::new();
    if path.contains("{id}") {
        fields.push(Field::new("path.id".into(), "Id".into(), Input::Text, true, "The record this acts on.".into()));
    }
    let required: Vec<&str> = body
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (name, member) in body.get("properties").and_then(Value::as_object).into_iter().flatten() {
        if name == "envelope" {
            continue;
        }
        let is_required = required.contains(&name.as_str());
        let shapes_schema =
            shaped(operation, name).and_then(|s| doc.pointer(&format!("/components/schemas/{s}"))).unwrap_or(member);
        if let Some((tag, shapes)) = tagged_shapes(doc, shapes_schema) {
            let values: Vec<String> = shapes.iter().map(|(v, _)| v.clone()).collect();
            let mut choose = Field::new(
                format!("{name}.{tag}"),
                format!("{} ({tag})", label_of(name)),
                Input::Select(values),
                is_required,
                help_of(member),
            );
            if !is_required {
                choose.help = format!("{} Leave empty for none.", choose.help).trim().to_string();
            }
            fields.push(choose);
            let mut members: Vec<Field> = Vec::new();
            for (shape, schema) in &shapes {
                for (member_name, member_schema) in
                    schema.get("properties").and_then(Value::as_object).into_iter().flatten()
                {
                    if *member_name == tag {
                        continue;
                    }
                    let full = format!("{name}.{member_name}");
                    match members.iter_mut().find(|f| f.name == full) {
                        Some(field) => field.shapes.push(shape.clone()),
                        None => {
                            let mut field = Field::new(
                                full,
                                format!("{} · {}", label_of(name), member_name.replace('_', " ")),
                                input_of(doc, member_schema),
                                false,
                                help_of(member_schema),
                            );
                            field.shapes.push(shape.clone());
                            members.push(field);
                        }
                    }
                }
            }
            fields.extend(members);
            continue;
        }
        fields.push(Field::new(name.clone(), label_of(name), input_of(doc, member), is_required, help_of(member)));
    }
    for (name, label, input, help) in [
        (
            "envelope.authority",
            "Authority (decision id)",
            Input::Text,
            "The adopted decision this is recorded on the authority of, e.g. GCG-19-D04.",
        ),
        ("envelope.occurred_at", "Occurred on", Input::Date, "When it happened, if not the command's own date."),
        ("envelope.reason", "Reason", Input::Text, "Why it is recorded (e.g. a backfill from the meeting report)."),
        (
            "envelope.confidence",
            "Confidence",
            Input::Select(CONFIDENCE.iter().map(|c| c.to_string()).collect()),
            "S sourced, P probable, I inferred, U unknown, X invented.",
        ),
        (
            "envelope.evidence",
            "Evidence (JSON)",
            Input::Json,
            "Supporting documents: [{\"sha256\": \"…\", \"title\": \"…\"}].",
        ),
    ] {
        fields.push(Field::new(name.into(), label.into(), input, false, help.into()));
    }
    Some(FormSpec {
        operation: operation.to_string(),
        path,
        tag: op.pointer("/tags/0").and_then(Value::as_str).unwrap_or_default().to_string(),
        summary: op.get("summary").and_then(Value::as_str).unwrap_or(operation).to_string(),
        fields,
    })
}

/// Every recording form, by tag, in the document's order: (tag, [(operation, summary)]).
pub fn index() -> Vec<(String, Vec<(String, String)>)> {
    let mut groups: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for item in document()["paths"].as_object().into_iter().flat_map(|p| p.values()) {
        let Some(op) = item.get("post") else { continue };
        if op.pointer("/requestBody/content/application~1json").is_none() {
            continue;
        }
        let (Some(id), Some(tag)) =
            (op.get("operationId").and_then(Value::as_str), op.pointer("/tags/0").and_then(Value::as_str))
        else {
            continue;
        };
        if matches!(tag, "tokens" | "witness" | "people") {
            continue;
        }
        let summary = op.get("summary").and_then(Value::as_str).unwrap_or(id).to_string();
        match groups.iter_mut().find(|(t, _)| t == tag) {
            Some((_, list)) => list.push((id.to_string(), summary)),
            None => groups.push((tag.to_string(), vec![(id.to_string(), summary)])),
        }
    }
    groups
}

/// The forms that act on one resource (`meetings` or `decisions`): (operation, summary).
pub fn forms_on(resource: &str) -> Vec<(String, String)> {
    let prefix = format!("/api/v1/{resource}/{{id}}/");
    let mut out = Vec::new();
    for (path, item) in document()["paths"].as_object().into_iter().flatten() {
        if !path.starts_with(&prefix) || path.ends_with("/attendance") {
            continue;
        }
        if let Some(op) = item.get("post") {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                out.push((id.to_string(), op.get("summary").and_then(Value::as_str).unwrap_or(id).to_string()));
            }
        }
    }
    out
}

/// Why a submitted field could not be read (before anything is sent): (code, detail).
type FieldError = (String, String);

/// The fields that could not be read: (field name, why).
type FieldErrors = Vec<(String, FieldError)>;

/// The JSON body, and the resource id, that the submitted fields make; or the fields
/// that could not be read.
pub fn body_of(spec: &FormSpec, submitted: &[(String, String)]) -> Result<(Option<String>, Value), FieldErrors> {
    let given =
        |name: &str| submitted.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let mut body = Map::new();
    let mut errors = Vec::new();
    let mut envelope = Map::new();
    let mut id = None;
    // The shape chosen for each tagged member.
    let chosen: Vec<(String, String)> = spec
        .fields
        .iter()
        .filter(|f| {
            f.shapes.is_empty()
                && matches!(f.input, Input::Select(_))
                && f.name.contains('.')
                && !f.name.starts_with("envelope.")
        })
        .filter_map(|f| f.name.split_once('.').map(|(member, _)| (member.to_string(), given(&f.name))))
        .collect();
    for field in &spec.fields {
        let text = given(&field.name);
        if field.name == "path.id" {
            id = (!text.is_empty()).then_some(text);
            continue;
        }
        if let Some(member) = field.name.strip_prefix("envelope.") {
            if text.is_empty() {
                continue;
            }
            match member {
                "authority" => {
                    envelope.insert("authority".into(), serde_json::json!({"kind": "decision", "decision_id": text}));
                }
                "confidence" => {
                    envelope.insert("provenance".into(), serde_json::json!({"confidence": text}));
                }
                "evidence" => match serde_json::from_str::<Value>(&text) {
                    Ok(value) => {
                        envelope.insert("evidence".into(), value);
                    }
                    Err(e) => errors.push((field.name.clone(), ("not_json".into(), format!("not JSON: {e}")))),
                },
                other => {
                    envelope.insert(other.into(), Value::String(text));
                }
            }
            continue;
        }
        let (member, inner) = match field.name.split_once('.') {
            Some((member, inner)) => (member.to_string(), Some(inner.to_string())),
            None => (field.name.clone(), None),
        };
        if !field.shapes.is_empty() {
            let shape = chosen.iter().find(|(m, _)| *m == member).map(|(_, s)| s.as_str()).unwrap_or_default();
            if shape.is_empty() || !field.shapes.iter().any(|s| s == shape) || text.is_empty() {
                continue;
            }
        }
        if text.is_empty() {
            continue;
        }
        let value = match &field.input {
            Input::Number => match text.parse::<i64>() {
                Ok(n) => Value::from(n),
                Err(_) => {
                    errors
                        .push((field.name.clone(), ("not_a_number".into(), format!("{text:?} is not a whole number"))));
                    continue;
                }
            },
            Input::YesNo => Value::Bool(text == "true"),
            Input::Lines => Value::Array(
                text.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| Value::String(l.into())).collect(),
            ),
            Input::Json => match serde_json::from_str::<Value>(&text) {
                Ok(value) => value,
                Err(e) => {
                    errors.push((field.name.clone(), ("not_json".into(), format!("not JSON: {e}"))));
                    continue;
                }
            },
            Input::Text | Input::Date | Input::Select(_) => Value::String(text),
        };
        match inner {
            None => {
                body.insert(member, value);
            }
            Some(inner) => {
                let slot = body.entry(member).or_insert_with(|| Value::Object(Map::new()));
                if let Some(object) = slot.as_object_mut() {
                    object.insert(inner, value);
                }
            }
        }
    }
    if !envelope.is_empty() {
        body.insert("envelope".into(), Value::Object(envelope));
    }
    if spec.path.contains("{id}") && id.is_none() {
        errors.push(("path.id".into(), ("id_missing".into(), "the id of the record to act on is required".into())));
    }
    if errors.is_empty() {
        Ok((id, Value::Object(body)))
    } else {
        Err(errors)
    }
}

/// The field a refusal is about: the member its detail quotes (`` `drafted_on` ``), or a
/// member named in its rule (`doc_sha256` in `doc_sha256_invalid`).
pub fn field_of_refusal(spec: &FormSpec, code: &str, detail: &str) -> Option<String> {
    let leaf = |name: &str| name.rsplit('.').next().unwrap_or(name).to_string();
    let candidates: Vec<&Field> = spec.fields.iter().filter(|f| f.name != "envelope.confidence").collect();
    candidates
        .iter()
        .find(|f| detail.contains(&format!("`{}`", leaf(&f.name))))
        .or_else(|| {
            candidates
                .iter()
                .filter(|f| leaf(&f.name).len() > 3 && has_word(detail, &leaf(&f.name)))
                .max_by_key(|f| leaf(&f.name).len())
        })
        .or_else(|| {
            candidates
                .iter()
                .filter(|f| leaf(&f.name).len() > 2 && code.contains(&leaf(&f.name)))
                .max_by_key(|f| leaf(&f.name).len())
        })
        .or_else(|| {
            (code.contains("authority")).then(|| candidates.iter().find(|f| f.name == "envelope.authority")).flatten()
        })
        .or_else(|| {
            (code == "occurred_in_future")
                .then(|| candidates.iter().find(|f| f.name == "envelope.occurred_at"))
                .flatten()
        })
        .map(|f| f.name.clone())
}

/// Whether `word` stands in `text` as a whole word (an identifier's characters around it
/// end it).
fn has_word(text: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        !text[..at].chars().next_back().is_some_and(is_ident)
            && !text[at + word.len()..].chars().next().is_some_and(is_ident)
    })
}

/// What the API answered to a submitted form.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub ok: bool,
    pub status: u16,
    pub replayed: bool,
    /// `(event type, hash)` of each event recorded.
    pub events: Vec<(String, String)>,
    /// The page of the record acted on, if it has one.
    pub link: Option<String>,
    /// A refusal no field claims: (code, detail).
    pub refusal: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "record_index.html")]
struct IndexPage {
    nav: Nav,
    groups: Vec<(String, Vec<(String, String)>)>,
}

#[derive(Template)]
#[template(path = "record_form.html")]
struct FormPage {
    nav: Nav,
    spec: FormSpec,
    action: String,
    idempotency_key: String,
    answer: Option<Answer>,
}

/// The signed-in Secretariat, or the redirect to sign in.
fn secretariat(session: Option<Session>, here: &str) -> Result<Result<Session, Response>, PageError> {
    let Some(session) = session else {
        return Ok(Err(Redirect::to(&format!("/sign-in?next={}", encode(here))).into_response()));
    };
    if session.caller.role != "secretariat" {
        return Err(
            ApiError::Forbidden(format!("the {} role may not record governance actions", session.caller.role)).into()
        );
    }
    Ok(Ok(session))
}

/// `GET /record`: every recording form.
pub async fn list(WebSession(session): WebSession) -> Result<Response, PageError> {
    let session = match secretariat(session, "/record")? {
        Ok(session) => session,
        Err(redirect) => return Ok(redirect),
    };
    render(StatusCode::OK, &IndexPage { nav: Nav::new(Some(&session), "/record"), groups: index() })
}

/// `GET /record/{operation}?id=…&<field>=…`: the form, prefilled from the query, with a
/// fresh idempotency key.
pub async fn form(
    WebSession(session): WebSession,
    Path(operation): Path<String>,
    Query(prefill): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let here = format!("/record/{}", encode(&operation));
    let session = match secretariat(session, &here)? {
        Ok(session) => session,
        Err(redirect) => return Ok(redirect),
    };
    let mut spec =
        spec(&operation).ok_or_else(|| ApiError::NotFound(format!("there is no recording form {operation:?}")))?;
    for field in &mut spec.fields {
        let key = if field.name == "path.id" { "id" } else { field.name.as_str() };
        if let Some((_, value)) = prefill.iter().find(|(k, _)| k == key) {
            field.value.clone_from(value);
        }
    }
    let page = FormPage {
        nav: Nav::new(Some(&session), &here),
        action: here.clone(),
        spec,
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        answer: None,
    };
    render(StatusCode::OK, &page)
}

/// `POST /record/{operation}`: sends the form's command to the API as the signed-in
/// caller, and shows the form again with the answer: the events recorded (200), or each
/// refusal beside its field with the rule's name (the API's status).
pub async fn submit(
    State(state): State<AppState>,
    WebSession(session): WebSession,
    Path(operation): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let Some(session) = session else {
        return Err(ApiError::Forbidden("sign in first: this form needs a session".into()).into());
    };
    check_csrf(&session, field("csrf"))?;
    let here = format!("/record/{}", encode(&operation));
    let session = match secretariat(Some(session), &here)? {
        Ok(session) => session,
        Err(redirect) => return Ok(redirect),
    };
    let mut spec =
        spec(&operation).ok_or_else(|| ApiError::NotFound(format!("there is no recording form {operation:?}")))?;
    let key = field("idempotency_key").map(str::trim).unwrap_or_default().to_string();
    if key.is_empty() || key.len() > 150 {
        return Err(ApiError::BadRequest("the form's idempotency key is missing; reload the form".into()).into());
    }
    for f in &mut spec.fields {
        f.value = field(&f.name).unwrap_or_default().to_string();
    }
    let (answer, status) = match body_of(&spec, &fields) {
        Err(errors) => {
            for (name, refusal) in errors {
                if let Some(f) = spec.fields.iter_mut().find(|f| f.name == name) {
                    f.refusal = Some(refusal);
                }
            }
            (Answer { status: 400, ..Answer::default() }, StatusCode::BAD_REQUEST)
        }
        Ok((id, body)) => send(&state, &session, &mut spec, id.as_deref(), &key, body).await?,
    };
    let page = FormPage {
        nav: Nav::new(Some(&session), &here),
        action: here,
        spec,
        idempotency_key: key,
        answer: Some(answer),
    };
    render(status, &page)
}

/// Sends the command through the API's router as the session's caller.
async fn send(
    state: &AppState,
    session: &Session,
    spec: &mut FormSpec,
    id: Option<&str>,
    key: &str,
    body: Value,
) -> Result<(Answer, StatusCode), PageError> {
    let path = match id {
        Some(id) => spec.path.replace("{id}", &encode(id)),
        None => spec.path.clone(),
    };
    let (status, answer) =
        super::through_api(state, Some(session), Method::POST, &format!("/api/v1{path}"), Some(key), Some(&body))
            .await?;
    if status.is_server_error() {
        // The API already logged it (a database away is `through_api`'s 503 error).
        let detail = answer["detail"].as_str().unwrap_or("the server could not record it").to_string();
        return Err(ApiError::Internal(anyhow::anyhow!("{detail}")).into());
    }
    if status.is_success() {
        let events = answer["events"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|e| {
                        (
                            e["event_type"].as_str().unwrap_or_default().to_string(),
                            e["hash"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let aggregate = answer.pointer("/events/0/aggregate_type").and_then(Value::as_str).unwrap_or_default();
        let aggregate_id = answer.pointer("/events/0/aggregate_id").and_then(Value::as_str).unwrap_or_default();
        let link = match aggregate {
            "meeting" => Some(format!("/meetings/{}", encode(aggregate_id))),
            "decision" => Some(format!("/decisions/{}", encode(aggregate_id))),
            _ => None,
        };
        let replayed = answer["replayed"].as_bool().unwrap_or(false);
        return Ok((
            Answer { ok: true, status: status.as_u16(), replayed, events, link, refusal: None },
            StatusCode::OK,
        ));
    }
    let code = answer["code"].as_str().unwrap_or("refused").to_string();
    let detail = answer["detail"].as_str().unwrap_or_default().to_string();
    let mut answered = Answer { status: status.as_u16(), ..Answer::default() };
    match field_of_refusal(spec, &code, &detail).and_then(|name| spec.fields.iter_mut().find(|f| f.name == name)) {
        Some(field) => field.refusal = Some((code, detail)),
        None => answered.refusal = Some((code, detail)),
    }
    Ok((answered, status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_of_the_api_has_a_form() {
        let groups = index();
        let forms: usize = groups.iter().map(|(_, list)| list.len()).sum();
        assert!(forms > 90, "{forms} forms");
        for (_, list) in &groups {
            for (operation, _) in list {
                assert!(spec(operation).is_some(), "{operation}");
            }
        }
    }

    #[test]
    fn a_proposal_chooses_its_effect_from_a_list_and_sends_only_that_shape() {
        let spec = spec("propose").expect("the propose form");
        let effect = spec.fields.iter().find(|f| f.name == "effect.effect").expect("the effect list");
        let Input::Select(shapes) = &effect.input else { panic!("a list") };
        assert!(shapes.iter().any(|s| s == "elect_office_holder") && shapes.iter().any(|s| s == "assign_seat"));
        assert!(spec.fields.iter().any(|f| f.name == "subject.kind"));
        let submitted: Vec<(String, String)> = [
            ("path.id", "GCG-21"),
            ("decision_id", "GCG-21-D09"),
            ("text", "Assign a seat"),
            ("subject.kind", "procedural"),
            ("effect.effect", "assign_seat"),
            ("effect.seat_id", "S1"),
            ("effect.holder", "ORG-1"),
            ("effect.from", "2026-06-16"),
            ("effect.term_id", "ignored: not a member of assign_seat"),
            ("envelope.confidence", "X"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (id, body) = body_of(&spec, &submitted).expect("a body");
        assert_eq!(id.as_deref(), Some("GCG-21"));
        assert_eq!(
            body,
            serde_json::json!({
                "decision_id": "GCG-21-D09", "text": "Assign a seat", "subject": {"kind": "procedural"},
                "effect": {"effect": "assign_seat", "seat_id": "S1", "holder": "ORG-1", "from": "2026-06-16"},
                "envelope": {"provenance": {"confidence": "X"}}
            })
        );
    }

    #[test]
    fn unreadable_fields_are_named_and_refusals_find_their_field() {
        let spec = spec("meeting_draft_minutes").expect("the draft minutes form");
        let submitted = vec![("envelope.evidence".to_string(), "{not json".to_string())];
        let errors = body_of(&spec, &submitted).unwrap_err();
        let names: Vec<&str> = errors.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, vec!["envelope.evidence", "path.id"]);
        assert_eq!(
            field_of_refusal(&spec, "document_hash_invalid", "doc_sha256 must be 64 lowercase hex digits").as_deref(),
            Some("doc_sha256")
        );
        assert_eq!(
            field_of_refusal(&spec, "malformed_request", "missing field `drafted_on`").as_deref(),
            Some("drafted_on")
        );
        assert_eq!(field_of_refusal(&spec, "doc_sha256_invalid", "").as_deref(), Some("doc_sha256"));
        assert_eq!(
            field_of_refusal(&spec, "decision_authority_not_adopted", "").as_deref(),
            Some("envelope.authority")
        );
    }
}
