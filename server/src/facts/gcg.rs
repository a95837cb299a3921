//! The facts of the GCG (the `body` aggregate) and of the parties around it: groups,
//! partners, organisations and countries.
//!
//! * the GCG: whether a holder or candidate is a registered party; the cited decision for
//!   elections, assignments, policies and extensions;
//! * groups and partners: the cited decision; whether a lead is registered; a member's
//!   partnership status; the partner admission rule in force;
//! * organisations and countries: that the path names the body's id.
//!
//! Also who holds a seat on a date ([`seat_on`]), which meetings ask for attendance,
//! quorum and positions.

use chrono::NaiveDate;
use domain::body::{Body, BodyCommand, BodyError, Office};
use domain::command::BusinessDate;
use domain::group::{Group, GroupCommand, GroupError};
use domain::partner::{Partner, PartnerCommand, PartnerError, PartnerStatus};
use domain::reference::{Country, CountryCommand, Organisation, OrganisationCommand, ReferenceError};

use super::{refused, DEFAULT_BODY};
use crate::pipeline::{CommandError, CommandService, Given, Prepare};

/// The pseudo-seat of the Chair (held by the Chair's term, not by assignment).
pub const CHAIR_SEAT: &str = "CHAIR";
/// The pseudo-seat of the Deputy Chair.
pub const DEPUTY_CHAIR_SEAT: &str = "DEPUTY-CHAIR";

/// Who holds a seat (or an office's pseudo-seat) on a date, and whether it votes.
pub fn seat_on(body: &Body, seat_id: &str, date: NaiveDate) -> Option<(String, bool)> {
    let office = match seat_id {
        CHAIR_SEAT => Some(Office::Chair),
        DEPUTY_CHAIR_SEAT => Some(Office::DeputyChair),
        _ => None,
    };
    match office {
        Some(office) => body.office_holder_on(office, date).map(|t| (t.holder.clone(), true)),
        None => {
            let seat = body.seats.get(seat_id)?;
            seat.holder_on(date).map(|h| (h.to_string(), seat.voting))
        }
    }
}

impl Prepare for Body {
    async fn prepare(
        service: &CommandService,
        _id: &str,
        command: &mut BodyCommand,
        given: &Given,
    ) -> Result<Option<BusinessDate>, CommandError> {
        match command {
            BodyCommand::AssignSeat { holder, holder_known, authority, .. }
            | BodyCommand::ElectOfficeHolder { holder, holder_known, authority, .. } => {
                *holder_known = service.party_known(holder).await?;
                *authority = given.cited.clone();
            }
            BodyCommand::SubmitCandidacy { candidate, candidate_known, .. } => {
                *candidate_known = service.party_known(candidate).await?;
            }
            BodyCommand::AdoptPolicy { authority, .. } | BodyCommand::ExtendTerm { authority, .. } => {
                *authority = given.cited.clone();
            }
            _ => {}
        }
        Ok(None)
    }
    fn creates(command: &BodyCommand) -> bool {
        matches!(command, BodyCommand::Establish { .. })
    }
    fn refusal(error: &BodyError) -> (&'static str, bool) {
        (error.rule(), *error == BodyError::NotEstablished)
    }
}

impl Prepare for Group {
    async fn prepare(
        service: &CommandService,
        _id: &str,
        command: &mut GroupCommand,
        given: &Given,
    ) -> Result<Option<BusinessDate>, CommandError> {
        match command {
            GroupCommand::Establish { authority, .. } | GroupCommand::Relaunch { authority, .. } => {
                *authority = given.cited.clone()
            }
            GroupCommand::AssignLead { organisation, organisation_known, .. } => {
                *organisation_known = service.party_known(organisation).await?;
            }
            GroupCommand::AddMember { organisation, partner_status, .. } => {
                let partner: Partner = service.load(organisation).await?;
                *partner_status = Some(partner.status).filter(|s| *s != PartnerStatus::None);
            }
            _ => {}
        }
        Ok(None)
    }
    fn creates(command: &GroupCommand) -> bool {
        matches!(command, GroupCommand::Establish { .. })
    }
    fn refusal(error: &GroupError) -> (&'static str, bool) {
        (error.rule(), *error == GroupError::NotEstablished)
    }
}

impl Prepare for Partner {
    async fn prepare(
        service: &CommandService,
        id: &str,
        command: &mut PartnerCommand,
        given: &Given,
    ) -> Result<Option<BusinessDate>, CommandError> {
        match command {
            PartnerCommand::Apply { organisation, organisation_known, .. } => {
                if organisation != id {
                    return Err(refused("partner_id_mismatch", "a partnership's id is its organisation's id"));
                }
                *organisation_known = service.party_known(organisation).await?;
            }
            PartnerCommand::Admit { admitted_on, admission, authority } => {
                *admission = service.policy_on(DEFAULT_BODY, *admitted_on).await?.partner_admission;
                *authority = given.cited.clone();
            }
            _ => {}
        }
        Ok(None)
    }
    fn creates(command: &PartnerCommand) -> bool {
        matches!(command, PartnerCommand::Apply { .. })
    }
    fn refusal(error: &PartnerError) -> (&'static str, bool) {
        (error.rule(), *error == PartnerError::NotApplied)
    }
}

impl Prepare for Organisation {
    async fn prepare(
        _service: &CommandService,
        id: &str,
        command: &mut OrganisationCommand,
        _given: &Given,
    ) -> Result<Option<BusinessDate>, CommandError> {
        if let OrganisationCommand::Register { organisation_id, .. } = command {
            if organisation_id != id {
                return Err(refused("organisation_id_mismatch", "the path and the body name different organisations"));
            }
        }
        Ok(None)
    }
    fn creates(command: &OrganisationCommand) -> bool {
        matches!(command, OrganisationCommand::Register { .. })
    }
    fn refusal(error: &ReferenceError) -> (&'static str, bool) {
        (error.rule(), *error == ReferenceError::NotRegistered)
    }
}

impl Prepare for Country {
    async fn prepare(
        _service: &CommandService,
        id: &str,
        command: &mut CountryCommand,
        _given: &Given,
    ) -> Result<Option<BusinessDate>, CommandError> {
        let CountryCommand::Register { iso3, .. } = command;
        if iso3 != id {
            return Err(refused("country_id_mismatch", "the path and the body name different countries"));
        }
        Ok(None)
    }
    fn creates(_command: &CountryCommand) -> bool {
        true
    }
    fn refusal(error: &ReferenceError) -> (&'static str, bool) {
        (error.rule(), false)
    }
}

impl CommandService {
    /// Who holds a seat on a date in the meeting's body, for attendance and positions.
    pub async fn seat_facts(
        &self,
        body_id: &str,
        seat_id: &str,
        date: NaiveDate,
    ) -> Result<Option<(String, bool)>, CommandError> {
        let body = self.body(body_id).await?;
        Ok(seat_on(&body, seat_id, date))
    }

    /// Voting seats filled in a body on a date.
    pub async fn voting_seats_filled(&self, body_id: &str, date: NaiveDate) -> Result<u32, CommandError> {
        let body = self.body(body_id).await?;
        if body.established_on.is_none() {
            return Err(refused(
                "body_not_established",
                format!("the governing body {body_id} has not been established"),
            ));
        }
        Ok(body.voting_seats_filled_on(date))
    }
}
