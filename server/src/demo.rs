//! The demo history: the real record of the Alliance 8.7 governance from the public
//! sources and the seed documents, with the values the model needs but the sources do not
//! give invented and labelled as such.
//!
//! Every event carries `provenance.confidence`: `P` stated on a public page, `S` stated
//! in a seed document, `I` inferred, `U` uncertain, `X` invented for the demo. Views show
//! `labels.illustrative = true` for anything built from an `X` event, so no one mistakes
//! an invented tally or date for a fact. The history goes through the same command path
//! as the API (facts from the GCG record, decision authority, the decision-effects process
//! manager), so it obeys every rule a user's command obeys.
//!
//! What it tells: the GCG established in 2016 with the ILO as Secretariat; France (Chair)
//! and Argentina (Deputy Chair) until May 2023; the December 2022 structure (5 PFC and 5
//! development-partner seats, 3-year terms) adopted as policy; Chile and Côte d'Ivoire
//! elected from June 2023 (extended in December 2025 while the succession call runs); the
//! Supply Chains, Migration (relaunched October 2023) and Agriculture (19th GCG, December
//! 2024) Action Groups and the SDG 8.7 Monitoring Working Group; partners and business
//! networks; the 21st GCG discussing the Multi-Donor Programme.

use chrono::NaiveDate;
use domain::body::{BodyCommand, Constituency, Office, TermEndReason};
use domain::decision::{DecisionCommand, DecisionEffect, DecisionSubject, MeetingFacts, Position, SeatFacts};
use domain::group::{GroupCommand, GroupKind, LeadRole};
use domain::meeting::{
    AgendaItem, AgendaItemKind, Attendance, AttendanceStatus, MeetingCommand, MeetingKind, Modality,
};
use domain::partner::{Area, PartnerCommand};
use domain::pathfinder::report::{Recommendation, ReportCommand};
use domain::pathfinder::AccountabilityPolicy;
use domain::policy::{DecisionMethod, GovernancePolicy, QuorumRule};
use domain::reference::{CountryCommand, OrganisationCategory, OrganisationCommand, Region};
use ledger_store::{with_pool, Db};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::facts::gcg::seat_on;
use crate::facts::DEFAULT_BODY;
use crate::pipeline::{CommandError, CommandMeta, CommandService};
use ledger_store::chaining::Envelope;

/// The actor recorded on demo events.
pub const DEMO_ACTOR: &str = "demo-loader";

/// A confidence tag and the note that explains it.
type Label<'a> = (&'a str, &'a str);

const P: Label = ("P", "stated on a public Alliance 8.7 page");
const S: Label = ("S", "stated in a seed document");

struct Loader<'a> {
    ledger: &'a CommandService,
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("demo dates are valid")
}

/// The SHA-256 of a source's address, standing in for a document that is not archived
/// here (the note on each such event says so).
fn source_hash(address: &str) -> String {
    hex::encode(Sha256::digest(address.as_bytes()))
}

fn explain(error: CommandError) -> anyhow::Error {
    anyhow::anyhow!("demo history refused: {error}")
}

impl Loader<'_> {
    fn meta(&self, occurred_at: &str, (confidence, note): Label) -> CommandMeta {
        CommandMeta {
            envelope: Envelope {
                actor: DEMO_ACTOR.into(),
                role: "secretariat".into(),
                occurred_at: Some(occurred_at.into()),
                reason: Some("demo history (ledger demo)".into()),
                provenance: Some(json!({"confidence": confidence, "note": note})),
                ..Envelope::default()
            },
            expected_version: None,
        }
    }

    async fn country(&self, iso3: &str, region: Region) -> anyhow::Result<()> {
        let command =
            CountryCommand::Register { iso3: iso3.into(), name: None, region, registered_on: day("2016-09-21") };
        let label = ("P", "ISO 3166-1 reference data; registration date is the Alliance's launch");
        self.ledger
            .execute::<domain::reference::Country>(iso3, command, self.meta("2016-09-21", label))
            .await
            .map_err(explain)?;
        Ok(())
    }

    async fn organisation(
        &self,
        id: &str,
        name: &str,
        category: OrganisationCategory,
        iati_ref: Option<&str>,
        label: Label<'_>,
    ) -> anyhow::Result<()> {
        let command = OrganisationCommand::Register {
            organisation_id: id.into(),
            name: name.into(),
            acronym: None,
            category,
            iati_ref: iati_ref.map(str::to_string),
            country: None,
            registered_on: day("2016-09-21"),
        };
        self.ledger
            .execute::<domain::reference::Organisation>(id, command, self.meta("2016-09-21", label))
            .await
            .map_err(explain)?;
        Ok(())
    }

    async fn gcg(&self, command: BodyCommand, on: &str, label: Label<'_>) -> anyhow::Result<()> {
        self.ledger
            .execute::<domain::body::Body>(DEFAULT_BODY, command, self.meta(on, label))
            .await
            .map_err(explain)?;
        Ok(())
    }

    async fn seat(
        &self,
        seat_id: &str,
        constituency: Constituency,
        region: Option<Region>,
        on: &str,
    ) -> anyhow::Result<()> {
        let voting = constituency != Constituency::Secretariat;
        let command =
            BodyCommand::DefineSeat { seat_id: seat_id.into(), constituency, region, voting, defined_on: day(on) };
        let label = ("X", "the seat list is not public; this seat is illustrative");
        self.gcg(command, on, label).await
    }

    async fn assign(&self, seat_id: &str, holder: &str, from: &str, label: Label<'_>) -> anyhow::Result<()> {
        let command = BodyCommand::AssignSeat {
            seat_id: seat_id.into(),
            holder: holder.into(),
            from: day(from),
            holder_known: false,
            authority: None,
        };
        self.gcg(command, from, label).await
    }

    async fn meeting(&self, id: &str, command: MeetingCommand, on: &str, label: Label<'_>) -> anyhow::Result<()> {
        self.ledger.execute::<domain::meeting::Meeting>(id, command, self.meta(on, label)).await.map_err(explain)?;
        Ok(())
    }

    /// Schedules and opens a meeting, records the attendance of every seat held that day
    /// (those in `absent` send apologies) and declares the quorum.
    #[allow(clippy::too_many_arguments)]
    async fn session(
        &self,
        id: &str,
        number: u32,
        kind: MeetingKind,
        date: &str,
        modality: Modality,
        location: Option<&str>,
        chaired_by: &str,
        label: Label<'_>,
        absent: &[&str],
    ) -> anyhow::Result<()> {
        let command = MeetingCommand::Schedule {
            meeting_id: id.into(),
            body_id: DEFAULT_BODY.into(),
            number,
            kind,
            date: day(date),
            modality,
            location: location.map(str::to_string),
        };
        self.meeting(id, command, date, label).await?;
        let open = MeetingCommand::Open { opened_on: day(date), chaired_by: Some(chaired_by.into()) };
        self.meeting(id, open, date, label).await?;
        let body = self.ledger.body(DEFAULT_BODY).await.map_err(explain)?;
        let mut seats: Vec<String> = vec!["CHAIR".into(), "DEPUTY-CHAIR".into()];
        seats.extend(body.seats.keys().cloned());
        let attendance_label = ("X", "attendance invented for the demo");
        for seat in seats {
            let Some((holder, _)) = seat_on(&body, &seat, day(date)) else { continue };
            let status =
                if absent.contains(&seat.as_str()) { AttendanceStatus::Apologies } else { AttendanceStatus::Present };
            let attendance = Attendance { seat_id: Some(seat), organisation: holder, status, voting: false };
            self.meeting(id, MeetingCommand::RecordAttendance(attendance), date, attendance_label).await?;
        }
        let quorum_label = ("X", "quorum figures follow the invented attendance; the GCG's quorum rule is unknown");
        let quorum =
            MeetingCommand::DeclareQuorum { voting_seats_filled: 0, policy: GovernancePolicy::provisional_v1() };
        self.meeting(id, quorum, date, quorum_label).await?;
        Ok(())
    }

    /// Tables and adopts a decision with the given seats for it; its effect, if any, is
    /// applied by the decision-effects process manager.
    #[allow(clippy::too_many_arguments)]
    async fn adopted(
        &self,
        meeting: &str,
        id: &str,
        date: &str,
        subject: DecisionSubject,
        effect: Option<DecisionEffect>,
        text: &str,
        label: Label<'_>,
        supporters: &[&str],
    ) -> anyhow::Result<()> {
        self.adopted_with(meeting, id, date, subject, effect, text, label, supporters, &[]).await
    }

    /// [`Self::adopted`], citing `evidence` documents (`(title, address)`) on the adoption.
    #[allow(clippy::too_many_arguments)]
    async fn adopted_with(
        &self,
        meeting: &str,
        id: &str,
        date: &str,
        subject: DecisionSubject,
        effect: Option<DecisionEffect>,
        text: &str,
        label: Label<'_>,
        supporters: &[&str],
        evidence: &[(&str, &str)],
    ) -> anyhow::Result<()> {
        let at = MeetingFacts { meeting_id: meeting.into(), ..MeetingFacts::default() };
        let propose = DecisionCommand::Propose {
            decision_id: id.into(),
            agenda_item: None,
            subject,
            text: text.into(),
            meeting: at,
            effect,
        };
        self.decision(id, propose, date, label).await?;
        for seat in supporters {
            let position_label = ("X", "positions invented for the demo");
            let position = DecisionCommand::RecordPosition {
                seat_id: (*seat).into(),
                position: Position::For,
                reason: None,
                meeting: MeetingFacts::default(),
                seat: SeatFacts::default(),
            };
            self.decision(id, position, date, position_label).await?;
        }
        let adopt = DecisionCommand::Adopt {
            effective_on: day(date),
            meeting: MeetingFacts::default(),
            policy: GovernancePolicy::provisional_v1(),
        };
        let mut meta = self.meta(date, label);
        meta.envelope.evidence = evidence
            .iter()
            .map(|(title, address)| json!({"sha256": source_hash(address), "title": title, "url": null}))
            .collect();
        self.ledger.execute::<domain::decision::Decision>(id, adopt, meta).await.map_err(explain)?;
        Ok(())
    }

    /// [`Self::adopted`] for a new version of the rules, in force from `effective_on`;
    /// `at` is (meeting, decision, date).
    async fn adopted_policy(
        &self,
        (meeting, id, date): (&str, &str, &str),
        policy: GovernancePolicy,
        effective_on: &str,
        text: &str,
        label: Label<'_>,
        supporters: &[&str],
    ) -> anyhow::Result<()> {
        let subject = DecisionSubject::AdoptPolicy { policy: policy.version.clone() };
        let effect = DecisionEffect::AdoptPolicy { policy, effective_on: day(effective_on) };
        self.adopted(meeting, id, date, subject, Some(effect), text, label, supporters).await
    }

    async fn decision(&self, id: &str, command: DecisionCommand, on: &str, label: Label<'_>) -> anyhow::Result<()> {
        self.ledger.execute::<domain::decision::Decision>(id, command, self.meta(on, label)).await.map_err(explain)?;
        Ok(())
    }

    async fn close(&self, id: &str, date: &str, label: Label<'_>) -> anyhow::Result<()> {
        self.meeting(id, MeetingCommand::Close { closed_on: day(date), decisions: Vec::new() }, date, label).await
    }

    async fn group(&self, id: &str, command: GroupCommand, on: &str, label: Label<'_>) -> anyhow::Result<()> {
        self.ledger.execute::<domain::group::Group>(id, command, self.meta(on, label)).await.map_err(explain)?;
        Ok(())
    }

    async fn partner(&self, id: &str, command: PartnerCommand, on: &str, label: Label<'_>) -> anyhow::Result<()> {
        self.ledger.execute::<domain::partner::Partner>(id, command, self.meta(on, label)).await.map_err(explain)?;
        Ok(())
    }

    /// A partner applying and being admitted by the Secretariat (the policy in force).
    async fn admitted_partner(
        &self,
        id: &str,
        category: OrganisationCategory,
        areas: Vec<Area>,
        on: &str,
        label: Label<'_>,
    ) -> anyhow::Result<()> {
        let apply = PartnerCommand::Apply {
            organisation: id.into(),
            category,
            areas,
            applied_on: day(on),
            organisation_known: false,
        };
        self.partner(id, apply, on, label).await?;
        let admit = PartnerCommand::Admit { admitted_on: day(on), admission: Default::default(), authority: None };
        self.partner(id, admit, on, label).await
    }

    async fn member(&self, group: &str, organisation: &str, on: &str, label: Label<'_>) -> anyhow::Result<()> {
        let command =
            GroupCommand::AddMember { organisation: organisation.into(), joined_on: day(on), partner_status: None };
        self.group(group, command, on, label).await
    }
}

/// Pathfinder accountability before the 2023 Accountability Framework: the same working
/// rules, but no status review for missed reports.
fn before_the_framework() -> AccountabilityPolicy {
    AccountabilityPolicy {
        version: "pfc-accountability/pre-2023".into(),
        inactive_review_after_missed_cycles: 0,
        ..AccountabilityPolicy::provisional_2023()
    }
}

/// The rules before the December 2022 structure: nothing about them is published.
fn legacy_policy() -> GovernancePolicy {
    GovernancePolicy {
        version: "gcg-rules/v0-legacy".into(),
        method: DecisionMethod::Consensus,
        quorum: QuorumRule::MajorityOfFilledVotingSeats,
        provisional: true,
        written_procedure_allowed: false,
        silence_period_days: Some(14),
        chair_term_years: None,
        seat_limits: vec![],
        accountability: before_the_framework(),
        ..GovernancePolicy::provisional_v1()
    }
}

/// Loads the demo history into an empty ledger; refuses a ledger that holds events.
pub async fn load(ledger: &CommandService) -> anyhow::Result<()> {
    anyhow::ensure!(
        event_count(&ledger.db).await? == 0,
        "the ledger is not empty: the demo history loads only into an empty ledger"
    );
    let l = Loader { ledger };
    reference_data(&l).await?;
    structure_2016(&l).await?;
    meetings_2018_2020(&l).await?;
    groups_and_partners(&l).await?;
    structure_2022_2023(&l).await?;
    meetings_2024_2026(&l).await?;
    crate::demo_pathfinders::load(ledger).await?;
    crate::demo_programme::load(ledger).await?;
    follow_up_2026(&l).await?;
    Ok(())
}

async fn reference_data(l: &Loader<'_>) -> anyhow::Result<()> {
    use Region::*;
    for (iso3, region) in [
        ("CHL", Americas),
        ("CIV", Africa),
        ("UGA", Africa),
        ("NPL", AsiaPacific),
        ("PER", Americas),
        ("LKA", AsiaPacific),
        ("VNM", AsiaPacific),
        ("MDG", Africa),
        ("FJI", AsiaPacific),
        ("COD", Africa),
        ("MEX", Americas),
        ("ARG", Americas),
        ("FRA", EuropeCentralAsia),
        ("AUS", AsiaPacific),
        ("GBR", EuropeCentralAsia),
    ] {
        l.country(iso3, region).await?;
    }
    use OrganisationCategory::*;
    let orgs: &[(&str, &str, OrganisationCategory, Option<&str>, Label)] = &[
        (
            "ILO",
            "International Labour Organization",
            UnAgency,
            Some("XM-DAC-41302"),
            ("U", "the Secretariat (seed-000); its IATI reference XM-DAC-41302 is unverified"),
        ),
        ("IOM", "International Organization for Migration", UnAgency, None, S),
        ("FAO", "Food and Agriculture Organization of the United Nations", UnAgency, None, S),
        ("UNICEF", "United Nations Children's Fund", UnAgency, None, P),
        ("OHCHR", "Office of the United Nations High Commissioner for Human Rights", UnAgency, None, P),
        ("UNU", "United Nations University", AcademiaResearch, None, S),
        ("ITUC", "International Trade Union Confederation", WorkersOrganisation, None, P),
        ("IOE", "International Organisation of Employers", EmployersOrganisation, None, P),
        ("GLOBAL-MARCH", "Global March Against Child Labour", CivilSociety, None, S),
        ("FREE-THE-SLAVES", "Free the Slaves", CivilSociety, None, P),
        ("ICMPD", "International Centre for Migration Policy Development", RegionalOrganisation, None, P),
        ("IPCCLA", "International Partnership for Cooperation on Child Labour in Agriculture", UnAgency, None, P),
        ("CLP", "Child Labour Platform", BusinessNetwork, None, S),
        ("GBNFL", "ILO Global Business Network on Forced Labour", BusinessNetwork, None, S),
        (
            "DONOR-A",
            "Donor A (placeholder government)",
            Government,
            None,
            ("X", "a placeholder donor invented for the demo"),
        ),
    ];
    for (id, name, category, iati, label) in orgs {
        l.organisation(id, name, *category, *iati, *label).await?;
    }
    Ok(())
}

async fn structure_2016(l: &Loader<'_>) -> anyhow::Result<()> {
    let establish = BodyCommand::Establish {
        body_id: DEFAULT_BODY.into(),
        name: "Global Coordinating Group".into(),
        established_on: day("2016-09-21"),
        secretariat: "ILO".into(),
        initial_policy: legacy_policy(),
    };
    l.gcg(establish, "2016-09-21", ("P", "Alliance 8.7 launched in New York on 21 September 2016; the initial rules are not published and are provisional"))
        .await?;
    l.seat("SEC", Constituency::Secretariat, None, "2016-09-21").await?;
    l.assign("SEC", "ILO", "2016-09-21", ("S", "the ILO serves as the Secretariat")).await?;
    l.seat("WRK", Constituency::Workers, None, "2016-09-21").await?;
    l.assign("WRK", "ITUC", "2016-09-21", ("I", "ITUC likely represents workers (co-led the 2022 'Vision' item)"))
        .await?;
    l.seat("EMP", Constituency::Employers, None, "2016-09-21").await?;
    l.assign("EMP", "IOE", "2016-09-21", ("I", "IOE likely represents employers (co-led the 2022 'Vision' item)"))
        .await?;
    l.seat("CSO", Constituency::CivilSociety, None, "2016-09-21").await?;
    l.assign(
        "CSO",
        "GLOBAL-MARCH",
        "2016-09-21",
        ("U", "Global March holds the civil society seat (seed-003); the start date is unknown: 2016-09-21 stands in"),
    )
    .await?;
    l.seat("UN-1", Constituency::UnAgency, None, "2016-09-21").await?;
    l.assign("UN-1", "IOM", "2016-09-21", ("X", "holder invented for the demo")).await?;
    l.seat("UN-2", Constituency::UnAgency, None, "2016-09-21").await?;
    l.assign("UN-2", "UNICEF", "2016-09-21", ("X", "holder invented for the demo")).await?;
    l.seat("DP-1", Constituency::DevelopmentPartner, None, "2016-09-21").await?;
    l.assign("DP-1", "AUS", "2016-09-21", ("X", "holder invented for the demo (Australia acted as chair in 2017)"))
        .await?;
    l.seat("PFC-AFR", Constituency::PathfinderCountry, Some(Region::Africa), "2019-01-15").await?;
    l.assign("PFC-AFR", "UGA", "2021-06-01", ("X", "holder invented for the demo; from its Pathfinder status")).await?;
    l.seat("PFC-ASP", Constituency::PathfinderCountry, Some(Region::AsiaPacific), "2019-01-15").await?;
    l.assign("PFC-ASP", "NPL", "2019-07-15", ("X", "holder invented for the demo; from its Pathfinder status")).await?;
    Ok(())
}

async fn meetings_2018_2020(l: &Loader<'_>) -> anyhow::Result<()> {
    let x4 = (
        "X",
        "the 4th GCG's date and the record of France and Argentina's election are not public; invented for the demo",
    );
    l.session(
        "GCG-04",
        4,
        MeetingKind::Regular,
        "2018-11-28",
        Modality::InPerson,
        Some("Geneva"),
        "ILO (Secretariat)",
        x4,
        &[],
    )
    .await?;
    for (decision, office, holder, term) in
        [("GCG-04-D01", Office::Chair, "FRA", "CHAIR-FRA"), ("GCG-04-D02", Office::DeputyChair, "ARG", "DEPUTY-ARG")]
    {
        l.adopted(
            "GCG-04",
            decision,
            "2018-11-28",
            DecisionSubject::ElectOfficeHolder { office: office.as_str().into() },
            Some(DecisionEffect::ElectOfficeHolder {
                term_id: term.into(),
                office,
                holder: holder.into(),
                term_start: day("2018-12-01"),
                term_end: day("2023-05-31"),
            }),
            &format!("Elect {holder} as {} of the GCG until 31 May 2023.", if office == Office::Chair { "Chair" } else { "Deputy Chair" }),
            ("X", "France was Chair and Argentina Deputy Chair until May 2023 [P]; the electing decision and start date are invented"),
            &["WRK", "EMP", "CSO", "UN-1", "UN-2", "DP-1"],
        )
        .await?;
    }
    l.close("GCG-04", "2018-11-28", x4).await?;
    for term in ["CHAIR-FRA", "DEPUTY-ARG"] {
        let begin = BodyCommand::BeginTerm { term_id: term.into(), on: day("2018-12-01") };
        l.gcg(begin, "2018-12-01", ("X", "start date invented for the demo")).await?;
    }

    l.session(
        "GCG-05",
        5,
        MeetingKind::Regular,
        "2019-07-15",
        Modality::InPerson,
        Some("New York"),
        "France (Chair)",
        ("U", "5th GCG in New York alongside the HLPF; the exact date is not published"),
        &[],
    )
    .await?;
    l.adopted(
        "GCG-05",
        "GCG-05-D02",
        "2019-07-15",
        DecisionSubject::GrantPathfinderStatus { iso3: "NPL".into() },
        None,
        "Grant Nepal Pathfinder Country status and endorse its national roadmap NPL/v1.",
        ("X", "invented for the demo: no public record of this decision"),
        &["CHAIR", "DEPUTY-CHAIR", "WRK", "EMP", "CSO", "UN-1", "DP-1"],
    )
    .await?;
    l.adopted(
        "GCG-05",
        "GCG-05-D03",
        "2019-07-15",
        DecisionSubject::EndorseRoadmap { roadmap_id: "NPL/v1".into() },
        None,
        "Endorse Nepal's national SDG 8.7 roadmap NPL/v1.",
        ("X", "invented for the demo: no public record of this decision"),
        &["CHAIR", "DEPUTY-CHAIR", "WRK", "EMP", "CSO", "UN-1", "DP-1"],
    )
    .await?;
    l.close("GCG-05", "2019-07-15", ("U", "date approximate")).await?;

    l.session(
        "GCG-06",
        6,
        MeetingKind::Regular,
        "2019-11-12",
        Modality::InPerson,
        Some("Paris"),
        "France (Chair)",
        ("U", "6th GCG in Paris on 12 November; the year 2019 is inferred"),
        &["UN-2"],
    )
    .await?;
    l.adopted("GCG-06", "GCG-06-D01", "2019-11-12",
        DecisionSubject::AdoptPolicy { policy: "pfc-inclusion-procedure/v2".into() }, None,
        "Adopt the amended procedure for the inclusion of Pathfinder Countries: prospective PFCs present their interest to the GCG and receive a reply after their first strategic planning workshop.",
        P, &["CHAIR", "DEPUTY-CHAIR", "WRK", "EMP", "CSO"]).await?;
    l.close("GCG-06", "2019-11-12", ("U", "year inferred")).await?;

    l.session(
        "GCG-07",
        7,
        MeetingKind::Regular,
        "2020-05-19",
        Modality::Virtual,
        None,
        "Anousheh Karvar (France, Chair)",
        P,
        &[],
    )
    .await?;
    let agenda = [
        ("1", "Adoption of the agenda and of the final report of the previous meeting", AgendaItemKind::Decision),
        ("2", "Draft joint statement", AgendaItemKind::Discussion),
        ("3", "Updated list of Pathfinder Countries and the Pathfinder strategy", AgendaItemKind::Discussion),
        ("4", "Action Group papers", AgendaItemKind::Information),
        ("5", "SDG 8.7 Monitoring Group", AgendaItemKind::Information),
        ("6", "New Alliance 8.7 Partners", AgendaItemKind::Information),
    ];
    let items = agenda
        .iter()
        .map(|(n, t, k)| AgendaItem { number: (*n).into(), title: (*t).into(), objective: None, kind: *k })
        .collect();
    l.meeting(
        "GCG-07",
        MeetingCommand::PublishAgenda { items, published_on: day("2020-05-19") },
        "2020-05-19",
        ("P", "agenda items from the 7th GCG briefing pack; numbering ours"),
    )
    .await?;
    l.adopted(
        "GCG-07",
        "GCG-07-D01",
        "2020-05-19",
        DecisionSubject::Procedural,
        None,
        "Organise a virtual extra-ordinary session of the GCG.",
        P,
        &["CHAIR", "DEPUTY-CHAIR", "WRK"],
    )
    .await?;
    l.close("GCG-07", "2020-05-19", P).await?;

    l.session("GCG-08", 8, MeetingKind::ExtraOrdinary, "2020-07-22", Modality::Virtual, None, "France (Chair)", P, &[])
        .await?;
    l.close("GCG-08", "2020-07-22", P).await?;
    let minutes = source_hash("https://dokumen.tips/documents/8th-meeting-report-of-the-global-coordinating-group-08112020-gcg-the-chair.html");
    l.meeting(
        "GCG-08",
        MeetingCommand::DraftMinutes { doc_sha256: minutes, drafted_on: day("2020-07-24") },
        "2020-07-24",
        (
            "X",
            "circulation date invented; the hash is of the report's public address, the document is not archived here",
        ),
    )
    .await?;
    l.meeting(
        "GCG-08",
        MeetingCommand::CirculateMinutes { circulated_on: day("2020-07-24"), comment_deadline: day("2020-08-07") },
        "2020-07-24",
        ("P", "the Chair invited comments by 7 August (8th meeting report)"),
    )
    .await?;
    let silence =
        MeetingCommand::ApproveMinutes { approved_on: day("2020-08-08"), authority: None, silence_allowed: false };
    l.meeting("GCG-08", silence, "2020-08-08", ("I", "approved by silence once the comment deadline passed")).await?;
    let report = source_hash("https://alliance87.org/events/8th-meeting-of-the-global-coordinating-group");
    l.meeting(
        "GCG-08",
        MeetingCommand::PublishReport {
            doc_sha256: report,
            url: Some("https://alliance87.org/events/8th-meeting-of-the-global-coordinating-group".into()),
            published_on: day("2020-08-11"),
        },
        "2020-08-11",
        ("U", "the report is dated 08/11/2020; the hash is of its public address"),
    )
    .await?;

    l.session("GCG-09", 9, MeetingKind::Regular, "2020-10-28", Modality::Virtual, None, "France (Chair)", P, &["UN-2"])
        .await?;
    let items = vec![
        AgendaItem {
            number: "1".into(),
            title: "DR Congo: Pathfinder Country candidacy".into(),
            objective: Some("present the candidacy".into()),
            kind: AgendaItemKind::Discussion,
        },
        AgendaItem {
            number: "2".into(),
            title: "Terms of reference of the monitoring and accountability framework".into(),
            objective: None,
            kind: AgendaItemKind::Discussion,
        },
    ];
    l.meeting("GCG-09", MeetingCommand::PublishAgenda { items, published_on: day("2020-10-28") }, "2020-10-28", P)
        .await?;
    l.close("GCG-09", "2020-10-28", P).await?;
    Ok(())
}

async fn groups_and_partners(l: &Loader<'_>) -> anyhow::Result<()> {
    let supply = "https://www.alliance87.org/action-groups/";
    let establish = GroupCommand::Establish {
        group_id: "AG-SC".into(),
        kind: GroupKind::ActionGroup,
        name: "Action Group on Supply Chains".into(),
        theme: Some("supply chains".into()),
        established_on: day("2017-02-15"),
        legacy_evidence_sha256: Some(source_hash(supply)),
        authority: None,
    };
    l.group("AG-SC", establish, "2017-02-15", ("P", "launched in February 2017 at Wilton Park (day approximate); predates the ledger, evidence is the hash of the source's address")).await?;
    let lead = GroupCommand::AssignLead {
        role: LeadRole::Chair,
        organisation: "ILO".into(),
        from: day("2017-02-15"),
        organisation_known: false,
    };
    l.group("AG-SC", lead, "2017-02-15", S).await?;
    let plan = GroupCommand::AdoptWorkplan {
        version: 1,
        period_start: day("2020-01-01"),
        period_end: day("2021-12-31"),
        doc_sha256: source_hash("http://alliance87.org/stories/leaders-gather-abidjan-achieve-target-87"),
        approved_on: day("2019-05-15"),
    };
    l.group(
        "AG-SC",
        plan,
        "2019-05-15",
        ("P", "the Abidjan meeting adopted a 2020-2021 work plan; hash of the source's address"),
    )
    .await?;

    let establish = GroupCommand::Establish {
        group_id: "AG-MIG".into(),
        kind: GroupKind::ActionGroup,
        name: "Action Group on Migration".into(),
        theme: Some("migration".into()),
        established_on: day("2017-11-28"),
        legacy_evidence_sha256: Some(source_hash("https://sustainabledevelopment.un.org/partnership/?p=32967")),
        authority: None,
    };
    l.group(
        "AG-MIG",
        establish,
        "2017-11-28",
        ("P", "one of the early thematic Action Groups; the date is approximate"),
    )
    .await?;
    let lead = GroupCommand::AssignLead {
        role: LeadRole::Lead,
        organisation: "IOM".into(),
        from: day("2017-11-28"),
        organisation_known: false,
    };
    l.group("AG-MIG", lead, "2017-11-28", S).await?;

    let establish = GroupCommand::Establish {
        group_id: "WG-SDGM".into(),
        kind: GroupKind::WorkingGroup,
        name: "SDG 8.7 Monitoring Working Group".into(),
        theme: Some("PFC monitoring and reporting".into()),
        established_on: day("2020-06-01"),
        legacy_evidence_sha256: Some(source_hash("https://alliance87.org/events/7008")),
        authority: None,
    };
    l.group(
        "WG-SDGM",
        establish,
        "2020-06-01",
        ("U", "its 2nd meeting was on 28 January 2021; the creation date is unknown"),
    )
    .await?;
    let lead = GroupCommand::AssignLead {
        role: LeadRole::Secretariat,
        organisation: "ILO".into(),
        from: day("2020-06-01"),
        organisation_known: false,
    };
    l.group("WG-SDGM", lead, "2020-06-01", ("X", "secretariat role invented for the demo")).await?;

    let partner_label = ("U", "a partner of the Alliance; the admission date is not published");
    l.admitted_partner(
        "GLOBAL-MARCH",
        OrganisationCategory::CivilSociety,
        vec![Area::ChildLabour, Area::ForcedLabour, Area::HumanTrafficking],
        "2016-09-21",
        partner_label,
    )
    .await?;
    l.admitted_partner(
        "FREE-THE-SLAVES",
        OrganisationCategory::CivilSociety,
        vec![Area::ModernSlavery, Area::ForcedLabour],
        "2016-09-21",
        partner_label,
    )
    .await?;
    l.admitted_partner(
        "ICMPD",
        OrganisationCategory::RegionalOrganisation,
        vec![Area::HumanTrafficking],
        "2017-11-28",
        partner_label,
    )
    .await?;
    l.admitted_partner("IPCCLA", OrganisationCategory::UnAgency, vec![Area::ChildLabour], "2017-11-28", partner_label)
        .await?;
    l.admitted_partner(
        "CLP",
        OrganisationCategory::BusinessNetwork,
        vec![Area::ChildLabour],
        "2016-09-21",
        partner_label,
    )
    .await?;
    l.admitted_partner(
        "GBNFL",
        OrganisationCategory::BusinessNetwork,
        vec![Area::ForcedLabour],
        "2018-06-12",
        ("P", "launched on 12 June 2018 in Singapore"),
    )
    .await?;
    for (id, on, label) in [
        (
            "CLP",
            "2016-09-21",
            ("U", "recognised business network (seed-000); how and when it was recognised is not published"),
        ),
        ("GBNFL", "2018-06-12", ("U", "recognised business network (seed-000); the recognition date is not published")),
    ] {
        l.partner(id, PartnerCommand::RecogniseBusinessNetwork { recognised_on: day(on) }, on, label).await?;
    }
    let apply = PartnerCommand::Apply {
        organisation: "UNU".into(),
        category: OrganisationCategory::AcademiaResearch,
        areas: vec![Area::ModernSlavery],
        applied_on: day("2026-10-05"),
        organisation_known: false,
    };
    l.partner("UNU", apply, "2026-10-05", ("X", "a pending application invented for the demo")).await?;
    let member_label = ("S", "Global March sits in the Supply Chains and Migration Action Groups (seed-003)");
    l.member("AG-SC", "GLOBAL-MARCH", "2017-02-15", member_label).await?;
    l.member("AG-MIG", "GLOBAL-MARCH", "2017-11-28", member_label).await?;
    l.member("AG-MIG", "ICMPD", "2017-11-28", ("X", "joining date invented")).await?;
    Ok(())
}

async fn structure_2022_2023(l: &Loader<'_>) -> anyhow::Result<()> {
    let v1 = GovernancePolicy { accountability: before_the_framework(), ..GovernancePolicy::provisional_v1() };
    let x15 = (
        "U",
        "the GCG meeting following the 2nd Strategic Workshop (December 2022); its number and day are not published",
    );
    l.session(
        "GCG-15",
        15,
        MeetingKind::Regular,
        "2022-12-08",
        Modality::InPerson,
        Some("Geneva"),
        "France (Chair)",
        x15,
        &["UN-2"],
    )
    .await?;
    l.adopted_policy(
        ("GCG-15", "GCG-15-D01", "2022-12-08"),
        v1,
        "2022-12-08",
        "Adopt the new governance structure: five seats for Pathfinder Country representatives (in principle one per region), five for development-partner governments, and three-year terms for the Chair and Deputy Chair.",
        ("P", "the structure and the 3-year term are public; the other rules of this policy version are provisional"),
        &["CHAIR", "DEPUTY-CHAIR", "WRK", "EMP", "CSO", "UN-1", "DP-1", "PFC-AFR", "PFC-ASP"],
    )
    .await?;
    l.close("GCG-15", "2022-12-08", x15).await?;
    for (seat, region) in
        [("PFC-AME", Region::Americas), ("PFC-ARB", Region::ArabStates), ("PFC-EUR", Region::EuropeCentralAsia)]
    {
        l.seat(seat, Constituency::PathfinderCountry, Some(region), "2022-12-08").await?;
    }
    for seat in ["DP-2", "DP-3", "DP-4", "DP-5"] {
        l.seat(seat, Constituency::DevelopmentPartner, None, "2022-12-08").await?;
    }

    let call = BodyCommand::OpenCall {
        call_id: "CALL-2023".into(),
        offices: vec![Office::Chair, Office::DeputyChair],
        opened_on: day("2023-01-16"),
        closes_on: day("2023-03-31"),
    };
    l.gcg(
        call,
        "2023-01-16",
        ("P", "calls for expressions of interest for Chair and Vice-Chair were issued; dates invented"),
    )
    .await?;
    for (office, candidate) in [(Office::Chair, "CHL"), (Office::DeputyChair, "CIV")] {
        let candidacy = BodyCommand::SubmitCandidacy {
            call_id: "CALL-2023".into(),
            office,
            candidate: candidate.into(),
            submitted_on: day("2023-03-01"),
            letter_sha256: None,
            candidate_known: false,
        };
        l.gcg(candidacy, "2023-03-01", ("X", "candidacy dates invented for the demo")).await?;
    }
    l.gcg(
        BodyCommand::CloseCall { call_id: "CALL-2023".into(), closed_on: day("2023-03-31") },
        "2023-03-31",
        ("X", "date invented"),
    )
    .await?;

    let x16 = ("X", "the meeting electing Chile and Côte d'Ivoire is not public; number and date invented");
    l.session("GCG-16", 16, MeetingKind::Regular, "2023-05-15", Modality::Virtual, None, "France (Chair)", x16, &[])
        .await?;
    for (decision, office, holder, term) in
        [("GCG-16-D01", Office::Chair, "CHL", "CHAIR-CHL"), ("GCG-16-D02", Office::DeputyChair, "CIV", "DEPUTY-CIV")]
    {
        l.adopted(
            "GCG-16",
            decision,
            "2023-05-15",
            DecisionSubject::ElectOfficeHolder { office: office.as_str().into() },
            Some(DecisionEffect::ElectOfficeHolder {
                term_id: term.into(),
                office,
                holder: holder.into(),
                term_start: day("2023-06-01"),
                term_end: day("2026-05-31"),
            }),
            &format!("Elect {holder} as {} for a three-year term from 1 June 2023.", if office == Office::Chair { "Chair" } else { "Deputy Chair" }),
            ("S", "Chile is Chair and Côte d'Ivoire Deputy Chair (seed-000); the electing decision and term dates are invented"),
            &["CHAIR", "DEPUTY-CHAIR", "WRK", "EMP", "CSO", "UN-1", "DP-1", "PFC-AFR", "PFC-ASP"],
        )
        .await?;
    }
    let v1_1 = GovernancePolicy { version: "gcg-rules/v1.1-provisional".into(), ..GovernancePolicy::provisional_v1() };
    l.adopted_policy(
        ("GCG-16", "GCG-16-D03", "2023-05-15"),
        v1_1,
        "2023-06-15",
        "Adopt the Pathfinder Country Accountability Framework, in force from 15 June 2023.",
        ("X", "the Framework was adopted in 2023 (seed-000); the meeting, the day and its rules are invented"),
        &["CHAIR", "DEPUTY-CHAIR", "WRK", "EMP", "CSO"],
    )
    .await?;
    l.close("GCG-16", "2023-05-15", x16).await?;
    for term in ["CHAIR-FRA", "DEPUTY-ARG"] {
        let end =
            BodyCommand::EndTerm { term_id: term.into(), on: day("2023-05-31"), reason: TermEndReason::Succeeded };
        l.gcg(end, "2023-05-31", ("P", "the France and Argentina terms ended in May 2023")).await?;
    }
    for term in ["CHAIR-CHL", "DEPUTY-CIV"] {
        l.gcg(
            BodyCommand::BeginTerm { term_id: term.into(), on: day("2023-06-01") },
            "2023-06-01",
            ("X", "start date invented"),
        )
        .await?;
    }
    let seat_label = ("X", "holder invented for the demo");
    l.assign("PFC-AME", "PER", "2023-06-01", seat_label).await?;
    l.assign("DP-2", "FRA", "2023-06-01", ("X", "holder invented (France as a former office holder)")).await?;
    l.assign("DP-3", "DONOR-A", "2023-06-01", seat_label).await?;

    let x17 = ("X", "the meeting relaunching the Migration Action Group is not public; number and date invented");
    l.session("GCG-17", 17, MeetingKind::Regular, "2023-10-10", Modality::Virtual, None, "Chile (Chair)", x17, &[])
        .await?;
    l.adopted(
        "GCG-17",
        "GCG-17-D01",
        "2023-10-10",
        DecisionSubject::CreateActionGroup { name: "Migration (relaunch)".into() },
        Some(DecisionEffect::RelaunchGroup {
            group_id: "AG-MIG".into(),
            relaunched_on: day("2023-10-10"),
            supporters: ["ARG", "AUS", "FRA", "GBR", "ILO", "ICMPD", "FREE-THE-SLAVES"].map(String::from).to_vec(),
        }),
        "Relaunch the Action Group on Migration, led by IOM.",
        ("P", "the Migration Action Group was relaunched in October 2023 with these supporters; the decision's form is invented"),
        &["CHAIR", "DEPUTY-CHAIR", "WRK", "EMP", "UN-1"],
    )
    .await?;
    l.close("GCG-17", "2023-10-10", x17).await?;
    let plan = GroupCommand::AdoptWorkplan {
        version: 1,
        period_start: day("2024-01-01"),
        period_end: day("2024-12-31"),
        doc_sha256: source_hash("https://www.alliance87.org/action-group/migration"),
        approved_on: day("2023-12-15"),
    };
    l.group(
        "AG-MIG",
        plan,
        "2023-12-15",
        ("P", "a one-year work plan; approval date invented, hash of the source's address"),
    )
    .await?;
    l.member("AG-MIG", "FREE-THE-SLAVES", "2023-10-10", ("P", "a supporter of the relaunch")).await?;
    Ok(())
}

async fn meetings_2024_2026(l: &Loader<'_>) -> anyhow::Result<()> {
    let x19 = ("X", "the 19th GCG met in December 2024; the day is invented");
    l.session(
        "GCG-19",
        19,
        MeetingKind::Regular,
        "2024-12-10",
        Modality::Hybrid,
        None,
        "Chile (Chair)",
        x19,
        &["DP-3"],
    )
    .await?;
    l.adopted(
        "GCG-19",
        "GCG-19-D04",
        "2024-12-10",
        DecisionSubject::CreateActionGroup { name: "Agriculture".into() },
        Some(DecisionEffect::EstablishGroup {
            group_id: "AG-AGRI".into(),
            kind: GroupKind::ActionGroup,
            name: "Action Group on Agriculture".into(),
            theme: Some("child labour and forced labour in agriculture".into()),
            established_on: day("2024-12-10"),
        }),
        "Establish the Action Group on Agriculture, with FAO as its Secretariat in coordination with IPCCLA.",
        ("X", "the Agriculture Action Group was established at the 19th GCG (public); the day is invented"),
        &["CHAIR", "DEPUTY-CHAIR", "PFC-AFR", "WRK", "EMP"],
    )
    .await?;
    l.close("GCG-19", "2024-12-10", x19).await?;
    let lead = GroupCommand::AssignLead {
        role: LeadRole::Secretariat,
        organisation: "FAO".into(),
        from: day("2024-12-10"),
        organisation_known: false,
    };
    l.group("AG-AGRI", lead, "2024-12-10", ("X", "FAO is its Secretariat (public); the day is invented")).await?;
    l.member("AG-AGRI", "IPCCLA", "2024-12-10", ("P", "FAO acts in coordination with IPCCLA members")).await?;

    let x21 = ("X", "the 21st GCG met in December 2025; the day is invented");
    l.session("GCG-21", 21, MeetingKind::Regular, "2025-12-09", Modality::Hybrid, None, "Chile (Chair)", x21, &[])
        .await?;
    l.adopted_with(
        "GCG-21",
        "GCG-21-D03",
        "2025-12-09",
        DecisionSubject::EstablishProgramme { programme_id: "MDP-A87".into() },
        None,
        "Mandate the Secretariat to open the Multi-Donor Programme for January 2026 to June 2031.",
        ("X", "invented for the demo: the seed only says the MDP was discussed"),
        &["CHAIR", "DEPUTY-CHAIR", "DP-1", "DP-2"],
        &[("Programme document of the Multi-Donor Programme", "demo: MDP programme document")],
    )
    .await?;
    for (decision, office, term) in
        [("GCG-21-D04", Office::Chair, "CHAIR-CHL"), ("GCG-21-D05", Office::DeputyChair, "DEPUTY-CIV")]
    {
        l.adopted(
            "GCG-21",
            decision,
            "2025-12-09",
            DecisionSubject::ExtendTerm { office: office.as_str().into() },
            Some(DecisionEffect::ExtendTerm { term_id: term.into(), office, new_end: day("2027-05-31") }),
            "Extend the current term by one year while the 2026 succession process runs.",
            ("X", "invented for the demo: the 2026 succession is an open question"),
            &["WRK", "EMP", "CSO", "DP-1"],
        )
        .await?;
    }
    l.close("GCG-21", "2025-12-09", x21).await?;
    let minutes = source_hash("demo: minutes of the 21st GCG");
    l.meeting(
        "GCG-21",
        MeetingCommand::DraftMinutes { doc_sha256: minutes, drafted_on: day("2025-12-20") },
        "2025-12-20",
        x21,
    )
    .await?;
    l.meeting(
        "GCG-21",
        MeetingCommand::CirculateMinutes { circulated_on: day("2025-12-22"), comment_deadline: day("2026-01-31") },
        "2025-12-22",
        x21,
    )
    .await?;

    let x22 = ("X", "the 22nd GCG is invented for the demo");
    l.session(
        "GCG-22",
        22,
        MeetingKind::Regular,
        "2026-06-16",
        Modality::Virtual,
        None,
        "Chile (Chair)",
        x22,
        &["DP-3", "UN-2", "PFC-AME"],
    )
    .await?;
    l.adopted(
        "GCG-22",
        "GCG-22-D01",
        "2026-06-16",
        DecisionSubject::ApproveMinutes { meeting_id: "GCG-21".into() },
        Some(DecisionEffect::ApproveMinutes { meeting_id: "GCG-21".into(), approved_on: day("2026-06-16") }),
        "Approve the minutes of the 21st meeting.",
        x22,
        &["CHAIR", "DEPUTY-CHAIR", "WRK"],
    )
    .await?;
    l.adopted_with(
        "GCG-22",
        "GCG-22-D02",
        "2026-06-16",
        DecisionSubject::ApproveBudgetReallocation { programme_id: "MDP-A87".into() },
        None,
        "Approve moving 1,200 USD a month from Outcome 1 to Outcome 2 from July 2026.",
        x22,
        &["CHAIR", "DEPUTY-CHAIR", "PFC-AFR", "PFC-ASP", "DP-1", "DP-2"],
        &[("Reallocation request to the GCG", "demo: reallocation request of June 2026")],
    )
    .await?;
    let v2 = GovernancePolicy {
        version: "gcg-rules/v2-provisional".into(),
        written_procedure_allowed: true,
        ..GovernancePolicy::provisional_v1()
    };
    l.adopted_policy(
        ("GCG-22", "GCG-22-D03", "2026-06-16"),
        v2,
        "2026-06-16",
        "Allow decisions by written procedure between meetings (silence period of 14 days); the other rules stay as they are.",
        ("X", "invented for the demo: no rule on written procedure is published"),
        &["CHAIR", "DEPUTY-CHAIR", "WRK", "EMP", "DP-1"],
    )
    .await?;
    l.adopted(
        "GCG-22",
        "GCG-22-D04",
        "2026-06-16",
        DecisionSubject::Procedural,
        None,
        "Hold the 23rd meeting in person in Geneva in November 2026.",
        x22,
        &["CHAIR", "DEPUTY-CHAIR", "WRK"],
    )
    .await?;
    l.close("GCG-22", "2026-06-16", x22).await?;
    let report = source_hash("demo: report of the 21st GCG");
    l.meeting(
        "GCG-21",
        MeetingCommand::PublishReport { doc_sha256: report, url: None, published_on: day("2026-06-30") },
        "2026-06-30",
        x21,
    )
    .await?;

    let call = BodyCommand::OpenCall {
        call_id: "CALL-2026".into(),
        offices: vec![Office::Chair, Office::DeputyChair],
        opened_on: day("2026-09-01"),
        closes_on: day("2027-01-31"),
    };
    l.gcg(call, "2026-09-01", ("X", "the 2026 succession call is invented for the demo")).await?;
    Ok(())
}

/// What followed the 22nd meeting: a decision by written procedure (with one objection)
/// that replaced one of the 22nd's, the 2022 rules marked superseded by the June 2026
/// version, and action items on decisions, some open, one completed without evidence.
/// All of it is invented for the demo except the decisions it refers to.
async fn follow_up_2026(l: &Loader<'_>) -> anyhow::Result<()> {
    let x = ("X", "invented for the demo: the follow-up of decisions is not published");
    let supersede = DecisionCommand::Supersede {
        by: domain::decision::SupersedingFacts { decision_id: "GCG-22-D03".into(), ..Default::default() },
    };
    let replaced = ("X", "the rules version of June 2026 that replaces the 2022 one is invented for the demo");
    l.decision("GCG-15-D01", supersede, "2026-06-16", replaced).await?;

    // A written procedure: circulated on 15 September 2026, silence until the 29th
    // (the 14 days of the rules in force), one objection, adopted on the 30th.
    let wp = ("X", "the written procedure of September 2026 is invented for the demo");
    l.session(
        "GCG-WP-2026-1",
        22,
        MeetingKind::Intersessional,
        "2026-09-15",
        Modality::Virtual,
        None,
        "Chile (Chair)",
        wp,
        &[],
    )
    .await?;
    let id = "GCG-WP-2026-1-D01";
    let propose = DecisionCommand::Propose {
        decision_id: id.into(),
        agenda_item: None,
        subject: DecisionSubject::Procedural,
        text: "Hold the 23rd meeting virtually in February 2027 instead of in Geneva in November 2026.".into(),
        meeting: MeetingFacts { meeting_id: "GCG-WP-2026-1".into(), ..MeetingFacts::default() },
        effect: None,
    };
    l.decision(id, propose, "2026-09-15", wp).await?;
    for (seat, position, reason, on) in [
        ("CHAIR", Position::For, None, "2026-09-16"),
        ("DEPUTY-CHAIR", Position::For, None, "2026-09-17"),
        ("DP-2", Position::Against, Some("objection: an in-person meeting is needed for the succession"), "2026-09-24"),
    ] {
        let position = DecisionCommand::RecordPosition {
            seat_id: seat.into(),
            position,
            reason: reason.map(str::to_string),
            meeting: MeetingFacts::default(),
            seat: SeatFacts::default(),
        };
        l.decision(id, position, on, wp).await?;
    }
    let adopt = DecisionCommand::Adopt {
        effective_on: day("2026-09-30"),
        meeting: MeetingFacts::default(),
        policy: GovernancePolicy::provisional_v1(),
    };
    l.decision(id, adopt, "2026-09-30", wp).await?;
    // Uganda's 2026 report, reviewed by the Monitoring Working Group and approved by the
    // same written procedure.
    let id = "GCG-WP-2026-1-D02";
    let propose = DecisionCommand::Propose {
        decision_id: id.into(),
        agenda_item: None,
        subject: DecisionSubject::ApproveReport { report_id: "2026/UGA".into() },
        text: "Approve Uganda's 2026 country report.".into(),
        meeting: MeetingFacts { meeting_id: "GCG-WP-2026-1".into(), ..MeetingFacts::default() },
        effect: None,
    };
    l.decision(id, propose, "2026-09-15", wp).await?;
    let adopt = DecisionCommand::Adopt {
        effective_on: day("2026-09-30"),
        meeting: MeetingFacts::default(),
        policy: GovernancePolicy::provisional_v1(),
    };
    l.decision(id, adopt, "2026-09-30", wp).await?;
    l.close("GCG-WP-2026-1", "2026-09-30", wp).await?;
    let report = "2026/UGA";
    let reviewer = ReportCommand::AssignReviewer { reviewers: vec!["WG-SDGM".into()], on: day("2026-08-03") };
    let review = ReportCommand::Review {
        reviewer: "WG-SDGM".into(),
        recommendation: Recommendation::Approve,
        comments_sha256: source_hash("demo: review of Uganda's 2026 report"),
        on: day("2026-09-01"),
    };
    let approve =
        ReportCommand::Approve { approved_on: day("2026-09-30"), approval: Default::default(), authority: None };
    for (command, on, decision) in
        [(reviewer, "2026-08-03", None), (review, "2026-09-01", None), (approve, "2026-09-30", Some(id))]
    {
        let mut meta = l.meta(on, wp);
        meta.envelope.authority = decision.map(|d| json!({"kind": "decision", "decision_id": d}));
        l.ledger.execute::<domain::pathfinder::CountryReport>(report, command, meta).await.map_err(explain)?;
    }
    let rescind = DecisionCommand::Rescind {
        by: domain::decision::SupersedingFacts { decision_id: "GCG-WP-2026-1-D01".into(), ..Default::default() },
        reason: "replaced by the written procedure of September 2026".into(),
    };
    l.decision("GCG-22-D04", rescind, "2026-09-30", wp).await?;

    // What the seed reports, beside what the demo records.
    use domain::body::{FigureQualifier, ReportedFigure};
    let seed = "seed-000 (Alliance 8.7 Multi-Donor Programme document, 2025/26)";
    let seed_label = ("U", "the figure is stated in seed-000; the day it refers to is not: 2025-12-01 stands in");
    for (figure, value, qualifier) in [
        (ReportedFigure::PathfinderCountries, 38, FigureQualifier::Exactly),
        (ReportedFigure::Partners, 400, FigureQualifier::Over),
        (ReportedFigure::PathfindersWithoutSupport, 15, FigureQualifier::Exactly),
    ] {
        let command = BodyCommand::RecordReportedFigure {
            figure,
            value,
            qualifier,
            reported_on: day("2025-12-01"),
            source: seed.into(),
        };
        l.gcg(command, "2025-12-01", seed_label).await?;
    }

    for (decision, assigned, item, text, owner, due, done) in [
        (
            "GCG-19-D04",
            "2024-12-10",
            "AGRI-1",
            "Circulate the first workplan of the Action Group on Agriculture",
            "FAO",
            "2025-06-30",
            None,
        ),
        (
            "GCG-21-D03",
            "2025-12-09",
            "MDP-1",
            "Open the programme's accounts and report the first receipts",
            "ILO",
            "2026-02-28",
            Some(("2026-02-20", None)),
        ),
        (
            "GCG-22-D02",
            "2026-06-16",
            "MDP-2",
            "Inform the donors of the reallocation",
            "ILO",
            "2026-07-31",
            Some(("2026-07-15", Some(source_hash("demo: letter to the donors, July 2026")))),
        ),
        ("GCG-WP-2026-1-D01", "2026-09-30", "CAL-1", "Circulate the 2027 meeting calendar", "ILO", "2026-12-31", None),
        (
            "GCG-22-D01",
            "2026-06-16",
            "MIN-1",
            "Publish the approved minutes of the 21st meeting",
            "ILO",
            "2026-07-31",
            None,
        ),
    ] {
        let assign = DecisionCommand::AssignActionItem {
            item_id: item.into(),
            text: text.into(),
            owner: owner.into(),
            due_on: day(due),
        };
        l.decision(decision, assign, assigned, x).await?;
        if let Some((on, evidence)) = done {
            let complete = DecisionCommand::CompleteActionItem {
                item_id: item.into(),
                completed_on: day(on),
                evidence_sha256: evidence,
            };
            l.decision(decision, complete, on, x).await?;
        }
    }
    Ok(())
}

/// Loads the demo history unless the ledger already holds events.
pub async fn load_if_empty(ledger: &CommandService) -> anyhow::Result<bool> {
    if event_count(&ledger.db).await? > 0 {
        tracing::info!("the ledger already holds events: the demo history is not loaded again");
        return Ok(false);
    }
    load(ledger).await?;
    tracing::info!("loaded the demo history");
    Ok(true)
}

async fn event_count(db: &Db) -> anyhow::Result<i64> {
    Ok(with_pool!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(pool).await?))
}
