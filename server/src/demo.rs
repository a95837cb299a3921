//! The demo history: real GCG meetings and decisions from the public record, with the
//! values the model needs but the sources do not give invented and labelled as such.
//!
//! Every event carries `provenance.confidence`: `P` stated on a public page, `S` stated
//! in a seed document, `I` inferred, `U` uncertain, `X` invented for the demo. Views show
//! `labels.illustrative = true` for anything built from an `X` event, so no one mistakes
//! an invented tally for a fact. The history goes through the same command path as the API.

use chrono::NaiveDate;
use domain::decision::{DecisionCommand, DecisionSubject, Position};
use domain::meeting::{Attendance, AttendanceStatus, MeetingCommand, MeetingKind, Modality};
use domain::policy::GovernancePolicy;
use projections::{with_pool, Db};
use serde_json::json;

use crate::app::{CommandError, CommandMeta, Ledger};
use crate::store::Envelope;

/// The actor recorded on demo events.
pub const DEMO_ACTOR: &str = "demo-loader";

struct Loader<'a> {
    ledger: &'a Ledger,
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("demo dates are valid")
}

impl Loader<'_> {
    fn meta(&self, occurred_at: &str, confidence: &str, note: &str) -> CommandMeta {
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

    async fn meeting(
        &self,
        id: &str,
        command: MeetingCommand,
        on: &str,
        confidence: &str,
        note: &str,
    ) -> anyhow::Result<()> {
        self.ledger.execute_meeting(id, command, self.meta(on, confidence, note)).await.map_err(explain)?;
        Ok(())
    }

    async fn decision(
        &self,
        id: &str,
        command: DecisionCommand,
        on: &str,
        confidence: &str,
        note: &str,
    ) -> anyhow::Result<()> {
        self.ledger.execute_decision(id, command, self.meta(on, confidence, note)).await.map_err(explain)?;
        Ok(())
    }

    /// Schedules, opens, records voting attendance and declares quorum.
    #[allow(clippy::too_many_arguments)]
    async fn session(
        &self,
        id: &str,
        number: u32,
        kind: MeetingKind,
        date: &str,
        modality: Modality,
        location: Option<&str>,
        chaired_by: Option<&str>,
        (confidence, note): (&str, &str),
        present: &[(&str, &str)],
        filled: u32,
    ) -> anyhow::Result<()> {
        let command = MeetingCommand::Schedule {
            meeting_id: id.into(),
            body_id: "GCG".into(),
            number,
            kind,
            date: day(date),
            modality,
            location: location.map(str::to_string),
        };
        self.meeting(id, command, date, confidence, note).await?;
        let open = MeetingCommand::Open { opened_on: day(date), chaired_by: chaired_by.map(str::to_string) };
        self.meeting(id, open, date, confidence, note).await?;
        for (seat, organisation) in present {
            let attendance = Attendance {
                seat_id: Some((*seat).into()),
                organisation: (*organisation).into(),
                status: AttendanceStatus::Present,
                voting: true,
            };
            self.meeting(
                id,
                MeetingCommand::RecordAttendance(attendance),
                date,
                "X",
                "attendance invented for the demo",
            )
            .await?;
        }
        let quorum =
            MeetingCommand::DeclareQuorum { voting_seats_filled: filled, policy: GovernancePolicy::provisional_v1() };
        self.meeting(id, quorum, date, "X", "quorum figures invented for the demo; the GCG's quorum rule is unknown")
            .await
    }

    /// Tables and adopts a decision by consensus with the given seats for it.
    #[allow(clippy::too_many_arguments)]
    async fn adopted(
        &self,
        meeting: &str,
        id: &str,
        date: &str,
        subject: DecisionSubject,
        text: &str,
        (confidence, note): (&str, &str),
        supporters: &[&str],
    ) -> anyhow::Result<()> {
        let facts = self.ledger.meeting_facts(meeting).await.map_err(explain)?;
        let propose = DecisionCommand::Propose {
            decision_id: id.into(),
            agenda_item: None,
            subject,
            text: text.into(),
            meeting: facts.clone(),
        };
        self.decision(id, propose, date, confidence, note).await?;
        for seat in supporters {
            let position = DecisionCommand::RecordPosition {
                seat_id: (*seat).into(),
                position: Position::For,
                reason: None,
                meeting: facts.clone(),
            };
            self.decision(id, position, date, "X", "positions invented for the demo").await?;
        }
        let adopt = DecisionCommand::Adopt {
            effective_on: day(date),
            meeting: facts,
            policy: GovernancePolicy::provisional_v1(),
        };
        self.decision(id, adopt, date, confidence, note).await
    }

    async fn close(&self, id: &str, date: &str, confidence: &str, note: &str) -> anyhow::Result<()> {
        let decisions = self.ledger.adopted_decisions_of(id).await.map_err(explain)?;
        self.meeting(id, MeetingCommand::Close { closed_on: day(date), decisions }, date, confidence, note).await
    }
}

fn explain(error: CommandError) -> anyhow::Error {
    anyhow::anyhow!("demo history refused: {error}")
}

const SEATS_2019: &[(&str, &str)] = &[
    ("SEAT-01", "France"),
    ("SEAT-02", "Argentina"),
    ("SEAT-03", "Australia"),
    ("SEAT-04", "ILO"),
    ("SEAT-05", "IOM"),
    ("SEAT-06", "UNICEF"),
    ("SEAT-07", "ITUC"),
    ("SEAT-08", "IOE"),
    ("SEAT-09", "Global March Against Child Labour"),
    ("SEAT-10", "Nepal"),
    ("SEAT-11", "Uganda"),
];

const SEATS_2026: &[(&str, &str)] = &[
    ("CHAIR", "Chile"),
    ("DEPUTY", "Côte d'Ivoire"),
    ("PFC-AFR", "Uganda"),
    ("PFC-AME", "Peru"),
    ("PFC-ASP", "Nepal"),
    ("DP-1", "France"),
    ("DP-2", "Australia"),
    ("DP-3", "DONOR-A (placeholder)"),
    ("WRK", "ITUC"),
    ("EMP", "IOE"),
];

/// Loads the demo history into an empty ledger; refuses a ledger that holds events.
pub async fn load(ledger: &Ledger) -> anyhow::Result<()> {
    anyhow::ensure!(
        event_count(&ledger.db).await? == 0,
        "the ledger is not empty: the demo history loads only into an empty ledger"
    );
    let l = Loader { ledger };
    let p = ("P", "stated on a public Alliance 8.7 page");

    // 5th GCG, New York, alongside the HLPF (date approximate).
    l.session(
        "GCG-05",
        5,
        MeetingKind::Regular,
        "2019-07-15",
        Modality::InPerson,
        Some("New York"),
        Some("France (Chair)"),
        ("U", "5th GCG in New York alongside the HLPF; the exact date is not published"),
        SEATS_2019,
        19,
    )
    .await?;
    l.adopted(
        "GCG-05",
        "GCG-05-D02",
        "2019-07-15",
        DecisionSubject::GrantPathfinderStatus { iso3: "NPL".into() },
        "Grant Nepal Pathfinder Country status and endorse its national roadmap NPL/v1.",
        ("X", "invented for the demo: no public record of this decision"),
        &SEATS_2019.iter().map(|s| s.0).collect::<Vec<_>>(),
    )
    .await?;
    l.close("GCG-05", "2019-07-15", "U", "date approximate").await?;

    // 6th GCG, Paris, 12 November (2019 inferred).
    l.session(
        "GCG-06",
        6,
        MeetingKind::Regular,
        "2019-11-12",
        Modality::InPerson,
        Some("Paris"),
        Some("France (Chair)"),
        ("U", "6th GCG in Paris on 12 November; the year 2019 is inferred"),
        SEATS_2019,
        19,
    )
    .await?;
    l.adopted("GCG-06", "GCG-06-D01", "2019-11-12",
        DecisionSubject::AdoptPolicy { policy: "pfc-inclusion-procedure/v2".into() },
        "Adopt the amended procedure for the inclusion of Pathfinder Countries: prospective PFCs present their interest to the GCG and receive a reply after their first strategic planning workshop.",
        p, &["SEAT-01", "SEAT-02", "SEAT-04", "SEAT-07", "SEAT-08", "SEAT-09"]).await?;
    l.close("GCG-06", "2019-11-12", "U", "year inferred").await?;

    // 7th GCG, virtual, 19 May 2020, chaired by France.
    l.session(
        "GCG-07",
        7,
        MeetingKind::Regular,
        "2020-05-19",
        Modality::Virtual,
        None,
        Some("Anousheh Karvar (France, Chair)"),
        p,
        SEATS_2019,
        19,
    )
    .await?;
    l.adopted(
        "GCG-07",
        "GCG-07-D01",
        "2020-05-19",
        DecisionSubject::Procedural,
        "Organise a virtual extra-ordinary session of the GCG.",
        p,
        &["SEAT-01", "SEAT-02", "SEAT-04"],
    )
    .await?;
    l.close("GCG-07", "2020-05-19", "P", "stated on a public Alliance 8.7 page").await?;

    // 8th GCG, virtual extra-ordinary session, 22 July 2020.
    l.session(
        "GCG-08",
        8,
        MeetingKind::ExtraOrdinary,
        "2020-07-22",
        Modality::Virtual,
        None,
        Some("France (Chair)"),
        p,
        SEATS_2019,
        19,
    )
    .await?;
    l.close("GCG-08", "2020-07-22", "P", "stated on a public Alliance 8.7 page").await?;

    // 19th GCG, December 2024: the Action Group on Agriculture (day invented).
    l.session(
        "GCG-19",
        19,
        MeetingKind::Regular,
        "2024-12-10",
        Modality::Hybrid,
        None,
        Some("Chile (Chair)"),
        ("X", "the 19th GCG met in December 2024; the day is invented"),
        SEATS_2026,
        13,
    )
    .await?;
    l.adopted(
        "GCG-19",
        "GCG-19-D04",
        "2024-12-10",
        DecisionSubject::CreateActionGroup { name: "Agriculture".into() },
        "Establish the Action Group on Agriculture, with FAO as its Secretariat in coordination with IPCCLA.",
        p,
        &["CHAIR", "DEPUTY", "PFC-AFR", "WRK", "EMP"],
    )
    .await?;
    l.close("GCG-19", "2024-12-10", "X", "day invented").await?;

    // 21st GCG, December 2025: the Multi-Donor Programme (the seed says "discussed").
    l.session(
        "GCG-21",
        21,
        MeetingKind::Regular,
        "2025-12-09",
        Modality::Hybrid,
        None,
        Some("Chile (Chair)"),
        ("X", "the 21st GCG met in December 2025; the day is invented"),
        SEATS_2026,
        13,
    )
    .await?;
    l.adopted(
        "GCG-21",
        "GCG-21-D03",
        "2025-12-09",
        DecisionSubject::EstablishProgramme { programme_id: "MDP-A87".into() },
        "Mandate the Secretariat to open the Multi-Donor Programme for January 2026 to June 2031.",
        ("X", "invented for the demo: the seed only says the MDP was discussed"),
        &["CHAIR", "DEPUTY", "DP-1", "DP-2"],
    )
    .await?;
    l.close("GCG-21", "2025-12-09", "X", "day invented").await?;

    // 22nd GCG, June 2026 (entirely invented): 10 of 13 voting seats present.
    l.session(
        "GCG-22",
        22,
        MeetingKind::Regular,
        "2026-06-16",
        Modality::Virtual,
        None,
        Some("Chile (Chair)"),
        ("X", "the 22nd GCG is invented for the demo"),
        SEATS_2026,
        13,
    )
    .await?;
    l.adopted(
        "GCG-22",
        "GCG-22-D02",
        "2026-06-16",
        DecisionSubject::ApproveBudgetReallocation { programme_id: "MDP-A87".into() },
        "Approve moving 1,200 USD a month from Outcome 1 to Outcome 2 from July 2026.",
        ("X", "invented for the demo"),
        &["CHAIR", "DEPUTY", "PFC-AFR", "PFC-AME", "PFC-ASP", "DP-1", "DP-3"],
    )
    .await?;
    l.close("GCG-22", "2026-06-16", "X", "invented for the demo").await?;
    Ok(())
}

/// Loads the demo history unless the ledger already holds events.
pub async fn load_if_empty(ledger: &Ledger) -> anyhow::Result<bool> {
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
