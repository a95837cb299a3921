//! The identifier grammar: what the id of a new aggregate may be (docs/API.md,
//! "Identifiers").
//!
//! An identifier is 1 to 64 characters from `A–Z a–z 0–9 - _ .`, starting and ending with
//! a letter or a digit, with no `..`. Roadmaps (`NPL/v1`) and country reports (`2026/NPL`)
//! have composite ids: identifiers joined by `/`. Nothing else is an id: no spaces, no
//! letters of other scripts that look like Latin ones, no full-width forms, no zero-width
//! or bidirectional control characters, no path separators. Some aggregates narrow the
//! grammar further with rules of their own (an organisation's slug, a country's ISO3).

/// The longest identifier.
pub const MAX_LEN: usize = 64;

/// Why a string is not an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("the id is empty")]
    Empty,
    #[error("the id is longer than {MAX_LEN} characters")]
    TooLong,
    #[error("the id holds {0}, which is not one of A-Z a-z 0-9 - _ .")]
    Character(String),
    #[error("the id must start and end with a letter or a digit")]
    Edge,
    #[error("the id must not contain `..`")]
    DotDot,
    #[error("the id must be {0} identifiers joined by `/`")]
    Parts(usize),
}

/// Checks one identifier.
pub fn check(id: &str) -> Result<(), IdError> {
    if id.is_empty() {
        return Err(IdError::Empty);
    }
    if let Some(c) = id.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
        return Err(IdError::Character(describe(c)));
    }
    if id.len() > MAX_LEN {
        return Err(IdError::TooLong);
    }
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !edge(id.chars().next()) || !edge(id.chars().last()) {
        return Err(IdError::Edge);
    }
    if id.contains("..") {
        return Err(IdError::DotDot);
    }
    Ok(())
}

/// Checks an id made of exactly `parts` identifiers joined by `/` (1: a plain identifier).
pub fn check_composite(id: &str, parts: usize) -> Result<(), IdError> {
    if parts <= 1 {
        return check(id);
    }
    let pieces: Vec<&str> = id.split('/').collect();
    if pieces.len() != parts {
        return Err(IdError::Parts(parts));
    }
    pieces.into_iter().try_for_each(check)
}

/// A character as a reader can find it: itself when printable, and its code point.
fn describe(c: char) -> String {
    if c.is_control() || c.is_whitespace() || !c.is_ascii() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("`{c}` (U+{:04X})", c as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ledger_s_own_ids_are_identifiers() {
        for id in ["GCG", "GCG-21", "GCG-21-D03", "MDP-A87", "C-001", "DONOR-A", "AG-AGRI", "2026", "x", "a.b_c-1"] {
            assert_eq!(check(id), Ok(()), "{id}");
        }
        assert_eq!(check_composite("NPL/v1", 2), Ok(()));
        assert_eq!(check_composite("2026/NPL", 2), Ok(()));
    }

    #[test]
    fn look_alikes_controls_separators_and_long_text_are_not() {
        let cases = [
            ("GCG\u{200B}21", IdError::Character("U+200B".into())),
            ("GCG-2\u{0406}", IdError::Character("U+0406".into())),
            ("\u{FF27}CG", IdError::Character("U+FF27".into())),
            ("GCG\u{202E}12", IdError::Character("U+202E".into())),
            (" GCG-21", IdError::Character("U+0020".into())),
            ("GCG-21 ", IdError::Character("U+0020".into())),
            ("a/b", IdError::Character("`/` (U+002F)".into())),
            ("a..b", IdError::DotDot),
            ("..", IdError::Edge),
            ("-a", IdError::Edge),
            ("", IdError::Empty),
        ];
        for (id, error) in cases {
            assert_eq!(check(id), Err(error), "{id:?}");
        }
        assert_eq!(check(&"a".repeat(MAX_LEN)), Ok(()));
        assert_eq!(check(&"a".repeat(200 * 1024)), Err(IdError::TooLong));
        assert_eq!(check_composite("NPL", 2), Err(IdError::Parts(2)));
        assert_eq!(check_composite("NPL/v1/x", 2), Err(IdError::Parts(2)));
        assert_eq!(check_composite("NPL/../v1", 2), Err(IdError::Parts(2)));
        assert_eq!(check_composite("NPL/", 2), Err(IdError::Empty));
    }
}
