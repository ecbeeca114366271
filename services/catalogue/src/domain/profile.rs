//! Problem profiles: coded problems a task addresses, grouped in families.

use super::{Text, Violation, check_text};

/// Longest code.
pub const MAX_CODE_CHARS: usize = 32;
/// Longest family name.
pub const MAX_FAMILY_CHARS: usize = 40;
/// Longest title, per language.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest description, per language.
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;

/// Whether `code` is a profile code: starts with a letter; lower-case
/// letters, digits and `-`.
pub fn is_code(code: &str) -> bool {
    code.len() <= MAX_CODE_CHARS
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Whether `family` is a family name: 1 to [`MAX_FAMILY_CHARS`] lower-case
/// letters, `_` and `-`.
pub fn is_family(family: &str) -> bool {
    !family.is_empty()
        && family.len() <= MAX_FAMILY_CHARS
        && family
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '-')
}

/// A problem profile as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Its code (`org-01`).
    pub code: String,
    /// Its family (`organisational`).
    pub family: String,
    /// Per language.
    pub title: Text,
    /// Per language.
    pub description: Text,
}

/// Checks a profile's fields; `path` prefixes them.
pub fn check(path: &str, profile: &Profile) -> Vec<Violation> {
    let mut out = Vec::new();
    if !is_family(&profile.family) {
        out.push(Violation::new(
            format!("{path}.family"),
            "must be a family name of lower-case letters, `_` and `-` (`organisational`)",
        ));
    }
    check_text(
        &format!("{path}.title"),
        &profile.title,
        true,
        MAX_TITLE_CHARS,
        &mut out,
    );
    check_text(
        &format!("{path}.description"),
        &profile.description,
        false,
        MAX_DESCRIPTION_CHARS,
        &mut out,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        for good in ["org-01", "hck-7", "a"] {
            assert!(is_code(good), "{good}");
        }
        for bad in ["", "01-org", "Org-01", "org_01", "org 01", &"a".repeat(33)] {
            assert!(!is_code(bad), "{bad}");
        }
    }

    #[test]
    fn fields_are_named() {
        let profile = Profile {
            code: "org-01".into(),
            family: "Organisational!".into(),
            title: Text::new(),
            description: Text::from([("xx-".into(), "d".into())]),
        };
        let fields: Vec<_> = check("p", &profile).into_iter().map(|v| v.field).collect();
        assert_eq!(fields, ["p.family", "p.title", "p.description.values[xx-]"]);
    }
}
