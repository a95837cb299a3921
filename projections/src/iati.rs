//! IATI 2.03 activity files: a pure input model, a renderer and the IATI guidance checks.
//!
//! The model ([`IatiActivity`]) is filled by the caller (e.g. from the programme and contribution
//! streams); nothing here reads the database. [`render_activity_file`] writes an
//! `<iati-activities version="2.03">` document with one activity, in the element order of the
//! official 2.03 activity schema (`iati-activities-schema.xsd`); `projections/tests/iati.rs`
//! validates the output against that schema as shipped in the package pinned by
//! `ops/iati/requirements.txt`. [`check_rules`] reports what the schema cannot check: the IATI
//! Standard's rules and guidance on geography and sectors (percentages adding up to 100),
//! budgets and planned disbursements (periods of at most 12 months, no overlaps, no negative
//! values), transactions (never in the future), document links and results, plus the
//! schema-required fields the model leaves optional.
//!
//! Money is integer minor units (cents) and is rendered as a decimal string with two decimals
//! ([`format_minor_units`]), never through floating point. Corrections are new negative
//! transactions, as IATI guidance asks; nothing is edited.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Months, NaiveDate};

/// The IATI standard version written in `iati-activities/@version`.
pub const IATI_VERSION: &str = "2.03";

/// Digits after the decimal point of every rendered amount: `value_minor` is in hundredths of the
/// currency unit.
pub const MINOR_UNIT_DIGITS: u32 = 2;

/// An organisation as IATI names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IatiOrg {
    /// IATI organisation identifier (e.g. `XM-DAC-41302` for the ILO). Required for the
    /// reporting organisation.
    pub reference: Option<String>,
    /// IATI `OrganisationType` code (e.g. `10` Government, `40` Multilateral). Required for the
    /// reporting organisation.
    pub type_code: Option<String>,
    /// Name, written as a `narrative` in the activity's default language.
    pub name: String,
}

/// `participating-org/@role` (IATI `OrganisationRole` codelist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IatiRole {
    Funding,
    Accountable,
    Extending,
    Implementing,
}

impl IatiRole {
    pub fn code(self) -> u8 {
        match self {
            IatiRole::Funding => 1,
            IatiRole::Accountable => 2,
            IatiRole::Extending => 3,
            IatiRole::Implementing => 4,
        }
    }
}

/// `activity-status/@code` (IATI `ActivityStatus` codelist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IatiActivityStatus {
    Pipeline,
    Implementation,
    Finalisation,
    Closed,
    Cancelled,
    Suspended,
}

impl IatiActivityStatus {
    pub fn code(self) -> u8 {
        match self {
            IatiActivityStatus::Pipeline => 1,
            IatiActivityStatus::Implementation => 2,
            IatiActivityStatus::Finalisation => 3,
            IatiActivityStatus::Closed => 4,
            IatiActivityStatus::Cancelled => 5,
            IatiActivityStatus::Suspended => 6,
        }
    }
}

/// A coded classification with an optional share: `recipient-region` or `sector`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IatiClassification {
    pub code: String,
    /// The codelist the code is from (`@vocabulary`); IATI's default when `None`
    /// (OECD DAC for both regions and sectors).
    pub vocabulary: Option<String>,
    /// Share in hundredths of a percent (10000 = 100 %); rendered as `100.00`.
    pub percentage_hundredths: Option<u32>,
    /// Optional label, written as a `narrative`.
    pub narrative: Option<String>,
}

/// One `recipient-country`: an ISO 3166-1 alpha-2 code with an optional share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IatiCountry {
    pub code: String,
    /// Share in hundredths of a percent (10000 = 100 %); rendered as `100.00`.
    pub percentage_hundredths: Option<u32>,
    /// Optional label, written as a `narrative`.
    pub narrative: Option<String>,
}

/// A code from a codelist that may name its vocabulary: `default-aid-type` (IATI
/// `AidTypeVocabulary`; OECD DAC `1` when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IatiCode {
    pub code: String,
    pub vocabulary: Option<String>,
}

/// One `contact-info`: whom to ask about the activity. The model has no person's name,
/// telephone or e-mail: the file names an organisation and its unit, never a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IatiContact {
    /// `@type` (IATI `ContactType`, e.g. `1` General Enquiries).
    pub type_code: Option<String>,
    pub organisation: Option<String>,
    pub department: Option<String>,
    /// An `http://` or `https://` address.
    pub website: Option<String>,
}

/// One `document-link` of the activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IatiDocumentLink {
    /// `@url`: an `http://` or `https://` address of a public page or document.
    pub url: String,
    /// `@format` (IATI `FileFormat`, a MIME type such as `text/html`).
    pub format: String,
    pub title: String,
    pub description: Option<String>,
    /// `category/@code` (IATI `DocumentCategory`, e.g. `A12` Activity web page); the schema
    /// requires at least one.
    pub categories: Vec<String>,
    /// `language/@code` (ISO 639-1).
    pub languages: Vec<String>,
    pub document_date: Option<NaiveDate>,
}

/// One `planned-disbursement`: money the activity plans to pay out in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IatiPlannedDisbursement {
    /// `@type` (IATI `BudgetType`): whether the figure is the original plan or a revised one.
    pub kind: BudgetKind,
    pub period_start: NaiveDate,
    /// Inclusive.
    pub period_end: NaiveDate,
    /// Minor units (cents) of the activity's currency.
    pub value_minor: i64,
    pub value_date: NaiveDate,
}

/// `budget/@type` (IATI `BudgetType` codelist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BudgetKind {
    Original,
    Revised,
}

impl BudgetKind {
    pub fn code(self) -> u8 {
        match self {
            BudgetKind::Original => 1,
            BudgetKind::Revised => 2,
        }
    }
}

/// `budget/@status` (IATI `BudgetStatus` codelist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BudgetStatus {
    Indicative,
    Committed,
}

impl BudgetStatus {
    pub fn code(self) -> u8 {
        match self {
            BudgetStatus::Indicative => 1,
            BudgetStatus::Committed => 2,
        }
    }
}

/// One `budget` element: the activity's budget for one period of at most 12 months.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IatiBudget {
    pub kind: BudgetKind,
    pub status: BudgetStatus,
    pub period_start: NaiveDate,
    /// Inclusive.
    pub period_end: NaiveDate,
    /// Minor units (cents) of the activity's currency.
    pub value_minor: i64,
    pub value_date: NaiveDate,
}

/// `transaction-type/@code` (IATI `TransactionType` codelist, 2.03).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransactionKind {
    IncomingFunds,
    OutgoingCommitment,
    Disbursement,
    Expenditure,
    InterestPayment,
    LoanRepayment,
    Reimbursement,
    PurchaseOfEquity,
    SaleOfEquity,
    CreditGuarantee,
    IncomingCommitment,
    OutgoingPledge,
    IncomingPledge,
}

impl TransactionKind {
    pub fn code(self) -> u8 {
        match self {
            TransactionKind::IncomingFunds => 1,
            TransactionKind::OutgoingCommitment => 2,
            TransactionKind::Disbursement => 3,
            TransactionKind::Expenditure => 4,
            TransactionKind::InterestPayment => 5,
            TransactionKind::LoanRepayment => 6,
            TransactionKind::Reimbursement => 7,
            TransactionKind::PurchaseOfEquity => 8,
            TransactionKind::SaleOfEquity => 9,
            TransactionKind::CreditGuarantee => 10,
            TransactionKind::IncomingCommitment => 11,
            TransactionKind::OutgoingPledge => 12,
            TransactionKind::IncomingPledge => 13,
        }
    }
}

/// One `transaction` element. A correction is a new transaction with a negative value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IatiTransaction {
    pub kind: TransactionKind,
    pub date: NaiveDate,
    /// Minor units (cents) of the activity's currency; negative for reversals and reductions.
    pub value_minor: i64,
    pub value_date: NaiveDate,
    pub description: Option<String>,
    pub provider: Option<IatiOrg>,
    /// `provider-org/@provider-activity-id`: the funder's own activity, for traceability.
    pub provider_activity_id: Option<String>,
    pub receiver: Option<IatiOrg>,
    /// `receiver-org/@receiver-activity-id`.
    pub receiver_activity_id: Option<String>,
    /// `transaction/@ref`: the reference in the internal finance system (e.g. a ledger event id).
    pub reference: Option<String>,
}

/// `result/@type` (IATI `ResultType` codelist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResultKind {
    Output,
    Outcome,
    Impact,
}

impl ResultKind {
    pub fn code(self) -> u8 {
        match self {
            ResultKind::Output => 1,
            ResultKind::Outcome => 2,
            ResultKind::Impact => 3,
        }
    }
}

/// `indicator/@measure` (IATI `IndicatorMeasure` codelist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndicatorMeasure {
    Unit,
    Percentage,
    Nominal,
    Ordinal,
    Qualitative,
}

impl IndicatorMeasure {
    pub fn code(self) -> u8 {
        match self {
            IndicatorMeasure::Unit => 1,
            IndicatorMeasure::Percentage => 2,
            IndicatorMeasure::Nominal => 3,
            IndicatorMeasure::Ordinal => 4,
            IndicatorMeasure::Qualitative => 5,
        }
    }
}

/// One `result` (e.g. an MDP outcome) with its indicators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IatiResult {
    pub kind: ResultKind,
    pub title: String,
    pub description: Option<String>,
    /// The schema requires at least one.
    pub indicators: Vec<IatiIndicator>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IatiIndicator {
    pub measure: IndicatorMeasure,
    /// Whether a higher value is better.
    pub ascending: Option<bool>,
    pub title: String,
    pub description: Option<String>,
    pub baseline: Option<IatiBaseline>,
    pub periods: Vec<IatiIndicatorPeriod>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IatiBaseline {
    /// Must be positive (`xsd:positiveInteger`).
    pub year: i32,
    pub iso_date: Option<NaiveDate>,
    /// Omitted for qualitative measures; otherwise a number, as text.
    pub value: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IatiIndicatorPeriod {
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub target: Option<String>,
    pub actual: Option<String>,
}

/// One IATI activity (for the ledger: the Multi-Donor Programme).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IatiActivity {
    /// `{reporting-org ref}-{local id}`, e.g. `XM-DAC-41302-MDP-A87`.
    pub iati_identifier: String,
    pub reporting_org: IatiOrg,
    pub title: String,
    /// Written as a general description (`description/@type="1"`).
    pub description: String,
    /// One organisation may appear with several roles.
    pub participating_orgs: Vec<(IatiOrg, IatiRole)>,
    pub activity_status: IatiActivityStatus,
    pub planned_start: NaiveDate,
    pub planned_end: NaiveDate,
    pub actual_start: Option<NaiveDate>,
    pub actual_end: Option<NaiveDate>,
    pub contacts: Vec<IatiContact>,
    /// `activity-scope/@code` (IATI `ActivityScope` codelist; `1` Global).
    pub activity_scope: Option<String>,
    pub recipient_countries: Vec<IatiCountry>,
    pub recipient_regions: Vec<IatiClassification>,
    pub sectors: Vec<IatiClassification>,
    /// `collaboration-type/@code` (IATI `CollaborationType`, e.g. `4` Multilateral outflows).
    pub collaboration_type: Option<String>,
    /// `default-flow-type/@code` (IATI `FlowType`, e.g. `10` ODA).
    pub default_flow_type: Option<String>,
    /// `default-finance-type/@code` (IATI `FinanceType`, e.g. `110` Standard grant).
    pub default_finance_type: Option<String>,
    /// `default-aid-type` (IATI `AidType` and its vocabularies, e.g. `C01`); at most one per
    /// vocabulary.
    pub default_aid_types: Vec<IatiCode>,
    /// ISO 4217 code; every amount is in this currency (`@default-currency`).
    pub currency: String,
    /// ISO 639-1 code of the narratives (`@xml:lang`), e.g. `en`.
    pub language: String,
    /// RFC 3339 date-time of the last change to the activity (`@last-updated-datetime`).
    pub last_updated: String,
    pub budgets: Vec<IatiBudget>,
    pub planned_disbursements: Vec<IatiPlannedDisbursement>,
    pub transactions: Vec<IatiTransaction>,
    pub document_links: Vec<IatiDocumentLink>,
    pub results: Vec<IatiResult>,
}

/// Formats an amount in minor units (hundredths) as an `xsd:decimal` string with two decimals:
/// `3914300` → `39143.00`, `-200000` → `-2000.00`, `5` → `0.05`. Integer arithmetic only.
pub fn format_minor_units(value_minor: i64) -> String {
    let scale = 10u64.pow(MINOR_UNIT_DIGITS);
    let magnitude = value_minor.unsigned_abs();
    let sign = if value_minor < 0 { "-" } else { "" };
    format!("{sign}{}.{:0width$}", magnitude / scale, magnitude % scale, width = MINOR_UNIT_DIGITS as usize)
}

/// Escapes character data: `&`, `<`, `>` and `\r` (which a parser would otherwise normalise
/// away). Characters that XML 1.0 cannot represent (C0 controls other than tab and newline,
/// U+FFFE, U+FFFF) become U+FFFD.
pub fn escape_text(s: &str) -> String {
    escape(s, false)
}

/// Escapes an attribute value (double-quoted): as [`escape_text`], plus `"`, `'`, and tab and
/// newline as character references so that attribute-value normalisation keeps them.
pub fn escape_attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '"' if attr => out.push_str("&quot;"),
            '\'' if attr => out.push_str("&apos;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' if attr => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
    out
}

/// A minimal indenting XML writer; every name is a constant, every value is escaped.
struct Xml {
    out: String,
    depth: usize,
}

type Attrs<'a> = [(&'a str, Option<String>)];

impl Xml {
    fn new() -> Self {
        Xml { out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), depth: 0 }
    }

    fn tag(&mut self, name: &str, attrs: &Attrs<'_>) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            if let Some(value) = value {
                self.out.push(' ');
                self.out.push_str(key);
                self.out.push_str("=\"");
                self.out.push_str(&escape_attr(value));
                self.out.push('"');
            }
        }
    }

    fn open(&mut self, name: &str, attrs: &Attrs<'_>) {
        self.tag(name, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth -= 1;
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    fn empty(&mut self, name: &str, attrs: &Attrs<'_>) {
        self.tag(name, attrs);
        self.out.push_str("/>\n");
    }

    fn leaf(&mut self, name: &str, attrs: &Attrs<'_>, text: &str) {
        self.tag(name, attrs);
        self.out.push('>');
        self.out.push_str(&escape_text(text));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name attrs><narrative>text</narrative></name>`.
    fn narrative_block(&mut self, name: &str, attrs: &Attrs<'_>, text: &str) {
        self.open(name, attrs);
        self.leaf("narrative", &[], text);
        self.close(name);
    }

    /// An organisation element whose narrative is optional (omitted when the name is empty).
    fn org(&mut self, name: &str, attrs: &Attrs<'_>, org_name: &str) {
        if org_name.is_empty() {
            self.empty(name, attrs);
        } else {
            self.narrative_block(name, attrs, org_name);
        }
    }
}

fn some(value: impl ToString) -> Option<String> {
    Some(value.to_string())
}

fn date(d: NaiveDate) -> Option<String> {
    Some(d.format("%Y-%m-%d").to_string())
}

/// Renders `<iati-activities version="2.03" generated-datetime=…>` with the one activity, in
/// the 2.03 schema's element order. `generated_datetime` is an RFC 3339 date-time. The output is
/// schema-valid when [`check_rules`] reports nothing about required fields (reporting-org
/// ref and type, at least one participating-org, indicators on every result, a category on
/// every document link).
pub fn render_activity_file(activity: &IatiActivity, generated_datetime: &str) -> String {
    let a = activity;
    let currency = Some(a.currency.clone());
    let mut x = Xml::new();
    x.open("iati-activities", &[("version", some(IATI_VERSION)), ("generated-datetime", some(generated_datetime))]);
    x.open(
        "iati-activity",
        &[
            ("last-updated-datetime", some(&a.last_updated)),
            ("xml:lang", some(&a.language)),
            ("default-currency", currency.clone()),
        ],
    );
    x.leaf("iati-identifier", &[], &a.iati_identifier);
    x.narrative_block(
        "reporting-org",
        &[("ref", a.reporting_org.reference.clone()), ("type", a.reporting_org.type_code.clone())],
        &a.reporting_org.name,
    );
    x.narrative_block("title", &[], &a.title);
    x.narrative_block("description", &[("type", some(1))], &a.description);
    for (org, role) in &a.participating_orgs {
        x.org(
            "participating-org",
            &[("ref", org.reference.clone()), ("type", org.type_code.clone()), ("role", some(role.code()))],
            &org.name,
        );
    }
    x.empty("activity-status", &[("code", some(a.activity_status.code()))]);
    x.empty("activity-date", &[("type", some(1)), ("iso-date", date(a.planned_start))]);
    if let Some(d) = a.actual_start {
        x.empty("activity-date", &[("type", some(2)), ("iso-date", date(d))]);
    }
    x.empty("activity-date", &[("type", some(3)), ("iso-date", date(a.planned_end))]);
    if let Some(d) = a.actual_end {
        x.empty("activity-date", &[("type", some(4)), ("iso-date", date(d))]);
    }
    for c in &a.contacts {
        x.open("contact-info", &[("type", c.type_code.clone())]);
        if let Some(text) = &c.organisation {
            x.narrative_block("organisation", &[], text);
        }
        if let Some(text) = &c.department {
            x.narrative_block("department", &[], text);
        }
        if let Some(url) = &c.website {
            x.leaf("website", &[], url);
        }
        x.close("contact-info");
    }
    if let Some(scope) = &a.activity_scope {
        x.empty("activity-scope", &[("code", some(scope))]);
    }
    for country in &a.recipient_countries {
        let attrs = [
            ("code", some(&country.code)),
            ("percentage", country.percentage_hundredths.map(|p| format_minor_units(i64::from(p)))),
        ];
        match &country.narrative {
            Some(text) => x.narrative_block("recipient-country", &attrs, text),
            None => x.empty("recipient-country", &attrs),
        }
    }
    for region in &a.recipient_regions {
        let attrs = [
            ("code", some(&region.code)),
            ("vocabulary", region.vocabulary.clone()),
            ("percentage", region.percentage_hundredths.map(|p| format_minor_units(i64::from(p)))),
        ];
        match &region.narrative {
            Some(text) => x.narrative_block("recipient-region", &attrs, text),
            None => x.empty("recipient-region", &attrs),
        }
    }
    for sector in &a.sectors {
        let attrs = [
            ("vocabulary", sector.vocabulary.clone()),
            ("code", some(&sector.code)),
            ("percentage", sector.percentage_hundredths.map(|p| format_minor_units(i64::from(p)))),
        ];
        match &sector.narrative {
            Some(text) => x.narrative_block("sector", &attrs, text),
            None => x.empty("sector", &attrs),
        }
    }
    for (name, code) in [
        ("collaboration-type", &a.collaboration_type),
        ("default-flow-type", &a.default_flow_type),
        ("default-finance-type", &a.default_finance_type),
    ] {
        if let Some(code) = code {
            x.empty(name, &[("code", some(code))]);
        }
    }
    for aid in &a.default_aid_types {
        x.empty("default-aid-type", &[("code", some(&aid.code)), ("vocabulary", aid.vocabulary.clone())]);
    }
    for b in &a.budgets {
        x.open("budget", &[("type", some(b.kind.code())), ("status", some(b.status.code()))]);
        x.empty("period-start", &[("iso-date", date(b.period_start))]);
        x.empty("period-end", &[("iso-date", date(b.period_end))]);
        x.leaf(
            "value",
            &[("currency", currency.clone()), ("value-date", date(b.value_date))],
            &format_minor_units(b.value_minor),
        );
        x.close("budget");
    }
    for p in &a.planned_disbursements {
        x.open("planned-disbursement", &[("type", some(p.kind.code()))]);
        x.empty("period-start", &[("iso-date", date(p.period_start))]);
        x.empty("period-end", &[("iso-date", date(p.period_end))]);
        x.leaf(
            "value",
            &[("currency", currency.clone()), ("value-date", date(p.value_date))],
            &format_minor_units(p.value_minor),
        );
        x.close("planned-disbursement");
    }
    for t in &a.transactions {
        x.open("transaction", &[("ref", t.reference.clone())]);
        x.empty("transaction-type", &[("code", some(t.kind.code()))]);
        x.empty("transaction-date", &[("iso-date", date(t.date))]);
        x.leaf(
            "value",
            &[("currency", currency.clone()), ("value-date", date(t.value_date))],
            &format_minor_units(t.value_minor),
        );
        if let Some(text) = &t.description {
            x.narrative_block("description", &[], text);
        }
        if let Some(org) = &t.provider {
            x.org(
                "provider-org",
                &[
                    ("ref", org.reference.clone()),
                    ("provider-activity-id", t.provider_activity_id.clone()),
                    ("type", org.type_code.clone()),
                ],
                &org.name,
            );
        }
        if let Some(org) = &t.receiver {
            x.org(
                "receiver-org",
                &[
                    ("ref", org.reference.clone()),
                    ("receiver-activity-id", t.receiver_activity_id.clone()),
                    ("type", org.type_code.clone()),
                ],
                &org.name,
            );
        }
        x.close("transaction");
    }
    for l in &a.document_links {
        x.open("document-link", &[("url", some(&l.url)), ("format", some(&l.format))]);
        x.narrative_block("title", &[], &l.title);
        if let Some(text) = &l.description {
            x.narrative_block("description", &[], text);
        }
        for code in &l.categories {
            x.empty("category", &[("code", some(code))]);
        }
        for code in &l.languages {
            x.empty("language", &[("code", some(code))]);
        }
        if let Some(d) = l.document_date {
            x.empty("document-date", &[("iso-date", date(d))]);
        }
        x.close("document-link");
    }
    for r in &a.results {
        x.open("result", &[("type", some(r.kind.code()))]);
        x.narrative_block("title", &[], &r.title);
        if let Some(text) = &r.description {
            x.narrative_block("description", &[], text);
        }
        for i in &r.indicators {
            x.open("indicator", &[("measure", some(i.measure.code())), ("ascending", i.ascending.and_then(some))]);
            x.narrative_block("title", &[], &i.title);
            if let Some(text) = &i.description {
                x.narrative_block("description", &[], text);
            }
            if let Some(b) = &i.baseline {
                let attrs =
                    [("iso-date", b.iso_date.and_then(date)), ("year", some(b.year)), ("value", b.value.clone())];
                match &b.comment {
                    Some(text) => {
                        x.open("baseline", &attrs);
                        x.narrative_block("comment", &[], text);
                        x.close("baseline");
                    }
                    None => x.empty("baseline", &attrs),
                }
            }
            for p in &i.periods {
                x.open("period", &[]);
                x.empty("period-start", &[("iso-date", date(p.period_start))]);
                x.empty("period-end", &[("iso-date", date(p.period_end))]);
                if let Some(v) = &p.target {
                    x.empty("target", &[("value", some(v))]);
                }
                if let Some(v) = &p.actual {
                    x.empty("actual", &[("value", some(v))]);
                }
                x.close("period");
            }
            x.close("indicator");
        }
        x.close("result");
    }
    x.close("iati-activity");
    x.close("iati-activities");
    x.out
}

/// Splits `start..=end` (whole months) into calendar-year budgets whose value is
/// `monthly_minor` × the months of the period: for the MDP, Jan 2026 – Jun 2031 gives five
/// 12-month budgets and one of 6 months (2031 H1). `value_date` is each period's start.
/// `start` is taken as the first day of its month and `end` as the last day of its month.
pub fn annual_budgets_from_monthly(
    monthly_minor: i64,
    start: NaiveDate,
    end: NaiveDate,
    kind: BudgetKind,
    status: BudgetStatus,
) -> Vec<IatiBudget> {
    let first = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1).expect("valid first of month");
    let last_of_month = |d: NaiveDate| {
        first(d.year(), d.month()).checked_add_months(Months::new(1)).and_then(|n| n.pred_opt()).unwrap_or(d)
    };
    let start = first(start.year(), start.month());
    let end = last_of_month(end);
    let mut budgets = Vec::new();
    let mut period_start = start;
    while period_start <= end {
        let year_end = NaiveDate::from_ymd_opt(period_start.year(), 12, 31).expect("valid 31 December");
        let period_end = year_end.min(end);
        let months = (period_end.year() - period_start.year()) * 12 + period_end.month() as i32
            - period_start.month() as i32
            + 1;
        budgets.push(IatiBudget {
            kind,
            status,
            period_start,
            period_end,
            value_minor: monthly_minor * i64::from(months),
            value_date: period_start,
        });
        period_start = first(period_start.year() + 1, 1);
    }
    budgets
}

/// The IATI Standard's rules and guidance that the schema cannot express, and the
/// schema-required fields the model leaves optional. Returns one message per problem; empty
/// when the activity is fit to publish. docs/API.md lists them with their sources.
///
/// * activity: reporting-org has ref and type; the identifier starts with the reporting-org
///   ref; title and description present; at least one participating-org, each with a ref or
///   a name; planned end not before planned start; actual dates not in the future; currency
///   is three capital letters; last-updated-datetime is an RFC 3339 date-time;
/// * geography and sectors: at least one recipient country or region and at least one
///   sector; percentages between 0 and 100; countries plus the regions of each region
///   vocabulary add up to 100, the sectors of each sector vocabulary too (when a percentage
///   is given or there are several); sectors of vocabularies 98 and 99 are named;
/// * classifications: at most one default-aid-type per vocabulary; a contact's website is
///   an http(s) address;
/// * budgets: period end not before start; period at most 12 months (the end is before the
///   same day a year after the start); budgets of the same type do not overlap; value not
///   negative; a revised budget only for a period that has an original one;
/// * planned disbursements: period end not before start, at most 12 months, within the
///   activity's dates (the earlier of planned and actual start to the later of planned and
///   actual end); value not negative;
/// * transactions: neither the transaction date nor the value date is after `today`;
/// * document links: an http(s) url, a title, a format and at least one category; the
///   document date not in the future;
/// * results: a title and at least one indicator each; baseline years positive; a baseline
///   value for every indicator that is not qualitative, and no value for one that is;
///   baseline, target and actual values are numbers; indicator periods end after they start.
pub fn check_rules(activity: &IatiActivity, today: NaiveDate) -> Vec<String> {
    let a = activity;
    let mut issues = Vec::new();

    match &a.reporting_org.reference {
        None => issues.push("reporting-org has no ref (required by the schema)".to_string()),
        Some(r) if r.trim().is_empty() => issues.push("reporting-org ref is empty".to_string()),
        Some(r) => {
            if !a.iati_identifier.starts_with(&format!("{r}-")) {
                issues.push(format!(
                    "iati-identifier {:?} does not start with the reporting-org ref {r:?} followed by '-'",
                    a.iati_identifier
                ));
            }
        }
    }
    if a.reporting_org.type_code.is_none() {
        issues.push("reporting-org has no type (required by the schema)".to_string());
    }
    if a.iati_identifier.trim().is_empty() || a.iati_identifier.chars().any(char::is_whitespace) {
        issues.push(format!("iati-identifier {:?} is empty or contains whitespace", a.iati_identifier));
    }
    for (what, text) in
        [("title", &a.title), ("description", &a.description), ("reporting-org name", &a.reporting_org.name)]
    {
        if text.trim().is_empty() {
            issues.push(format!("{what} is empty"));
        }
    }
    if a.participating_orgs.is_empty() {
        issues.push("no participating-org (the schema requires at least one)".to_string());
    }
    for (org, role) in &a.participating_orgs {
        if org.reference.is_none() && org.name.trim().is_empty() {
            issues.push(format!("participating-org with role {} has neither ref nor name", role.code()));
        }
    }
    if a.planned_end < a.planned_start {
        issues.push(format!("planned end {} is before planned start {}", a.planned_end, a.planned_start));
    }
    for (what, d) in [("actual start", a.actual_start), ("actual end", a.actual_end)] {
        if let Some(d) = d.filter(|d| *d > today) {
            issues.push(format!("{what} {d} is in the future (today is {today})"));
        }
    }
    if a.currency.len() != 3 || !a.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        issues.push(format!("currency {:?} is not an ISO 4217 code", a.currency));
    }
    if DateTime::parse_from_rfc3339(&a.last_updated).is_err() {
        issues.push(format!("last-updated-datetime {:?} is not an RFC 3339 date-time", a.last_updated));
    }
    check_geography_and_sectors(a, &mut issues);
    let mut aid_vocabularies = BTreeSet::new();
    for aid in &a.default_aid_types {
        let vocabulary = aid.vocabulary.as_deref().unwrap_or(DAC_VOCABULARY);
        if !aid_vocabularies.insert(vocabulary) {
            issues.push(format!("default-aid-type: more than one code of vocabulary {vocabulary}"));
        }
    }
    for (n, c) in a.contacts.iter().enumerate() {
        if let Some(url) = c.website.as_deref().filter(|u| !is_web_address(u)) {
            issues.push(format!("contact-info[{n}]: website {url:?} is not an http:// or https:// address"));
        }
    }

    for (n, b) in a.budgets.iter().enumerate() {
        let at = format!("budget[{n}] ({}..{})", b.period_start, b.period_end);
        if b.period_end < b.period_start {
            issues.push(format!("{at}: period ends before it starts"));
        } else if b.period_start.checked_add_months(Months::new(12)).is_none_or(|limit| b.period_end >= limit) {
            issues.push(format!("{at}: period is longer than 12 months"));
        }
        if b.value_minor < 0 {
            issues.push(format!("{at}: value {} is negative", format_minor_units(b.value_minor)));
        }
        for (m, other) in a.budgets.iter().enumerate().skip(n + 1) {
            if other.kind == b.kind && other.period_start <= b.period_end && b.period_start <= other.period_end {
                issues.push(format!(
                    "{at} overlaps budget[{m}] ({}..{}) of the same type ({})",
                    other.period_start,
                    other.period_end,
                    b.kind.code()
                ));
            }
        }
    }

    for (n, b) in a.budgets.iter().enumerate().filter(|(_, b)| b.kind == BudgetKind::Revised) {
        let original = a.budgets.iter().any(|o| {
            o.kind == BudgetKind::Original && (o.period_start, o.period_end) == (b.period_start, b.period_end)
        });
        if !original {
            issues.push(format!(
                "budget[{n}] ({}..{}): a revised budget for a period with no original budget",
                b.period_start, b.period_end
            ));
        }
    }

    let first = a.actual_start.map_or(a.planned_start, |d| d.min(a.planned_start));
    let last = a.actual_end.map_or(a.planned_end, |d| d.max(a.planned_end));
    for (n, p) in a.planned_disbursements.iter().enumerate() {
        let at = format!("planned-disbursement[{n}] ({}..{})", p.period_start, p.period_end);
        if p.period_end < p.period_start {
            issues.push(format!("{at}: period ends before it starts"));
        } else if p.period_start.checked_add_months(Months::new(12)).is_none_or(|limit| p.period_end >= limit) {
            issues.push(format!("{at}: period is longer than 12 months"));
        }
        if p.period_start < first || p.period_end > last {
            issues.push(format!("{at}: period is not within the activity's dates ({first}..{last})"));
        }
        if p.value_minor < 0 {
            issues.push(format!("{at}: value {} is negative", format_minor_units(p.value_minor)));
        }
    }

    for (n, t) in a.transactions.iter().enumerate() {
        let at = format!("transaction[{n}] (type {}, {})", t.kind.code(), t.date);
        if t.date > today {
            issues.push(format!("{at}: transaction date is in the future (today is {today})"));
        }
        if t.value_date > today {
            issues.push(format!("{at}: value date {} is in the future (today is {today})", t.value_date));
        }
    }

    for (n, l) in a.document_links.iter().enumerate() {
        if !is_web_address(&l.url) {
            issues.push(format!("document-link[{n}]: url {:?} is not an http:// or https:// address", l.url));
        }
        for (what, text) in [("title", &l.title), ("format", &l.format)] {
            if text.trim().is_empty() {
                issues.push(format!("document-link[{n}]: {what} is empty"));
            }
        }
        if l.categories.is_empty() {
            issues.push(format!("document-link[{n}]: no category (the schema requires at least one)"));
        }
        if let Some(d) = l.document_date.filter(|d| *d > today) {
            issues.push(format!("document-link[{n}]: document date {d} is in the future (today is {today})"));
        }
    }

    for (n, r) in a.results.iter().enumerate() {
        if r.title.trim().is_empty() {
            issues.push(format!("result[{n}]: title is empty"));
        }
        if r.indicators.is_empty() {
            issues.push(format!("result[{n}]: no indicator (the schema requires at least one)"));
        }
        for (m, i) in r.indicators.iter().enumerate() {
            let at = format!("result[{n}].indicator[{m}]");
            if let Some(b) = i.baseline.as_ref().filter(|b| b.year <= 0) {
                issues.push(format!("{at}: baseline year {} is not positive", b.year));
            }
            let qualitative = i.measure == IndicatorMeasure::Qualitative;
            let values = i
                .baseline
                .iter()
                .map(|b| ("baseline", &b.value))
                .chain(i.periods.iter().flat_map(|p| [("target", &p.target), ("actual", &p.actual)]));
            for (what, value) in values {
                match value {
                    Some(v) if qualitative => {
                        issues.push(format!("{at}: a qualitative indicator's {what} has a value ({v:?})"))
                    }
                    Some(v) if !is_decimal(v) => issues.push(format!("{at}: {what} value {v:?} is not a number")),
                    None if what == "baseline" && !qualitative => {
                        issues.push(format!("{at}: the baseline has no value (required unless qualitative)"))
                    }
                    _ => {}
                }
            }
            for p in i.periods.iter().filter(|p| p.period_end < p.period_start) {
                issues.push(format!("{at}: period {}..{} ends before it starts", p.period_start, p.period_end));
            }
        }
    }
    issues
}

/// The vocabulary IATI assumes when none is given, for regions, sectors and aid types
/// (OECD DAC).
const DAC_VOCABULARY: &str = "1";

/// Geography and sectors, published at activity level (the model has no transaction-level
/// ones): at least one recipient country or region and at least one sector; every
/// percentage between 0 and 100; countries plus the regions of each region vocabulary add
/// up to 100, and so do the sectors of each sector vocabulary, whenever a percentage is
/// given or there is more than one; sectors of the reporting organisation's own
/// vocabularies (`98`, `99`) are named.
fn check_geography_and_sectors(a: &IatiActivity, issues: &mut Vec<String>) {
    if a.recipient_countries.is_empty() && a.recipient_regions.is_empty() {
        issues.push("no recipient-country or recipient-region (every activity needs one)".to_string());
    }
    if a.sectors.is_empty() {
        issues.push("no sector (an activity without transaction-level sectors needs one)".to_string());
    }
    let countries = a.recipient_countries.iter().map(|c| ("recipient-country", &c.code, c.percentage_hundredths));
    let regions = a.recipient_regions.iter().map(|r| ("recipient-region", &r.code, r.percentage_hundredths));
    let sectors = a.sectors.iter().map(|r| ("sector", &r.code, r.percentage_hundredths));
    for (what, code, pct) in countries.chain(regions).chain(sectors) {
        if let Some(p) = pct.filter(|p| *p > 10_000) {
            issues.push(format!("{what} {code}: percentage {} is above 100", format_minor_units(i64::from(p))));
        }
    }

    // Countries count in every region vocabulary; with no region, they add up on their own.
    let country_total: u64 =
        a.recipient_countries.iter().map(|c| u64::from(c.percentage_hundredths.unwrap_or(0))).sum();
    let country_given = a.recipient_countries.iter().any(|c| c.percentage_hundredths.is_some());
    let mut region_vocabularies: BTreeMap<&str, (u64, bool, usize)> = BTreeMap::new();
    for r in &a.recipient_regions {
        let entry = region_vocabularies.entry(r.vocabulary.as_deref().unwrap_or(DAC_VOCABULARY)).or_default();
        entry.0 += u64::from(r.percentage_hundredths.unwrap_or(0));
        entry.1 |= r.percentage_hundredths.is_some();
        entry.2 += 1;
    }
    if region_vocabularies.is_empty() && (country_given || a.recipient_countries.len() > 1) && country_total != 10_000 {
        issues.push(format!(
            "recipient-country percentages add up to {} %, not 100 %",
            format_minor_units(country_total as i64)
        ));
    }
    for (vocabulary, (total, given, count)) in region_vocabularies {
        let several = count + a.recipient_countries.len() > 1;
        if (given || country_given || several) && country_total + total != 10_000 {
            issues.push(format!(
                "recipient-country and recipient-region (vocabulary {vocabulary}) percentages add up to {} %, not 100 %",
                format_minor_units((country_total + total) as i64)
            ));
        }
    }

    let mut sector_vocabularies: BTreeMap<&str, (u64, bool, usize)> = BTreeMap::new();
    for sector in &a.sectors {
        let vocabulary = sector.vocabulary.as_deref().unwrap_or(DAC_VOCABULARY);
        let entry = sector_vocabularies.entry(vocabulary).or_default();
        entry.0 += u64::from(sector.percentage_hundredths.unwrap_or(0));
        entry.1 |= sector.percentage_hundredths.is_some();
        entry.2 += 1;
        if matches!(vocabulary, "98" | "99") && sector.narrative.as_deref().is_none_or(|t| t.trim().is_empty()) {
            issues.push(format!(
                "sector {} of the reporting organisation's vocabulary {vocabulary} has no narrative",
                sector.code
            ));
        }
    }
    for (vocabulary, (total, given, count)) in sector_vocabularies {
        if (given || count > 1) && total != 10_000 {
            issues.push(format!(
                "sector percentages of vocabulary {vocabulary} add up to {} %, not 100 %",
                format_minor_units(total as i64)
            ));
        }
    }
}

/// Whether `url` is an absolute `http://` or `https://` address with something after the scheme.
fn is_web_address(url: &str) -> bool {
    ["http://", "https://"].iter().any(|scheme| {
        url.get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme))
            && url.len() > scheme.len()
            && !url.chars().any(char::is_whitespace)
    })
}

/// Whether `text` is a decimal number as `xsd:decimal` writes one (`12`, `-0.5`, `3.`).
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    !(whole.is_empty() && fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn ilo() -> IatiOrg {
        IatiOrg {
            reference: Some("XM-DAC-41302".into()),
            type_code: Some("40".into()),
            name: "International Labour Organization".into(),
        }
    }

    fn minimal() -> IatiActivity {
        IatiActivity {
            iati_identifier: "XM-DAC-41302-TEST".into(),
            reporting_org: ilo(),
            title: "Test".into(),
            description: "A test activity".into(),
            participating_orgs: vec![(ilo(), IatiRole::Implementing)],
            activity_status: IatiActivityStatus::Implementation,
            planned_start: d(2026, 1, 1),
            planned_end: d(2031, 6, 30),
            actual_start: Some(d(2026, 1, 1)),
            actual_end: None,
            contacts: vec![],
            activity_scope: None,
            recipient_countries: vec![],
            recipient_regions: vec![class("998", Some("1"), Some(10_000))],
            sectors: vec![class("16070", Some("1"), Some(10_000))],
            collaboration_type: None,
            default_flow_type: None,
            default_finance_type: None,
            default_aid_types: vec![],
            currency: "USD".into(),
            language: "en".into(),
            last_updated: "2026-07-20T12:00:00Z".into(),
            budgets: vec![],
            planned_disbursements: vec![],
            transactions: vec![],
            document_links: vec![],
            results: vec![],
        }
    }

    fn class(code: &str, vocabulary: Option<&str>, pct: Option<u32>) -> IatiClassification {
        IatiClassification {
            code: code.into(),
            vocabulary: vocabulary.map(Into::into),
            percentage_hundredths: pct,
            narrative: None,
        }
    }

    fn country(code: &str, pct: Option<u32>) -> IatiCountry {
        IatiCountry { code: code.into(), percentage_hundredths: pct, narrative: None }
    }

    fn planned(start: NaiveDate, end: NaiveDate, value_minor: i64) -> IatiPlannedDisbursement {
        IatiPlannedDisbursement {
            kind: BudgetKind::Original,
            period_start: start,
            period_end: end,
            value_minor,
            value_date: start,
        }
    }

    fn link(url: &str) -> IatiDocumentLink {
        IatiDocumentLink {
            url: url.into(),
            format: "text/html".into(),
            title: "Alliance 8.7".into(),
            description: None,
            categories: vec!["A12".into()],
            languages: vec!["en".into()],
            document_date: None,
        }
    }

    fn indicator(measure: IndicatorMeasure, baseline: Option<&str>, target: Option<&str>) -> IatiIndicator {
        IatiIndicator {
            measure,
            ascending: Some(true),
            title: "Countries".into(),
            description: None,
            baseline: Some(IatiBaseline { year: 2025, iso_date: None, value: baseline.map(Into::into), comment: None }),
            periods: vec![IatiIndicatorPeriod {
                period_start: d(2026, 1, 1),
                period_end: d(2026, 12, 31),
                target: target.map(Into::into),
                actual: None,
            }],
        }
    }

    fn budget(kind: BudgetKind, start: NaiveDate, end: NaiveDate, value_minor: i64) -> IatiBudget {
        IatiBudget {
            kind,
            status: BudgetStatus::Indicative,
            period_start: start,
            period_end: end,
            value_minor,
            value_date: start,
        }
    }

    fn expenditure(date: NaiveDate, value_minor: i64) -> IatiTransaction {
        IatiTransaction {
            kind: TransactionKind::Expenditure,
            date,
            value_minor,
            value_date: date,
            description: None,
            provider: None,
            provider_activity_id: None,
            receiver: None,
            receiver_activity_id: None,
            reference: None,
        }
    }

    #[test]
    fn money_is_formatted_from_minor_units() {
        assert_eq!(format_minor_units(3_914_300), "39143.00");
        assert_eq!(format_minor_units(-200_000), "-2000.00");
        assert_eq!(format_minor_units(0), "0.00");
        assert_eq!(format_minor_units(5), "0.05");
        assert_eq!(format_minor_units(-5), "-0.05");
        assert_eq!(format_minor_units(12_345_678_901), "123456789.01");
        assert_eq!(format_minor_units(i64::MAX), "92233720368547758.07");
        assert_eq!(format_minor_units(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        assert_eq!(escape_text("R&D <pilot> \"q\" 'a'"), "R&amp;D &lt;pilot&gt; \"q\" 'a'");
        assert_eq!(escape_text("]]>"), "]]&gt;");
        assert_eq!(escape_text("a\tb\nc\r"), "a\tb\nc&#13;");
        assert_eq!(escape_attr("a\"b'c&d<e>"), "a&quot;b&apos;c&amp;d&lt;e&gt;");
        assert_eq!(escape_attr("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d");
        assert_eq!(escape_text("bell\u{7} nul\u{0} \u{fffe}"), "bell\u{fffd} nul\u{fffd} \u{fffd}");
        assert_eq!(escape_text("Côte d’Ivoire – 8.7"), "Côte d’Ivoire – 8.7");
    }

    #[test]
    fn rendered_values_are_escaped_everywhere() {
        let mut a = minimal();
        a.title = "Governance, communication & <RM>".into();
        a.participating_orgs[0].0.name = "\"Quoted\" & Co".into();
        a.transactions.push(IatiTransaction {
            reference: Some("ev\"1&2".into()),
            description: Some("typo 7,052 -> 7,502".into()),
            ..expenditure(d(2026, 4, 30), -705_200)
        });
        let xml = render_activity_file(&a, "2026-07-20T12:00:00Z");
        assert!(xml.contains("<narrative>Governance, communication &amp; &lt;RM&gt;</narrative>"), "{xml}");
        assert!(xml.contains("<narrative>\"Quoted\" &amp; Co</narrative>"), "{xml}");
        assert!(xml.contains("<transaction ref=\"ev&quot;1&amp;2\">"), "{xml}");
        assert!(xml.contains("<narrative>typo 7,052 -&gt; 7,502</narrative>"), "{xml}");
        assert!(xml.contains("<value currency=\"USD\" value-date=\"2026-04-30\">-7052.00</value>"), "{xml}");
    }

    #[test]
    fn rendering_follows_the_schema_order() {
        let mut a = minimal();
        a.budgets.push(budget(BudgetKind::Original, d(2026, 1, 1), d(2026, 12, 31), 46_971_600));
        a.transactions.push(expenditure(d(2026, 4, 30), 100));
        a.contacts.push(IatiContact {
            type_code: Some("1".into()),
            organisation: Some("ILO".into()),
            department: Some("Alliance 8.7 Secretariat".into()),
            website: Some("https://www.alliance87.org/".into()),
        });
        a.activity_scope = Some("1".into());
        a.recipient_countries.push(country("GH", Some(2_000)));
        a.recipient_regions[0].percentage_hundredths = Some(8_000);
        a.collaboration_type = Some("4".into());
        a.default_flow_type = Some("10".into());
        a.default_finance_type = Some("110".into());
        a.default_aid_types.push(IatiCode { code: "C01".into(), vocabulary: Some("1".into()) });
        a.planned_disbursements.push(planned(d(2026, 1, 1), d(2026, 12, 31), 46_971_600));
        a.document_links.push(link("https://www.alliance87.org/"));
        a.results.push(IatiResult {
            kind: ResultKind::Outcome,
            title: "O1".into(),
            description: None,
            indicators: vec![indicator(IndicatorMeasure::Unit, Some("0"), Some("3"))],
        });
        assert_eq!(check_rules(&a, d(2026, 7, 31)), Vec::<String>::new());
        let xml = render_activity_file(&a, "2026-07-20T12:00:00Z");
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities version=\"2.03\""));
        let order = [
            "<iati-identifier>",
            "<reporting-org ref=\"XM-DAC-41302\" type=\"40\">",
            "<title>",
            "<description type=\"1\">",
            "<participating-org ref=\"XM-DAC-41302\" type=\"40\" role=\"4\">",
            "<activity-status code=\"2\"/>",
            "<activity-date type=\"1\" iso-date=\"2026-01-01\"/>",
            "<activity-date type=\"2\" iso-date=\"2026-01-01\"/>",
            "<activity-date type=\"3\" iso-date=\"2031-06-30\"/>",
            "<contact-info type=\"1\">",
            "<organisation>",
            "<department>",
            "<website>https://www.alliance87.org/</website>",
            "<activity-scope code=\"1\"/>",
            "<recipient-country code=\"GH\" percentage=\"20.00\"/>",
            "<recipient-region code=\"998\" vocabulary=\"1\" percentage=\"80.00\"/>",
            "<sector vocabulary=\"1\" code=\"16070\" percentage=\"100.00\"/>",
            "<collaboration-type code=\"4\"/>",
            "<default-flow-type code=\"10\"/>",
            "<default-finance-type code=\"110\"/>",
            "<default-aid-type code=\"C01\" vocabulary=\"1\"/>",
            "<budget type=\"1\" status=\"1\">",
            "<period-start iso-date=\"2026-01-01\"/>",
            "<period-end iso-date=\"2026-12-31\"/>",
            "<value currency=\"USD\" value-date=\"2026-01-01\">469716.00</value>",
            "<planned-disbursement type=\"1\">",
            "<value currency=\"USD\" value-date=\"2026-01-01\">469716.00</value>",
            "<transaction>",
            "<transaction-type code=\"4\"/>",
            "<transaction-date iso-date=\"2026-04-30\"/>",
            "<value currency=\"USD\" value-date=\"2026-04-30\">1.00</value>",
            "<document-link url=\"https://www.alliance87.org/\" format=\"text/html\">",
            "<category code=\"A12\"/>",
            "<language code=\"en\"/>",
            "<result type=\"2\">",
            "<indicator measure=\"1\" ascending=\"true\">",
            "</iati-activity>",
        ];
        let mut from = 0;
        for needle in order {
            let at = xml[from..].find(needle).unwrap_or_else(|| panic!("{needle} missing or out of order in\n{xml}"));
            from += at + needle.len();
        }
    }

    #[test]
    fn annual_budgets_cover_the_programme_in_calendar_years() {
        let budgets = annual_budgets_from_monthly(
            3_914_300,
            d(2026, 1, 1),
            d(2031, 6, 30),
            BudgetKind::Original,
            BudgetStatus::Indicative,
        );
        assert_eq!(budgets.len(), 6);
        assert_eq!((budgets[0].period_start, budgets[0].period_end), (d(2026, 1, 1), d(2026, 12, 31)));
        assert_eq!(budgets[0].value_minor, 46_971_600);
        assert_eq!((budgets[5].period_start, budgets[5].period_end), (d(2031, 1, 1), d(2031, 6, 30)));
        assert_eq!(budgets[5].value_minor, 23_485_800);
        assert_eq!(budgets.iter().map(|b| b.value_minor).sum::<i64>(), 258_343_800);
        let mut a = minimal();
        a.budgets = budgets;
        assert_eq!(check_rules(&a, d(2026, 7, 31)), Vec::<String>::new());
        // A mid-year start gives a short first period.
        let b = annual_budgets_from_monthly(
            100,
            d(2026, 7, 15),
            d(2027, 2, 3),
            BudgetKind::Revised,
            BudgetStatus::Committed,
        );
        assert_eq!(b.len(), 2);
        assert_eq!((b[0].period_start, b[0].period_end, b[0].value_minor), (d(2026, 7, 1), d(2026, 12, 31), 600));
        assert_eq!((b[1].period_start, b[1].period_end, b[1].value_minor), (d(2027, 1, 1), d(2027, 2, 28), 200));
    }

    #[test]
    fn check_rules_accepts_a_clean_activity() {
        let mut a = minimal();
        a.budgets.push(budget(BudgetKind::Original, d(2026, 1, 1), d(2026, 12, 31), 1));
        a.budgets.push(budget(BudgetKind::Revised, d(2026, 1, 1), d(2026, 12, 31), 2));
        a.budgets.push(budget(BudgetKind::Original, d(2027, 1, 1), d(2027, 12, 31), 0));
        a.transactions.push(expenditure(d(2026, 7, 31), -500));
        assert_eq!(check_rules(&a, d(2026, 7, 31)), Vec::<String>::new());
    }

    #[test]
    fn check_rules_flags_long_overlapping_and_negative_budgets() {
        let mut a = minimal();
        // 2026-01-01..2027-01-01 is a year and a day.
        a.budgets.push(budget(BudgetKind::Original, d(2026, 1, 1), d(2027, 1, 1), 100));
        a.budgets.push(budget(BudgetKind::Original, d(2026, 12, 1), d(2027, 11, 30), -1));
        a.budgets.push(budget(BudgetKind::Revised, d(2026, 6, 1), d(2026, 5, 31), 100));
        let issues = check_rules(&a, d(2026, 7, 31));
        assert_eq!(issues.len(), 5, "{issues:#?}");
        assert!(issues[0].contains("budget[0]") && issues[0].contains("longer than 12 months"), "{issues:#?}");
        assert!(issues[1].contains("budget[0]") && issues[1].contains("overlaps budget[1]"), "{issues:#?}");
        assert!(issues[2].contains("budget[1]") && issues[2].contains("-0.01 is negative"), "{issues:#?}");
        assert!(issues[3].contains("budget[2]") && issues[3].contains("ends before it starts"), "{issues:#?}");
        assert!(issues[4].contains("budget[2]") && issues[4].contains("no original budget"), "{issues:#?}");
        // An original and a revised budget for the same period do not overlap each other.
        assert!(!issues.iter().any(|i| i.contains("overlaps budget[2]")));
    }

    #[test]
    fn check_rules_flags_future_transactions() {
        let mut a = minimal();
        a.transactions.push(expenditure(d(2026, 8, 1), 100));
        a.transactions.push(IatiTransaction { value_date: d(2026, 9, 1), ..expenditure(d(2026, 7, 1), 100) });
        a.actual_end = Some(d(2026, 12, 31));
        let issues = check_rules(&a, d(2026, 7, 31));
        assert_eq!(issues.len(), 4, "{issues:#?}");
        assert!(issues[0].contains("actual end 2026-12-31 is in the future"), "{issues:#?}");
        assert!(issues[1].contains("transaction[0]") && issues[1].contains("transaction date is in the future"));
        assert!(issues[2].contains("transaction[0]") && issues[2].contains("value date 2026-08-01 is in the future"));
        assert!(issues[3].contains("transaction[1]") && issues[3].contains("value date 2026-09-01 is in the future"));
        // Today itself is not the future.
        a.transactions.clear();
        a.actual_end = None;
        a.transactions.push(expenditure(d(2026, 7, 31), 100));
        assert_eq!(check_rules(&a, d(2026, 7, 31)), Vec::<String>::new());
    }

    #[test]
    fn check_rules_flags_missing_required_fields() {
        let mut a = minimal();
        a.reporting_org.type_code = None;
        a.iati_identifier = "GB-1-TEST".into();
        a.participating_orgs.clear();
        a.currency = "usd".into();
        a.last_updated = "yesterday".into();
        a.results.push(IatiResult {
            kind: ResultKind::Outcome,
            title: "O1".into(),
            description: None,
            indicators: vec![],
        });
        let issues = check_rules(&a, d(2026, 7, 31)).join("\n");
        for needle in [
            "does not start with the reporting-org ref",
            "reporting-org has no type",
            "no participating-org",
            "currency \"usd\"",
            "last-updated-datetime \"yesterday\"",
            "result[0]: no indicator",
        ] {
            assert!(issues.contains(needle), "{needle} not in\n{issues}");
        }
    }

    #[test]
    fn check_rules_checks_sector_percentages_per_vocabulary() {
        let mut a = minimal();
        a.sectors = vec![class("16020", Some("1"), Some(6_000)), class("15160", None, Some(4_000))];
        assert_eq!(check_rules(&a, d(2026, 7, 31)), Vec::<String>::new(), "no vocabulary is OECD DAC (1)");
        a.sectors.push(IatiClassification {
            narrative: Some("Alliance 8.7 outcome".into()),
            ..class("X1", Some("99"), None)
        });
        assert_eq!(check_rules(&a, d(2026, 7, 31)), Vec::<String>::new(), "one sector of vocabulary 99 needs no share");
        a.sectors[1].percentage_hundredths = Some(3_950);
        assert_eq!(
            check_rules(&a, d(2026, 7, 31)),
            vec!["sector percentages of vocabulary 1 add up to 99.50 %, not 100 %"]
        );
        a.sectors[1].percentage_hundredths = Some(4_000);
        a.sectors.push(class("8.7", Some("8"), Some(5_000)));
        assert_eq!(
            check_rules(&a, d(2026, 7, 31)),
            vec!["sector percentages of vocabulary 8 add up to 50.00 %, not 100 %"]
        );
        a.sectors.pop();
        a.sectors[2].narrative = None;
        assert_eq!(
            check_rules(&a, d(2026, 7, 31)),
            vec!["sector X1 of the reporting organisation's vocabulary 99 has no narrative"]
        );
        a.sectors = vec![class("16070", Some("1"), Some(10_050))];
        let issues = check_rules(&a, d(2026, 7, 31));
        assert_eq!(issues.len(), 2, "{issues:#?}");
        assert_eq!(issues[0], "sector 16070: percentage 100.50 is above 100");
        a.sectors.clear();
        assert_eq!(
            check_rules(&a, d(2026, 7, 31)),
            vec!["no sector (an activity without transaction-level sectors needs one)"]
        );
    }

    #[test]
    fn check_rules_checks_countries_and_regions_together() {
        let mut a = minimal();
        // 80 % Ghana and 20 % "developing countries, unspecified"; the same share in UN regions.
        a.recipient_countries = vec![country("GH", Some(8_000))];
        a.recipient_regions = vec![class("998", None, Some(2_000)), class("002", Some("2"), Some(2_000))];
        assert_eq!(check_rules(&a, d(2026, 7, 31)), Vec::<String>::new());
        a.recipient_regions[1].percentage_hundredths = Some(3_000);
        assert_eq!(
            check_rules(&a, d(2026, 7, 31)),
            vec!["recipient-country and recipient-region (vocabulary 2) percentages add up to 110.00 %, not 100 %"]
        );
        // Countries alone add up on their own.
        a.recipient_regions.clear();
        a.recipient_countries.push(country("UG", Some(1_000)));
        assert_eq!(check_rules(&a, d(2026, 7, 31)), vec!["recipient-country percentages add up to 90.00 %, not 100 %"]);
        // One country with no share is the whole activity.
        a.recipient_countries = vec![country("GH", None)];
        assert_eq!(check_rules(&a, d(2026, 7, 31)), Vec::<String>::new());
        a.recipient_countries.clear();
        assert_eq!(
            check_rules(&a, d(2026, 7, 31)),
            vec!["no recipient-country or recipient-region (every activity needs one)"]
        );
    }

    #[test]
    fn check_rules_allows_one_aid_type_per_vocabulary() {
        let mut a = minimal();
        let aid = |code: &str, vocabulary: Option<&str>| IatiCode {
            code: code.into(),
            vocabulary: vocabulary.map(Into::into),
        };
        a.default_aid_types = vec![aid("C01", None), aid("2", Some("2"))];
        assert_eq!(check_rules(&a, d(2026, 7, 31)), Vec::<String>::new());
        a.default_aid_types.push(aid("D02", Some("1")));
        assert_eq!(check_rules(&a, d(2026, 7, 31)), vec!["default-aid-type: more than one code of vocabulary 1"]);
    }

    #[test]
    fn check_rules_flags_a_contact_website_that_is_not_a_web_address() {
        let mut a = minimal();
        a.contacts.push(IatiContact {
            type_code: Some("1".into()),
            organisation: Some("ILO".into()),
            department: None,
            website: Some("www.alliance87.org".into()),
        });
        assert_eq!(
            check_rules(&a, d(2026, 7, 31)),
            vec!["contact-info[0]: website \"www.alliance87.org\" is not an http:// or https:// address"]
        );
    }

    #[test]
    fn check_rules_flags_a_revised_budget_without_an_original() {
        let mut a = minimal();
        a.budgets.push(budget(BudgetKind::Original, d(2026, 1, 1), d(2026, 12, 31), 1));
        a.budgets.push(budget(BudgetKind::Revised, d(2027, 1, 1), d(2027, 12, 31), 2));
        assert_eq!(
            check_rules(&a, d(2026, 7, 31)),
            vec!["budget[1] (2027-01-01..2027-12-31): a revised budget for a period with no original budget"]
        );
    }

    #[test]
    fn check_rules_checks_planned_disbursement_periods() {
        let mut a = minimal();
        a.planned_disbursements.push(planned(d(2026, 1, 1), d(2026, 12, 31), 1));
        a.planned_disbursements.push(planned(d(2031, 1, 1), d(2031, 6, 30), 0));
        assert_eq!(check_rules(&a, d(2026, 7, 31)), Vec::<String>::new());
        a.planned_disbursements = vec![
            planned(d(2026, 1, 1), d(2027, 1, 1), 1),
            planned(d(2026, 3, 1), d(2026, 2, 28), 1),
            planned(d(2025, 12, 1), d(2026, 1, 31), 1),
            planned(d(2031, 6, 1), d(2031, 7, 31), 1),
            planned(d(2027, 1, 1), d(2027, 3, 31), -1),
        ];
        assert_eq!(
            check_rules(&a, d(2026, 7, 31)),
            vec![
                "planned-disbursement[0] (2026-01-01..2027-01-01): period is longer than 12 months",
                "planned-disbursement[1] (2026-03-01..2026-02-28): period ends before it starts",
                "planned-disbursement[2] (2025-12-01..2026-01-31): period is not within the activity's dates (2026-01-01..2031-06-30)",
                "planned-disbursement[3] (2031-06-01..2031-07-31): period is not within the activity's dates (2026-01-01..2031-06-30)",
                "planned-disbursement[4] (2027-01-01..2027-03-31): value -0.01 is negative",
            ]
        );
        // An actual end after the planned one extends the activity's dates.
        a.planned_disbursements = vec![planned(d(2031, 6, 1), d(2031, 7, 31), 1)];
        a.actual_end = Some(d(2031, 7, 31));
        assert_eq!(check_rules(&a, d(2031, 8, 1)), Vec::<String>::new());
    }

    #[test]
    fn check_rules_checks_document_links() {
        let mut a = minimal();
        a.document_links.push(link("https://www.alliance87.org/"));
        assert_eq!(check_rules(&a, d(2026, 7, 31)), Vec::<String>::new());
        a.document_links.push(IatiDocumentLink {
            title: " ".into(),
            categories: vec![],
            document_date: Some(d(2026, 8, 1)),
            ..link("ftp://example.org/programme.pdf")
        });
        assert_eq!(
            check_rules(&a, d(2026, 7, 31)),
            vec![
                "document-link[1]: url \"ftp://example.org/programme.pdf\" is not an http:// or https:// address",
                "document-link[1]: title is empty",
                "document-link[1]: no category (the schema requires at least one)",
                "document-link[1]: document date 2026-08-01 is in the future (today is 2026-07-31)",
            ]
        );
        assert!(!is_web_address("https://"));
        assert!(!is_web_address("https://a b"));
        assert!(is_web_address("HTTP://example.org"));
    }

    #[test]
    fn check_rules_checks_indicator_values() {
        let mut a = minimal();
        let result =
            |indicators| IatiResult { kind: ResultKind::Outcome, title: "O2".into(), description: None, indicators };
        a.results.push(result(vec![
            indicator(IndicatorMeasure::Unit, Some("0"), Some("10")),
            indicator(IndicatorMeasure::Percentage, Some("12.5"), Some("-3.")),
            indicator(IndicatorMeasure::Qualitative, None, None),
        ]));
        assert_eq!(check_rules(&a, d(2026, 7, 31)), Vec::<String>::new());
        a.results[0] = result(vec![
            indicator(IndicatorMeasure::Unit, None, Some("ten")),
            indicator(IndicatorMeasure::Qualitative, Some("1"), None),
        ]);
        assert_eq!(
            check_rules(&a, d(2026, 7, 31)),
            vec![
                "result[0].indicator[0]: the baseline has no value (required unless qualitative)",
                "result[0].indicator[0]: target value \"ten\" is not a number",
                "result[0].indicator[1]: a qualitative indicator's baseline has a value (\"1\")",
            ]
        );
        assert!(is_decimal("-0.5") && is_decimal("3.") && is_decimal(".5") && is_decimal("+7"));
        assert!(!is_decimal("") && !is_decimal(".") && !is_decimal("1e3") && !is_decimal("1,5"));
    }
}
