//! The IATI 2.03 renderer against the official IATI 2.03 activity schema.
//!
//! `ops/scripts/ensure-iati-schema.sh` installs the schema package pinned in
//! `ops/iati/requirements.txt` (and `xmllint`) and prints the path of `iati-activities-schema.xsd`;
//! these tests validate rendered files with `xmllint --schema`. They never skip: if the schema or
//! the validator cannot be had, they fail with the script's message. The negative tests make sure
//! the validation is real (a broken document must be rejected by the schema, not by the parser).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::NaiveDate;
use projections::iati::{
    annual_budgets_from_monthly, check_rules, format_minor_units, render_activity_file, BudgetKind, BudgetStatus,
    IatiActivity, IatiActivityStatus, IatiBaseline, IatiClassification, IatiCode, IatiContact, IatiDocumentLink,
    IatiIndicator, IatiIndicatorPeriod, IatiOrg, IatiPlannedDisbursement, IatiResult, IatiRole, IatiTransaction,
    IndicatorMeasure, ResultKind, TransactionKind,
};

/// `xmllint` exit status for "the document does not validate against the schema" (as opposed to
/// 1 for a malformed document or 5 for a schema that does not compile).
const XMLLINT_INVALID: i32 = 3;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("projections/ has a parent").to_path_buf()
}

/// Runs the schema script once per test process; panics with its output if it fails.
fn schema() -> &'static Path {
    static XSD: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let result = XSD.get_or_init(|| {
        let script = repo_root().join("ops/scripts/ensure-iati-schema.sh");
        let out =
            Command::new("bash").arg(&script).output().map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            return Err(format!("{} failed ({}):\n{stderr}", script.display(), out.status));
        }
        let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if !path.is_absolute() || !path.is_file() {
            return Err(format!("{} printed {path:?}, not an existing absolute path:\n{stderr}", script.display()));
        }
        Ok(path)
    });
    match result {
        Ok(path) => path,
        Err(message) => panic!("cannot obtain the IATI 2.03 schema: {message}"),
    }
}

struct Validation {
    code: Option<i32>,
    stderr: String,
}

/// Writes `xml` to the test scratch directory and validates it with `xmllint --schema`.
fn validate(name: &str, xml: &str) -> Validation {
    let xsd = schema();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("iati");
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    let file = dir.join(format!("{name}.xml"));
    std::fs::write(&file, xml).expect("write activity file");
    let xmllint = std::env::var("XMLLINT").unwrap_or_else(|_| "xmllint".into());
    let out =
        Command::new(&xmllint).args(["--noout", "--nonet", "--schema"]).arg(xsd).arg(&file).output().unwrap_or_else(
            |e| panic!("cannot run {xmllint} (ops/scripts/ensure-iati-schema.sh should install it): {e}"),
        );
    Validation { code: out.status.code(), stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
}

fn assert_valid(name: &str, xml: &str) {
    let v = validate(name, xml);
    assert_eq!(v.code, Some(0), "{name} does not validate against the IATI 2.03 schema:\n{}\n{xml}", v.stderr);
    assert!(v.stderr.contains("validates"), "{}", v.stderr);
}

fn assert_rejected_by_schema(name: &str, xml: &str, expected_message: &str) {
    let v = validate(name, xml);
    assert_eq!(
        v.code,
        Some(XMLLINT_INVALID),
        "{name} should be well-formed but invalid against the schema; xmllint said:\n{}",
        v.stderr
    );
    assert!(v.stderr.contains(expected_message), "expected {expected_message:?} in:\n{}", v.stderr);
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

fn ilo() -> IatiOrg {
    IatiOrg {
        reference: Some("XM-DAC-41302".into()),
        type_code: Some("40".into()), // Multilateral
        name: "International Labour Organization (ILO)".into(),
    }
}

/// The demo donors of domain.md §3.3 (names and amounts are illustrative; they have no IATI ref).
fn donor(name: &str) -> IatiOrg {
    IatiOrg { reference: None, type_code: Some("10".into()), name: name.into() }
    // Government
}

/// The MDP budget lines of domain.md §1.7/§3.4: code, name, USD cents per month.
const LINES: [(&str, &str, i64); 4] = [
    ("O1", "Outcome 1 – High-level advocacy", 649_000),
    ("O2", "Outcome 2 – Pathfinder country support", 2_005_400),
    ("O3", "Outcome 3 – Governance, communication & resource mobilisation", 750_200),
    ("PSC", "Programme support implementation cost", 509_700),
];

fn transaction(
    kind: TransactionKind,
    date: NaiveDate,
    value_minor: i64,
    description: &str,
    reference: &str,
) -> IatiTransaction {
    IatiTransaction {
        kind,
        date,
        value_minor,
        value_date: date,
        description: Some(description.into()),
        provider: None,
        provider_activity_id: None,
        receiver: None,
        receiver_activity_id: None,
        reference: Some(reference.into()),
    }
}

fn incoming(
    kind: TransactionKind,
    date: NaiveDate,
    value_minor: i64,
    donor_name: &str,
    description: &str,
    reference: &str,
) -> IatiTransaction {
    IatiTransaction {
        provider: Some(donor(donor_name)),
        receiver: Some(ilo()),
        receiver_activity_id: Some("XM-DAC-41302-MDP-A87".into()),
        ..transaction(kind, date, value_minor, description, reference)
    }
}

fn expenditure(date: NaiveDate, value_minor: i64, description: &str, reference: &str) -> IatiTransaction {
    IatiTransaction {
        provider: Some(ilo()),
        ..transaction(TransactionKind::Expenditure, date, value_minor, description, reference)
    }
}

fn outcome(
    title: &str,
    indicator: &str,
    baseline: &str,
    period: (NaiveDate, NaiveDate),
    target: &str,
    actual: Option<&str>,
) -> IatiResult {
    IatiResult {
        kind: ResultKind::Outcome,
        title: title.into(),
        description: None,
        indicators: vec![IatiIndicator {
            measure: IndicatorMeasure::Unit,
            ascending: Some(true),
            title: indicator.into(),
            description: None,
            baseline: Some(IatiBaseline {
                year: 2025,
                iso_date: Some(d(2025, 12, 31)),
                value: Some(baseline.into()),
                comment: Some("Illustrative baseline (demo data)".into()),
            }),
            periods: vec![IatiIndicatorPeriod {
                period_start: period.0,
                period_end: period.1,
                target: Some(target.into()),
                actual: actual.map(Into::into),
            }],
        }],
    }
}

/// The Multi-Donor Programme as of 2026-07-20 (domain.md §1.7, §1.9, §3.3, §3.4).
fn mdp() -> IatiActivity {
    let monthly_total: i64 = LINES.iter().map(|(_, _, monthly)| monthly).sum();
    assert_eq!(monthly_total, 3_914_300, "the lines add up to 39,143 USD a month");
    let line_list: Vec<String> = LINES
        .iter()
        .map(|(code, name, monthly)| format!("{code} {name}: {} USD/month", format_minor_units(*monthly)))
        .collect();
    let (o2_jan_mar, o2_apr) = (3 * 2_005_400, 2_005_400 + 50_000); // R-001 moved 500 USD/month O3 → O2 from April
    IatiActivity {
        iati_identifier: "XM-DAC-41302-MDP-A87".into(),
        reporting_org: ilo(),
        title: "Alliance 8.7 – Joining forces globally to end forced labour, modern slavery, human trafficking and \
                child labour"
            .into(),
        description: format!(
            "Multi-Donor Programme (Global, ILO FUNDAMENTALS), January 2026 – June 2031, 39,143 USD per month. \
             Budget lines: {}.",
            line_list.join("; ")
        ),
        participating_orgs: vec![
            (donor("DONOR-A"), IatiRole::Funding),
            (donor("DONOR-B"), IatiRole::Funding),
            (ilo(), IatiRole::Accountable),
            (ilo(), IatiRole::Implementing),
        ],
        activity_status: IatiActivityStatus::Implementation,
        planned_start: d(2026, 1, 1),
        planned_end: d(2031, 6, 30),
        actual_start: Some(d(2026, 1, 1)),
        actual_end: None,
        contacts: vec![IatiContact {
            type_code: Some("1".into()), // General Enquiries
            organisation: Some("International Labour Organization (ILO)".into()),
            department: Some("Alliance 8.7 Secretariat".into()),
            website: Some("https://www.alliance87.org/".into()),
        }],
        activity_scope: Some("1".into()), // Global
        recipient_countries: vec![],
        recipient_regions: vec![IatiClassification {
            code: "998".into(),
            vocabulary: Some("1".into()),
            percentage_hundredths: Some(10_000),
            narrative: Some("Developing countries, unspecified".into()),
        }],
        sectors: vec![IatiClassification {
            code: "16070".into(),
            vocabulary: Some("1".into()),
            percentage_hundredths: Some(10_000),
            narrative: Some("Labour rights".into()),
        }],
        collaboration_type: Some("4".into()),     // Multilateral outflows
        default_flow_type: Some("10".into()),     // ODA
        default_finance_type: Some("110".into()), // Standard grant
        default_aid_types: vec![IatiCode { code: "C01".into(), vocabulary: Some("1".into()) }],
        currency: "USD".into(),
        language: "en".into(),
        last_updated: "2026-07-20T12:00:00Z".into(),
        budgets: annual_budgets_from_monthly(
            monthly_total,
            d(2026, 1, 1),
            d(2031, 6, 30),
            BudgetKind::Original,
            BudgetStatus::Indicative,
        ),
        planned_disbursements: vec![
            IatiPlannedDisbursement {
                kind: BudgetKind::Revised,
                period_start: d(2026, 1, 1),
                period_end: d(2026, 12, 31),
                value_minor: 12 * monthly_total,
                value_date: d(2026, 6, 16),
            },
            IatiPlannedDisbursement {
                kind: BudgetKind::Original,
                period_start: d(2031, 1, 1),
                period_end: d(2031, 6, 30),
                value_minor: 6 * monthly_total,
                value_date: d(2031, 1, 1),
            },
        ],
        transactions: vec![
            incoming(
                TransactionKind::IncomingCommitment,
                d(2026, 2, 10),
                60_000_000,
                "DONOR-A",
                "Agreement C-001, unearmarked",
                "contribution:C-001",
            ),
            incoming(
                TransactionKind::IncomingCommitment,
                d(2026, 3, 1),
                25_000_000,
                "DONOR-B",
                "Agreement C-002, earmarked O2 (Pathfinder country support)",
                "contribution:C-002",
            ),
            incoming(
                TransactionKind::IncomingFunds,
                d(2026, 3, 5),
                30_000_000,
                "DONOR-A",
                "First instalment of C-001",
                "contribution:C-001",
            ),
            expenditure(d(2026, 4, 30), 4 * 649_000, "O1 actuals Jan–Apr 2026", "programme:MDP-A87/O1/2026-01..04"),
            expenditure(
                d(2026, 4, 30),
                o2_jan_mar + o2_apr,
                "O2 actuals Jan–Apr 2026",
                "programme:MDP-A87/O2/2026-01..04",
            ),
            expenditure(d(2026, 4, 30), 3 * 750_200, "O3 actuals Jan–Mar 2026", "programme:MDP-A87/O3/2026-01..03"),
            expenditure(d(2026, 4, 30), 705_200, "O3 actuals Apr 2026", "programme:MDP-A87/O3/2026-04"),
            expenditure(d(2026, 4, 30), 4 * 509_700, "PSC Jan–Apr 2026", "programme:MDP-A87/PSC/2026-01..04"),
            expenditure(
                d(2026, 7, 20),
                -705_200,
                "Reversal of O3 April 2026 (typo 7,052 for 7,502) <event 50>",
                "programme:MDP-A87/O3/2026-04/reversal",
            ),
            expenditure(
                d(2026, 7, 20),
                750_200,
                "O3 actuals Apr 2026, re-entered",
                "programme:MDP-A87/O3/2026-04/re-entry",
            ),
        ],
        document_links: vec![IatiDocumentLink {
            url: "https://www.alliance87.org/".into(),
            format: "text/html".into(),
            title: "Alliance 8.7 website (a public page, not the programme document)".into(),
            description: Some("The programme document itself is not published.".into()),
            categories: vec!["A12".into()], // Activity web page
            languages: vec!["en".into()],
            document_date: None,
        }],
        results: vec![
            outcome(
                "Outcome 1 – High-level advocacy",
                "Global events with Alliance 8.7 engagement",
                "0",
                (d(2026, 1, 1), d(2026, 12, 31)),
                "3",
                None,
            ),
            outcome(
                "Outcome 2 – Pathfinder country support",
                "Pathfinder Countries receiving Roadmap guidance",
                "0",
                (d(2026, 1, 1), d(2026, 12, 31)),
                "10",
                None,
            ),
            outcome(
                "Outcome 3 – Governance, communication & resource mobilisation",
                "GCG meetings held",
                "0",
                (d(2026, 1, 1), d(2026, 6, 30)),
                "1",
                Some("1"),
            ),
        ],
    }
}

const GENERATED: &str = "2026-07-31T09:00:00Z";
const TODAY: (i32, u32, u32) = (2026, 7, 31);

fn today() -> NaiveDate {
    d(TODAY.0, TODAY.1, TODAY.2)
}

#[test]
fn mdp_activity_file_validates_against_the_iati_2_03_schema() {
    let activity = mdp();
    assert_eq!(check_rules(&activity, today()), Vec::<String>::new());

    // Budgets: 2026..2030 of 12 months and 2031 H1, adding up to the 66-month programme.
    let budgets: Vec<_> = activity.budgets.iter().map(|b| (b.period_start, b.period_end, b.value_minor)).collect();
    assert_eq!(budgets.len(), 6);
    assert_eq!(budgets[0], (d(2026, 1, 1), d(2026, 12, 31), 46_971_600));
    assert_eq!(budgets[5], (d(2031, 1, 1), d(2031, 6, 30), 23_485_800));
    assert_eq!(activity.budgets.iter().map(|b| b.value_minor).sum::<i64>(), 258_343_800);

    let xml = render_activity_file(&activity, GENERATED);
    for expected in [
        "<iati-activities version=\"2.03\" generated-datetime=\"2026-07-31T09:00:00Z\">",
        "<iati-activity last-updated-datetime=\"2026-07-20T12:00:00Z\" xml:lang=\"en\" default-currency=\"USD\">",
        "<reporting-org ref=\"XM-DAC-41302\" type=\"40\">",
        "<participating-org ref=\"XM-DAC-41302\" type=\"40\" role=\"2\">",
        "<participating-org ref=\"XM-DAC-41302\" type=\"40\" role=\"4\">",
        "<participating-org type=\"10\" role=\"1\">",
        "<value currency=\"USD\" value-date=\"2026-01-01\">469716.00</value>",
        "<value currency=\"USD\" value-date=\"2031-01-01\">234858.00</value>",
        "<transaction-type code=\"11\"/>",
        "<transaction-type code=\"1\"/>",
        "<transaction-type code=\"4\"/>",
        "<value currency=\"USD\" value-date=\"2026-07-20\">-7052.00</value>",
        "<narrative>Reversal of O3 April 2026 (typo 7,052 for 7,502) &lt;event 50&gt;</narrative>",
        "<narrative>Outcome 3 – Governance, communication &amp; resource mobilisation</narrative>",
        "<contact-info type=\"1\">",
        "<sector vocabulary=\"1\" code=\"16070\" percentage=\"100.00\">",
        "<recipient-region code=\"998\" vocabulary=\"1\" percentage=\"100.00\">",
        "<collaboration-type code=\"4\"/>",
        "<default-aid-type code=\"C01\" vocabulary=\"1\"/>",
        "<planned-disbursement type=\"2\">",
        "<document-link url=\"https://www.alliance87.org/\" format=\"text/html\">",
    ] {
        assert!(xml.contains(expected), "{expected} not in\n{xml}");
    }
    assert_valid("mdp", &xml);
}

#[test]
fn schema_rejects_a_transaction_without_transaction_type() {
    let xml = render_activity_file(&mdp(), GENERATED);
    let line = "<transaction-type code=\"11\"/>";
    let at = xml.find(line).expect("a commitment");
    let broken = format!("{}{}", &xml[..at], &xml[at + line.len()..]);
    assert_rejected_by_schema("no-transaction-type", &broken, "transaction-type");
}

#[test]
fn schema_rejects_elements_out_of_order() {
    let xml = render_activity_file(&mdp(), GENERATED);
    let status = "<activity-status code=\"2\"/>\n";
    let without = xml.replacen(&format!("    {status}"), "", 1);
    assert_ne!(without, xml);
    let first_org = without.find("    <participating-org").expect("a participating-org");
    let broken = format!("{}    {status}{}", &without[..first_org], &without[first_org..]);
    assert_rejected_by_schema("out-of-order", &broken, "activity-status");
}

#[test]
fn schema_rejects_money_that_is_not_a_decimal() {
    // What a float formatter could produce: the schema's xsd:decimal does not accept it.
    let xml = render_activity_file(&mdp(), GENERATED).replacen(">469716.00<", ">4.69716e5<", 1);
    assert_rejected_by_schema("float-money", &xml, "xs:decimal");
}

#[test]
fn check_rules_catches_what_the_schema_requires() {
    let mut activity = mdp();
    activity.reporting_org.reference = None;
    let issues = check_rules(&activity, today());
    assert!(issues.iter().any(|i| i.contains("reporting-org has no ref")), "{issues:#?}");
    assert_rejected_by_schema(
        "no-reporting-org-ref",
        &render_activity_file(&activity, GENERATED),
        "The attribute 'ref' is required",
    );
}

#[test]
fn check_rules_flags_mdp_transactions_after_today() {
    // Seen from 2026-04-01, the expenditures of 30 April and the July correction are in the future.
    let issues = check_rules(&mdp(), d(2026, 4, 1));
    let future = issues.iter().filter(|i| i.contains("transaction date is in the future")).count();
    assert_eq!(future, 7, "{issues:#?}");
}

#[test]
fn check_rules_catches_a_document_link_the_schema_rejects() {
    let mut activity = mdp();
    activity.document_links[0].categories.clear();
    let issues = check_rules(&activity, today());
    assert_eq!(issues, ["document-link[0]: no category (the schema requires at least one)"]);
    assert_rejected_by_schema("no-document-category", &render_activity_file(&activity, GENERATED), "category");
}

#[test]
fn schema_rejects_contact_info_after_activity_scope() {
    let xml = render_activity_file(&mdp(), GENERATED);
    let scope = "    <activity-scope code=\"1\"/>\n";
    let without = xml.replacen(scope, "", 1);
    assert_ne!(without, xml);
    let after_contact = without.find("    <recipient-region").expect("a recipient-region");
    let broken = format!("{}{scope}{}", &without[..after_contact], &without[after_contact..]);
    assert_valid("scope-before-region", &broken);
    let contact = without.find("    <contact-info").expect("a contact-info");
    let broken = format!("{}{scope}{}", &without[..contact], &without[contact..]);
    assert_rejected_by_schema("scope-before-contact", &broken, "contact-info");
}
