//! The `Donor` aggregate: a registered organisation that funds the programme.
//!
//! The stream id is the donor organisation's id (e.g. `donor:DONOR-A`). A donor is an
//! organisation already in the party registry; in IATI terms it is a participating
//! organisation with role 1 (Funding), and its type maps to an IATI `OrganisationType`.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use super::blank;

/// The kind of donor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DonorType {
    /// A government (IATI organisation type 10).
    Government,
    /// A multilateral organisation (IATI 40).
    Multilateral,
    /// A foundation (IATI 60).
    Foundation,
    /// A private-sector donor (IATI 70).
    Private,
}

impl DonorType {
    /// The IATI `OrganisationType` code.
    pub fn iati_organisation_type(self) -> &'static str {
        match self {
            DonorType::Government => "10",
            DonorType::Multilateral => "40",
            DonorType::Foundation => "60",
            DonorType::Private => "70",
        }
    }
}

/// Donor commands; "edge fact" fields are filled in by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DonorCommand {
    /// Register an organisation as a donor.
    Register {
        /// The registered organisation's id, e.g. `DONOR-A`.
        organisation: String,
        /// The kind of donor.
        donor_type: DonorType,
        /// The organisation's IATI identifier, if it has one.
        iati_ref: Option<String>,
        /// The day of registration.
        registered_on: NaiveDate,
        /// Edge fact: whether the organisation is in the party registry.
        #[serde(skip)]
        organisation_known: bool,
    },
}

impl DonorCommand {
    /// The command's tag.
    pub fn name(&self) -> &'static str {
        match self {
            DonorCommand::Register { .. } => "register",
        }
    }
}

/// Donor events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DonorEvent {
    /// An organisation was registered as a donor.
    DonorRegistered {
        /// The organisation's id.
        organisation: String,
        /// The kind of donor.
        donor_type: DonorType,
        /// Its IATI identifier, if any.
        iati_ref: Option<String>,
        /// The day of registration.
        registered_on: NaiveDate,
    },
}

impl DomainEvent for DonorEvent {
    fn event_type(&self) -> String {
        match self {
            DonorEvent::DonorRegistered { .. } => "DonorRegistered",
        }
        .to_string()
    }
    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why a donor command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DonorError {
    /// Register on a registered donor.
    #[error("the donor is already registered")]
    AlreadyRegistered,
    /// A required text field is blank.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// The organisation is not in the party registry.
    #[error("party {0} is not a registered organisation")]
    PartyUnknown(String),
    /// The IATI identifier is blank or contains whitespace.
    #[error("the IATI identifier {0:?} must be non-empty and without whitespace")]
    IatiRefInvalid(String),
}

impl DonorError {
    /// The stable rule name.
    pub fn rule(&self) -> &'static str {
        match self {
            DonorError::AlreadyRegistered => "donor_already_registered",
            DonorError::Empty(_) => "field_empty",
            DonorError::PartyUnknown(_) => "party_unknown",
            DonorError::IatiRefInvalid(_) => "iati_ref_invalid",
        }
    }
}

/// A donor's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Donor {
    /// The organisation's id (empty until registered).
    pub organisation: String,
    /// The kind of donor (`None` until registered).
    pub donor_type: Option<DonorType>,
    /// Its IATI identifier, if any.
    pub iati_ref: Option<String>,
    /// The day of registration.
    pub registered_on: Option<NaiveDate>,
}

/// Decides a donor command against the donor's state.
pub fn decide(state: &Donor, command: DonorCommand) -> Result<Vec<DonorEvent>, DonorError> {
    match command {
        DonorCommand::Register { organisation, donor_type, iati_ref, registered_on, organisation_known } => {
            if state.registered_on.is_some() {
                return Err(DonorError::AlreadyRegistered);
            }
            if blank(&organisation) {
                return Err(DonorError::Empty("organisation"));
            }
            if !organisation_known {
                return Err(DonorError::PartyUnknown(organisation));
            }
            if let Some(r) = &iati_ref {
                if blank(r) || r.chars().any(char::is_whitespace) {
                    return Err(DonorError::IatiRefInvalid(r.clone()));
                }
            }
            Ok(vec![DonorEvent::DonorRegistered { organisation, donor_type, iati_ref, registered_on }])
        }
    }
}

/// Folds one event into the donor's state.
pub fn evolve(state: &mut Donor, event: DonorEvent) {
    match event {
        DonorEvent::DonorRegistered { organisation, donor_type, iati_ref, registered_on } => {
            state.organisation = organisation;
            state.donor_type = Some(donor_type);
            state.iati_ref = iati_ref;
            state.registered_on = Some(registered_on);
        }
    }
}

impl Aggregate for Donor {
    const TYPE: &'static str = "donor";
    type Command = DonorCommand;
    type Event = DonorEvent;
    type Error = DonorError;
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

crate::dated_command!(DonorCommand, |command| match command {
    DonorCommand::Register { registered_on, .. } => Occurred(*registered_on),
});
