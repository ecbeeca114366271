//! Field checks every service's validation shares, and the violation they
//! report. Free of transport: the services map violations to their errors.

use std::collections::BTreeMap;

use crate::text::{is_language_tag, text_problem};

/// One refused field: its path in the request and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Dotted path, as in the proto (`organization.display_name`).
    pub field: String,
    /// For a person.
    pub reason: String,
}

impl Violation {
    /// A violation of `field`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Longest URL.
pub const MAX_URL_CHARS: usize = 2_048;
/// Most languages in one translatable text.
pub const MAX_LANGUAGES: usize = 30;

/// Checks a translatable text: language tags as keys, non-blank values of at
/// most `max_chars`; `required` demands at least one language.
pub fn check_translatable(
    field: &str,
    values: &BTreeMap<String, String>,
    required: bool,
    max_chars: usize,
    out: &mut Vec<Violation>,
) {
    if required && values.values().all(|v| v.trim().is_empty()) {
        out.push(Violation::new(
            field,
            "needs a value in at least one language",
        ));
        return;
    }
    if values.len() > MAX_LANGUAGES {
        out.push(Violation::new(
            field,
            format!("has more than {MAX_LANGUAGES} languages"),
        ));
    }
    for (language, text) in values {
        if !is_language_tag(language) {
            out.push(Violation::new(
                format!("{field}.values[{language}]"),
                "is not a language tag such as en, es, it or lv",
            ));
        } else if text.trim().is_empty() {
            out.push(Violation::new(
                format!("{field}.values[{language}]"),
                "is blank",
            ));
        } else if text.chars().count() > max_chars {
            out.push(Violation::new(
                format!("{field}.values[{language}]"),
                format!("must be at most {max_chars} characters"),
            ));
        } else if let Some(problem) = text_problem(text, true) {
            out.push(Violation::new(
                format!("{field}.values[{language}]"),
                problem,
            ));
        }
    }
}

/// Checks a one-line text people read — a name, a title: at most
/// `max_chars` once trimmed, required when `required`, and made of
/// characters [`text_problem`] accepts. Returns it trimmed.
pub fn check_line(
    field: &str,
    value: &str,
    required: bool,
    max_chars: usize,
    out: &mut Vec<Violation>,
) -> String {
    check_text_of(field, value, required, max_chars, false, out)
}

/// Checks an optional text of several lines people read — a description,
/// a reason, a comment: [`check_line`]'s rules with line breaks and tabs
/// allowed. Returns it trimmed.
pub fn check_paragraphs(
    field: &str,
    value: &str,
    max_chars: usize,
    out: &mut Vec<Violation>,
) -> String {
    check_text_of(field, value, false, max_chars, true, out)
}

fn check_text_of(
    field: &str,
    value: &str,
    required: bool,
    max_chars: usize,
    multi_line: bool,
    out: &mut Vec<Violation>,
) -> String {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        if required {
            out.push(Violation::new(field, "is required"));
        }
    } else if trimmed.chars().count() > max_chars {
        out.push(Violation::new(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    } else if let Some(problem) = text_problem(trimmed, multi_line) {
        out.push(Violation::new(field, problem));
    }
    trimmed.to_owned()
}

/// Checks an optional URL: empty, or an absolute `https://` or `http://`
/// URL of printable ASCII (anything else percent-encoded) with a host, at
/// most [`MAX_URL_CHARS`] long.
pub fn check_url(field: &str, value: &str, out: &mut Vec<Violation>) {
    if value.is_empty() {
        return;
    }
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let authority = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let well_formed =
        value.bytes().all(|b| b.is_ascii_graphic()) && authority.is_some_and(|a| !a.is_empty());
    if !well_formed {
        out.push(Violation::new(
            field,
            "must be an http:// or https:// URL with a host, in printable ASCII",
        ));
    } else if value.len() > MAX_URL_CHARS {
        out.push(Violation::new(
            field,
            format!("must be at most {MAX_URL_CHARS} characters"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translatable_text_rules() {
        let mut out = Vec::new();
        let values = BTreeMap::from([
            ("en".to_owned(), "Zaragoza City Council".to_owned()),
            ("ES".to_owned(), "Ayuntamiento".to_owned()),
            ("it".to_owned(), "  ".to_owned()),
        ]);
        check_translatable("organization.display_name", &values, true, 50, &mut out);
        let fields: Vec<_> = out.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "organization.display_name.values[ES]",
                "organization.display_name.values[it]"
            ]
        );
        let mut out = Vec::new();
        check_translatable("d", &BTreeMap::new(), true, 50, &mut out);
        assert_eq!(out[0].reason, "needs a value in at least one language");
    }

    #[test]
    fn names_and_titles_are_visible_text() {
        let mut out = Vec::new();
        assert_eq!(check_line("a", "  Ana ", true, 10, &mut out), "Ana");
        check_line("b", "", false, 10, &mut out);
        check_line("c", " ", true, 10, &mut out);
        check_line("d", "\u{200B}\u{200B}", true, 10, &mut out);
        check_line("e", "evil\u{202E}txt", true, 20, &mut out);
        check_line("f", "two\nlines", true, 20, &mut out);
        check_line("g", "much too long", true, 5, &mut out);
        let fields: Vec<_> = out.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["c", "d", "e", "f", "g"]);
        let mut out = Vec::new();
        let values = BTreeMap::from([("en".to_owned(), "\u{1}\u{2}".to_owned())]);
        check_translatable("title", &values, true, 50, &mut out);
        assert_eq!(out[0].field, "title.values[en]");
    }

    #[test]
    fn paragraphs_allow_line_breaks_and_nothing_else_a_line_refuses() {
        let mut out = Vec::new();
        assert_eq!(
            check_paragraphs("a", " two\nlines\twith a tab ", 50, &mut out),
            "two\nlines\twith a tab"
        );
        assert_eq!(check_paragraphs("b", "   ", 50, &mut out), "");
        check_paragraphs("c", "evil\u{202E}txt", 50, &mut out);
        check_paragraphs("d", "bell\u{7}", 50, &mut out);
        check_paragraphs("e", "much too long", 5, &mut out);
        let fields: Vec<_> = out.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["c", "d", "e"]);
    }

    #[test]
    fn urls() {
        let mut out = Vec::new();
        check_url("a", "", &mut out);
        check_url("b", "https://zaragoza.es/logo.png", &mut out);
        check_url("c", "ftp://zaragoza.es", &mut out);
        check_url("d", "https://a b", &mut out);
        check_url("e", "https:///no-host", &mut out);
        check_url("f", "https://zaragoza.es/caf\u{e9}", &mut out);
        check_url("g", "https://zaragoza.es/\u{7f}", &mut out);
        check_url("h", "http://x?q=1#top", &mut out);
        let fields: Vec<_> = out.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(fields, ["c", "d", "e", "f", "g"]);
    }
}
