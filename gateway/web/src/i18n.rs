//! The four languages of the pages (the pilots': English, Spanish, Italian,
//! Latvian), their Fluent messages, and which one a request gets: the
//! visitor's choice (a cookie), then `Accept-Language`, then the
//! deployment's default.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English, the fallback of every message.
    En,
    /// Spanish.
    Es,
    /// Italian.
    It,
    /// Latvian.
    Lv,
}

/// The name of the cookie that keeps the visitor's choice.
pub const LANG_COOKIE: &str = "interlink_lang";

impl Lang {
    /// Every language, in the order the switcher shows them.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Es, Lang::It, Lang::Lv];

    /// Its BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::It => "it",
            Lang::Lv => "lv",
        }
    }

    /// Its name in itself, as a language switcher shows it.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
            Lang::It => "Italiano",
            Lang::Lv => "Latviešu",
        }
    }

    /// The language of a tag (`es`, `es-ES`, `ES` …), by its primary subtag.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or("").trim();
        Lang::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(primary))
    }

    /// The most wanted language of an `Accept-Language` header that the
    /// pages have (the first of equal weights), if any.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = Lang::from_tag(parts.next().unwrap_or("")) else {
                continue;
            };
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q=")?.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    /// The language for a request: the cookie's, then the header's, then
    /// `default`.
    pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>, default: Lang) -> Lang {
        cookie
            .and_then(Lang::from_tag)
            .or_else(|| accept_language.and_then(Lang::from_accept_language))
            .unwrap_or(default)
    }

    fn source(self) -> &'static str {
        match self {
            Lang::En => include_str!("../locales/en.ftl"),
            Lang::Es => include_str!("../locales/es.ftl"),
            Lang::It => include_str!("../locales/it.ftl"),
            Lang::Lv => include_str!("../locales/lv.ftl"),
        }
    }

    fn index(self) -> usize {
        match self {
            Lang::En => 0,
            Lang::Es => 1,
            Lang::It => 2,
            Lang::Lv => 3,
        }
    }

    /// The message `id` in this language (English when this language
    /// lacks it, the id itself when English does too), with `args`.
    pub fn message(self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let args = (!args.is_empty()).then(|| {
            let mut fluent = FluentArgs::new();
            for (name, value) in args {
                fluent.set(*name, value.clone());
            }
            fluent
        });
        [self, Lang::En]
            .into_iter()
            .find_map(|lang| format(&BUNDLES[lang.index()], id, args.as_ref()))
            .unwrap_or_else(|| {
                tracing::error!(id, "no such message");
                id.to_owned()
            })
    }

    /// `n` written as this language writes numbers (digit groups and the
    /// decimal comma where it has them).
    pub fn number(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let (separator, min_digits) = match self {
            Lang::En => (",", 4),
            // Spanish groups only from five digits (CLDR's minimum grouping).
            Lang::Es => (".", 5),
            Lang::It => (".", 4),
            Lang::Lv => ("\u{a0}", 4),
        };
        let mut out = String::new();
        if n < 0 {
            out.push('-');
        }
        if digits.len() < min_digits {
            out.push_str(&digits);
            return out;
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(separator);
            }
            out.push(c);
        }
        out
    }
}

impl Lang {
    /// `value` with one decimal, as this language writes it (`4.5`, `4,5`).
    pub fn decimal(self, value: f64) -> String {
        let text = format!("{:.1}", (value * 10.0).round() / 10.0);
        match self {
            Lang::En => text,
            Lang::Es | Lang::It | Lang::Lv => text.replace('.', ","),
        }
    }

    /// The calendar day of `seconds` since the Unix epoch (UTC), as this
    /// language writes a date in running text (CLDR's long date).
    pub fn date(self, seconds: i64) -> String {
        let (year, month, day) = civil_date(seconds.div_euclid(86_400));
        let index = usize::try_from(month.saturating_sub(1))
            .unwrap_or(0)
            .min(11);
        match self {
            Lang::En => format!("{day} {} {year}", MONTHS_EN[index]),
            Lang::Es => format!("{day} de {} de {year}", MONTHS_ES[index]),
            Lang::It => format!("{day} {} {year}", MONTHS_IT[index]),
            Lang::Lv => format!("{year}. gada {day}. {}", MONTHS_LV[index]),
        }
    }
}

impl Lang {
    /// The day and short month of `days` since the Unix epoch, for a
    /// chart's axis (`9 Mar`, `9 mar`, `9. marts`).
    pub fn day_month(self, days: i64) -> String {
        let (_, month, day) = civil_date(days);
        let month = self.short_month(month);
        match self {
            Lang::Lv => format!("{day}. {month}"),
            _ => format!("{day} {month}"),
        }
    }

    /// The short name of `month` (1–12), for a chart's axis.
    pub fn short_month(self, month: u32) -> &'static str {
        let index = usize::try_from(month.saturating_sub(1))
            .unwrap_or(0)
            .min(11);
        match self {
            Lang::En => SHORT_MONTHS_EN[index],
            Lang::Es => SHORT_MONTHS_ES[index],
            Lang::It => SHORT_MONTHS_IT[index],
            Lang::Lv => SHORT_MONTHS_LV[index],
        }
    }
}

/// The (year, month, day) of `days` since the Unix epoch.
pub(crate) fn ymd(days: i64) -> (i64, u32, u32) {
    civil_date(days)
}

const SHORT_MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const SHORT_MONTHS_ES: [&str; 12] = [
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
];
const SHORT_MONTHS_IT: [&str; 12] = [
    "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic",
];
const SHORT_MONTHS_LV: [&str; 12] = [
    "janv.", "febr.", "marts", "apr.", "maijs", "jūn.", "jūl.", "aug.", "sept.", "okt.", "nov.",
    "dec.",
];

/// The calendar day of `seconds` since the Unix epoch (UTC) as
/// `YYYY-MM-DD`, for `<time datetime>`.
pub(crate) fn iso_date(seconds: i64) -> String {
    let (year, month, day) = civil_date(seconds.div_euclid(86_400));
    format!("{year:04}-{month:02}-{day:02}")
}

/// The Unix time of the start (UTC) of the day `YYYY-MM-DD`, as a date
/// input sends it; `None` when it is not a real date.
pub(crate) fn parse_iso_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    // Howard Hinnant's `days_from_civil`.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let m = i64::from(month);
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    // 31 February and the like come back as another day: refused.
    (civil_date(days) == (year, month, day)).then_some(days * 86_400)
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const MONTHS_IT: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];
/// Latvian names the month in the nominative after the day's ordinal
/// (`2026. gada 5. decembris`).
const MONTHS_LV: [&str; 12] = [
    "janvāris",
    "februāris",
    "marts",
    "aprīlis",
    "maijs",
    "jūnijs",
    "jūlijs",
    "augusts",
    "septembris",
    "oktobris",
    "novembris",
    "decembris",
];

/// The (year, month, day) of a count of days since 1970-01-01, in the
/// proleptic Gregorian calendar (Howard Hinnant's `civil_from_days`).
fn civil_date(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

fn format(
    bundle: &FluentBundle<FluentResource>,
    id: &str,
    args: Option<&FluentArgs>,
) -> Option<String> {
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let text = bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned();
    if !errors.is_empty() {
        tracing::error!(id, ?errors, "a message did not format");
    }
    Some(text)
}

static BUNDLES: LazyLock<[FluentBundle<FluentResource>; 4]> =
    LazyLock::new(|| Lang::ALL.map(bundle));

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let tag: unic_langid::LanguageIdentifier = lang.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![tag]);
    // All four are written left to right: no isolation marks in the HTML.
    bundle.set_use_isolating(false);
    // The files are checked by the tests below; a broken one shows ids.
    match FluentResource::try_new(lang.source().to_owned()) {
        Ok(resource) => {
            if let Err(errors) = bundle.add_resource(resource) {
                tracing::error!(lang = lang.tag(), ?errors, "duplicate messages");
            }
        }
        Err((_, errors)) => {
            tracing::error!(lang = lang.tag(), ?errors, "a .ftl file does not parse")
        }
    }
    bundle
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(lang: Lang) -> Vec<String> {
        if let Err((_, errors)) = FluentResource::try_new(lang.source().to_owned()) {
            panic!("{}.ftl does not parse: {errors:?}", lang.tag());
        }
        // A message starts a line with its id and " =".
        let mut ids: Vec<String> = lang
            .source()
            .lines()
            .filter_map(|line| line.split_once(" ="))
            .map(|(id, _)| id)
            .filter(|id| !id.is_empty() && !id.starts_with([' ', '#', '*', '[']))
            .map(str::to_owned)
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn every_language_has_every_message() {
        let english = ids(Lang::En);
        assert!(english.len() > 20);
        for lang in Lang::ALL {
            assert_eq!(ids(lang), english, "{}.ftl", lang.tag());
        }
    }

    #[test]
    fn the_cookie_wins_then_the_header_then_the_default() {
        assert_eq!(Lang::negotiate(Some("lv"), Some("es"), Lang::En), Lang::Lv);
        assert_eq!(
            Lang::negotiate(Some("xx"), Some("es-ES,en;q=0.5"), Lang::En),
            Lang::Es
        );
        assert_eq!(
            Lang::negotiate(None, Some("de, it;q=0.4, es;q=0.8"), Lang::En),
            Lang::Es
        );
        assert_eq!(
            Lang::negotiate(None, Some("de, fr;q=0.9"), Lang::It),
            Lang::It
        );
        assert_eq!(
            Lang::negotiate(None, Some("es;q=0, lv;q=0.1"), Lang::En),
            Lang::Lv
        );
        assert_eq!(Lang::negotiate(None, None, Lang::Lv), Lang::Lv);
    }

    #[test]
    fn counts_take_each_language_plural_forms() {
        let count = |lang: Lang, n: i64| {
            lang.message(
                "results-count",
                &[
                    ("count", FluentValue::from(n)),
                    ("shown", FluentValue::from(lang.number(n))),
                ],
            )
        };
        assert_eq!(count(Lang::En, 0), "No interlinkers found");
        assert_eq!(count(Lang::En, 1), "1 interlinker found");
        assert_eq!(count(Lang::En, 1234), "1,234 interlinkers found");
        assert_eq!(count(Lang::Es, 1234), "Se han encontrado 1234 interlinkers");
        assert_eq!(
            count(Lang::Es, 12345),
            "Se han encontrado 12.345 interlinkers"
        );
        assert_eq!(count(Lang::It, 1), "1 interlinker trovato");
        assert_eq!(count(Lang::Lv, 0), "Neviens interlinkers nav atrasts");
        assert_eq!(count(Lang::Lv, 10), "Atrasti 10 interlinkeru");
        assert_eq!(count(Lang::Lv, 21), "Atrasts 21 interlinkers");
        assert_eq!(count(Lang::Lv, 1234), "Atrasti 1\u{a0}234 interlinkeri");
    }

    #[test]
    fn a_date_inputs_day_reads_back_as_the_same_day() {
        assert_eq!(parse_iso_date("2026-12-05"), Some(1_796_428_800));
        assert_eq!(parse_iso_date("1970-01-01"), Some(0));
        assert_eq!(
            parse_iso_date("2024-02-29").map(iso_date).as_deref(),
            Some("2024-02-29")
        );
        for bad in [
            "2026-02-30",
            "2025-02-29",
            "2026-13-01",
            "2026-00-10",
            "26-1",
            "",
            "x-1-2",
        ] {
            assert_eq!(parse_iso_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_and_decimals_are_written_as_each_language_writes_them() {
        // 2026-12-05 and 2024-02-29 (a leap day), at noon UTC.
        let december = 1_796_428_800 + 12 * 3600;
        assert_eq!(Lang::En.date(december), "5 December 2026");
        assert_eq!(Lang::Es.date(december), "5 de diciembre de 2026");
        assert_eq!(Lang::It.date(december), "5 dicembre 2026");
        assert_eq!(Lang::Lv.date(december), "2026. gada 5. decembris");
        assert_eq!(Lang::En.date(1_709_208_000), "29 February 2024");
        assert_eq!(Lang::En.date(0), "1 January 1970");
        assert_eq!(Lang::En.date(-1), "31 December 1969");
        assert_eq!(iso_date(december), "2026-12-05");
        assert_eq!(Lang::En.decimal(4.25), "4.3");
        assert_eq!(Lang::It.decimal(4.0), "4,0");
        assert_eq!(Lang::Lv.decimal(3.06), "3,1");
    }

    #[test]
    fn a_missing_message_falls_back_to_english_then_to_its_id() {
        assert_eq!(Lang::Lv.message("no-such-message", &[]), "no-such-message");
        assert_eq!(Lang::It.message("nav-catalogue", &[]), "Catalogo");
    }
}
