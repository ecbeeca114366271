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

#[cfg(test)]
mod tests {
    use super::*;

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
