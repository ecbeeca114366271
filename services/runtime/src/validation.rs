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

/// The most key ids pinned for one federated peer.
pub const MAX_PINNED_KEYS: usize = 10;

/// Longest name given to a federated peer.
pub const MAX_PEER_NAME_CHARS: usize = 200;

/// Longest feed URL of a federated peer.
pub const MAX_FEED_URL_CHARS: usize = 2_000;

/// Checks the name a deployment gives a federated peer (the API's
/// `CreatePeer` and `federation.peers` alike): optional, one line of at
/// most [`MAX_PEER_NAME_CHARS`] once trimmed.
pub fn check_peer_display_name(field: &str, value: &str, out: &mut Vec<Violation>) {
    let name = value.trim();
    if name.chars().count() > MAX_PEER_NAME_CHARS {
        out.push(Violation::new(
            field,
            format!("must be at most {MAX_PEER_NAME_CHARS} characters"),
        ));
    } else if name.chars().any(char::is_control) {
        out.push(Violation::new(field, "must be one line"));
    }
}

/// Checks a federated peer's feed URL: required, an `https://` URL (or
/// `http://` when `allow_http`) with a host and no user, password or
/// fragment, at most [`MAX_FEED_URL_CHARS`] long.
pub fn check_feed_url(field: &str, value: &str, allow_http: bool, out: &mut Vec<Violation>) {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        out.push(Violation::new(field, "is required"));
        return;
    }
    let scheme_ok = |u: &url::Url| u.scheme() == "https" || (allow_http && u.scheme() == "http");
    match url::Url::parse(trimmed) {
        Ok(u) if scheme_ok(&u) && u.host_str().is_some_and(|h| !h.is_empty()) => {
            if value.len() > MAX_FEED_URL_CHARS {
                out.push(Violation::new(
                    field,
                    format!("must be at most {MAX_FEED_URL_CHARS} characters"),
                ));
            } else if !u.username().is_empty() || u.password().is_some() || u.fragment().is_some() {
                out.push(Violation::new(
                    field,
                    "must hold no user, password or fragment",
                ));
            }
        }
        _ => out.push(Violation::new(
            field,
            if allow_http {
                "must be an http:// or https:// URL"
            } else {
                "must be an https:// URL"
            },
        )),
    }
}

/// Whether `kid` is shaped as a federation key id: an RFC 7638 SHA-256
/// thumbprint, 43 base64url characters.
pub fn is_key_id(kid: &str) -> bool {
    kid.len() == 43
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks the key ids pinned for a federated peer: one to
/// [`MAX_PINNED_KEYS`], each shaped as a key id ([`is_key_id`]), none
/// twice; an item's violation names it as `field[i]`.
pub fn check_pinned_keys(field: &str, keys: &[String], out: &mut Vec<Violation>) {
    if keys.is_empty() {
        out.push(Violation::new(field, "at least one key id is required"));
    } else if keys.len() > MAX_PINNED_KEYS {
        out.push(Violation::new(
            field,
            format!("at most {MAX_PINNED_KEYS} key ids"),
        ));
    }
    for (i, kid) in keys.iter().enumerate() {
        if !is_key_id(kid) {
            out.push(Violation::new(
                format!("{field}[{i}]"),
                "must be a key id: an RFC 7638 SHA-256 thumbprint, 43 base64url characters",
            ));
        } else if keys[..i].contains(kid) {
            out.push(Violation::new(format!("{field}[{i}]"), "is listed twice"));
        }
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
    #[test]
    fn federated_peer_rules() {
        let kid = "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s".to_owned();
        let mut out = Vec::new();
        check_feed_url(
            "a",
            "https://peer.example/v1/federation/feed",
            false,
            &mut out,
        );
        check_feed_url(
            "b",
            "http://peer.example/v1/federation/feed",
            false,
            &mut out,
        );
        check_feed_url(
            "c",
            "http://peer.example/v1/federation/feed",
            true,
            &mut out,
        );
        check_feed_url("d", " ", true, &mut out);
        check_feed_url("e", "https://user@peer.example/feed", false, &mut out);
        check_feed_url("f", "https://peer.example/feed#top", false, &mut out);
        check_pinned_keys("g", std::slice::from_ref(&kid), &mut out);
        check_pinned_keys("h", &[], &mut out);
        check_pinned_keys("i", &[kid.clone(), "short".into(), kid.clone()], &mut out);
        check_pinned_keys("j", &vec![kid.clone(); 11], &mut out);
        check_peer_display_name("k", "Zaragoza", &mut out);
        check_peer_display_name("l", "two\nlines", &mut out);
        check_peer_display_name("m", &"x".repeat(201), &mut out);
        let fields: Vec<_> = out.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields[..7],
            ["b", "d", "e", "f", "h", "i[1]", "i[2]"],
            "{out:?}"
        );
        assert_eq!(fields[7], "j");
        assert_eq!(fields[fields.len() - 2..], ["l", "m"]);
    }
}
