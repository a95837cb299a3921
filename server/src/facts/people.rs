//! People at the edge: registering a person in the personal-data register and recording
//! it in the ledger, and erasing their clear values.
//!
//! The clear values go into the register (`ledger_store::personal`), outside the
//! append-only tables; the ledger records only the reference, the country and the salted
//! commitment (`PersonRegistered`), and later the erasure (`PersonalDataErased`). A
//! registration carries no `Idempotency-Key` and no request digest into the ledger: the
//! digest of a body holding clear values would be an unsalted hash of them.

use domain::command::BusinessDate;
use domain::person::{Person, PersonCommand, PersonError, PERSON_REF_PREFIX};
use ledger_store::personal::{self, ClearValues, PersonRow};

use super::{not_found, refused};
use crate::pipeline::{today, CommandError, CommandMeta, CommandOutcome, CommandService, Given, Prepare};

/// The aggregate id of a person reference (`person:7f3a…` → `7f3a…`), if it is one.
pub fn person_id(person_ref: &str) -> Option<&str> {
    person_ref.strip_prefix(PERSON_REF_PREFIX).filter(|id| !id.is_empty())
}

fn internal(e: anyhow::Error) -> CommandError {
    CommandError::Internal(e)
}

impl CommandService {
    /// Registers a person: their clear values into the register, `PersonRegistered` into
    /// the ledger. If the ledger refuses, the register forgets them again.
    pub async fn register_person(
        &self,
        country: &str,
        values: ClearValues,
        mut meta: CommandMeta,
    ) -> Result<(PersonRow, CommandOutcome), CommandError> {
        if values.name.trim().is_empty() {
            return Err(refused("name_empty", "name must not be empty"));
        }
        if values.email.as_deref().is_some_and(|e| !e.contains('@') || e.trim() != e) {
            return Err(refused("email_invalid", "email must be an address (with an @, no surrounding spaces)"));
        }
        if values.phone.as_deref().is_some_and(|p| p.trim().is_empty()) {
            return Err(refused("phone_empty", "phone, when given, must not be empty"));
        }
        if domain::reference::iso3_name(country).is_none() {
            return Err(refused("iso3_unknown", format!("code {country} is not an ISO 3166-1 alpha-3 country code")));
        }
        let row = personal::new_person(country, &values).map_err(internal)?;
        personal::insert(&self.db, &row).await.map_err(internal)?;
        meta.envelope.idempotency_key = None;
        meta.envelope.request_digest = None;
        let id = person_id(&row.person_ref).unwrap_or_default().to_string();
        let command = PersonCommand::Register {
            person_ref: row.person_ref.clone(),
            country: country.to_string(),
            commitment: row.commitment.clone(),
            registered_on: today(),
        };
        match self.execute::<Person>(&id, command, meta).await {
            Ok(outcome) => Ok((row, outcome)),
            Err(error) => {
                personal::withdraw(&self.db, &row.person_ref).await.map_err(internal)?;
                Err(error)
            }
        }
    }

    /// Erases a person's clear values and salt from the register and records
    /// `PersonalDataErased`. A second erasure is refused (`person_already_erased`), after
    /// making sure the register holds no value (so an erasure cut short is finished).
    pub async fn erase_person(
        &self,
        person_ref: &str,
        reason_ref: &str,
        meta: CommandMeta,
    ) -> Result<CommandOutcome, CommandError> {
        let unknown = || not_found(format!("person {person_ref}"));
        let id = person_id(person_ref).ok_or_else(unknown)?;
        if personal::get(&self.db, person_ref).await.map_err(internal)?.is_none() {
            return Err(unknown());
        }
        if reason_ref.trim().is_empty() {
            return Err(refused("erasure_reason_missing", "reason must name the request or decision (a reference)"));
        }
        let person: Person = self.load(id).await?;
        if person.erased_on.is_some() {
            personal::erase(&self.db, person_ref, reason_ref).await.map_err(internal)?;
        }
        let command = PersonCommand::Erase { reason_ref: reason_ref.to_string(), erased_on: today() };
        let outcome = self.execute::<Person>(id, command, meta).await?;
        personal::erase(&self.db, person_ref, reason_ref).await.map_err(internal)?;
        Ok(outcome)
    }

    /// What a command citing `person_ref` needs to know: the person as the ledger knows
    /// them, or `None` if not registered.
    pub async fn person_facts(&self, person_ref: &str) -> Result<Option<domain::person::PersonFacts>, CommandError> {
        let Some(id) = person_id(person_ref) else { return Ok(None) };
        if domain::id::check(id).is_err() {
            return Ok(None);
        }
        Ok(self.load::<Person>(id).await?.facts())
    }
}

impl Prepare for Person {
    async fn prepare(
        _service: &CommandService,
        id: &str,
        command: &mut PersonCommand,
        _given: &Given,
    ) -> Result<Option<BusinessDate>, CommandError> {
        if let PersonCommand::Register { person_ref, .. } = command {
            if person_id(person_ref) != Some(id) {
                return Err(refused("person_id_mismatch", format!("the id {id} is not that of {person_ref}")));
            }
        }
        Ok(None)
    }
    fn creates(command: &PersonCommand) -> bool {
        matches!(command, PersonCommand::Register { .. })
    }
    fn refusal(error: &PersonError) -> (&'static str, bool) {
        (error.rule(), *error == PersonError::NotRegistered)
    }
}
