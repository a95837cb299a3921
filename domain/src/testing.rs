//! Checks shared by the aggregates' given/when/then tests.

/// Asserts that `ordinals` lists each error variant once (in order) and that every rule
/// name is unique snake_case and every message starts lowercase without a final period.
pub fn assert_rules_well_formed(ordinals: &[usize], rules_and_messages: &[(&'static str, String)]) {
    assert_eq!(ordinals, (0..ordinals.len()).collect::<Vec<_>>(), "all_errors lists each variant once");
    let mut seen = std::collections::BTreeSet::new();
    for (rule, message) in rules_and_messages {
        assert!(seen.insert(*rule), "rule {rule} is used twice");
        assert!(
            !rule.is_empty()
                && rule.starts_with(|c: char| c.is_ascii_lowercase())
                && !rule.ends_with('_')
                && !rule.contains("__")
                && rule.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "rule {rule} is not snake_case"
        );
        assert!(!message.ends_with('.') && message.starts_with(|c: char| c.is_lowercase()), "{message}");
    }
}
