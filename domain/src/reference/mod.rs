//! Reference data: organisations and countries, lightly evented.
//!
//! Every party the ledger names (a seat holder, an Action Group lead, a partner) is a
//! registered organisation (`ILO`, `FAO`, `GLOBAL-MARCH`) or a registered country (its ISO
//! 3166-1 alpha-3 code, e.g. `CHL`). Countries are checked against the ISO 3166-1 list;
//! organisation categories are a closed list.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

/// What kind of organisation a party is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OrganisationCategory {
    Government,
    /// UN agencies and other intergovernmental organisations.
    UnAgency,
    WorkersOrganisation,
    EmployersOrganisation,
    CivilSociety,
    AcademiaResearch,
    Business,
    BusinessNetwork,
    RegionalOrganisation,
    SurvivorOrganisation,
}

/// UN geoscheme regions, used for the "one PFC seat per region" principle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Region {
    Africa,
    Americas,
    ArabStates,
    AsiaPacific,
    EuropeCentralAsia,
}

// ---------------------------------------------------------------------------------
// Organisation
// ---------------------------------------------------------------------------------

/// Organisation commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OrganisationCommand {
    Register {
        /// A stable slug: capitals, digits and dashes, e.g. `GLOBAL-MARCH`.
        organisation_id: String,
        name: String,
        acronym: Option<String>,
        category: OrganisationCategory,
        /// The organisation's IATI reference, if it has one (e.g. `XM-DAC-41302`).
        iati_ref: Option<String>,
        /// ISO 3166-1 alpha-3 of its seat or government.
        country: Option<String>,
        registered_on: NaiveDate,
    },
    Rename {
        name: String,
        renamed_on: NaiveDate,
    },
}

impl OrganisationCommand {
    pub fn name(&self) -> &'static str {
        match self {
            OrganisationCommand::Register { .. } => "register",
            OrganisationCommand::Rename { .. } => "rename",
        }
    }
}

/// Organisation events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrganisationEvent {
    OrganisationRegistered {
        organisation_id: String,
        name: String,
        acronym: Option<String>,
        category: OrganisationCategory,
        iati_ref: Option<String>,
        country: Option<String>,
        registered_on: NaiveDate,
    },
    OrganisationRenamed {
        old_name: String,
        new_name: String,
        renamed_on: NaiveDate,
    },
}

impl DomainEvent for OrganisationEvent {
    fn event_type(&self) -> String {
        match self {
            OrganisationEvent::OrganisationRegistered { .. } => "OrganisationRegistered",
            OrganisationEvent::OrganisationRenamed { .. } => "OrganisationRenamed",
        }
        .to_string()
    }
    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why a reference-data command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("already registered")]
    AlreadyRegistered,
    #[error("not registered")]
    NotRegistered,
    #[error("organisation id must be capitals, digits and dashes (2 to 40 characters)")]
    InvalidOrganisationId,
    #[error("name must not be empty")]
    EmptyName,
    #[error("code {0} is not an ISO 3166-1 alpha-3 country code")]
    UnknownIso3(String),
    #[error("the new name is the current name")]
    SameName,
}

impl ReferenceError {
    pub fn rule(&self) -> &'static str {
        match self {
            ReferenceError::AlreadyRegistered => "already_registered",
            ReferenceError::NotRegistered => "not_registered",
            ReferenceError::InvalidOrganisationId => "organisation_id_invalid",
            ReferenceError::EmptyName => "name_empty",
            ReferenceError::UnknownIso3(_) => "iso3_unknown",
            ReferenceError::SameName => "name_unchanged",
        }
    }
}

/// Whether `id` is a valid organisation slug.
pub fn valid_organisation_id(id: &str) -> bool {
    (2..=40).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

/// The ISO 3166-1 English short name of an alpha-3 code, if the code exists.
pub fn iso3_name(iso3: &str) -> Option<&'static str> {
    isocountry::CountryCode::for_alpha3(iso3).ok().map(|c| c.name())
}

/// An organisation's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub organisation_id: String,
    pub name: String,
    pub category: Option<OrganisationCategory>,
}

pub fn decide_organisation(
    state: &Organisation,
    command: OrganisationCommand,
) -> Result<Vec<OrganisationEvent>, ReferenceError> {
    match command {
        OrganisationCommand::Register {
            organisation_id,
            name,
            acronym,
            category,
            iati_ref,
            country,
            registered_on,
        } => {
            if state.category.is_some() {
                return Err(ReferenceError::AlreadyRegistered);
            }
            if !valid_organisation_id(&organisation_id) {
                return Err(ReferenceError::InvalidOrganisationId);
            }
            if name.trim().is_empty() {
                return Err(ReferenceError::EmptyName);
            }
            if let Some(iso3) = &country {
                if iso3_name(iso3).is_none() {
                    return Err(ReferenceError::UnknownIso3(iso3.clone()));
                }
            }
            Ok(vec![OrganisationEvent::OrganisationRegistered {
                organisation_id,
                name,
                acronym,
                category,
                iati_ref,
                country,
                registered_on,
            }])
        }
        OrganisationCommand::Rename { name, renamed_on } => {
            if state.category.is_none() {
                return Err(ReferenceError::NotRegistered);
            }
            if name.trim().is_empty() {
                return Err(ReferenceError::EmptyName);
            }
            if name == state.name {
                return Err(ReferenceError::SameName);
            }
            Ok(vec![OrganisationEvent::OrganisationRenamed {
                old_name: state.name.clone(),
                new_name: name,
                renamed_on,
            }])
        }
    }
}

pub fn evolve_organisation(state: &mut Organisation, event: OrganisationEvent) {
    match event {
        OrganisationEvent::OrganisationRegistered { organisation_id, name, category, .. } => {
            state.organisation_id = organisation_id;
            state.name = name;
            state.category = Some(category);
        }
        OrganisationEvent::OrganisationRenamed { new_name, .. } => state.name = new_name,
    }
}

impl Aggregate for Organisation {
    const TYPE: &'static str = "organisation";
    type Command = OrganisationCommand;
    type Event = OrganisationEvent;
    type Error = ReferenceError;
    type Services = ();

    async fn handle(&mut self, command: Self::Command, _: &(), sink: &EventSink<Self>) -> Result<(), Self::Error> {
        for event in decide_organisation(self, command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        evolve_organisation(self, event);
    }
}

// ---------------------------------------------------------------------------------
// Country
// ---------------------------------------------------------------------------------

/// Country commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CountryCommand {
    Register {
        /// ISO 3166-1 alpha-3, e.g. `NPL`.
        iso3: String,
        /// Defaults to the ISO 3166-1 English short name.
        name: Option<String>,
        region: Region,
        registered_on: NaiveDate,
    },
}

impl CountryCommand {
    pub fn name(&self) -> &'static str {
        match self {
            CountryCommand::Register { .. } => "register",
        }
    }
}

/// Country events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CountryEvent {
    CountryRegistered { iso3: String, name: String, region: Region, registered_on: NaiveDate },
}

impl DomainEvent for CountryEvent {
    fn event_type(&self) -> String {
        "CountryRegistered".to_string()
    }
    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// A country's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Country {
    pub iso3: String,
    pub name: String,
    pub region: Option<Region>,
}

pub fn decide_country(state: &Country, command: CountryCommand) -> Result<Vec<CountryEvent>, ReferenceError> {
    match command {
        CountryCommand::Register { iso3, name, region, registered_on } => {
            if state.region.is_some() {
                return Err(ReferenceError::AlreadyRegistered);
            }
            let iso_name = iso3_name(&iso3).ok_or_else(|| ReferenceError::UnknownIso3(iso3.clone()))?;
            let name = match name {
                Some(n) if n.trim().is_empty() => return Err(ReferenceError::EmptyName),
                Some(n) => n,
                None => iso_name.to_string(),
            };
            Ok(vec![CountryEvent::CountryRegistered { iso3, name, region, registered_on }])
        }
    }
}

pub fn evolve_country(state: &mut Country, event: CountryEvent) {
    match event {
        CountryEvent::CountryRegistered { iso3, name, region, .. } => {
            state.iso3 = iso3;
            state.name = name;
            state.region = Some(region);
        }
    }
}

impl Aggregate for Country {
    const TYPE: &'static str = "country";
    type Command = CountryCommand;
    type Event = CountryEvent;
    type Error = ReferenceError;
    type Services = ();

    async fn handle(&mut self, command: Self::Command, _: &(), sink: &EventSink<Self>) -> Result<(), Self::Error> {
        for event in decide_country(self, command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        evolve_country(self, event);
    }
}

#[cfg(test)]
mod tests;

crate::dated_command!(OrganisationCommand, |command| match command {
    OrganisationCommand::Register { registered_on, .. } => Occurred(*registered_on),
    OrganisationCommand::Rename { renamed_on, .. } => Occurred(*renamed_on),
});

crate::dated_command!(CountryCommand, |command| match command {
    CountryCommand::Register { registered_on, .. } => Occurred(*registered_on),
});
