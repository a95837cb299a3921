//! Pathfinder Countries: onboarding to status, national roadmaps and the reporting cycle.
//!
//! * [`country`]: the [`PathfinderCountry`] aggregate (`pfc:{ISO3}`), from the expression
//!   of interest to status and its review, inactivity, withdrawal or revocation, with its
//!   focal point, national mechanism, workshop and in-country support.
//! * [`roadmap`]: the [`Roadmap`] aggregate (`roadmap:{ISO3}/v{n}`), a versioned national
//!   SDG 8.7 roadmap from draft to endorsement, launch and supersession or expiry.
//! * [`cycle`]: the [`ReportingCycle`] aggregate (`reporting_cycle:{id}`), launched with
//!   the countries expected to report, closed with who did.
//! * [`report`]: the [`CountryReport`] aggregate (`country_report:{cycle}/{ISO3}`), from
//!   expected (or overdue) to submitted, reviewed, approved and published, or waived.
//! * [`policy`]: the versioned [`AccountabilityPolicy`] (the 2023 Framework's unknown
//!   rules as data); [`clock`]: the pure checks the clock process runs to decide which
//!   time-driven commands (expire, mark overdue, flag for review) are due.
//!
//! Facts about other aggregates (the cited decision, whether a roadmap was submitted, the
//! cycle's expected countries and deadline) are "edge facts": command fields the server
//! fills in and clients cannot send.

pub mod clock;
pub mod country;
pub mod cycle;
pub mod policy;
pub mod report;
pub mod roadmap;

pub use country::PathfinderCountry;
pub use cycle::ReportingCycle;
pub use policy::AccountabilityPolicy;
pub use report::CountryReport;
pub use roadmap::Roadmap;

/// Whether `text` is blank (empty or only whitespace).
fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// Whether `code` is a valid ISO 3166-1 alpha-3 country code.
fn valid_iso3(code: &str) -> bool {
    crate::reference::iso3_name(code).is_some()
}

/// Whether `url` is an absolute `https://` or `http://` URL without whitespace.
pub fn is_web_url(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !url.chars().any(char::is_whitespace))
}

/// Whether `person_ref` looks like a pseudonymous reference (an id in the personal-data
/// table, e.g. `person:7f3a91`), never a name: 3 to 128 ASCII letters, digits, `:`, `.`,
/// `_` or `-`, with at least one digit and no whitespace.
pub fn is_pseudonymous_ref(person_ref: &str) -> bool {
    (3..=128).contains(&person_ref.len())
        && person_ref.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'.' | b'_' | b'-'))
        && person_ref.bytes().any(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_urls() {
        assert!(is_web_url("https://alliance87.org/reports/2026/npl.pdf"));
        assert!(is_web_url("http://example.org"));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("ftp://example.org"));
        assert!(!is_web_url("https://example.org/a b"));
        assert!(!is_web_url(""));
    }

    #[test]
    fn pseudonymous_refs() {
        assert!(is_pseudonymous_ref("person:7f3a91"));
        assert!(is_pseudonymous_ref("PII-00012"));
        assert!(!is_pseudonymous_ref("Martin Wandera"));
        assert!(!is_pseudonymous_ref("wandera"));
        assert!(!is_pseudonymous_ref("p1"));
        assert!(!is_pseudonymous_ref("person:7f3a91 "));
        assert!(!is_pseudonymous_ref("personne:é1"));
        assert!(!is_pseudonymous_ref(&"a1".repeat(65)));
    }

    #[test]
    fn iso3_codes() {
        assert!(valid_iso3("NPL"));
        assert!(!valid_iso3("XXX"));
        assert!(blank(" \t"));
        assert!(!blank(" a "));
    }
}
