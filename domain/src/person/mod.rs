//! The `Person` aggregate (`person:{hex}`): a person the ledger names, by a pseudonymous
//! reference and a salted commitment, never by a clear value.
//!
//! The clear values (name, email, phone) live in the personal-data register, a table
//! outside the append-only ledger that can be erased. The ledger records that a person was
//! registered (with the commitment to the clear values, see [`COMMITMENT_DOMAIN`]) and
//! that the clear values were erased; neither event holds a personal value. A focal
//! point's appointment cites a registered person that is not erased ([`PersonFacts`]).

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::authority::is_sha256_hex;
use crate::pathfinder::is_pseudonymous_ref;
use crate::reference::iso3_name;

/// The domain-separation prefix of a personal-data commitment:
/// `hex(SHA-256(COMMITMENT_DOMAIN ‖ salt ‖ canonical JSON of the clear values))`.
pub const COMMITMENT_DOMAIN: &str = "alliance87-ledger/personal/v1\n";

/// The prefix of every person reference.
pub const PERSON_REF_PREFIX: &str = "person:";

/// What a command citing a person needs to know about them (an edge fact).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFacts {
    pub person_ref: String,
    /// The country the person belongs to (ISO3).
    pub country: String,
    /// Whether their clear values have been erased.
    pub erased: bool,
}

/// Person commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PersonCommand {
    /// Records that a person was entered into the personal-data register.
    Register {
        person_ref: String,
        /// ISO 3166-1 alpha-3 of the country the person belongs to.
        country: String,
        /// The salted commitment to the clear values (64 lowercase hex digits).
        commitment: String,
        registered_on: NaiveDate,
    },
    /// Records that the person's clear values and salt were destroyed.
    Erase {
        /// A reference to the request or decision that asked for the erasure.
        reason_ref: String,
        erased_on: NaiveDate,
    },
}

impl PersonCommand {
    pub fn name(&self) -> &'static str {
        match self {
            PersonCommand::Register { .. } => "register",
            PersonCommand::Erase { .. } => "erase",
        }
    }
}

crate::dated_command!(PersonCommand, |command| match command {
    PersonCommand::Register { registered_on, .. } => Occurred(*registered_on),
    PersonCommand::Erase { erased_on, .. } => Occurred(*erased_on),
});

/// Person events: neither holds a personal value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PersonEvent {
    PersonRegistered { person_ref: String, country: String, commitment: String, registered_on: NaiveDate },
    PersonalDataErased { person_ref: String, reason_ref: String, erased_on: NaiveDate },
}

impl DomainEvent for PersonEvent {
    fn event_type(&self) -> String {
        match self {
            PersonEvent::PersonRegistered { .. } => "PersonRegistered",
            PersonEvent::PersonalDataErased { .. } => "PersonalDataErased",
        }
        .to_string()
    }
    fn event_version(&self) -> String {
        "1".to_string()
    }
}

/// Why a person command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonError {
    #[error("the person is already registered")]
    AlreadyRegistered,
    #[error("no such person is registered")]
    NotRegistered,
    #[error("the person's personal data has already been erased")]
    AlreadyErased,
    #[error("person_ref must be `person:` followed by a pseudonymous reference")]
    InvalidRef,
    #[error("country {0} is not an ISO 3166-1 alpha-3 code")]
    InvalidCountry(String),
    #[error("commitment must be 64 lowercase hex digits")]
    InvalidCommitment,
    #[error("reason_ref must not be empty")]
    EmptyReason,
}

impl PersonError {
    /// The rule's stable name.
    pub fn rule(&self) -> &'static str {
        match self {
            PersonError::AlreadyRegistered => "person_already_registered",
            PersonError::NotRegistered => "person_not_registered",
            PersonError::AlreadyErased => "person_already_erased",
            PersonError::InvalidRef => "person_ref_invalid",
            PersonError::InvalidCountry(_) => "iso3_unknown",
            PersonError::InvalidCommitment => "commitment_invalid",
            PersonError::EmptyReason => "erasure_reason_missing",
        }
    }
}

/// Whether `person_ref` is a register reference: `person:` and a pseudonymous rest.
pub fn valid_person_ref(person_ref: &str) -> bool {
    person_ref.strip_prefix(PERSON_REF_PREFIX).is_some_and(|rest| !rest.is_empty()) && is_pseudonymous_ref(person_ref)
}

/// A person as the ledger knows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub person_ref: String,
    pub country: String,
    pub commitment: String,
    pub registered_on: Option<NaiveDate>,
    pub erased_on: Option<NaiveDate>,
    pub reason_ref: Option<String>,
}

impl Person {
    /// The facts a command citing this person needs, if registered.
    pub fn facts(&self) -> Option<PersonFacts> {
        self.registered_on.map(|_| PersonFacts {
            person_ref: self.person_ref.clone(),
            country: self.country.clone(),
            erased: self.erased_on.is_some(),
        })
    }
}

pub fn decide(state: &Person, command: PersonCommand) -> Result<Vec<PersonEvent>, PersonError> {
    match command {
        PersonCommand::Register { person_ref, country, commitment, registered_on } => {
            if state.registered_on.is_some() {
                return Err(PersonError::AlreadyRegistered);
            }
            if !valid_person_ref(&person_ref) {
                return Err(PersonError::InvalidRef);
            }
            if iso3_name(&country).is_none() {
                return Err(PersonError::InvalidCountry(country));
            }
            if !is_sha256_hex(&commitment) {
                return Err(PersonError::InvalidCommitment);
            }
            Ok(vec![PersonEvent::PersonRegistered { person_ref, country, commitment, registered_on }])
        }
        PersonCommand::Erase { reason_ref, erased_on } => {
            if state.registered_on.is_none() {
                return Err(PersonError::NotRegistered);
            }
            if state.erased_on.is_some() {
                return Err(PersonError::AlreadyErased);
            }
            if reason_ref.trim().is_empty() {
                return Err(PersonError::EmptyReason);
            }
            Ok(vec![PersonEvent::PersonalDataErased { person_ref: state.person_ref.clone(), reason_ref, erased_on }])
        }
    }
}

pub fn evolve(state: &mut Person, event: PersonEvent) {
    match event {
        PersonEvent::PersonRegistered { person_ref, country, commitment, registered_on } => {
            state.person_ref = person_ref;
            state.country = country;
            state.commitment = commitment;
            state.registered_on = Some(registered_on);
        }
        PersonEvent::PersonalDataErased { reason_ref, erased_on, .. } => {
            state.erased_on = Some(erased_on);
            state.reason_ref = Some(reason_ref);
        }
    }
}

impl Aggregate for Person {
    const TYPE: &'static str = "person";
    type Command = PersonCommand;
    type Event = PersonEvent;
    type Error = PersonError;
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
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn register(person_ref: &str, country: &str, commitment: &str) -> PersonCommand {
        PersonCommand::Register {
            person_ref: person_ref.to_string(),
            country: country.to_string(),
            commitment: commitment.to_string(),
            registered_on: day("2026-01-05"),
        }
    }

    fn erase(reason: &str) -> PersonCommand {
        PersonCommand::Erase { reason_ref: reason.to_string(), erased_on: day("2026-02-01") }
    }

    fn given(events: Vec<PersonEvent>) -> Person {
        let mut state = Person::default();
        for e in events {
            evolve(&mut state, e);
        }
        state
    }

    const C: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn registers_then_erases_once() {
        let registered = decide(&Person::default(), register("person:7f3a91", "NGA", C)).unwrap();
        let mut state = given(registered.clone());
        assert_eq!(state.facts().map(|f| (f.country, f.erased)), Some(("NGA".to_string(), false)));
        assert_eq!(decide(&state, register("person:7f3a91", "NGA", C)), Err(PersonError::AlreadyRegistered));
        let erased = decide(&state, erase("DPR-2026-001")).unwrap();
        assert_eq!(
            erased,
            vec![PersonEvent::PersonalDataErased {
                person_ref: "person:7f3a91".to_string(),
                reason_ref: "DPR-2026-001".to_string(),
                erased_on: day("2026-02-01"),
            }]
        );
        for e in erased {
            evolve(&mut state, e);
        }
        assert!(state.facts().unwrap().erased);
        assert_eq!(decide(&state, erase("DPR-2026-002")).unwrap_err().rule(), "person_already_erased");
    }

    #[test]
    fn refuses_bad_registrations_and_erasures() {
        let empty = Person::default();
        assert_eq!(decide(&empty, register("Jane Doe", "NGA", C)), Err(PersonError::InvalidRef));
        assert_eq!(decide(&empty, register("person:", "NGA", C)), Err(PersonError::InvalidRef));
        assert_eq!(decide(&empty, register("person:7f3a91", "XXX", C)).unwrap_err().rule(), "iso3_unknown");
        assert_eq!(decide(&empty, register("person:7f3a91", "NGA", "abc")), Err(PersonError::InvalidCommitment));
        assert_eq!(decide(&empty, erase("DPR-1")), Err(PersonError::NotRegistered));
        let state = given(decide(&empty, register("person:7f3a91", "NGA", C)).unwrap());
        assert_eq!(decide(&state, erase("  ")).unwrap_err().rule(), "erasure_reason_missing");
    }
}
