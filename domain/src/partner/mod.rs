//! The `Partner` aggregate: an organisation's partnership with the Alliance.
//!
//! `Applied → Admitted → Withdrawn`, `Applied → Rejected | Withdrawn`. Whether admission
//! needs a GCG decision endorsing the partner is governance policy (unknown today), so the edge passes the policy's setting with the command. A
//! business network (category `business_network`) may also be recognised.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::authority::{require_decision, AuthorityError, DecisionFacts};
use crate::decision::DecisionSubject;
use crate::policy::PartnerAdmission;
use crate::reference::OrganisationCategory;

/// Areas of work a partner commits to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Area {
    ChildLabour,
    ForcedLabour,
    HumanTrafficking,
    ModernSlavery,
}

/// Where a partnership is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PartnerStatus {
    #[default]
    None,
    Applied,
    Admitted,
    Rejected,
    Withdrawn,
}

/// Partner commands; "edge fact" fields are filled in by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PartnerCommand {
    Apply {
        /// The registered organisation applying.
        organisation: String,
        category: OrganisationCategory,
        areas: Vec<Area>,
        applied_on: NaiveDate,
        #[serde(skip)]
        organisation_known: bool,
    },
    Admit {
        admitted_on: NaiveDate,
        /// Edge fact: who admits partners under the policy in force.
        #[serde(skip)]
        admission: PartnerAdmission,
        /// Edge fact: the cited decision (subject `endorse_partner`), when the policy needs one.
        #[serde(skip)]
        authority: Option<DecisionFacts>,
    },
    Reject {
        rejected_on: NaiveDate,
        reason: String,
    },
    RecogniseBusinessNetwork {
        recognised_on: NaiveDate,
    },
    Withdraw {
        withdrawn_on: NaiveDate,
        reason: Option<String>,
    },
}

impl PartnerCommand {
    pub fn name(&self) -> &'static str {
        match self {
            PartnerCommand::Apply { .. } => "apply",
            PartnerCommand::Admit { .. } => "admit",
            PartnerCommand::Reject { .. } => "reject",
            PartnerCommand::RecogniseBusinessNetwork { .. } => "recognise_business_network",
            PartnerCommand::Withdraw { .. } => "withdraw",
        }
    }
}

/// Partner events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PartnerEvent {
    PartnershipApplied { organisation: String, category: OrganisationCategory, areas: Vec<Area>, applied_on: NaiveDate },
    PartnerAdmitted { admitted_on: NaiveDate, admission: PartnerAdmission, decision_id: Option<String> },
    PartnershipRejected { rejected_on: NaiveDate, reason: String },
    BusinessNetworkRecognised { recognised_on: NaiveDate },
    PartnerWithdrew { withdrawn_on: NaiveDate, reason: Option<String> },
}

impl DomainEvent for PartnerEvent {
    fn event_type(&self) -> String {
        match self {
            PartnerEvent::PartnershipApplied { .. } => "PartnershipApplied",
            PartnerEvent::PartnerAdmitted { .. } => "PartnerAdmitted",
            PartnerEvent::PartnershipRejected { .. } => "PartnershipRejected",
            PartnerEvent::BusinessNetworkRecognised { .. } => "BusinessNetworkRecognised",
            PartnerEvent::PartnerWithdrew { .. } => "PartnerWithdrew",
        }
        .to_string()
    }
    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why a partner command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PartnerError {
    #[error("this organisation has already applied")]
    AlreadyApplied,
    #[error("no application from this organisation")]
    NotApplied,
    #[error("organisation {0} is not registered")]
    PartyUnknown(String),
    #[error("a partner commits to at least one area")]
    NoAreas,
    #[error("the application is not pending (it is {})", crate::snake(.0))]
    NotPending(PartnerStatus),
    #[error("only an admitted partner can do this (it is {})", crate::snake(.0))]
    NotAdmitted(PartnerStatus),
    #[error("only a business network can be recognised as one")]
    NotBusinessNetwork,
    #[error("already recognised as a business network")]
    AlreadyRecognised,
    #[error("a rejection needs a reason")]
    ReasonEmpty,
    #[error("this happens after the application")]
    BeforeApplication,
    #[error(transparent)]
    Authority(#[from] AuthorityError),
}

impl PartnerError {
    pub fn rule(&self) -> &'static str {
        match self {
            PartnerError::AlreadyApplied => "partner_already_applied",
            PartnerError::NotApplied => "partner_not_applied",
            PartnerError::PartyUnknown(_) => "party_unknown",
            PartnerError::NoAreas => "partner_areas_empty",
            PartnerError::NotPending(_) => "partner_application_not_pending",
            PartnerError::NotAdmitted(_) => "partner_not_admitted",
            PartnerError::NotBusinessNetwork => "partner_not_business_network",
            PartnerError::AlreadyRecognised => "business_network_already_recognised",
            PartnerError::ReasonEmpty => "reason_empty",
            PartnerError::BeforeApplication => "partner_date_before_application",
            PartnerError::Authority(e) => e.rule(),
        }
    }
}

/// A partner's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub organisation: String,
    pub category: Option<OrganisationCategory>,
    pub status: PartnerStatus,
    pub applied_on: Option<NaiveDate>,
    pub recognised: bool,
}

pub fn decide(state: &Partner, command: PartnerCommand) -> Result<Vec<PartnerEvent>, PartnerError> {
    if state.status == PartnerStatus::None && !matches!(command, PartnerCommand::Apply { .. }) {
        return Err(PartnerError::NotApplied);
    }
    let not_before_application = |date: NaiveDate| {
        if state.applied_on.is_some_and(|a| date < a) {
            return Err(PartnerError::BeforeApplication);
        }
        Ok(())
    };
    match command {
        PartnerCommand::Apply { organisation, category, areas, applied_on, organisation_known } => {
            if state.status != PartnerStatus::None {
                return Err(PartnerError::AlreadyApplied);
            }
            if !organisation_known {
                return Err(PartnerError::PartyUnknown(organisation));
            }
            if areas.is_empty() {
                return Err(PartnerError::NoAreas);
            }
            Ok(vec![PartnerEvent::PartnershipApplied { organisation, category, areas, applied_on }])
        }
        PartnerCommand::Admit { admitted_on, admission, authority } => {
            if state.status != PartnerStatus::Applied {
                return Err(PartnerError::NotPending(state.status));
            }
            not_before_application(admitted_on)?;
            let decision_id = match (admission, authority) {
                (PartnerAdmission::Secretariat, None) => None,
                (_, authority) => {
                    let organisation = state.organisation.clone();
                    Some(require_decision(
                        authority.as_ref(),
                        "endorse_partner for this organisation",
                        |s| matches!(s, DecisionSubject::EndorsePartner { organisation: o } if *o == organisation),
                    )?)
                }
            };
            Ok(vec![PartnerEvent::PartnerAdmitted { admitted_on, admission, decision_id }])
        }
        PartnerCommand::Reject { rejected_on, reason } => {
            if state.status != PartnerStatus::Applied {
                return Err(PartnerError::NotPending(state.status));
            }
            not_before_application(rejected_on)?;
            if reason.trim().is_empty() {
                return Err(PartnerError::ReasonEmpty);
            }
            Ok(vec![PartnerEvent::PartnershipRejected { rejected_on, reason }])
        }
        PartnerCommand::RecogniseBusinessNetwork { recognised_on } => {
            if state.status != PartnerStatus::Admitted {
                return Err(PartnerError::NotAdmitted(state.status));
            }
            if state.category != Some(OrganisationCategory::BusinessNetwork) {
                return Err(PartnerError::NotBusinessNetwork);
            }
            if state.recognised {
                return Err(PartnerError::AlreadyRecognised);
            }
            not_before_application(recognised_on)?;
            Ok(vec![PartnerEvent::BusinessNetworkRecognised { recognised_on }])
        }
        PartnerCommand::Withdraw { withdrawn_on, reason } => {
            if !matches!(state.status, PartnerStatus::Applied | PartnerStatus::Admitted) {
                return Err(PartnerError::NotAdmitted(state.status));
            }
            not_before_application(withdrawn_on)?;
            Ok(vec![PartnerEvent::PartnerWithdrew { withdrawn_on, reason }])
        }
    }
}

pub fn evolve(state: &mut Partner, event: PartnerEvent) {
    match event {
        PartnerEvent::PartnershipApplied { organisation, category, applied_on, .. } => {
            state.organisation = organisation;
            state.category = Some(category);
            state.applied_on = Some(applied_on);
            state.status = PartnerStatus::Applied;
        }
        PartnerEvent::PartnerAdmitted { .. } => state.status = PartnerStatus::Admitted,
        PartnerEvent::PartnershipRejected { .. } => state.status = PartnerStatus::Rejected,
        PartnerEvent::BusinessNetworkRecognised { .. } => state.recognised = true,
        PartnerEvent::PartnerWithdrew { .. } => state.status = PartnerStatus::Withdrawn,
    }
}

impl Aggregate for Partner {
    const TYPE: &'static str = "partner";
    type Command = PartnerCommand;
    type Event = PartnerEvent;
    type Error = PartnerError;
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

crate::dated_command!(PartnerCommand, |command| match command {
    PartnerCommand::Apply { applied_on, .. } => Occurred(*applied_on),
    PartnerCommand::Admit { admitted_on, .. } => Occurred(*admitted_on),
    PartnerCommand::Reject { rejected_on, .. } => Occurred(*rejected_on),
    PartnerCommand::RecogniseBusinessNetwork { recognised_on, .. } => Occurred(*recognised_on),
    PartnerCommand::Withdraw { withdrawn_on, .. } => Occurred(*withdrawn_on),
});
