//! The `Group` aggregate: Action Groups and Working Groups.
//!
//! A group is created (or relaunched) on the authority of an adopted GCG decision
//! (subject `create_action_group` / `create_working_group`); groups that predate the
//! ledger are recorded as `legacy` with a mandatory evidence document. A group has at
//! most one active holder per leading role, members that are admitted partners, and
//! workplans approved by version whose periods never overlap.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::authority::{is_sha256_hex, require_decision, AuthorityError, DecisionFacts};
use crate::decision::DecisionSubject;
use crate::partner::PartnerStatus;

/// Action Group or Working Group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GroupKind {
    ActionGroup,
    WorkingGroup,
}

/// A leading role in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LeadRole {
    Lead,
    Chair,
    Secretariat,
    CoLead,
}

/// Group commands; "edge fact" fields are filled in by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GroupCommand {
    Establish {
        group_id: String,
        kind: GroupKind,
        name: String,
        theme: Option<String>,
        established_on: NaiveDate,
        /// For a group that predates the ledger: SHA-256 of the document that shows it was
        /// created (then no decision is cited).
        legacy_evidence_sha256: Option<String>,
        /// Edge fact: the cited decision.
        #[serde(skip)]
        authority: Option<DecisionFacts>,
    },
    Relaunch {
        relaunched_on: NaiveDate,
        supporters: Vec<String>,
        #[serde(skip)]
        authority: Option<DecisionFacts>,
    },
    AssignLead {
        role: LeadRole,
        organisation: String,
        from: NaiveDate,
        #[serde(skip)]
        organisation_known: bool,
    },
    EndLead {
        role: LeadRole,
        organisation: String,
        on: NaiveDate,
    },
    AddMember {
        organisation: String,
        joined_on: NaiveDate,
        /// Edge fact: the partner's status (only admitted partners join).
        #[serde(skip)]
        partner_status: Option<PartnerStatus>,
    },
    RemoveMember {
        organisation: String,
        left_on: NaiveDate,
    },
    AdoptWorkplan {
        version: u32,
        period_start: NaiveDate,
        period_end: NaiveDate,
        doc_sha256: String,
        approved_on: NaiveDate,
    },
}

impl GroupCommand {
    pub fn name(&self) -> &'static str {
        match self {
            GroupCommand::Establish { .. } => "establish",
            GroupCommand::Relaunch { .. } => "relaunch",
            GroupCommand::AssignLead { .. } => "assign_lead",
            GroupCommand::EndLead { .. } => "end_lead",
            GroupCommand::AddMember { .. } => "add_member",
            GroupCommand::RemoveMember { .. } => "remove_member",
            GroupCommand::AdoptWorkplan { .. } => "adopt_workplan",
        }
    }
}

/// Group events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupEvent {
    GroupEstablished {
        group_id: String,
        kind: GroupKind,
        name: String,
        theme: Option<String>,
        established_on: NaiveDate,
        decision_id: Option<String>,
        legacy_evidence_sha256: Option<String>,
    },
    GroupRelaunched {
        relaunched_on: NaiveDate,
        supporters: Vec<String>,
        decision_id: String,
    },
    GroupLeadAssigned {
        role: LeadRole,
        organisation: String,
        from: NaiveDate,
    },
    GroupLeadEnded {
        role: LeadRole,
        organisation: String,
        on: NaiveDate,
    },
    GroupMemberJoined {
        organisation: String,
        joined_on: NaiveDate,
    },
    GroupMemberLeft {
        organisation: String,
        left_on: NaiveDate,
    },
    WorkplanAdopted {
        version: u32,
        period_start: NaiveDate,
        period_end: NaiveDate,
        doc_sha256: String,
        approved_on: NaiveDate,
    },
}

impl DomainEvent for GroupEvent {
    fn event_type(&self) -> String {
        match self {
            GroupEvent::GroupEstablished { .. } => "GroupEstablished",
            GroupEvent::GroupRelaunched { .. } => "GroupRelaunched",
            GroupEvent::GroupLeadAssigned { .. } => "GroupLeadAssigned",
            GroupEvent::GroupLeadEnded { .. } => "GroupLeadEnded",
            GroupEvent::GroupMemberJoined { .. } => "GroupMemberJoined",
            GroupEvent::GroupMemberLeft { .. } => "GroupMemberLeft",
            GroupEvent::WorkplanAdopted { .. } => "WorkplanAdopted",
        }
        .to_string()
    }
    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why a group command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    #[error("the group is already established")]
    AlreadyEstablished,
    #[error("the group has not been established")]
    NotEstablished,
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("legacy evidence must be a SHA-256 (64 lowercase hex digits)")]
    LegacyEvidenceInvalid,
    #[error("party {0} is not a registered organisation or country")]
    PartyUnknown(String),
    #[error("the {} role is held by {holder}; end it first", crate::snake(.role))]
    LeadOccupied { role: LeadRole, holder: String },
    #[error("organisation {0} does not hold that role")]
    LeadNotHeld(String),
    #[error("a role ends after it began")]
    LeadEndsBeforeStart,
    #[error("only admitted partners join a group")]
    PartnerNotAdmitted,
    #[error("organisation {0} is already a member")]
    AlreadyMember(String),
    #[error("organisation {0} is not a member")]
    NotMember(String),
    #[error("a member leaves after joining")]
    LeavesBeforeJoining,
    #[error("workplan version must be {0}")]
    WorkplanVersionNotNext(u32),
    #[error("a workplan period ends after it starts")]
    WorkplanPeriodInvalid,
    #[error("workplan periods must not overlap (version {0} covers part of it)")]
    WorkplanPeriodsOverlap(u32),
    #[error("doc_sha256 must be 64 lowercase hex digits")]
    DocumentHashInvalid,
    #[error("a group is relaunched after it was established")]
    RelaunchBeforeEstablished,
    #[error(transparent)]
    Authority(#[from] AuthorityError),
}

impl GroupError {
    pub fn rule(&self) -> &'static str {
        match self {
            GroupError::AlreadyEstablished => "group_already_established",
            GroupError::NotEstablished => "group_not_established",
            GroupError::Empty(_) => "field_empty",
            GroupError::LegacyEvidenceInvalid => "legacy_evidence_invalid",
            GroupError::PartyUnknown(_) => "party_unknown",
            GroupError::LeadOccupied { .. } => "group_lead_occupied",
            GroupError::LeadNotHeld(_) => "group_lead_not_held",
            GroupError::LeadEndsBeforeStart => "group_lead_ends_before_start",
            GroupError::PartnerNotAdmitted => "partner_not_admitted",
            GroupError::AlreadyMember(_) => "member_already_joined",
            GroupError::NotMember(_) => "member_unknown",
            GroupError::LeavesBeforeJoining => "member_leaves_before_joining",
            GroupError::WorkplanVersionNotNext(_) => "workplan_version_not_next",
            GroupError::WorkplanPeriodInvalid => "workplan_period_invalid",
            GroupError::WorkplanPeriodsOverlap(_) => "workplan_periods_overlap",
            GroupError::DocumentHashInvalid => "document_hash_invalid",
            GroupError::RelaunchBeforeEstablished => "relaunch_before_established",
            GroupError::Authority(e) => e.rule(),
        }
    }
}

/// A role holder's time in the role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadHolding {
    pub role: LeadRole,
    pub organisation: String,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

/// A workplan version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workplan {
    pub version: u32,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
}

/// A group's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub group_id: String,
    pub established_on: Option<NaiveDate>,
    pub kind: Option<GroupKind>,
    pub leads: Vec<LeadHolding>,
    /// Current members and the day each joined.
    pub members: Vec<(String, NaiveDate)>,
    pub workplans: Vec<Workplan>,
}

fn not_empty(value: &str, field: &'static str) -> Result<(), GroupError> {
    if value.trim().is_empty() {
        return Err(GroupError::Empty(field));
    }
    Ok(())
}

/// The decision subject that may create (or relaunch) a group of `kind`.
fn creates(kind: GroupKind, subject: &DecisionSubject) -> bool {
    matches!(
        (kind, subject),
        (GroupKind::ActionGroup, DecisionSubject::CreateActionGroup { .. })
            | (GroupKind::WorkingGroup, DecisionSubject::CreateWorkingGroup { .. })
    )
}

pub fn decide(state: &Group, command: GroupCommand) -> Result<Vec<GroupEvent>, GroupError> {
    let established = state.established_on;
    if established.is_none() && !matches!(command, GroupCommand::Establish { .. }) {
        return Err(GroupError::NotEstablished);
    }
    match command {
        GroupCommand::Establish { group_id, kind, name, theme, established_on, legacy_evidence_sha256, authority } => {
            if established.is_some() {
                return Err(GroupError::AlreadyEstablished);
            }
            not_empty(&group_id, "group_id")?;
            not_empty(&name, "name")?;
            let decision_id = match (&legacy_evidence_sha256, authority) {
                (Some(hash), None) => {
                    if !is_sha256_hex(hash) {
                        return Err(GroupError::LegacyEvidenceInvalid);
                    }
                    None
                }
                (_, authority) => {
                    let needed = match kind {
                        GroupKind::ActionGroup => "create_action_group",
                        GroupKind::WorkingGroup => "create_working_group",
                    };
                    Some(require_decision(authority.as_ref(), needed, |s| creates(kind, s))?)
                }
            };
            let legacy_evidence_sha256 = if decision_id.is_some() { None } else { legacy_evidence_sha256 };
            Ok(vec![GroupEvent::GroupEstablished {
                group_id,
                kind,
                name,
                theme,
                established_on,
                decision_id,
                legacy_evidence_sha256,
            }])
        }
        GroupCommand::Relaunch { relaunched_on, supporters, authority } => {
            let kind = state.kind.unwrap_or(GroupKind::ActionGroup);
            if established.is_some_and(|e| relaunched_on <= e) {
                return Err(GroupError::RelaunchBeforeEstablished);
            }
            let needed = match kind {
                GroupKind::ActionGroup => "create_action_group (relaunch)",
                GroupKind::WorkingGroup => "create_working_group (relaunch)",
            };
            let decision_id = require_decision(authority.as_ref(), needed, |s| creates(kind, s))?;
            Ok(vec![GroupEvent::GroupRelaunched { relaunched_on, supporters, decision_id }])
        }
        GroupCommand::AssignLead { role, organisation, from, organisation_known } => {
            not_empty(&organisation, "organisation")?;
            if !organisation_known {
                return Err(GroupError::PartyUnknown(organisation));
            }
            if role != LeadRole::CoLead {
                if let Some(current) = state.leads.iter().find(|l| l.role == role && l.until.is_none_or(|u| from < u)) {
                    return Err(GroupError::LeadOccupied { role, holder: current.organisation.clone() });
                }
            }
            Ok(vec![GroupEvent::GroupLeadAssigned { role, organisation, from }])
        }
        GroupCommand::EndLead { role, organisation, on } => {
            let current = state
                .leads
                .iter()
                .find(|l| l.role == role && l.organisation == organisation && l.until.is_none())
                .ok_or_else(|| GroupError::LeadNotHeld(organisation.clone()))?;
            if on <= current.from {
                return Err(GroupError::LeadEndsBeforeStart);
            }
            Ok(vec![GroupEvent::GroupLeadEnded { role, organisation, on }])
        }
        GroupCommand::AddMember { organisation, joined_on, partner_status } => {
            not_empty(&organisation, "organisation")?;
            if partner_status != Some(PartnerStatus::Admitted) {
                return Err(GroupError::PartnerNotAdmitted);
            }
            if state.members.iter().any(|(m, _)| *m == organisation) {
                return Err(GroupError::AlreadyMember(organisation));
            }
            Ok(vec![GroupEvent::GroupMemberJoined { organisation, joined_on }])
        }
        GroupCommand::RemoveMember { organisation, left_on } => {
            let (_, joined) = state
                .members
                .iter()
                .find(|(m, _)| *m == organisation)
                .ok_or_else(|| GroupError::NotMember(organisation.clone()))?;
            if left_on < *joined {
                return Err(GroupError::LeavesBeforeJoining);
            }
            Ok(vec![GroupEvent::GroupMemberLeft { organisation, left_on }])
        }
        GroupCommand::AdoptWorkplan { version, period_start, period_end, doc_sha256, approved_on } => {
            let next = state.workplans.last().map_or(1, |w| w.version + 1);
            if version != next {
                return Err(GroupError::WorkplanVersionNotNext(next));
            }
            if period_end <= period_start {
                return Err(GroupError::WorkplanPeriodInvalid);
            }
            if let Some(w) =
                state.workplans.iter().find(|w| period_start <= w.period_end && w.period_start <= period_end)
            {
                return Err(GroupError::WorkplanPeriodsOverlap(w.version));
            }
            if !is_sha256_hex(&doc_sha256) {
                return Err(GroupError::DocumentHashInvalid);
            }
            Ok(vec![GroupEvent::WorkplanAdopted { version, period_start, period_end, doc_sha256, approved_on }])
        }
    }
}

pub fn evolve(state: &mut Group, event: GroupEvent) {
    match event {
        GroupEvent::GroupEstablished { group_id, kind, established_on, .. } => {
            state.group_id = group_id;
            state.kind = Some(kind);
            state.established_on = Some(established_on);
        }
        GroupEvent::GroupRelaunched { .. } => {}
        GroupEvent::GroupLeadAssigned { role, organisation, from } => {
            state.leads.push(LeadHolding { role, organisation, from, until: None })
        }
        GroupEvent::GroupLeadEnded { role, organisation, on } => {
            if let Some(l) =
                state.leads.iter_mut().find(|l| l.role == role && l.organisation == organisation && l.until.is_none())
            {
                l.until = Some(on);
            }
        }
        GroupEvent::GroupMemberJoined { organisation, joined_on } => state.members.push((organisation, joined_on)),
        GroupEvent::GroupMemberLeft { organisation, .. } => state.members.retain(|(m, _)| *m != organisation),
        GroupEvent::WorkplanAdopted { version, period_start, period_end, .. } => {
            state.workplans.push(Workplan { version, period_start, period_end })
        }
    }
}

impl Aggregate for Group {
    const TYPE: &'static str = "group";
    type Command = GroupCommand;
    type Event = GroupEvent;
    type Error = GroupError;
    type Services = ();

    async fn handle(&mut self, command: Self::Command, _: &(), sink: &EventSink<Self>) -> Result<(), Self::Error> {
        for event in decide(self, command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        evolve(self, event);
    }
}

#[cfg(test)]
mod tests;

crate::dated_command!(GroupCommand, |command| match command {
    GroupCommand::Establish { established_on, .. } => Occurred(*established_on),
    GroupCommand::Relaunch { relaunched_on, .. } => Occurred(*relaunched_on),
    GroupCommand::AssignLead { from, .. } => Planned(*from),
    GroupCommand::EndLead { on, .. } => Occurred(*on),
    GroupCommand::AddMember { joined_on, .. } => Occurred(*joined_on),
    GroupCommand::RemoveMember { left_on, .. } => Occurred(*left_on),
    GroupCommand::AdoptWorkplan { approved_on, .. } => Occurred(*approved_on),
});
