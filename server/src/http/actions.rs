//! Every command reachable over HTTP, in one registry, and the tidy test that keeps it
//! complete.
//!
//! A command is served either by a generic route, `POST /<resource>/<action>`, whose body
//! is the variant's fields plus `envelope` and whose OpenAPI request schema is cut from
//! the command enum's schema ([`super::openapi`]), or by a typed route with a request
//! type of its own ([`TYPED`]). The decision-effects process manager's own command is the
//! one not served over HTTP ([`NOT_OVER_HTTP`]). The tests below fail when a variant of
//! any command enum has no route, an action names a variant that does not exist, or a
//! route has no operation in the OpenAPI document. Every variant states its business date
//! by an exhaustive `match` (`domain::command::DomainCommand`), which the compiler checks.

use super::error::ApiError;

/// One command reachable over HTTP: where, which domain command type, and what it does.
#[derive(Debug, Clone, Copy)]
pub struct Action {
    /// The path, with `{id}` for the resource and the action last.
    pub path: &'static str,
    /// The domain command type whose variant the body is (its OpenAPI schema name).
    pub schema: &'static str,
    /// The variant's `command` tag.
    pub command: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
}

/// An [`Action`] entry.
pub const fn action(
    path: &'static str,
    schema: &'static str,
    command: &'static str,
    tag: &'static str,
    summary: &'static str,
) -> Action {
    Action { path, schema, command, tag, summary }
}

/// The generic governance commands (the GCG, parties, groups, partners, and the meeting
/// and decision actions without a typed route).
pub const GOVERNANCE: &[Action] = &[
    action(
        "/api/v1/organisations",
        "OrganisationCommand",
        "register",
        "reference",
        "Register an organisation (id: a capitalised slug such as `GLOBAL-MARCH`)",
    ),
    action(
        "/api/v1/organisations/{id}/rename",
        "OrganisationCommand",
        "rename",
        "reference",
        "Rename an organisation (the former name stays in its record)",
    ),
    action(
        "/api/v1/countries",
        "CountryCommand",
        "register",
        "reference",
        "Register a country by its ISO 3166-1 alpha-3 code",
    ),
    action(
        "/api/v1/gcg/establish",
        "BodyCommand",
        "establish",
        "gcg",
        "Establish the GCG with its Secretariat and initial rules",
    ),
    action(
        "/api/v1/gcg/adopt_policy",
        "BodyCommand",
        "adopt_policy",
        "gcg",
        "Adopt a new version of the governance rules (cite an adopted `adopt_policy` decision in `envelope.authority`)",
    ),
    action(
        "/api/v1/gcg/define_seat",
        "BodyCommand",
        "define_seat",
        "gcg",
        "Define a seat of a constituency (limits per the policy in force)",
    ),
    action(
        "/api/v1/gcg/assign_seat",
        "BodyCommand",
        "assign_seat",
        "gcg",
        "Assign a seat to a registered party from a date (refused while the seat is held)",
    ),
    action("/api/v1/gcg/vacate_seat", "BodyCommand", "vacate_seat", "gcg", "Record that a seat fell vacant"),
    action("/api/v1/gcg/retire_seat", "BodyCommand", "retire_seat", "gcg", "Retire a vacant seat"),
    action(
        "/api/v1/gcg/open_call",
        "BodyCommand",
        "open_call",
        "gcg",
        "Open a call for candidacy for the Chair and/or Deputy Chair",
    ),
    action(
        "/api/v1/gcg/submit_candidacy",
        "BodyCommand",
        "submit_candidacy",
        "gcg",
        "Record a candidacy in an open call",
    ),
    action("/api/v1/gcg/close_call", "BodyCommand", "close_call", "gcg", "Close a call for candidacy"),
    action(
        "/api/v1/gcg/elect_office_holder",
        "BodyCommand",
        "elect_office_holder",
        "gcg",
        "Elect the Chair or Deputy Chair (cite an adopted `elect_office_holder` decision)",
    ),
    action("/api/v1/gcg/begin_term", "BodyCommand", "begin_term", "gcg", "Record that an elected term began"),
    action(
        "/api/v1/gcg/extend_term",
        "BodyCommand",
        "extend_term",
        "gcg",
        "Extend a term (cite an adopted `extend_term` decision)",
    ),
    action("/api/v1/gcg/end_term", "BodyCommand", "end_term", "gcg", "Record that a term ended"),
    action(
        "/api/v1/gcg/record_reported_figure",
        "BodyCommand",
        "record_reported_figure",
        "gcg",
        "Record a figure a source reports (e.g. 38 Pathfinder Countries), with its date and source",
    ),
    action(
        "/api/v1/groups",
        "GroupCommand",
        "establish",
        "groups",
        "Establish an Action or Working Group (cite an adopted creating decision, or give legacy evidence)",
    ),
    action(
        "/api/v1/groups/{id}/relaunch",
        "GroupCommand",
        "relaunch",
        "groups",
        "Relaunch a group (cite an adopted decision)",
    ),
    action(
        "/api/v1/groups/{id}/assign_lead",
        "GroupCommand",
        "assign_lead",
        "groups",
        "Assign a leading role (one holder per role at a time)",
    ),
    action("/api/v1/groups/{id}/end_lead", "GroupCommand", "end_lead", "groups", "End a leading role"),
    action(
        "/api/v1/groups/{id}/add_member",
        "GroupCommand",
        "add_member",
        "groups",
        "Add an admitted partner as a member",
    ),
    action("/api/v1/groups/{id}/remove_member", "GroupCommand", "remove_member", "groups", "Record that a member left"),
    action(
        "/api/v1/groups/{id}/adopt_workplan",
        "GroupCommand",
        "adopt_workplan",
        "groups",
        "Adopt the next workplan version (periods never overlap)",
    ),
    action(
        "/api/v1/partners",
        "PartnerCommand",
        "apply",
        "partners",
        "Record a registered organisation's application to become a partner",
    ),
    action(
        "/api/v1/partners/{id}/admit",
        "PartnerCommand",
        "admit",
        "partners",
        "Admit a partner (cite an `endorse_partner` decision when the policy requires one)",
    ),
    action("/api/v1/partners/{id}/reject", "PartnerCommand", "reject", "partners", "Reject an application"),
    action(
        "/api/v1/partners/{id}/recognise_business_network",
        "PartnerCommand",
        "recognise_business_network",
        "partners",
        "Recognise an admitted business network",
    ),
    action("/api/v1/partners/{id}/withdraw", "PartnerCommand", "withdraw", "partners", "Record a partner's withdrawal"),
    action(
        "/api/v1/meetings/{id}/reschedule",
        "MeetingCommand",
        "reschedule",
        "meetings",
        "Move a scheduled meeting to another date",
    ),
    action("/api/v1/meetings/{id}/cancel", "MeetingCommand", "cancel", "meetings", "Cancel a scheduled meeting"),
    action(
        "/api/v1/meetings/{id}/publish_agenda",
        "MeetingCommand",
        "publish_agenda",
        "meetings",
        "Publish (or republish, amended) the agenda",
    ),
    action("/api/v1/meetings/{id}/adjourn", "MeetingCommand", "adjourn", "meetings", "Adjourn the session"),
    action("/api/v1/meetings/{id}/resume", "MeetingCommand", "resume", "meetings", "Resume an adjourned session"),
    action(
        "/api/v1/meetings/{id}/draft_minutes",
        "MeetingCommand",
        "draft_minutes",
        "meetings",
        "Record a draft of the minutes (a new draft is a new version)",
    ),
    action(
        "/api/v1/meetings/{id}/circulate_minutes",
        "MeetingCommand",
        "circulate_minutes",
        "meetings",
        "Circulate the minutes with a comment deadline",
    ),
    action(
        "/api/v1/meetings/{id}/approve_minutes",
        "MeetingCommand",
        "approve_minutes",
        "meetings",
        "Approve the minutes: by a cited `approve_minutes` decision, or by silence after the deadline",
    ),
    action(
        "/api/v1/meetings/{id}/publish_report",
        "MeetingCommand",
        "publish_report",
        "meetings",
        "Publish the meeting report (after the minutes are approved)",
    ),
    action(
        "/api/v1/decisions/{id}/withdraw",
        "DecisionCommand",
        "withdraw",
        "decisions",
        "Withdraw a proposal before it is decided",
    ),
    action(
        "/api/v1/decisions/{id}/assign_action_item",
        "DecisionCommand",
        "assign_action_item",
        "decisions",
        "Assign an action item of an adopted decision",
    ),
    action(
        "/api/v1/decisions/{id}/complete_action_item",
        "DecisionCommand",
        "complete_action_item",
        "decisions",
        "Complete an action item",
    ),
];

/// Every generic action, of every resource.
pub fn all() -> impl Iterator<Item = &'static Action> {
    GOVERNANCE.iter().chain(super::pathfinders::ACTIONS).chain(super::programme::ACTIONS)
}

/// Refuses (404) an action the generic routes do not serve for this command type.
pub fn served(schema: &str, command: &str) -> Result<(), ApiError> {
    if all().any(|a| a.schema == schema && a.command == command) {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!("no such action `{command}` here")))
    }
}

/// The actions that create their aggregate on its own path (`/pathfinders/{id}/…`,
/// `/reports/{id}/…`) and so answer 201; every other creating action has a collection
/// route of its own.
const CREATED_ON_ITEM: &[(&str, &str)] =
    &[("PfcCommand", "record_expression_of_interest"), ("ReportCommand", "submit")];

/// Whether `command` is served on the item path `…/{id}/{command}`, and the status it
/// answers with. An action served only on its collection (a creation) is a 404 naming that
/// route; one the generic routes do not serve at all is a 404 too.
pub fn on_item(schema: &str, command: &str) -> Result<axum::http::StatusCode, ApiError> {
    served(schema, command)?;
    let entry = all().find(|a| a.schema == schema && a.command == command).expect("served above");
    if !entry.path.ends_with(&format!("/{{id}}/{command}")) {
        return Err(ApiError::NotFound(format!("`{command}` is done with POST {}", entry.path)));
    }
    Ok(if CREATED_ON_ITEM.contains(&(schema, command)) {
        axum::http::StatusCode::CREATED
    } else {
        axum::http::StatusCode::OK
    })
}

/// The commands served by typed routes: (command enum, variant tag, route).
pub const TYPED: &[(&str, &str, &str)] = &[
    ("MeetingCommand", "schedule", "/api/v1/meetings"),
    ("MeetingCommand", "open", "/api/v1/meetings/{id}/open"),
    ("MeetingCommand", "record_attendance", "/api/v1/meetings/{id}/attendance"),
    ("MeetingCommand", "declare_quorum", "/api/v1/meetings/{id}/quorum"),
    ("MeetingCommand", "close", "/api/v1/meetings/{id}/close"),
    ("DecisionCommand", "propose", "/api/v1/meetings/{id}/decisions"),
    ("DecisionCommand", "record_position", "/api/v1/decisions/{id}/positions"),
    ("DecisionCommand", "adopt", "/api/v1/decisions/{id}/adopt"),
    ("DecisionCommand", "reject", "/api/v1/decisions/{id}/reject"),
    ("DecisionCommand", "supersede", "/api/v1/decisions/{id}/supersede"),
    ("DecisionCommand", "defer", "/api/v1/decisions/{id}/defer"),
    ("DecisionCommand", "retable", "/api/v1/decisions/{id}/retable"),
    ("DecisionCommand", "rescind", "/api/v1/decisions/{id}/rescind"),
];

/// Commands only the server itself issues: (command enum, variant tag).
pub const NOT_OVER_HTTP: &[(&str, &str)] = &[("DecisionCommand", "record_effect")];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// (command enum, variant tag) of every variant of every command enum.
    fn variants() -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        for (name, schema) in super::super::openapi::command_enums() {
            let tags = schema["oneOf"].as_array().expect("a command enum is a oneOf");
            for variant in tags {
                let parts: Vec<&serde_json::Value> = match variant.get("allOf").and_then(|a| a.as_array()) {
                    Some(parts) => parts.iter().collect(),
                    None => vec![variant],
                };
                let tag = parts
                    .iter()
                    .find_map(|p| p.pointer("/properties/command/enum/0").and_then(|t| t.as_str()))
                    .expect("every variant is tagged by `command`");
                out.insert((name.to_string(), tag.to_string()));
            }
        }
        out
    }

    #[test]
    fn every_command_has_exactly_one_route() {
        let variants = variants();
        assert!(variants.len() > 100, "the command enums were read: {}", variants.len());
        for (schema, command) in &variants {
            let generic = all().filter(|a| a.schema == schema && a.command == command).count();
            let typed = TYPED.iter().filter(|(s, c, _)| s == schema && c == command).count();
            let internal = NOT_OVER_HTTP.iter().filter(|(s, c)| s == schema && c == command).count();
            assert_eq!(
                generic + typed + internal,
                1,
                "{schema}::{command} must have exactly one route (add it to an ACTIONS list or TYPED)"
            );
        }
        for action in all() {
            assert!(
                variants.contains(&(action.schema.to_string(), action.command.to_string())),
                "{} names {}::{}, which does not exist",
                action.path,
                action.schema,
                action.command
            );
        }
        let named = TYPED.iter().map(|(s, c, _)| (*s, *c)).chain(NOT_OVER_HTTP.iter().copied());
        for (schema, command) in named {
            assert!(variants.contains(&(schema.to_string(), command.to_string())), "no {schema}::{command}");
        }
    }

    #[test]
    fn every_route_has_an_operation_and_a_request_schema_in_the_openapi_document() {
        let doc = super::super::openapi::document();
        let routes = all().map(|a| a.path).chain(TYPED.iter().map(|(_, _, path)| *path));
        for path in routes {
            let operation = &doc["paths"][path]["post"];
            assert!(operation.is_object(), "no POST {path} in the OpenAPI document");
            let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
            assert!(schema.is_object(), "POST {path} has no request schema");
        }
        for action in all() {
            let schema = &doc["paths"][action.path]["post"]["requestBody"]["content"]["application/json"]["schema"];
            assert!(schema["properties"]["envelope"].is_object(), "{}: the body takes an envelope", action.path);
        }
    }
}
