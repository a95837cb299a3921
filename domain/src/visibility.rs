//! Who may read an event: its visibility class, decided when it is recorded.
//!
//! Every event gets one of four classes from the aggregate that emits it ([`Classified`],
//! implemented once per aggregate type, with the aggregate's state after the command, so
//! a contribution's later events know their donor):
//!
//! * `public`: anyone;
//! * `donor-confidential`, scoped to one donor: that donor, the Secretariat and auditors;
//! * `secretariat-internal`: the Secretariat and auditors;
//! * `personal`, scoped to a country: the Secretariat, auditors, and that country's focal
//!   point. The record itself holds no personal value in clear (a pseudonymous reference
//!   and a salted commitment); the clear values live outside the ledger and can be erased.
//!
//! The class is hashed and signed with the event (docs/LEDGER-FORMAT.md §2.1). Events
//! recorded before classes existed (version 1 records) take [`default_for`] their type.
//! [`Reader::may_read`] is the one rule for who reads what; docs/API.md lists it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The four visibility classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    Public,
    DonorConfidential,
    SecretariatInternal,
    Personal,
}

impl Class {
    /// The name written in records: `public`, `donor-confidential`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Public => "public",
            Class::DonorConfidential => "donor-confidential",
            Class::SecretariatInternal => "secretariat-internal",
            Class::Personal => "personal",
        }
    }

    /// The class a record names.
    pub fn parse(name: &str) -> Option<Class> {
        [Class::Public, Class::DonorConfidential, Class::SecretariatInternal, Class::Personal]
            .into_iter()
            .find(|c| c.as_str() == name)
    }
}

/// An event's class and, for `donor-confidential` and `personal`, whom it belongs to (a
/// donor's organisation id, a country's ISO 3166-1 alpha-3 code).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Visibility {
    pub class: Class,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl Visibility {
    pub const PUBLIC: Visibility = Visibility { class: Class::Public, scope: None };
    pub const SECRETARIAT_INTERNAL: Visibility = Visibility { class: Class::SecretariatInternal, scope: None };

    pub fn donor(donor: &str) -> Visibility {
        Visibility { class: Class::DonorConfidential, scope: Some(donor.to_string()) }
    }

    pub fn personal(country: &str) -> Visibility {
        Visibility { class: Class::Personal, scope: Some(country.to_string()) }
    }
}

/// An aggregate type whose events carry a class.
pub trait Classified: cqrs_es::Aggregate {
    /// Whether the aggregate's id is itself confidential: a redacted record then shows a
    /// stable pseudonym in its place.
    const PSEUDONYMOUS: bool = false;

    /// The class of `event`, emitted by this aggregate, now in its state after the command.
    fn visibility(&self, event: &Self::Event) -> Visibility;
}

/// Who is reading: a role and, for donors and focal points, the scope their token names.
/// Anonymous readers are [`Reader::PUBLIC`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reader {
    pub role: String,
    pub scope: Option<String>,
}

impl Reader {
    /// Anyone: no token, or a token of a role with no wider right.
    pub const PUBLIC: Reader = Reader { role: String::new(), scope: None };

    pub fn new(role: &str, scope: Option<&str>) -> Reader {
        Reader { role: role.to_string(), scope: scope.map(str::to_string) }
    }

    /// The one rule: who may read an event of this visibility.
    ///
    /// | class | readers |
    /// |---|---|
    /// | public | everyone |
    /// | donor-confidential (donor D) | secretariat, auditor, donor D |
    /// | secretariat-internal | secretariat, auditor |
    /// | personal (country C) | secretariat, auditor, focal point of C |
    ///
    /// Auditors read personal events: their records hold commitments, never clear values;
    /// only the Secretariat and the country's focal point see the clear values.
    pub fn may_read(&self, visibility: &Visibility) -> bool {
        let own = |role: &str| self.role == role && self.scope.is_some() && self.scope == visibility.scope;
        match visibility.class {
            Class::Public => true,
            _ if self.sees_all() => true,
            Class::DonorConfidential => own("donor"),
            Class::SecretariatInternal => false,
            Class::Personal => own("focal_point"),
        }
    }

    /// Whether this reader reads every class (the Secretariat and auditors).
    pub fn sees_all(&self) -> bool {
        matches!(self.role.as_str(), "secretariat" | "auditor")
    }

    /// Whether this reader may see clear personal values of `country`'s people.
    pub fn may_read_personal_values(&self, country: &str) -> bool {
        self.role == "secretariat" || (self.role == "focal_point" && self.scope.as_deref() == Some(country))
    }
}

/// The class of an event recorded before classes existed (a version 1 record), from its
/// aggregate type, event type and payload: the same rule [`Classified`] applies, as far as
/// the event alone tells. A donor-confidential event whose payload does not name its
/// donor gets the scope `?`, which no donor token has: only the Secretariat and auditors
/// read it.
pub fn default_for(aggregate_type: &str, event_type: &str, payload: &Value) -> Visibility {
    let field = |name: &str| payload.get(event_type).and_then(|e| e.get(name)).and_then(Value::as_str);
    match (aggregate_type, event_type) {
        ("contribution", _) | ("programme", "FundsAllocated") => Visibility::donor(field("donor").unwrap_or("?")),
        ("programme", "EntryReversed") if field("contribution_id").is_some() => Visibility::donor("?"),
        ("pfc", "FocalPointAppointed") => Visibility::personal(field("iso3").unwrap_or("?")),
        ("meeting", "MinutesDrafted") => Visibility::SECRETARIAT_INTERNAL,
        ("person", "PersonRegistered") => Visibility::personal(field("country").unwrap_or("?")),
        ("person", _) => Visibility::SECRETARIAT_INTERNAL,
        _ => Visibility::PUBLIC,
    }
}

/// Aggregates whose every event is public.
macro_rules! public {
    ($($aggregate:ty),* $(,)?) => {$(
        impl Classified for $aggregate {
            fn visibility(&self, _event: &Self::Event) -> Visibility {
                Visibility::PUBLIC
            }
        }
    )*};
}

public!(
    crate::body::Body,
    crate::decision::Decision,
    crate::group::Group,
    crate::reference::Organisation,
    crate::reference::Country,
    crate::pathfinder::Roadmap,
    crate::pathfinder::ReportingCycle,
    crate::pathfinder::CountryReport,
    crate::programme::Donor,
    crate::partner::Partner,
    crate::signing_key::SigningKey,
);

impl Classified for crate::meeting::Meeting {
    /// Minutes are internal while drafted; circulated and approved minutes are public.
    fn visibility(&self, event: &Self::Event) -> Visibility {
        match event {
            crate::meeting::MeetingEvent::MinutesDrafted { .. } => Visibility::SECRETARIAT_INTERNAL,
            _ => Visibility::PUBLIC,
        }
    }
}

impl Classified for crate::pathfinder::PathfinderCountry {
    /// A focal point's appointment names a person (by reference).
    fn visibility(&self, event: &Self::Event) -> Visibility {
        match event {
            crate::pathfinder::country::PfcEvent::FocalPointAppointed { iso3, .. } => Visibility::personal(iso3),
            _ => Visibility::PUBLIC,
        }
    }
}

impl Classified for crate::person::Person {
    /// A person's registration (a reference and a commitment, never a clear value) is
    /// personal to their country; the erasure of their clear values is the Secretariat's.
    fn visibility(&self, event: &Self::Event) -> Visibility {
        match event {
            crate::person::PersonEvent::PersonRegistered { country, .. } => Visibility::personal(country),
            crate::person::PersonEvent::PersonalDataErased { .. } => Visibility::SECRETARIAT_INTERNAL,
        }
    }
}

impl Classified for crate::programme::Contribution {
    /// A contribution is its donor's business, and so is its id.
    const PSEUDONYMOUS: bool = true;

    fn visibility(&self, event: &Self::Event) -> Visibility {
        match event {
            crate::programme::contribution::ContributionEvent::ContributionPledged { donor, .. } => {
                Visibility::donor(donor)
            }
            _ => Visibility::donor(&self.donor),
        }
    }
}

impl Classified for crate::programme::Programme {
    /// Which contribution funds which line is the donor's business; the plan, the
    /// spending and the reallocations are public.
    fn visibility(&self, event: &Self::Event) -> Visibility {
        use crate::programme::budget::ProgrammeEvent as E;
        match event {
            E::FundsAllocated { donor, .. } => Visibility::donor(donor),
            E::EntryReversed { entry_id, contribution_id: Some(_), .. } => {
                match self.allocations.iter().find(|a| &a.allocation_id == entry_id) {
                    Some(allocation) => Visibility::donor(&allocation.donor),
                    None => Visibility::donor("?"),
                }
            }
            _ => Visibility::PUBLIC,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reader(role: &str, scope: Option<&str>) -> Reader {
        Reader::new(role, scope)
    }

    #[test]
    fn who_reads_what() {
        let a = Visibility::donor("DONOR-A");
        let internal = Visibility::SECRETARIAT_INTERNAL;
        let npl = Visibility::personal("NPL");
        let all = [&Visibility::PUBLIC, &a, &internal, &npl];
        let table: [(Reader, [bool; 4]); 8] = [
            (Reader::PUBLIC, [true, false, false, false]),
            (reader("public", None), [true, false, false, false]),
            (reader("donor", Some("DONOR-A")), [true, true, false, false]),
            (reader("donor", Some("DONOR-B")), [true, false, false, false]),
            (reader("focal_point", Some("NPL")), [true, false, false, true]),
            (reader("focal_point", Some("UGA")), [true, false, false, false]),
            (reader("auditor", None), [true, true, true, true]),
            (reader("secretariat", None), [true, true, true, true]),
        ];
        for (who, expected) in table {
            let got: Vec<bool> = all.iter().map(|v| who.may_read(v)).collect();
            assert_eq!(got, expected, "{who:?}");
        }
        // A donor token never reads a focal point's scope of the same name, and back.
        assert!(!reader("donor", Some("NPL")).may_read(&npl));
        assert!(!reader("focal_point", Some("DONOR-A")).may_read(&a));
    }

    #[test]
    fn clear_personal_values_only_for_the_secretariat_and_the_country() {
        assert!(reader("secretariat", None).may_read_personal_values("NPL"));
        assert!(reader("focal_point", Some("NPL")).may_read_personal_values("NPL"));
        assert!(!reader("auditor", None).may_read_personal_values("NPL"));
        assert!(!reader("focal_point", Some("UGA")).may_read_personal_values("NPL"));
        assert!(!Reader::PUBLIC.may_read_personal_values("NPL"));
    }

    #[test]
    fn version_1_defaults() {
        let pledge = json!({"ContributionPledged": {"donor": "DONOR-A"}});
        assert_eq!(default_for("contribution", "ContributionPledged", &pledge), Visibility::donor("DONOR-A"));
        assert_eq!(default_for("contribution", "FundsReceived", &json!({"FundsReceived": {}})), Visibility::donor("?"));
        let allocated = json!({"FundsAllocated": {"donor": "DONOR-B"}});
        assert_eq!(default_for("programme", "FundsAllocated", &allocated), Visibility::donor("DONOR-B"));
        let spent = json!({"ExpenditureRecorded": {}});
        assert_eq!(default_for("programme", "ExpenditureRecorded", &spent), Visibility::PUBLIC);
        let focal = json!({"FocalPointAppointed": {"iso3": "NPL"}});
        assert_eq!(default_for("pfc", "FocalPointAppointed", &focal), Visibility::personal("NPL"));
        assert_eq!(default_for("meeting", "MinutesDrafted", &json!({})), Visibility::SECRETARIAT_INTERNAL);
        assert_eq!(default_for("decision", "DecisionAdopted", &json!({})), Visibility::PUBLIC);
        let person = json!({"PersonRegistered": {"country": "NGA"}});
        assert_eq!(default_for("person", "PersonRegistered", &person), Visibility::personal("NGA"));
        let erased = json!({"PersonalDataErased": {}});
        assert_eq!(default_for("person", "PersonalDataErased", &erased), Visibility::SECRETARIAT_INTERNAL);
    }

    #[test]
    fn class_names_round_trip() {
        for class in [Class::Public, Class::DonorConfidential, Class::SecretariatInternal, Class::Personal] {
            assert_eq!(Class::parse(class.as_str()), Some(class));
            assert_eq!(serde_json::to_value(class).unwrap(), json!(class.as_str()));
        }
        assert_eq!(Class::parse("secret"), None);
    }
}
