//! IATI 2.03 activity files: a pure input model, a renderer and the IATI guidance checks.
//!
//! The model ([`IatiActivity`]) is filled by the caller (e.g. from the programme and contribution
//! streams); nothing here reads the database. [`render_activity_file`] writes an
//! `<iati-activities version="2.03">` document with one activity, in the element order of the
//! official 2.03 activity schema (`iati-activities-schema.xsd`); `projections/tests/iati.rs`
//! validates the output against that schema as shipped in the package pinned by
//! `ops/iati/requirements.txt`. [`check_rules`] reports what the schema cannot check: the
//! IATI guidance on budgets (periods of at most 12 months that do not overlap, no negative values)
//! and transactions (never in the future), plus the schema-required fields the model leaves optional.
//!
//! Money is integer minor units (cents) and is rendered as a decimal string with two decimals
//! ([`format_minor_units`]), never through floating point. Corrections are new negative
//! transactions, as IATI guidance asks; nothing is edited.

use std::collections::BTreeMap;

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
    /// `activity-scope/@code` (IATI `ActivityScope` codelist; `1` Global).
    pub activity_scope: Option<String>,
    pub recipient_regions: Vec<IatiClassification>,
    pub sectors: Vec<IatiClassification>,
    /// ISO 4217 code; every amount is in this currency (`@default-currency`).
    pub currency: String,
    /// ISO 639-1 code of the narratives (`@xml:lang`), e.g. `en`.
    pub language: String,
    /// RFC 3339 date-time of the last change to the activity (`@last-updated-datetime`).
    pub last_updated: String,
    pub budgets: Vec<IatiBudget>,
    pub transactions: Vec<IatiTransaction>,
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
/// ref and type, at least one participating-org, indicators on every result).
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
    if let Some(scope) = &a.activity_scope {
        x.empty("activity-scope", &[("code", some(scope))]);
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

/// IATI guidance checks that the schema cannot express, and the schema-required fields the model
/// leaves optional. Returns one message per problem; empty when the activity is fit to publish.
///
/// * budgets: period end not before start; period at most 12 months (the end is before the
///   same day a year after the start); budgets of the same type do not overlap; value not negative;
/// * transactions: neither the transaction date nor the value date is after `today`;
/// * activity: reporting-org has ref and type; the identifier starts with the reporting-org
///   ref; title and description present; at least one participating-org; planned end not before
///   planned start; actual dates not in the future; currency is three capital letters;
///   percentages of regions (and of sectors, per vocabulary) add up to 100;
/// * results: at least one indicator each; baseline years positive.
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
    check_percentages("recipient-region", &a.recipient_regions, false, &mut issues);
    check_percentages("sector", &a.sectors, true, &mut issues);

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

    for (n, t) in a.transactions.iter().enumerate() {
        let at = format!("transaction[{n}] (type {}, {})", t.kind.code(), t.date);
        if t.date > today {
            issues.push(format!("{at}: transaction date is in the future (today is {today})"));
        }
        if t.value_date > today {
            issues.push(format!("{at}: value date {} is in the future (today is {today})", t.value_date));
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
            if let Some(b) = i.baseline.as_ref().filter(|b| b.year <= 0) {
                issues.push(format!("result[{n}].indicator[{m}]: baseline year {} is not positive", b.year));
            }
            for p in i.periods.iter().filter(|p| p.period_end < p.period_start) {
                issues.push(format!(
                    "result[{n}].indicator[{m}]: period {}..{} ends before it starts",
                    p.period_start, p.period_end
                ));
            }
        }
    }
    issues
}

fn check_percentages(what: &str, items: &[IatiClassification], per_vocabulary: bool, issues: &mut Vec<String>) {
    let mut totals: BTreeMap<Option<&str>, (u64, bool)> = BTreeMap::new();
    for item in items {
        let key = if per_vocabulary { item.vocabulary.as_deref() } else { None };
        let entry = totals.entry(key).or_default();
        entry.0 += u64::from(item.percentage_hundredths.unwrap_or(0));
        entry.1 |= item.percentage_hundredths.is_some();
    }
    for (vocabulary, (total, any)) in totals {
        let several = items.iter().filter(|i| !per_vocabulary || i.vocabulary.as_deref() == vocabulary).count() > 1;
        if (any || several) && total != 10_000 {
            let scope = match vocabulary {
                Some(v) => format!(" of vocabulary {v}"),
                None => String::new(),
            };
            issues
                .push(format!("{what} percentages{scope} add up to {} %, not 100 %", format_minor_units(total as i64)));
        }
    }
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
            activity_scope: None,
            recipient_regions: vec![],
            sectors: vec![],
            currency: "USD".into(),
            language: "en".into(),
            last_updated: "2026-07-20T12:00:00Z".into(),
            budgets: vec![],
            transactions: vec![],
            results: vec![],
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
            "<budget type=\"1\" status=\"1\">",
            "<period-start iso-date=\"2026-01-01\"/>",
            "<period-end iso-date=\"2026-12-31\"/>",
            "<value currency=\"USD\" value-date=\"2026-01-01\">469716.00</value>",
            "<transaction>",
            "<transaction-type code=\"4\"/>",
            "<transaction-date iso-date=\"2026-04-30\"/>",
            "<value currency=\"USD\" value-date=\"2026-04-30\">1.00</value>",
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
        assert_eq!(issues.len(), 4, "{issues:#?}");
        assert!(issues[0].contains("budget[0]") && issues[0].contains("longer than 12 months"), "{issues:#?}");
        assert!(issues[1].contains("budget[0]") && issues[1].contains("overlaps budget[1]"), "{issues:#?}");
        assert!(issues[2].contains("budget[1]") && issues[2].contains("-0.01 is negative"), "{issues:#?}");
        assert!(issues[3].contains("budget[2]") && issues[3].contains("ends before it starts"), "{issues:#?}");
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
    fn check_rules_checks_percentages() {
        let class = |code: &str, vocabulary: Option<&str>, pct: Option<u32>| IatiClassification {
            code: code.into(),
            vocabulary: vocabulary.map(Into::into),
            percentage_hundredths: pct,
            narrative: None,
        };
        let mut a = minimal();
        a.recipient_regions = vec![class("998", Some("1"), Some(10_000))];
        a.sectors = vec![class("16020", Some("1"), Some(6_000)), class("15160", Some("1"), Some(4_000))];
        assert_eq!(check_rules(&a, d(2026, 7, 31)), Vec::<String>::new());
        a.sectors.push(class("X1", Some("99"), None));
        assert_eq!(check_rules(&a, d(2026, 7, 31)), Vec::<String>::new());
        a.sectors[1].percentage_hundredths = Some(3_950);
        assert_eq!(
            check_rules(&a, d(2026, 7, 31)),
            vec!["sector percentages of vocabulary 1 add up to 99.50 %, not 100 %"]
        );
    }
}
