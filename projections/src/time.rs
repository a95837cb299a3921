//! The time contract of every read of state: a read is computed for a [`Moment`], a
//! business date (`as_of`) and a ledger position (`known_at`), and no part of its answer
//! may reflect an event recorded after `known_at` or in effect only after `as_of`.
//!
//! Which events a moment admits is decided here and only here ([`admitted`]):
//!
//! * **known_at**: an event is known at `known_at` when its ledger position is at or
//!   before it.
//! * **as_of**: an event is in effect from its *effective date*, the earlier of the date
//!   of its `occurred_at` and the date of its `recorded_at` ([`effective_on`]). For a fact
//!   that happened (`occurred`), that is the day it happened (it can never be recorded
//!   before). For a date set for later (`planned`: a meeting's date, a term's start, a
//!   deadline), the plan is in effect from the day it was recorded, or from the planned
//!   day itself when that is earlier (history recorded after the fact).
//! * **creation and undated events**: an aggregate exists from the first day any of its
//!   events is in effect, and an event that states no business date of its own (a budget
//!   line's definition, an action item) happened before the events of its aggregate that
//!   follow it; so a creating event (sequence 1) and an undated event take effect no later
//!   than the earliest effective date among the later known events of their aggregate (a
//!   meeting whose agenda was published before its planned date exists from the agenda's
//!   day; budget lines defined before a baseline set on 2026-01-01 exist from then).
//!
//! A state read folds exactly the admitted events, in ledger order, with the projector's
//! own folds ([`crate::views::apply`]) into a [`Snapshot`]; histories keep exactly the
//! admitted rows. When the moment is the read side's head and `as_of` is today or later,
//! every known event is in effect (effective dates never lie after the day of recording),
//! so the stored view documents are that snapshot and are read directly
//! ([`crate::read::At`]).
//!
//! Dates that state a plan (a scheduled date, a deadline, a term's planned end) may lie
//! after `as_of`; every answer lists where they are in `planned_fields` ([`planned`]), and
//! no other date in it lies after `as_of`.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::views::{Documents, Folded};
use ledger_store::Db;

/// What a read of state is computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Moment {
    /// The business date: only what was in effect on this day.
    pub as_of: NaiveDate,
    /// The ledger position: only what was recorded at or before it. `None` when the ledger
    /// held nothing yet.
    pub known_at: Option<i64>,
}

impl Moment {
    /// Whether the event at `position` was recorded by this moment.
    pub fn knows(&self, position: i64) -> bool {
        self.known_at.is_some_and(|k| position <= k)
    }
}

/// A moment a read may not be computed for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MomentError {
    #[error("known_at must be a ledger position (0 or more), not {0}")]
    Negative(i64),
    #[error("known_at {known_at} is beyond the ledger's head ({})", match .head {
        Some(h) => format!("the last position recorded and projected is {h}"),
        None => "nothing has been recorded yet".to_string(),
    })]
    BeyondHead { known_at: i64, head: Option<i64> },
}

/// Resolves a read's moment: `known_at` defaults to `head` (the last position the views
/// have applied; `None` for an empty ledger) and may not lie beyond it.
pub fn resolve(as_of: NaiveDate, known_at: Option<i64>, head: Option<i64>) -> Result<Moment, MomentError> {
    match known_at {
        Some(k) if k < 0 => Err(MomentError::Negative(k)),
        Some(k) if head.is_none_or(|h| k > h) => Err(MomentError::BeyondHead { known_at: k, head }),
        Some(k) => Ok(Moment { as_of, known_at: Some(k) }),
        None => Ok(Moment { as_of, known_at: head }),
    }
}

/// The day of a `YYYY-MM-DD` or RFC 3339 text.
pub fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

/// The day an event takes effect: the earlier of its `occurred_at` and its `recorded_at`
/// days (`None` when it has neither, which the ledger never writes).
pub fn effective_on(occurred_at: Option<&str>, recorded_at: Option<&str>) -> Option<NaiveDate> {
    match (occurred_at.and_then(day), recorded_at.and_then(day)) {
        (Some(occurred), Some(recorded)) => Some(occurred.min(recorded)),
        (occurred, recorded) => occurred.or(recorded),
    }
}

/// One known event, as far as admission is concerned.
#[derive(Debug, Clone, Copy)]
pub struct Dated<'a> {
    pub position: i64,
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    pub sequence: i64,
    /// [`effective_on`] of the event.
    pub effective_on: Option<NaiveDate>,
    /// Whether the event states no business date of its own (no `occurred_at`).
    pub undated: bool,
}

/// The positions of the events `moment` admits among `events` (every event of each
/// aggregate the caller cares about, up to any position): known at `known_at`, and in
/// effect on `as_of`. A creating event (sequence 1) and an event with no business date of
/// its own take effect no later than the first later event of their aggregate that does.
pub fn admitted(events: &[Dated<'_>], moment: &Moment) -> HashSet<i64> {
    let mut by_aggregate: HashMap<(&str, &str), Vec<&Dated<'_>>> = HashMap::new();
    for event in events.iter().filter(|e| moment.knows(e.position)) {
        by_aggregate.entry((event.aggregate_type, event.aggregate_id)).or_default().push(event);
    }
    let mut admitted = HashSet::new();
    for mut aggregate in by_aggregate.into_values() {
        aggregate.sort_by_key(|e| e.sequence);
        // The earliest effective date among each event's successors in its aggregate.
        let mut later: Option<NaiveDate> = None;
        for event in aggregate.iter().rev() {
            let own = event.effective_on;
            let on = if event.sequence == 1 || event.undated {
                match (own, later) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            } else {
                own
            };
            if on.is_none_or(|on| on <= moment.as_of) {
                admitted.insert(event.position);
            }
            later = match (later, own) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }
    admitted
}

/// Which events a replay reads and folds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every event.
    All,
    /// The events of these aggregate types.
    Types(Vec<String>),
    /// The events of these aggregates: (aggregate type, aggregate id).
    Aggregates(Vec<(String, String)>),
}

/// The ledger folded as of a moment: the view documents and the admitted positions.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub documents: Documents,
    pub admitted: HashSet<i64>,
}

/// Folds the events `moment` admits, in ledger order, with the projector's folds.
///
/// A [`Scope`] narrower than the whole ledger reads and folds only its events: the
/// snapshot's documents folded from those events alone ([`crate::views::folded_from`]) are
/// exactly those of the whole replay, and its admitted positions are those of the whole
/// replay within the scope (admission looks at an event's own aggregate only).
pub async fn replay(db: &Db, moment: &Moment, scope: &Scope) -> anyhow::Result<Snapshot> {
    let Some(known_at) = moment.known_at else { return Ok(Snapshot::default()) };
    // On PostgreSQL the scope goes as arrays (`= ANY`), which the planner meets with the
    // positions' indexes; a set-returning function in the condition made it join both
    // tables whole, whatever the scope.
    let postgres = db.is_postgres();
    let (only, first, second): (&str, Vec<String>, Vec<String>) = match scope {
        Scope::All => ("", Vec::new(), Vec::new()),
        Scope::Types(types) if postgres => (" AND l.aggregate_type = ANY($2)", types.clone(), Vec::new()),
        Scope::Types(types) => (
            " AND l.aggregate_type IN (SELECT value FROM json_each($2))",
            vec![serde_json::to_string(types)?],
            Vec::new(),
        ),
        // A superset on PostgreSQL (every type with every id): extra aggregates fold into
        // other documents only.
        Scope::Aggregates(keys) if postgres => (
            " AND l.aggregate_type = ANY($2) AND l.aggregate_id = ANY($3)",
            keys.iter().map(|(t, _)| t.clone()).collect(),
            keys.iter().map(|(_, id)| id.clone()).collect(),
        ),
        Scope::Aggregates(keys) => (
            " AND (l.aggregate_type, l.aggregate_id) IN \
             (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each($2))",
            vec![serde_json::to_string(keys)?],
            Vec::new(),
        ),
    };
    // With a scope, `known_at` is a filter on the scope's rows, not an index range: a range
    // over the position index would cover nearly the whole ledger.
    let known = if only.is_empty() { "l.position <= $1" } else { "l.position + 0 <= $1" };
    let sql = format!(
        "SELECT l.position, e.aggregate_type, e.aggregate_id, e.sequence, {} AS payload, {} AS metadata \
         FROM positions l JOIN events e ON e.aggregate_type = l.aggregate_type AND e.aggregate_id = l.aggregate_id \
         AND e.sequence = l.sequence WHERE {known}{only} ORDER BY l.position",
        db.json_text("e.payload"),
        db.json_text("e.metadata")
    );
    let rows: Vec<(i64, String, String, i64, String, String)> = match db {
        Db::Postgres(pool) => {
            let query = sqlx::query_as(&sql).bind(known_at);
            match scope {
                Scope::All => query.fetch_all(pool).await?,
                Scope::Types(_) => query.bind(&first).fetch_all(pool).await?,
                Scope::Aggregates(_) => query.bind(&first).bind(&second).fetch_all(pool).await?,
            }
        }
        Db::Sqlite(pool) => {
            let query = sqlx::query_as(&sql).bind(known_at);
            match first.first() {
                None => query.fetch_all(pool).await?,
                Some(list) => query.bind(list).fetch_all(pool).await?,
            }
        }
    };
    let mut parsed = Vec::with_capacity(rows.len());
    for (_, _, _, _, payload, metadata) in &rows {
        parsed.push((serde_json::from_str::<Value>(payload)?, serde_json::from_str::<Value>(metadata)?));
    }
    let dated: Vec<Dated<'_>> = rows
        .iter()
        .zip(&parsed)
        .map(|((position, aggregate_type, aggregate_id, sequence, _, _), (_, metadata))| Dated {
            position: *position,
            aggregate_type,
            aggregate_id,
            sequence: *sequence,
            effective_on: effective_on(
                metadata.get("occurred_at").and_then(Value::as_str),
                metadata.get("recorded_at").and_then(Value::as_str),
            ),
            undated: metadata.get("occurred_at").and_then(Value::as_str).is_none(),
        })
        .collect();
    let admitted = admitted(&dated, moment);
    let mut documents = Documents::new();
    for ((position, aggregate_type, aggregate_id, sequence, _, _), (payload, metadata)) in rows.iter().zip(&parsed) {
        if !admitted.contains(position) {
            continue;
        }
        let event = Folded {
            position: *position,
            aggregate_type,
            aggregate_id,
            sequence: u64::try_from(*sequence).unwrap_or_default(),
            payload,
            metadata,
        };
        crate::views::apply(&mut documents, &event).map_err(anyhow::Error::msg)?;
    }
    Ok(Snapshot { documents, admitted })
}

/// Where an answer holds planned dates: JSON Pointers (RFC 6901) in which `*` stands for
/// any array index or member name, and a pattern covers everything below what it names.
/// Every answer lists them in `planned_fields`; no other business date in it lies after its
/// `as_of`.
pub mod planned {
    /// A meeting: its scheduled date (and the dates it was moved from and to), and the
    /// minutes' comment deadline.
    pub const MEETING: &[&str] =
        &["/date", "/reschedules/*/old_date", "/reschedules/*/new_date", "/minutes/comment_deadline"];
    /// A line of the meeting register: the scheduled date.
    pub const MEETING_REGISTER: &[&str] = &["/date"];
    /// A decision: the due dates of its action items, and the planned dates its effect sets.
    pub const DECISION: &[&str] = &[
        "/action_items/*/due_on",
        "/effect/term_start",
        "/effect/term_end",
        "/effect/new_end",
        "/effect/from",
        "/effect/effective_on",
        "/effect/effective_from",
        "/effect/effective_to",
        "/effect/period_start",
        "/effect/period_end",
    ];
    /// The GCG's composition: the office holders' terms as planned then, the policy's
    /// effective day.
    pub const COMPOSITION: &[&str] = &[
        "/chair/term_start",
        "/chair/term_end",
        "/deputy_chair/term_start",
        "/deputy_chair/term_end",
        "/policy/effective_on",
    ];
    /// The GCG record: terms as elected and extended, seat holdings and policies from
    /// their planned days, calls' closing days.
    pub const BODY: &[&str] = &[
        "/terms/*/term_start",
        "/terms/*/elected_end",
        "/terms/*/term_end",
        "/terms/*/extensions/*/old_end",
        "/terms/*/extensions/*/new_end",
        "/seats/*/holdings/*/from",
        "/policies/*/effective_on",
        "/calls/*/closes_on",
    ];
    /// The succession timeline.
    pub const CHAIRS: &[&str] = &[
        "/terms/*/term_start",
        "/terms/*/elected_end",
        "/terms/*/term_end",
        "/terms/*/extensions/*/old_end",
        "/terms/*/extensions/*/new_end",
        "/calls/*/closes_on",
        "/chair/term_start",
        "/chair/term_end",
        "/deputy_chair/term_start",
        "/deputy_chair/term_end",
    ];
    /// Policy versions.
    pub const POLICIES: &[&str] = &["/items/*/effective_on"];
    /// A group: planned lead assignments and workplan periods.
    pub const GROUP: &[&str] = &["/leads/*/from", "/workplans/*/period_start", "/workplans/*/period_end"];
    /// Nothing planned.
    pub const NONE: &[&str] = &[];
    /// A Pathfinder Country: a status grant or a focal point taking effect on a planned day.
    pub const PATHFINDER: &[&str] = &[
        "/state/stage_history/*/1",
        "/state/stage_since",
        "/state/status_granted_on",
        "/state/focal_point/since",
        "/steps/*/occurred_at",
    ];
    /// A roadmap: its period.
    pub const ROADMAP: &[&str] =
        &["/state/period_start", "/state/period_end", "/content/period_start", "/content/period_end"];
    /// A reporting cycle: its reporting period and deadline.
    pub const CYCLE: &[&str] = &["/state/period_end", "/state/deadline", "/steps/*/occurred_at"];
    /// Compliance: the cycle's deadline.
    pub const COMPLIANCE: &[&str] = &["/deadline"];
    /// A country report.
    pub const REPORT: &[&str] = &[];
    /// The programme summary: its planned period.
    pub const PROGRAMME: &[&str] = &["/period_start", "/period_end"];
    /// A contribution: the agreement's conditions (planned instalments and periods).
    pub const CONTRIBUTION: &[&str] = &["/conditions"];
    /// A donor's trail: its agreements' conditions.
    pub const TRAIL: &[&str] = &[
        "/contributions/*/conditions",
        "/contributions/*/lines/*/reallocations/*/effective_from",
        "/contributions/*/lines/*/reallocations/*/effective_to",
    ];
    /// Reallocations: the periods they apply to.
    pub const REALLOCATIONS: &[&str] = &["/items/*/effective_from", "/items/*/effective_to"];
    /// A history: an event's `occurred_at` is the planned day it sets when it sets one (a
    /// meeting's date, a term's start), and payloads state plans as recorded.
    pub const HISTORY: &[&str] = &[
        "/items/*/occurred_at",
        "/items/*/payload/*/date",
        "/items/*/payload/*/new_date",
        "/items/*/payload/*/old_date",
        "/items/*/payload/*/term_start",
        "/items/*/payload/*/term_end",
        "/items/*/payload/*/new_end",
        "/items/*/payload/*/old_end",
        "/items/*/payload/*/from",
        "/items/*/payload/*/closes_on",
        "/items/*/payload/*/comment_deadline",
        "/items/*/payload/*/deadline",
        "/items/*/payload/*/new_deadline",
        "/items/*/payload/*/due_on",
        "/items/*/payload/*/effective_on",
        "/items/*/payload/*/effective_from",
        "/items/*/payload/*/effective_to",
        "/items/*/payload/*/period_start",
        "/items/*/payload/*/period_end",
        "/items/*/payload/*/conditions",
        "/items/*/payload/*/effect",
    ];
}

/// Where an answer holds recording times (`recorded_at`, `last_recorded_at`: transaction
/// time): they are bounded by `known_at`, not by `as_of` (history recorded after the fact
/// keeps the day it was recorded). A person shown from the personal-data register
/// (`lens::personal`) carries the register's own recording times, `registered_at` and
/// `erased_at`: the register is read as it is now. Every answer lists them in
/// `recorded_fields`.
pub const RECORDED: &[&str] =
    &["/**/recorded_at", "/**/last_recorded_at", "/**/person/registered_at", "/**/person/erased_at"];

/// Whether `pointer` (e.g. `/chair/term_end`) is matched by the pattern: `*` is any one
/// segment, `**` any number of them, and a pattern also covers everything below what it
/// names.
pub fn matches(pattern: &str, pointer: &str) -> bool {
    fn go(pattern: &[&str], pointer: &[&str]) -> bool {
        match (pattern.split_first(), pointer.split_first()) {
            (None, _) => true,
            (Some((&"**", rest)), _) => (0..=pointer.len()).any(|skip| go(rest, &pointer[skip..])),
            (Some(_), None) => false,
            (Some((p, rest)), Some((s, tail))) => (*p == "*" || p == s) && go(rest, tail),
        }
    }
    let pattern: Vec<&str> = pattern.split('/').skip(1).collect();
    let pointer: Vec<&str> = pointer.split('/').skip(1).collect();
    go(&pattern, &pointer)
}

/// States the moment in an answer's body: an object gets the members `as_of`, `known_at`,
/// `planned_fields` and `recorded_fields` ([`RECORDED`]); anything else (a list) is wrapped as `items` beside them, its
/// planned patterns under `/items/*`.
pub fn stamp(body: Value, moment: &Moment, planned: &[&str]) -> Value {
    let (mut fields, planned): (Map<String, Value>, Vec<String>) = match body {
        Value::Object(fields) => (fields, planned.iter().map(|p| (*p).to_string()).collect()),
        other => {
            let planned = planned
                .iter()
                .map(|p| if p.starts_with("/items/") { (*p).to_string() } else { format!("/items/*{p}") })
                .collect();
            let mut fields = Map::new();
            fields.insert("items".into(), other);
            (fields, planned)
        }
    };
    fields.insert("as_of".into(), Value::String(moment.as_of.to_string()));
    fields.insert("known_at".into(), moment.known_at.map_or(Value::Null, Value::from));
    fields.insert("planned_fields".into(), Value::from(planned));
    fields.insert("recorded_fields".into(), Value::from(RECORDED));
    Value::Object(fields)
}

/// The empty state of a singleton that did not exist at `moment` (`exists: false`).
pub fn absent(moment: &Moment) -> Value {
    let mut fields = Map::new();
    fields.insert("exists".into(), Value::Bool(false));
    stamp(Value::Object(fields), moment, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn at(as_of: &str, known_at: i64) -> Moment {
        Moment { as_of: d(as_of), known_at: Some(known_at) }
    }

    #[test]
    fn an_event_takes_effect_when_it_happened_or_when_its_plan_was_recorded() {
        // Happened, recorded later: the day it happened.
        assert_eq!(effective_on(Some("2019-05-02"), Some("2026-12-01T10:00:00Z")), Some(d("2019-05-02")));
        // Planned for later: from the day it was recorded.
        assert_eq!(effective_on(Some("2027-05-31"), Some("2026-12-01T10:00:00Z")), Some(d("2026-12-01")));
        // No business date: the day it was recorded.
        assert_eq!(effective_on(None, Some("2026-12-01T10:00:00Z")), Some(d("2026-12-01")));
        assert_eq!(effective_on(Some("bogus"), None), None);
    }

    #[test]
    fn known_at_and_as_of_both_filter_and_a_creation_follows_its_aggregate() {
        let e = |position, id: &'static str, sequence, on: &str| Dated {
            position,
            aggregate_type: "meeting",
            aggregate_id: id,
            sequence,
            effective_on: Some(d(on)),
            undated: false,
        };
        // M1 scheduled for 05-10 (recorded later), its agenda published on 04-20.
        let events = [e(0, "M1", 1, "2018-05-10"), e(1, "M1", 2, "2018-04-20"), e(2, "M2", 1, "2018-06-01")];
        let sorted = |s: HashSet<i64>| {
            let mut v: Vec<i64> = s.into_iter().collect();
            v.sort();
            v
        };
        assert_eq!(sorted(admitted(&events, &at("2018-04-25", 2))), vec![0, 1], "the agenda shows the meeting exists");
        assert_eq!(sorted(admitted(&events, &at("2018-04-19", 2))), Vec::<i64>::new());
        assert_eq!(sorted(admitted(&events, &at("2018-12-31", 1))), vec![0, 1], "M2 is not known at 1");
        // The creation rule only counts what is known: without the agenda, M1 exists from its date.
        assert_eq!(sorted(admitted(&events, &at("2018-04-25", 0))), Vec::<i64>::new());
        assert!(admitted(&events, &Moment { as_of: d("2030-01-01"), known_at: None }).is_empty());
        // An undated event (recorded today) before a baseline dated 2026-01-01 takes effect by then.
        let undated = Dated { undated: true, ..e(4, "P", 2, "2026-12-03") };
        let programme = [e(3, "P", 1, "2026-01-01"), undated, e(5, "P", 3, "2026-01-01"), e(6, "P", 4, "2026-12-03")];
        assert_eq!(sorted(admitted(&programme, &at("2026-06-30", 6))), vec![3, 4, 5]);
        assert_eq!(sorted(admitted(&programme, &at("2026-06-30", 4))), vec![3], "the baseline is not known at 4");
    }

    #[test]
    fn a_moment_is_resolved_against_the_head() {
        let today = d("2026-12-03");
        assert_eq!(resolve(today, None, Some(41)), Ok(Moment { as_of: today, known_at: Some(41) }));
        assert_eq!(resolve(today, Some(41), Some(41)), Ok(Moment { as_of: today, known_at: Some(41) }));
        assert_eq!(resolve(today, Some(42), Some(41)), Err(MomentError::BeyondHead { known_at: 42, head: Some(41) }));
        assert_eq!(resolve(today, Some(0), None), Err(MomentError::BeyondHead { known_at: 0, head: None }));
        assert_eq!(resolve(today, Some(-1), Some(41)), Err(MomentError::Negative(-1)));
        assert_eq!(resolve(today, None, None), Ok(Moment { as_of: today, known_at: None }));
    }

    #[test]
    fn answers_state_their_moment() {
        let moment = at("2024-06-30", 7);
        let object = stamp(serde_json::json!({"chair": null}), &moment, planned::COMPOSITION);
        assert_eq!(object["as_of"], "2024-06-30");
        assert_eq!(object["known_at"], 7);
        assert_eq!(object["planned_fields"][1], "/chair/term_end");
        let list = stamp(serde_json::json!([1, 2]), &moment, planned::MEETING);
        assert_eq!(list["items"], serde_json::json!([1, 2]));
        assert_eq!(list["planned_fields"][0], "/items/*/date");
        assert_eq!(absent(&moment)["exists"], false);
        assert!(matches("/items/*/date", "/items/3/date"));
        assert!(matches("/items/*/payload", "/items/3/payload/X/term_end"));
        assert!(!matches("/items/*/date", "/items/3/opened_on"));
        assert!(!matches("/chair/term_end", "/chair"));
        assert!(matches("/**/recorded_at", "/recorded_at"));
        assert!(matches("/**/recorded_at", "/items/2/entries/0/recorded_at"));
        assert!(!matches("/**/recorded_at", "/items/2/occurred_at"));
    }
}
