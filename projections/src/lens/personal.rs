//! The visibility rule applied to the personal-data register: who sees a person, and who
//! sees their clear values.
//!
//! | reader | sees |
//! |---|---|
//! | the Secretariat, the focal point of the person's country | the reference, country, commitment, and the clear values, or `"erased"` with when and why |
//! | auditors | the reference, country and commitment (and when and why the values were erased), never a clear value |
//! | anyone else | nothing: the person does not exist for them |
//!
//! [`Reader::may_read`] on the class `personal` decides whether the person is seen at all,
//! [`Reader::may_read_personal_values`] whether their clear values are. The register is
//! read as it is now, whatever the moment of the read: an erased value never comes back
//! for a read of an earlier date.

use domain::visibility::{Reader, Visibility};
use ledger_store::personal::PersonRow;
use serde_json::{json, Value};

/// What `reader` may see of a person of the register, or `None` if nothing.
pub fn person(row: &PersonRow, reader: &Reader) -> Option<Value> {
    if !reader.may_read(&Visibility::personal(&row.country)) {
        return None;
    }
    let mut shown = json!({
        "person_ref": row.person_ref,
        "country": row.country,
        "commitment": row.commitment,
        "registered_at": row.created_at,
        "status": if row.erased_at.is_some() { "erased" } else { "registered" },
    });
    if let Some(erased_at) = &row.erased_at {
        shown["erased_at"] = json!(erased_at);
        shown["erasure_reason_ref"] = json!(row.erasure_reason_ref);
    }
    if reader.may_read_personal_values(&row.country) {
        shown["personal_data"] = match row.values() {
            Some(values) => values.to_json(),
            None => json!("erased"),
        };
    }
    Some(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(erased: bool) -> PersonRow {
        PersonRow {
            person_ref: "person:00ff".into(),
            country: "NGA".into(),
            name: (!erased).then(|| "Ada Example".into()),
            email: (!erased).then(|| "ada@example.org".into()),
            phone: None,
            salt: (!erased).then(|| "00".repeat(32)),
            commitment: "ab".repeat(32),
            created_at: "2026-12-03T10:00:00Z".into(),
            erased_at: erased.then(|| "2026-12-04T10:00:00Z".into()),
            erasure_reason_ref: erased.then(|| "DPR-1".into()),
        }
    }

    #[test]
    fn clear_values_only_for_the_secretariat_and_the_country() {
        let clear = |reader: &Reader| person(&row(false), reader).map(|v| v.to_string().contains("Ada Example"));
        assert_eq!(clear(&Reader::new("secretariat", None)), Some(true));
        assert_eq!(clear(&Reader::new("focal_point", Some("NGA"))), Some(true));
        assert_eq!(clear(&Reader::new("auditor", None)), Some(false));
        assert_eq!(clear(&Reader::new("focal_point", Some("UGA"))), None);
        assert_eq!(clear(&Reader::new("donor", Some("NGA"))), None);
        assert_eq!(clear(&Reader::PUBLIC), None);
        let auditor = person(&row(false), &Reader::new("auditor", None)).unwrap();
        assert_eq!(auditor["commitment"], json!("ab".repeat(32)));
        assert!(auditor.get("personal_data").is_none());
    }

    #[test]
    fn erased_values_read_as_erased() {
        let shown = person(&row(true), &Reader::new("secretariat", None)).unwrap();
        assert_eq!(shown["personal_data"], json!("erased"));
        assert_eq!(shown["status"], json!("erased"));
        assert_eq!(shown["erasure_reason_ref"], json!("DPR-1"));
        assert_eq!(shown["erased_at"], json!("2026-12-04T10:00:00Z"));
    }
}
