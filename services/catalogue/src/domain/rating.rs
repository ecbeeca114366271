//! Ratings: one per user per interlinker, 1 to 5, with an exact average.

use super::Violation;

/// Longest title.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest text.
pub const MAX_TEXT_CHARS: usize = 5_000;

/// Checks a rating's fields; `path` prefixes them.
pub fn check(path: &str, value: i32, title: &str, text: &str) -> Vec<Violation> {
    let mut out = Vec::new();
    if !(1..=5).contains(&value) {
        out.push(Violation::new(
            format!("{path}.value"),
            "must be between 1 and 5",
        ));
    }
    interlink_runtime::validation::check_line(
        &format!("{path}.title"),
        title,
        false,
        MAX_TITLE_CHARS,
        &mut out,
    );
    interlink_runtime::validation::check_paragraphs(
        &format!("{path}.text"),
        text,
        MAX_TEXT_CHARS,
        &mut out,
    );
    out
}

/// The exact average of ratings summing to `sum` over `count`; 0 when
/// unrated.
pub fn average(sum: i64, count: i64) -> f64 {
    if count <= 0 {
        0.0
    } else {
        sum as f64 / count as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_outside_one_to_five_are_refused() {
        assert!(check("r", 1, "", "").is_empty());
        assert!(check("r", 5, "t", "x").is_empty());
        for bad in [0, 6, -1] {
            assert_eq!(check("r", bad, "", "")[0].field, "r.value");
        }
        let long = "x".repeat(201);
        assert_eq!(check("r", 3, &long, "")[0].field, "r.title");
    }

    #[test]
    fn average_is_exact() {
        assert_eq!(average(0, 0), 0.0);
        assert_eq!(average(7, 2), 3.5);
        assert_eq!(average(13, 3), 13.0 / 3.0);
    }
}
