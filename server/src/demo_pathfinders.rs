//! The demo history of the Pathfinder Countries: the countries the sources name, with
//! their documented dates (Nepal's 2019 workshop, Uganda's 2018 letter and 2020 workshop,
//! Peru's 2019 workshop, Sri Lanka's 2016 roadmap, Madagascar's and Fiji's workshops, DR
//! Congo presented as a candidate at the 9th GCG), invented fill-ins labelled `X`, and a
//! 2026 reporting cycle in which Madagascar's report is overdue (recorded by the clock).
//!
//! Where status was granted before the ledger and no decision is public, the grant is
//! recorded as `legacy` with the hash of the source that shows the country is a
//! Pathfinder (confidence `U` for the date). Nepal's status and roadmap cite the (invented,
//! labelled) decisions of the 5th GCG, so "who endorsed Nepal's roadmap" has an answer.

use chrono::NaiveDate;
use domain::pathfinder::country::{PfcCommand, SupportEndReason};
use domain::pathfinder::cycle::CycleCommand;
use domain::pathfinder::report::{IndicatorValue, Recommendation, ReportCommand};
use domain::pathfinder::roadmap::{Indicator, Priority, RoadmapAction, RoadmapCommand};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::pipeline::{CommandMeta, CommandService};
use ledger_store::chaining::Envelope;

type Label<'a> = (&'a str, &'a str);

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("demo dates are valid")
}

fn hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn meta(on: &str, (confidence, note): Label<'_>, decision: Option<&str>) -> CommandMeta {
    CommandMeta {
        envelope: Envelope {
            actor: crate::demo::DEMO_ACTOR.into(),
            role: "secretariat".into(),
            occurred_at: Some(on.into()),
            reason: Some("demo history (ledger demo)".into()),
            provenance: Some(json!({"confidence": confidence, "note": note})),
            authority: decision.map(|d| json!({"kind": "decision", "decision_id": d})),
            ..Envelope::default()
        },
        expected_version: None,
    }
}

async fn pfc(
    ledger: &CommandService,
    iso3: &str,
    command: PfcCommand,
    on: &str,
    label: Label<'_>,
    decision: Option<&str>,
) -> anyhow::Result<()> {
    ledger
        .execute::<domain::pathfinder::PathfinderCountry>(iso3, command, meta(on, label, decision))
        .await
        .map_err(|e| anyhow::anyhow!("demo {iso3}: {e}"))?;
    Ok(())
}

async fn roadmap(
    ledger: &CommandService,
    id: &str,
    command: RoadmapCommand,
    on: &str,
    label: Label<'_>,
    decision: Option<&str>,
) -> anyhow::Result<()> {
    ledger
        .execute::<domain::pathfinder::Roadmap>(id, command, meta(on, label, decision))
        .await
        .map_err(|e| anyhow::anyhow!("demo {id}: {e}"))?;
    Ok(())
}

async fn report(
    ledger: &CommandService,
    id: &str,
    command: ReportCommand,
    on: &str,
    label: Label<'_>,
) -> anyhow::Result<()> {
    ledger
        .execute::<domain::pathfinder::CountryReport>(id, command, meta(on, label, None))
        .await
        .map_err(|e| anyhow::anyhow!("demo {id}: {e}"))?;
    Ok(())
}

/// An appointment of an invented focal point, registered first in the personal-data
/// register (the demo names no real person).
async fn focal_point(
    ledger: &CommandService,
    iso3: &str,
    title: &str,
    ministry: &str,
    on: &str,
) -> anyhow::Result<PfcCommand> {
    let values = ledger_store::personal::ClearValues {
        name: format!("Demo focal point {iso3}"),
        email: Some(format!("focal-point.{}@example.org", iso3.to_ascii_lowercase())),
        phone: None,
    };
    let label = ("X", "person invented for the demo");
    let (person, _) = ledger
        .register_person(iso3, values, meta(on, label, None))
        .await
        .map_err(|e| anyhow::anyhow!("demo person of {iso3}: {e}"))?;
    Ok(PfcCommand::AppointFocalPoint {
        person_ref: person.person_ref,
        title: title.into(),
        ministry: ministry.into(),
        effective_on: day(on),
        person: None,
    })
}

fn draft(id: &str, iso3: &str, title: &str, start: &str, end: &str) -> RoadmapCommand {
    RoadmapCommand::Draft {
        roadmap_id: id.into(),
        iso3: iso3.into(),
        version: 1,
        title: title.into(),
        period_start: day(start),
        period_end: day(end),
        priorities: vec![
            Priority { code: "P1".into(), text: "Strengthen the legal and policy framework".into() },
            Priority { code: "P2".into(), text: "Prevention and protection of children and workers at risk".into() },
        ],
        actions: vec![RoadmapAction {
            text: "Labour inspection capacity building".into(),
            responsible_organisation: "ILO".into(),
            timeline: "first two years".into(),
            budget: Some(domain::pathfinder::roadmap::Money { amount_minor: 25_000_000, currency: "USD".into() }),
        }],
        indicators: vec![Indicator {
            code: "I1".into(),
            name: "Children in child labour (%)".into(),
            baseline: Some("reported in the national survey".into()),
            target: Some("halved".into()),
        }],
        current: None,
    }
}

/// A legacy Pathfinder: status that predates the procedure, with its source as evidence.
async fn legacy(ledger: &CommandService, iso3: &str, on: &str, source: &str, note: &str) -> anyhow::Result<()> {
    let command = PfcCommand::GrantStatus {
        iso3: iso3.into(),
        effective_on: day(on),
        legacy: true,
        legacy_evidence_sha256: Some(hash(source)),
        authority: None,
        roadmap_submitted: false,
    };
    pfc(ledger, iso3, command, on, ("U", note), None).await
}

fn submission(cycle: &str, iso3: &str, on: &str) -> ReportCommand {
    ReportCommand::Submit {
        cycle_id: cycle.into(),
        iso3: iso3.into(),
        roadmap_id: format!("{iso3}/v1"),
        indicators: vec![IndicatorValue {
            code: "I1".into(),
            value: "illustrative".into(),
            unit: "%".into(),
            source: "demo".into(),
        }],
        narrative: (1..=5).map(|q| format!("Answer to narrative question {q} (illustrative).")).collect(),
        submitted_on: day(on),
        cycle: None,
    }
}

/// Loads the Pathfinder part of the demo (after the governance part).
pub async fn load(ledger: &CommandService) -> anyhow::Result<()> {
    let x = ("X", "invented for the demo");

    // Nepal: the 2019 strategic workshop [P]; the roadmap and the 5th GCG decisions invented.
    let letter = PfcCommand::RecordExpressionOfInterest {
        iso3: "NPL".into(),
        letter_date: day("2018-06-01"),
        signatory_title: "Minister of Labour, Employment and Social Security".into(),
        ministry: "MoLESS".into(),
        letter_sha256: hash("demo: Nepal letter of interest"),
    };
    pfc(ledger, "NPL", letter, "2018-06-01", x, None).await?;
    let present = PfcCommand::RecordPresentation { meeting_id: "GCG-04".into(), presented_on: day("2018-11-28") };
    pfc(ledger, "NPL", present, "2018-11-28", x, None).await?;
    pfc(
        ledger,
        "NPL",
        focal_point(ledger, "NPL", "Joint Secretary", "MoLESS", "2018-12-01").await?,
        "2018-12-01",
        x,
        None,
    )
    .await?;
    let workshop = PfcCommand::RecordStrategicWorkshop {
        held_on: day("2019-02-07"),
        participants_count: Some(60),
        supporting_organisations: vec!["ILO".into()],
        report_sha256: Some(hash("https://alliance87.org/events/pathfinder-country-strategic-workshop-nepal")),
    };
    pfc(ledger, "NPL", workshop, "2019-02-07", ("P", "second Pathfinder strategic workshop, 60+ participants"), None)
        .await?;
    roadmap(
        ledger,
        "NPL/v1",
        draft("NPL/v1", "NPL", "Nepal SDG 8.7 Roadmap", "2019-07-01", "2027-12-31"),
        "2019-03-01",
        x,
        None,
    )
    .await?;
    let submit = RoadmapCommand::Submit { doc_sha256: hash("demo: Nepal roadmap v1"), submitted_on: day("2019-03-15") };
    roadmap(ledger, "NPL/v1", submit, "2019-03-15", x, None).await?;
    let grant = PfcCommand::GrantStatus {
        iso3: "NPL".into(),
        effective_on: day("2019-07-15"),
        legacy: false,
        legacy_evidence_sha256: None,
        authority: None,
        roadmap_submitted: false,
    };
    pfc(ledger, "NPL", grant, "2019-07-15", ("X", "granted at the 5th GCG: invented"), Some("GCG-05-D02")).await?;
    let endorse = RoadmapCommand::Endorse { on: day("2019-07-15"), authority: None, wording: Default::default() };
    roadmap(ledger, "NPL/v1", endorse, "2019-07-15", ("X", "endorsed at the 5th GCG: invented"), Some("GCG-05-D03"))
        .await?;
    roadmap(ledger, "NPL/v1", RoadmapCommand::Launch { on: day("2019-09-01") }, "2019-09-01", x, None).await?;

    // Uganda: the letter of December 2018 [P], focal point and workshop of December 2020 [P].
    let letter = PfcCommand::RecordExpressionOfInterest {
        iso3: "UGA".into(),
        letter_date: day("2018-12-15"),
        signatory_title: "Minister of Gender, Labour and Social Development".into(),
        ministry: "MGLSD".into(),
        letter_sha256: hash(
            "http://www.ilo.org/africa/technical-cooperation/accel-africa/uganda/WCMS_763347/lang--en/index.htm",
        ),
    };
    pfc(
        ledger,
        "UGA",
        letter,
        "2018-12-15",
        ("P", "letter to the ILO Director-General, December 2018 (day approximate)"),
        None,
    )
    .await?;
    // The public record of the 9th GCG names DR Congo's candidacy, not Uganda's: which
    // meeting Uganda presented at is not published, and the 8th stands in.
    let present = PfcCommand::RecordPresentation { meeting_id: "GCG-08".into(), presented_on: day("2020-07-22") };
    let presented = ("X", "the meeting at which Uganda presented its candidacy is invented for the demo");
    pfc(ledger, "UGA", present, "2020-07-22", presented, None).await?;
    let fp = focal_point(ledger, "UGA", "Director of Labour, Employment and OSH", "MGLSD", "2020-12-07").await?;
    pfc(
        ledger,
        "UGA",
        fp,
        "2020-12-07",
        ("P", "focal point and Chair of Alliance 8.7 in Uganda (name kept out of the ledger)"),
        None,
    )
    .await?;
    let workshop = PfcCommand::RecordStrategicWorkshop {
        held_on: day("2020-12-07"),
        participants_count: None,
        supporting_organisations: vec!["ILO".into()],
        report_sha256: None,
    };
    pfc(
        ledger,
        "UGA",
        workshop,
        "2020-12-07",
        ("P", "national strategic planning workshop (article of 7 December 2020)"),
        None,
    )
    .await?;
    roadmap(
        ledger,
        "UGA/v1",
        draft("UGA/v1", "UGA", "Uganda SDG 8.7 Roadmap", "2021-07-01", "2026-06-30"),
        "2021-02-01",
        x,
        None,
    )
    .await?;
    let submit =
        RoadmapCommand::Submit { doc_sha256: hash("demo: Uganda roadmap v1"), submitted_on: day("2021-03-01") };
    roadmap(ledger, "UGA/v1", submit, "2021-03-01", x, None).await?;
    legacy(
        ledger,
        "UGA",
        "2021-06-01",
        "seed-003: Global March supports PFCs Uganda, Peru, Nepal and Sri Lanka",
        "a Pathfinder per seed-003; the grant's date and decision are not public",
    )
    .await?;

    // Peru, Sri Lanka, Viet Nam, Madagascar, Fiji: Pathfinders whose grant dates are unknown.
    legacy(
        ledger,
        "PER",
        "2019-09-13",
        "https://www.iniciativa2025alc.org/en/noticias/peru-se-suma-a-los-paises-pioneros-de-la-alianza-87",
        "joined as 'país pionero' (workshop news of 13 September 2019); the grant date is not public",
    )
    .await?;
    legacy(
        ledger,
        "LKA",
        "2017-01-01",
        "https://www.alliance87.org/sri-lankas-child-labour-free-zones/",
        "a Pathfinder with a 2016 roadmap; the grant date is unknown",
    )
    .await?;
    legacy(
        ledger,
        "VNM",
        "2020-03-01",
        "http://www.ilo.org/hanoi/Whatwedo/Eventsandmeetings/WCMS_734347/lang--en/index.htm",
        "'Sri Lanka and Viet Nam are both pathfinder countries' (2020); the grant date is unknown",
    )
    .await?;
    legacy(
        ledger,
        "MDG",
        "2018-10-25",
        "https://alliance87.org/es/node/76",
        "roadmap agreed at the strategic planning workshop of 25 October (year inferred); the grant date is unknown",
    )
    .await?;
    legacy(
        ledger,
        "FJI",
        "2019-08-23",
        "https://alliance87.org/es/node/94",
        "roadmap developed at the national forum of 22-23 August (year inferred); the grant date is unknown",
    )
    .await?;
    for iso3 in ["PER", "LKA", "VNM", "MDG", "FJI"] {
        pfc(
            ledger,
            iso3,
            focal_point(ledger, iso3, "Focal point", "Ministry of Labour", "2021-01-15").await?,
            "2021-01-15",
            ("X", "focal point invented for the demo"),
            None,
        )
        .await?;
    }

    // DR Congo: a candidate presented at the 9th GCG [P].
    let letter = PfcCommand::RecordExpressionOfInterest {
        iso3: "COD".into(),
        letter_date: day("2020-09-01"),
        signatory_title: "Minister of Employment, Labour and Social Security".into(),
        ministry: "Ministry of Employment, Labour and Social Security".into(),
        letter_sha256: hash("demo: DR Congo letter of interest"),
    };
    pfc(ledger, "COD", letter, "2020-09-01", ("X", "the letter's date is invented"), None).await?;
    let present = PfcCommand::RecordPresentation { meeting_id: "GCG-09".into(), presented_on: day("2020-10-28") };
    pfc(ledger, "COD", present, "2020-10-28", ("P", "'Pathfinder country candidate' at the 9th GCG"), None).await?;

    // In-country support, lost by some through project closures [S: 15 PFCs lost it].
    for iso3 in ["NPL", "UGA", "MDG", "FJI"] {
        let start = PfcCommand::StartSupport {
            organisation: "ILO".into(),
            project_ref: Some(format!("demo-project-{iso3}")),
            on: day("2021-01-01"),
        };
        pfc(ledger, iso3, start, "2021-01-01", ("X", "project invented for the demo"), None).await?;
    }
    // Global March "is currently working towards supporting" Uganda, Peru, Nepal and Sri
    // Lanka (seed-003); since when is not stated.
    for iso3 in ["UGA", "PER", "NPL", "LKA"] {
        let start =
            PfcCommand::StartSupport { organisation: "GLOBAL-MARCH".into(), project_ref: None, on: day("2025-01-01") };
        let label = ("U", "Global March's support to Uganda, Peru, Nepal and Sri Lanka is in seed-003; its start date is unknown: 2025-01-01 stands in");
        pfc(ledger, iso3, start, "2025-01-01", label, None).await?;
    }
    for iso3 in ["MDG", "FJI"] {
        let end = PfcCommand::EndSupport {
            organisation: "ILO".into(),
            on: day("2025-12-31"),
            reason: SupportEndReason::ProjectClosed,
        };
        pfc(
            ledger,
            iso3,
            end,
            "2025-12-31",
            ("S", "in-country support lost through project closures (seed-000); which countries is invented"),
            None,
        )
        .await?;
    }

    // The 2026 reporting cycle: every active country expected; Madagascar's report overdue.
    let launch = CycleCommand::Launch {
        cycle_id: "2026".into(),
        period_start: day("2025-01-01"),
        period_end: day("2025-12-31"),
        launched_on: day("2026-03-02"),
        deadline: day("2026-05-31"),
        template_version: "pfc-report/2019-2020-questionnaire".into(),
        expected_countries: vec![],
    };
    let launch_label =
        ("X", "the reporting cycle (launch, review, publication) is in seed-000; its dates are invented");
    ledger
        .execute::<domain::pathfinder::ReportingCycle>("2026", launch, meta("2026-03-02", launch_label, None))
        .await
        .map_err(|e| anyhow::anyhow!("demo cycle: {e}"))?;
    for (iso3, on) in [
        ("NPL", "2026-05-20"),
        ("UGA", "2026-05-28"),
        ("PER", "2026-05-30"),
        ("LKA", "2026-05-15"),
        ("VNM", "2026-05-29"),
        ("FJI", "2026-05-31"),
    ] {
        report(ledger, &format!("2026/{iso3}"), submission("2026", iso3, on), on, x).await?;
    }
    ledger.tick(day("2026-06-05")).await.map_err(|e| anyhow::anyhow!("demo tick: {e}"))?;
    let id = "2026/NPL";
    report(
        ledger,
        id,
        ReportCommand::AssignReviewer { reviewers: vec!["WG-SDGM".into()], on: day("2026-06-10") },
        "2026-06-10",
        x,
    )
    .await?;
    let review = ReportCommand::Review {
        reviewer: "WG-SDGM".into(),
        recommendation: Recommendation::Approve,
        comments_sha256: hash("demo: review of Nepal's 2026 report"),
        on: day("2026-07-01"),
    };
    report(ledger, id, review, "2026-07-01", x).await?;
    let approve =
        ReportCommand::Approve { approved_on: day("2026-07-10"), approval: Default::default(), authority: None };
    report(ledger, id, approve, "2026-07-10", ("X", "approved by the SDG 8.7 Monitoring Working Group: invented"))
        .await?;
    let publish = ReportCommand::Publish {
        published_on: day("2026-07-10"),
        url: "https://example.org/alliance87/reports/2026/NPL".into(),
    };
    report(ledger, id, publish, "2026-07-10", x).await?;
    Ok(())
}
