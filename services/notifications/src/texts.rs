//! The notifications' texts in the platform's four languages (Fluent
//! templates, one message per kind), rendered when read, in the reader's
//! language, with the names of today (a renamed team shows its new name).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::store::{Names, Row};

/// A language the texts are written in.
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

impl Lang {
    /// Every language.
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

    /// The language of a tag (`es`, `es-ES` …), by its primary subtag.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or("").trim();
        Lang::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(primary))
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
        Lang::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }

    /// The message `id` in this language (English when this language lacks
    /// it, the id itself when English does too).
    pub fn message(self, id: &str, args: Option<&FluentArgs>) -> String {
        [self, Lang::En]
            .into_iter()
            .find_map(|lang| format(&BUNDLES[lang.index()], id, args))
            .unwrap_or_else(|| {
                tracing::error!(id, "no such message");
                id.to_owned()
            })
    }

    /// The message `id` with `args`.
    pub fn message_with(self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            fluent.set(*name, value.clone());
        }
        self.message(id, Some(&fluent))
    }

    /// Of a text in several languages, this one's, else English's, else
    /// any.
    pub fn pick(self, texts: &BTreeMap<String, String>) -> Option<String> {
        texts
            .get(self.tag())
            .or_else(|| texts.get("en"))
            .or_else(|| texts.values().next())
            .filter(|t| !t.is_empty())
            .cloned()
    }
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
    // Plain text for pages, mails and feeds: no isolation marks.
    bundle.set_use_isolating(false);
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

/// The text of a notification in `lang`, with today's names.
pub fn title(lang: Lang, row: &Row, names: &Names) -> String {
    let mut args = FluentArgs::new();
    let actor = names
        .people
        .get(&row.actor)
        .cloned()
        .unwrap_or_else(|| lang.message("someone", None));
    args.set("actor", FluentValue::from(actor));
    let team = names
        .teams
        .get(&row.team)
        .and_then(|t| lang.pick(t))
        .unwrap_or_else(|| lang.message("a-team", None));
    args.set("team", FluentValue::from(team));
    let process = names
        .processes
        .get(&row.process)
        .filter(|t| !t.is_empty())
        .cloned()
        .unwrap_or_else(|| lang.message("a-process", None));
    args.set("process", FluentValue::from(process));
    // `none` selects the variant without an item.
    let item = if row.item.is_empty() {
        "none".to_owned()
    } else {
        names
            .items
            .get(&row.item)
            .and_then(|t| lang.pick(t))
            .unwrap_or_else(|| lang.message("a-task", None))
    };
    args.set("item", FluentValue::from(item));
    for (name, value) in &row.args {
        if let Some(text) = value.as_str() {
            args.set(name.clone(), FluentValue::from(text.to_owned()));
        }
    }
    lang.message(&row.kind, Some(&args))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Kind;

    fn ids(lang: Lang) -> Vec<String> {
        if let Err((_, errors)) = FluentResource::try_new(lang.source().to_owned()) {
            panic!("{}.ftl does not parse: {errors:?}", lang.tag());
        }
        lang.source()
            .lines()
            .filter_map(|l| l.split_once(" =").map(|(id, _)| id))
            .filter(|id| !id.starts_with([' ', '#']) && !id.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_language_has_every_message_and_every_kind_has_one() {
        let english = ids(Lang::En);
        for kind in Kind::ALL {
            assert!(english.iter().any(|id| id == kind.code()), "{kind:?}");
        }
        for lang in Lang::ALL {
            let mut theirs = ids(lang);
            theirs.sort();
            let mut ours = english.clone();
            ours.sort();
            assert_eq!(theirs, ours, "{}", lang.tag());
        }
    }

    fn row(kind: Kind, item: &str) -> Row {
        Row {
            seq: 1,
            id: String::new(),
            kind: kind.code().into(),
            target: String::new(),
            link: String::new(),
            team: "t".into(),
            process: "p".into(),
            item: item.into(),
            actor: "a".into(),
            args: serde_json::Map::new(),
            created_at: 0,
            seen: false,
            archived: false,
            event_id: String::new(),
        }
    }

    #[test]
    fn texts_name_things_in_the_readers_language_and_fall_back() {
        let mut names = Names::default();
        names.teams.insert(
            "t".into(),
            [
                ("en".into(), "Mobility".into()),
                ("es".into(), "Movilidad".into()),
            ]
            .into(),
        );
        names.people.insert("a".into(), "Ana".into());
        let added = row(Kind::TeamMemberAdded, "");
        assert_eq!(
            title(Lang::En, &added, &names),
            "Ana added you to the team Mobility."
        );
        assert_eq!(
            title(Lang::Es, &added, &names),
            "Ana te ha añadido al equipo Movilidad."
        );
        // Italian has no name of its own: English's.
        assert_eq!(
            title(Lang::It, &added, &names),
            "Ana ti ha aggiunto al gruppo Mobility."
        );
        // Unknown people and teams are named generically.
        assert_eq!(
            title(Lang::En, &added, &Names::default()),
            "Someone added you to the team a team."
        );
        let mut decided = row(Kind::ApplicationDecided, "");
        decided.args.insert("decision".into(), "accepted".into());
        assert!(title(Lang::Lv, &decided, &names).contains("pieņemts"));
        decided.args.insert("decision".into(), "rejected".into());
        assert!(title(Lang::Lv, &decided, &names).contains("noraidīts"));
        names.processes.insert("p".into(), "Bike lanes".into());
        assert_eq!(
            title(Lang::En, &row(Kind::TeamGranted, ""), &names),
            "Your team Mobility was given the process Bike lanes."
        );
    }
}
