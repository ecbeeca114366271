//! Checks on text that every service's validation shares.

/// Whether `tag` is a BCP 47 language tag of the shape the platform uses
/// (`en`, `es`, `pt-BR`, `sr-Latn`): a 2–3 letter lower-case language and
/// optional alphanumeric subtags, 35 characters at most.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let Some(language) = parts.next() else {
        return false;
    };
    (2..=3).contains(&language.len())
        && language.chars().all(|c| c.is_ascii_lowercase())
        && tag.len() <= 35
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Whether `s` can be an OpenID Connect subject named in a request: 1 to
/// 255 characters, no `/` (names are `…/{subject}`), white space or
/// control characters.
pub fn is_subject(s: &str) -> bool {
    !s.is_empty()
        && s.chars().count() <= 255
        && !s.contains('/')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// What is wrong with the characters of a text people read, if anything:
/// control characters (line breaks and tabs are fine where `multi_line`),
/// bidirectional embeddings, overrides and isolates (which make a text
/// read differently from what it is), code points Unicode has not
/// assigned, or nothing visible at all (only spaces, zero-width and other
/// format characters, or marks with nothing to mark). An empty text is
/// fine here: whether one is required is the caller's rule.
pub fn text_problem(value: &str, multi_line: bool) -> Option<&'static str> {
    use unicode_properties::{GeneralCategory as G, UnicodeGeneralCategory};
    let mut visible = false;
    for c in value.chars() {
        if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            return Some("must not contain bidirectional overrides, embeddings or isolates");
        }
        match c.general_category() {
            G::Control if multi_line && matches!(c, '\n' | '\r' | '\t') => {}
            G::Control => return Some("must not contain control characters"),
            G::Unassigned => return Some("must not contain unassigned code points"),
            G::Format
            | G::SpaceSeparator
            | G::LineSeparator
            | G::ParagraphSeparator
            | G::NonspacingMark
            | G::EnclosingMark => {}
            _ => visible = true,
        }
    }
    if visible || value.is_empty() {
        None
    } else {
        Some("has no visible character")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_people_read() {
        for good in [
            "",
            "Zaragoza",
            "Rīga un Jūrmala",
            "عربي",
            "multi\nline\ttext",
            "emoji 🧑\u{200D}🤝\u{200D}🧑",
            "e\u{301}",
        ] {
            assert_eq!(text_problem(good, true), None, "{good:?}");
        }
        for (bad, multi_line) in [
            ("\u{1}\u{2}", true),
            ("name\nbreak", false),
            ("\u{200B}\u{200C}\u{FEFF}", true),
            ("   \u{2060} ", true),
            ("\u{301}\u{302}", true),
            ("abc\u{202E}cba", true),
            ("abc\u{2066}x\u{2069}", true),
            ("unassigned \u{0378}", true),
            ("nonchar \u{FDD0}", true),
            ("\u{7F}", true),
        ] {
            assert!(text_problem(bad, multi_line).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn language_tags() {
        for good in ["en", "es", "it", "lv", "pt-BR", "sr-Latn", "gsw"] {
            assert!(is_language_tag(good), "{good}");
        }
        for bad in [
            "",
            "e",
            "EN",
            "english",
            "en_GB",
            "en-",
            "es-ES-x-very-long-subtag-here",
        ] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }
}
