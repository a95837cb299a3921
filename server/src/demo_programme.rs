//! The demo history of the Multi-Donor Programme (MDP-A87).
//!
//! From the seed (`S`): the programme (title, January 2026 – June 2031, USD) established
//! on the 21st GCG's decision GCG-21-D03 (itself invented and labelled in the governance
//! demo), its four budget lines with their monthly amounts and activities, and the
//! indicative baseline. The seed's own statements that its amounts contradict (the shares
//! 51.26 % and 19.16 %, the "5.6-year" period) are recorded as stated in the events'
//! provenance, so the summary can show them beside the computed values.
//!
//! Invented and labelled `X`: the donors (DONOR-A, already a registered organisation, and
//! DONOR-B), their pledges and agreements (C-001: 600,000 USD unearmarked, consent needed
//! for reallocations above 15 %; C-002: 250,000 USD earmarked for Outcome 2), receipts,
//! allocations, the January–April 2026 expenditure (each month's dated on its last day), a
//! typing error corrected by a reversal and a re-entry (7,052 → 7,502; the re-entry is
//! April's, entered in July), and two reallocations: R-001 (O3 → O2, 500 USD a month
//! from April 2026, 6.66 % of O3, under the threshold, by delegation) and R-002 (O1 → O2,
//! 1,200 USD a month from July 2026, 18.49 % of O1, above it, on GCG-22-D02 with DONOR-A's
//! recorded consent).

use chrono::NaiveDate;
use domain::programme::budget::{ActivityStatus, BudgetStatus, LineKind, ProgrammeCommand};
use domain::programme::contribution::{AgreementConditions, ContributionCommand};
use domain::programme::donor::{DonorCommand, DonorType};
use domain::programme::period::last_of_month;
use domain::programme::Money;
use domain::reference::{OrganisationCategory, OrganisationCommand};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::facts::programme::DEFAULT_PROGRAMME;
use crate::pipeline::{CommandMeta, CommandService};
use ledger_store::chaining::Envelope;

type Label<'a> = (&'a str, &'a str);

const SEED: Label = ("S", "stated in seed-000 (the MDP concept note, a draft shared for informal consultation)");
const INVENTED: Label = ("X", "invented for the demo: the donors, their money and its movements are illustrative");

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("demo dates are valid")
}

fn usd(whole: i64) -> Money {
    Money::new(whole * 100, "USD")
}

/// The SHA-256 standing in for a document that is not archived here.
fn hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

struct Demo<'a> {
    ledger: &'a CommandService,
}

impl Demo<'_> {
    fn meta(
        &self,
        on: &str,
        (confidence, note): Label<'_>,
        stated: Option<Value>,
        authority: Option<Value>,
    ) -> CommandMeta {
        let mut provenance = json!({"confidence": confidence, "note": note});
        if let Some(stated) = stated {
            provenance["stated"] = stated;
        }
        CommandMeta {
            envelope: Envelope {
                actor: crate::demo::DEMO_ACTOR.into(),
                role: "secretariat".into(),
                occurred_at: Some(on.into()),
                reason: Some("demo history (ledger demo)".into()),
                provenance: Some(provenance),
                authority,
                ..Envelope::default()
            },
            expected_version: None,
        }
    }

    async fn programme(&self, command: ProgrammeCommand, meta: CommandMeta) -> anyhow::Result<()> {
        let name = command.name();
        self.ledger
            .execute::<domain::programme::Programme>(DEFAULT_PROGRAMME, command, meta)
            .await
            .map_err(|e| anyhow::anyhow!("demo programme {name}: {e}"))?;
        Ok(())
    }

    async fn contribution(&self, id: &str, command: ContributionCommand, on: &str) -> anyhow::Result<()> {
        let name = command.name();
        self.ledger
            .execute::<domain::programme::Contribution>(id, command, self.meta(on, INVENTED, None, None))
            .await
            .map_err(|e| anyhow::anyhow!("demo contribution {id} {name}: {e}"))?;
        Ok(())
    }

    async fn allocate(&self, id: &str, contribution: &str, line: &str, amount: i64, on: &str) -> anyhow::Result<()> {
        let command = ProgrammeCommand::Allocate {
            allocation_id: id.into(),
            contribution_id: contribution.into(),
            line_code: line.into(),
            amount: usd(amount),
            allocated_on: day(on),
            contribution: None,
        };
        self.programme(command, self.meta(on, INVENTED, None, None)).await
    }

    /// Records the actuals of `month` (its first day), spent on the month's last day and
    /// entered on `on` (the same day, or later for a correction).
    async fn expenditure(&self, id: &str, line: &str, amount: i64, month: &str, on: &str) -> anyhow::Result<()> {
        let month = day(month);
        let command = ProgrammeCommand::RecordExpenditure {
            expenditure_id: id.into(),
            line_code: line.into(),
            amount: usd(amount),
            spent_on: last_of_month(month),
            period_month: month,
            description: format!("{} actuals (staff, meetings, services)", month.format("%B %Y")),
            evidence_sha256: hash(&format!("demo: {line} actuals {month}")),
            today: NaiveDate::MIN,
        };
        self.programme(command, self.meta(on, INVENTED, None, None)).await
    }
}

/// The seed's budget lines: code, name, kind, USD a month, the share the seed states, the
/// activities it lists.
/// Code, name, kind, USD a month, the share the seed states, the activities it lists.
type SeedLine = (&'static str, &'static str, LineKind, i64, &'static str, &'static [&'static str]);

const LINES: &[SeedLine] = &[
    (
        "O1",
        "Outcome 1 – High-level advocacy",
        LineKind::Outcome,
        6_490,
        "16.58",
        &[
            "VI Global Conference on Child Labour (leadership, regional and CSO consultations)",
            "influencing global policy, including the post-SDG agenda",
            "engagement in key events (Human Rights Council, launches of global estimates)",
        ],
    ),
    (
        "O2",
        "Outcome 2 – Pathfinder country support",
        LineKind::Outcome,
        20_054,
        "51.26",
        &[
            "guidance to new and existing Pathfinder Countries on roadmap implementation and updates",
            "transfer of expertise between Pathfinder Countries",
            "Pathfinder Country annual workshop (virtual in 2026)",
            "Pathfinder Country reporting cycle (launch, review, publication, with the SDG 8.7 Monitoring Working Group)",
        ],
    ),
    (
        "O3",
        "Outcome 3 – Governance, communication and resource mobilisation",
        LineKind::Outcome,
        7_502,
        "19.16",
        &[
            "governance (GCG, Action and Working Group meetings)",
            "outreach (website, monthly newsletter)",
            "membership registration and engagement",
            "resource mobilisation",
        ],
    ),
    (
        "PSC",
        "Programme support implementation cost",
        LineKind::SupportCost,
        5_097,
        "13",
        &["ILO programme support cost"],
    ),
];

/// January–April 2026 actuals per line, USD (invented). The April O3 figure is first
/// entered with a typing error (7,052 for 7,502) and corrected in July.
const ACTUALS: &[(&str, [i64; 4])] = &[
    ("O1", [5_800, 6_100, 6_350, 6_200]),
    ("O2", [18_900, 19_400, 20_100, 19_750]),
    ("O3", [7_480, 7_390, 7_455, 7_052]),
    ("PSC", [5_097, 5_097, 5_097, 5_097]),
];

/// Loads the programme's demo history (after the governance demo, which adopted
/// GCG-21-D03 and GCG-22-D02 and registered DONOR-A).
pub async fn load(ledger: &CommandService) -> anyhow::Result<()> {
    let d = Demo { ledger };
    let established = json!({"kind": "decision", "decision_id": "GCG-21-D03"});
    let establish = ProgrammeCommand::Establish {
        programme_id: DEFAULT_PROGRAMME.into(),
        title: "Alliance 8.7 – Joining forces globally to end forced labour, modern slavery, human trafficking and child labour".into(),
        iati_identifier: "XM-DAC-41302-MDP-A87".into(),
        reporting_organisation: "ILO".into(),
        currency: "USD".into(),
        period_start: day("2026-01-01"),
        period_end: day("2031-06-30"),
        authority: None,
    };
    let label = ("S", "title, period and currency stated in seed-000; the IATI identifier uses the ILO's unverified IATI reference and a local id");
    d.programme(establish, d.meta("2026-01-01", label, Some(json!({"duration": "5.6 years"})), Some(established)))
        .await?;
    for (code, name, kind, monthly, share, activities) in LINES {
        let command = ProgrammeCommand::DefineBudgetLine {
            line_code: (*code).into(),
            name: (*name).into(),
            kind: *kind,
            monthly: usd(*monthly),
            activities: activities.iter().map(|a| (*a).to_string()).collect(),
        };
        d.programme(command, d.meta("2026-01-01", SEED, Some(json!({"share_percent": share})), None)).await?;
    }
    let baseline = ProgrammeCommand::SetBaseline { set_on: day("2026-01-01"), status: BudgetStatus::Indicative };
    d.programme(baseline, d.meta("2026-01-01", ("S", "the seed's indicative budget"), None, None)).await?;
    let start = ProgrammeCommand::ChangeStatus { to: ActivityStatus::Implementation, on: day("2026-01-01") };
    d.programme(
        start,
        d.meta("2026-01-01", ("X", "the start of implementation on 1 January 2026 is assumed"), None, None),
    )
    .await?;

    // Donors: DONOR-A is registered by the governance demo; DONOR-B is registered here.
    let register = OrganisationCommand::Register {
        organisation_id: "DONOR-B".into(),
        name: "Donor B (placeholder government)".into(),
        acronym: None,
        category: OrganisationCategory::Government,
        iati_ref: None,
        country: None,
        registered_on: day("2026-02-01"),
    };
    ledger
        .execute::<domain::reference::Organisation>(
            "DONOR-B",
            register,
            d.meta("2026-02-01", ("X", "a placeholder donor invented for the demo"), None, None),
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo DONOR-B: {e}"))?;
    for (donor, on) in [("DONOR-A", "2026-02-10"), ("DONOR-B", "2026-03-01")] {
        let command = DonorCommand::Register {
            organisation: donor.into(),
            donor_type: DonorType::Government,
            iati_ref: None,
            registered_on: day(on),
            organisation_known: false,
        };
        ledger
            .execute::<domain::programme::Donor>(donor, command, d.meta(on, INVENTED, None, None))
            .await
            .map_err(|e| anyhow::anyhow!("demo donor {donor}: {e}"))?;
    }

    // Pledges and agreements (IATI incoming commitments).
    let pledges = [
        ("C-001", "DONOR-A", 600_000, None, "2026-02-10", Some(1500)),
        ("C-002", "DONOR-B", 250_000, Some("O2"), "2026-03-01", None),
    ];
    for (id, donor, amount, earmark, on, consent_above) in pledges {
        let pledge = ContributionCommand::Pledge {
            contribution_id: id.into(),
            donor: donor.into(),
            programme_id: DEFAULT_PROGRAMME.into(),
            amount: usd(amount),
            earmark: earmark.map(str::to_string),
            pledged_on: day(on),
            conditions: AgreementConditions {
                reallocation_consent_required: consent_above.is_some(),
                reallocation_consent_above_basis_points: consent_above,
                reporting: Some("annual".into()),
            },
        };
        d.contribution(id, pledge, on).await?;
        let commit = ContributionCommand::Commit {
            agreement_ref: format!("{donor}/MDP-A87/2026-01"),
            committed_on: day(on),
            amount: usd(amount),
        };
        d.contribution(id, commit, on).await?;
    }
    for (id, amount, on) in [("C-001", 300_000, "2026-03-05"), ("C-002", 125_000, "2026-03-20")] {
        let receive = ContributionCommand::Receive {
            receipt_id: "R1".into(),
            amount: usd(amount),
            received_on: day(on),
            provider_reference: Some(format!("transfer {on}")),
            today: NaiveDate::MIN,
        };
        d.contribution(id, receive, on).await?;
    }

    // Allocations of the funds received (10,000 USD of C-001 left unallocated).
    d.allocate("A-001", "C-001", "O1", 40_000, "2026-03-06").await?;
    d.allocate("A-002", "C-001", "O2", 160_000, "2026-03-06").await?;
    d.allocate("A-003", "C-001", "O3", 60_000, "2026-03-06").await?;
    d.allocate("A-004", "C-001", "PSC", 30_000, "2026-03-06").await?;
    d.allocate("A-005", "C-002", "O2", 125_000, "2026-03-21").await?;

    // under the threshold, by the Secretariat's delegation.
    let r001 = ProgrammeCommand::Reallocate {
        realloc_id: "R-001".into(),
        from_line: "O3".into(),
        to_line: "O2".into(),
        amount_per_month: usd(500),
        effective_from: day("2026-04-01"),
        effective_to: day("2026-12-31"),
        justification:
            "Governance meetings held virtually in 2026; the saving supports roadmap guidance to Pathfinder Countries"
                .into(),
        authority: None,
        policy: Default::default(),
        consents: vec![],
        consent_required_from: vec![],
    };
    let delegation = json!({"kind": "delegation", "holder": "Secretariat programme manager", "note": "at or under the reallocation policy's threshold (the event records the policy version, share and threshold)"});
    d.programme(r001, d.meta("2026-03-31", INVENTED, None, Some(delegation))).await?;

    // January–April actuals, each spent and entered on its month's last day.
    for (line, amounts) in ACTUALS {
        for (n, amount) in amounts.iter().enumerate() {
            let month = format!("2026-{:02}-01", n + 1);
            let spent = last_of_month(day(&month)).format("%Y-%m-%d").to_string();
            d.expenditure(&format!("E-{line}-2026-{:02}", n + 1), line, *amount, &month, &spent).await?;
        }
    }

    // above the threshold: DONOR-A's consent (its agreement asks for it above 15 %),
    // then the reallocation on the 22nd GCG's decision.
    let consent = ContributionCommand::RecordConsent {
        realloc_id: "R-002".into(),
        consented_on: day("2026-06-10"),
        letter_sha256: hash("demo: DONOR-A consent letter to R-002"),
    };
    d.contribution("C-001", consent, "2026-06-10").await?;
    let r002 = ProgrammeCommand::Reallocate {
        realloc_id: "R-002".into(),
        from_line: "O1".into(),
        to_line: "O2".into(),
        amount_per_month: usd(1_200),
        effective_from: day("2026-07-01"),
        effective_to: day("2031-06-30"),
        justification: "Loss of in-country support for Pathfinder Countries; roadmap update guidance".into(),
        authority: None,
        policy: Default::default(),
        consents: vec![],
        consent_required_from: vec![],
    };
    let decided = json!({"kind": "decision", "decision_id": "GCG-22-D02"});
    d.programme(r002, d.meta("2026-06-16", INVENTED, None, Some(decided))).await?;

    // The typing error in April's O3 actuals: reversed, then entered again correctly.
    let reverse = ProgrammeCommand::ReverseEntry {
        entry_id: "E-O3-2026-04".into(),
        reason: "typing error: 7,052 entered for 7,502 (O3 actuals, April 2026)".into(),
        reversed_on: day("2026-07-20"),
    };
    d.programme(reverse, d.meta("2026-07-20", INVENTED, None, None)).await?;
    d.expenditure("E-O3-2026-04-C", "O3", 7_502, "2026-04-01", "2026-07-20").await?;

    // Results reported for the first half of 2026 (invented: the programme has reported none).
    for (line, indicator, unit, target, actual) in [
        ("O1", "Global policy events where Alliance 8.7 positions were presented", "events", Some(4), 3),
        ("O2", "Pathfinder Countries supported in updating their roadmaps", "countries", Some(6), 4),
        ("O3", "Knowledge products published on the Delta 8.7 platform", "products", None, 5),
    ] {
        let result = ProgrammeCommand::ReportResult {
            line_code: line.into(),
            indicator: indicator.into(),
            unit: unit.into(),
            period_start: day("2026-01-01"),
            period_end: day("2026-06-30"),
            target,
            actual,
            reported_on: day("2026-07-31"),
        };
        d.programme(result, d.meta("2026-07-31", INVENTED, None, None)).await?;
    }
    Ok(())
}
