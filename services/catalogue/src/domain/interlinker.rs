//! Interlinkers: the catalogue's reusable enablers, their closed
//! vocabularies, and the rules an entry meets as a draft and when published.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Text, Violation, check_text, check_uri};

/// A closed vocabulary stored and exchanged by its lower-case names.
pub trait Label: Sized + Copy + 'static {
    /// Every value, in order.
    const ALL: &'static [Self];
    /// The stored name (`very_easy`).
    fn as_str(self) -> &'static str;
    /// The value named `name`.
    fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == name)
    }
}

macro_rules! labels {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl Label for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
    };
}

labels!(
    /// The four natures of interlinkers.
    Nature {
        /// Software run for the process.
        Software = "software",
        /// A document or template cloned when used.
        Knowledge = "knowledge",
        /// Knowledge published elsewhere.
        ExternalKnowledge = "external_knowledge",
        /// Software run elsewhere.
        ExternalSoftware = "external_software",
    }
);

labels!(
    /// Where an entry is in its life.
    State {
        /// Editors only.
        Draft = "draft",
        /// Visible and searchable.
        Published = "published",
        /// Readable by name, out of search.
        Deprecated = "deprecated",
    }
);

labels!(
    /// Licence families.
    Licence {
        /// No rights reserved.
        PublicDomain = "public_domain",
        /// MIT, Apache, CC BY …
        Permissive = "permissive",
        /// GPL, CC BY-SA …
        Copyleft = "copyleft",
        /// CC BY-NC …
        NonCommercial = "non_commercial",
        /// All rights reserved.
        Proprietary = "proprietary",
    }
);

labels!(
    /// How hard an entry is to use.
    Difficulty {
        /// Anyone, at once.
        VeryEasy = "very_easy",
        /// Little guidance.
        Easy = "easy",
        /// Some experience.
        Medium = "medium",
        /// Training needed.
        Difficult = "difficult",
        /// Experts.
        VeryDifficult = "very_difficult",
    }
);

labels!(
    /// The administrative levels an entry suits.
    Scope {
        /// European.
        Eu = "eu",
        /// A state's.
        National = "national",
        /// A municipality's or region's.
        Local = "local",
    }
);

labels!(
    /// The shape of an entry.
    Form {
        /// A visual template.
        VisualTemplate = "visual_template",
        /// A document to fill in.
        DocumentTemplate = "document_template",
        /// A canvas.
        Canvas = "canvas",
        /// Guidance.
        Guidelines = "guidelines",
        /// A list to check.
        Checklist = "checklist",
        /// A questionnaire.
        SurveyTemplate = "survey_template",
        /// An agreement to adapt.
        LegalAgreementTemplate = "legal_agreement_template",
        /// A tool.
        SoftwareTool = "software_tool",
        /// Data.
        Dataset = "dataset",
        /// Training.
        Course = "course",
    }
);

labels!(
    /// The file format of an entry.
    Format {
        /// PDF.
        Pdf = "pdf",
        /// Word processor or spreadsheet files.
        EditableDocument = "editable_document",
        /// OpenDocument.
        OpenDocument = "open_document",
        /// JSON, CSV, XML …
        StructuredFormat = "structured_format",
        /// Software.
        Software = "software",
    }
);

labels!(
    /// How a software interlinker is provided.
    SupportMode {
        /// Hosted.
        Saas = "saas",
        /// Run by the PA.
        OnPremise = "on_premise",
        /// Installed by each user.
        InstalledApp = "installed_app",
    }
);

labels!(
    /// What the platform may do with a software interlinker's assets.
    Capability {
        /// Create one.
        Instantiate = "instantiate",
        /// Show one.
        View = "view",
        /// Change one.
        Edit = "edit",
        /// Copy one.
        Clone = "clone",
        /// Remove one.
        Delete = "delete",
        /// Export one.
        Download = "download",
        /// Show a preview.
        Preview = "preview",
        /// Show its pages inside the platform's window.
        OpenInModal = "open_in_modal",
    }
);

labels!(
    /// Whether a software interlinker answers.
    SoftwareStatus {
        /// Working.
        On = "on",
        /// Switched off.
        Off = "off",
        /// Registered, integration broken.
        Dangling = "dangling",
    }
);

/// The target hierarchy: each path's ancestors are in the list too.
pub const TARGETS: &[&str] = &[
    "all",
    "all/citizens",
    "all/citizens/expert_citizens",
    "all/citizens/non_expert_citizens",
    "all/pas",
    "all/pas/public_servants",
    "all/pas/politicians",
    "all/businesses",
    "all/businesses/smes",
    "all/businesses/large_enterprises",
    "all/businesses/startups",
    "all/third_sector",
    "all/third_sector/ngos",
    "all/third_sector/social_enterprises",
    "all/researchers",
];

/// Service types and their sub-types.
pub const TYPES: &[&str] = &[
    "enabling_services",
    "enabling_services/implementing_software_and_artifacts",
    "enabling_services/operation_services",
    "enhancing_services",
    "enhancing_services/onboarding_services",
    "enhancing_services/follow_up_services",
    "enhancing_services/incentives_and_rewards_services",
];

/// The nature's own fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Details {
    /// For [`Nature::Software`].
    Software {
        /// How it is provided.
        support: Option<SupportMode>,
        /// https:// base URL of its integration API.
        endpoint_uri: String,
        /// What it can do.
        capabilities: Vec<Capability>,
        /// Whether it answers.
        status: Option<SoftwareStatus>,
    },
    /// For [`Nature::Knowledge`].
    Knowledge {
        /// Id of the software interlinker that edits it.
        software_interlinker: String,
        /// Per language tag, the URI of the asset cloned when used.
        genesis_assets: BTreeMap<String, String>,
    },
    /// For the two external natures.
    External {
        /// Where it lives.
        uri: String,
    },
}

impl Details {
    /// Whether these are the fields of `nature`.
    pub fn fits(&self, nature: Nature) -> bool {
        matches!(
            (self, nature),
            (Details::Software { .. }, Nature::Software)
                | (Details::Knowledge { .. }, Nature::Knowledge)
                | (
                    Details::External { .. },
                    Nature::ExternalKnowledge | Nature::ExternalSoftware
                )
        )
    }
}

/// Everything an editor writes about an interlinker (stored as one JSON
/// document; the lifecycle, owner and counters live beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fields {
    /// Name per language.
    pub title: Text,
    /// Per language.
    pub description: Text,
    /// Per language.
    pub constraints_and_limitations: Text,
    /// Per language.
    pub regulations_and_standards: Text,
    /// Per language.
    pub instructions: Text,
    /// Each tag with its translations.
    pub tags: Vec<Text>,
    /// Languages it is available in.
    pub languages: Vec<String>,
    /// Its licence.
    pub licence: Option<Licence>,
    /// Problem profile codes.
    pub problem_profiles: Vec<String>,
    /// How hard it is.
    pub difficulty: Option<Difficulty>,
    /// Paths of [`TARGETS`].
    pub targets: Vec<String>,
    /// Paths of [`TYPES`].
    pub types: Vec<String>,
    /// Administrative levels.
    pub scopes: Vec<Scope>,
    /// Its shape.
    pub form: Option<Form>,
    /// Its file format.
    pub format: Option<Format>,
    /// https:// URL or empty.
    pub logo_uri: String,
    /// https:// URLs.
    pub snapshot_uris: Vec<String>,
    /// The nature's own fields.
    pub details: Option<Details>,
    /// Shared with federated deployments while published.
    #[serde(default)]
    pub shared: bool,
    /// Set on a mirror of another deployment's entry (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// Set on an entry adopted from a mirror.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopted_from: Option<Origin>,
}

/// Where an entry came from: another deployment that shares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// `peers/{id}` of the federation service.
    pub peer: String,
    /// The deployment's issuer (public URL).
    pub deployment: String,
    /// Its name for people.
    pub deployment_name: String,
    /// The entry's name there.
    pub name: String,
    /// Its version there.
    pub version: i64,
    /// The signed entry it came in (JWS).
    pub signature: String,
}

/// Longest title, per language.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest long text (description …), per language.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Longest tag, per language.
pub const MAX_TAG_CHARS: usize = 60;
/// Most tags.
pub const MAX_TAGS: usize = 30;
/// Most entries in any other list field.
pub const MAX_LIST: usize = 50;

/// What a check needs to know beyond the entry.
#[derive(Debug, Clone, Copy)]
pub struct Known<'a> {
    /// The problem profile codes that exist.
    pub problem_profiles: &'a BTreeSet<String>,
}

/// Checks `fields` of an entry of `nature`; `path` prefixes every field
/// (`interlinker`). With `publishing`, also what a published entry needs:
/// a description, languages, licence and difficulty.
pub fn check(
    path: &str,
    nature: Nature,
    fields: &Fields,
    known: Known<'_>,
    publishing: bool,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let p = |f: &str| format!("{path}.{f}");
    check_text(&p("title"), &fields.title, true, MAX_TITLE_CHARS, &mut out);
    for (name, text) in [
        ("description", &fields.description),
        (
            "constraints_and_limitations",
            &fields.constraints_and_limitations,
        ),
        (
            "regulations_and_standards",
            &fields.regulations_and_standards,
        ),
        ("instructions", &fields.instructions),
    ] {
        check_text(
            &p(name),
            text,
            publishing && name == "description",
            MAX_TEXT_CHARS,
            &mut out,
        );
    }
    if fields.tags.len() > MAX_TAGS {
        out.push(Violation::new(
            p("tags"),
            format!("has more than {MAX_TAGS} tags"),
        ));
    }
    for (i, tag) in fields.tags.iter().enumerate() {
        check_text(
            &p(&format!("tags[{i}]")),
            tag,
            true,
            MAX_TAG_CHARS,
            &mut out,
        );
    }
    check_list(&p("languages"), &fields.languages, &mut out, |l| {
        interlink_runtime::text::is_language_tag(l)
            .then_some(())
            .ok_or("is not a language tag such as en, es, it or lv")
    });
    if publishing && fields.languages.is_empty() {
        out.push(Violation::new(
            p("languages"),
            "needs at least one language",
        ));
    }
    check_list(
        &p("problem_profiles"),
        &fields.problem_profiles,
        &mut out,
        |c| {
            known
                .problem_profiles
                .contains(c)
                .then_some(())
                .ok_or("is not a known problem profile code")
        },
    );
    check_list(&p("targets"), &fields.targets, &mut out, |t| {
        TARGETS
            .contains(&t.as_str())
            .then_some(())
            .ok_or("is not a target such as all/pas/public_servants")
    });
    check_list(&p("types"), &fields.types, &mut out, |t| {
        TYPES
            .contains(&t.as_str())
            .then_some(())
            .ok_or("is not a type such as enabling_services/operation_services")
    });
    if publishing && fields.licence.is_none() {
        out.push(Violation::new(p("licence"), "is required to publish"));
    }
    if publishing && fields.difficulty.is_none() {
        out.push(Violation::new(p("difficulty"), "is required to publish"));
    }
    if has_duplicates(&fields.scopes) {
        out.push(Violation::new(
            p("administrative_scopes"),
            "lists a value twice",
        ));
    }
    if !fields.logo_uri.is_empty() {
        check_uri(&p("logo_uri"), &fields.logo_uri, &mut out);
    }
    if fields.snapshot_uris.len() > MAX_LIST {
        out.push(Violation::new(
            p("snapshot_uris"),
            format!("has more than {MAX_LIST} entries"),
        ));
    }
    for (i, uri) in fields.snapshot_uris.iter().enumerate() {
        if uri.is_empty() {
            out.push(Violation::new(
                p(&format!("snapshot_uris[{i}]")),
                "is required",
            ));
        } else {
            check_uri(&p(&format!("snapshot_uris[{i}]")), uri, &mut out);
        }
    }
    check_details(path, nature, fields, publishing, &mut out);
    out
}

fn check_details(
    path: &str,
    nature: Nature,
    fields: &Fields,
    publishing: bool,
    out: &mut Vec<Violation>,
) {
    let field = match nature {
        Nature::Software => "software",
        Nature::Knowledge => "knowledge",
        Nature::ExternalKnowledge | Nature::ExternalSoftware => "external",
    };
    let p = |f: &str| format!("{path}.{field}.{f}");
    match &fields.details {
        None => out.push(Violation::new(
            format!("{path}.{field}"),
            format!("is required for a {} interlinker", nature.as_str()),
        )),
        Some(details) if !details.fits(nature) => out.push(Violation::new(
            format!("{path}.{field}"),
            format!(
                "is required for a {} interlinker, and no other nature's details",
                nature.as_str()
            ),
        )),
        Some(Details::Software {
            support,
            endpoint_uri,
            capabilities,
            status,
        }) => {
            if endpoint_uri.is_empty() {
                if publishing {
                    out.push(Violation::new(p("endpoint_uri"), "is required to publish"));
                }
            } else {
                check_uri(&p("endpoint_uri"), endpoint_uri, out);
            }
            if has_duplicates(capabilities) {
                out.push(Violation::new(p("capabilities"), "lists a value twice"));
            }
            if publishing && support.is_none() {
                out.push(Violation::new(p("support"), "is required to publish"));
            }
            if publishing && status.is_none() {
                out.push(Violation::new(p("status"), "is required to publish"));
            }
        }
        Some(Details::Knowledge {
            software_interlinker,
            genesis_assets,
        }) => {
            if software_interlinker.is_empty() && publishing {
                out.push(Violation::new(
                    p("software_interlinker"),
                    "is required to publish",
                ));
            }
            if genesis_assets.len() > interlink_runtime::validation::MAX_LANGUAGES {
                out.push(Violation::new(
                    p("genesis_assets"),
                    format!(
                        "has more than {} languages",
                        interlink_runtime::validation::MAX_LANGUAGES
                    ),
                ));
            }
            for (language, uri) in genesis_assets {
                let field = p(&format!("genesis_assets[{language}]"));
                if !interlink_runtime::text::is_language_tag(language) {
                    out.push(Violation::new(field, "is not a language tag"));
                } else if uri.is_empty() {
                    out.push(Violation::new(field, "is required"));
                } else {
                    check_uri(&field, uri, out);
                }
            }
        }
        Some(Details::External { uri }) => {
            if uri.is_empty() {
                out.push(Violation::new(p("uri"), "is required"));
            } else {
                check_uri(&p("uri"), uri, out);
            }
        }
    }
}

fn has_duplicates<T: Ord>(values: &[T]) -> bool {
    let mut seen = BTreeSet::new();
    !values.iter().all(|v| seen.insert(v))
}

fn check_list(
    field: &str,
    values: &[String],
    out: &mut Vec<Violation>,
    valid: impl Fn(&String) -> Result<(), &'static str>,
) {
    if values.len() > MAX_LIST {
        out.push(Violation::new(
            field,
            format!("has more than {MAX_LIST} entries"),
        ));
        return;
    }
    let mut seen = BTreeSet::new();
    for (i, value) in values.iter().enumerate() {
        if let Err(reason) = valid(value) {
            out.push(Violation::new(format!("{field}[{i}]"), reason));
        } else if !seen.insert(value) {
            out.push(Violation::new(format!("{field}[{i}]"), "is listed twice"));
        }
    }
}

/// Where a lifecycle move may go from `from`.
pub fn transition(from: State, to: State) -> Result<(), String> {
    match (from, to) {
        (State::Draft | State::Deprecated, State::Published) => Ok(()),
        (State::Published, State::Deprecated) => Ok(()),
        (from, to) => Err(format!(
            "a {} interlinker cannot become {}",
            from.as_str(),
            to.as_str()
        )),
    }
}

/// Every target in `targets` with its ancestors (`all/pas/x` → `all`,
/// `all/pas`, `all/pas/x`), once each.
pub fn with_ancestors(targets: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for target in targets {
        let mut end = 0;
        for (i, c) in target.char_indices() {
            if c == '/' {
                out.insert(target[..i].to_owned());
            }
            end = i + c.len_utf8();
        }
        out.insert(target[..end].to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(en: &str) -> Text {
        BTreeMap::from([("en".to_owned(), en.to_owned())])
    }

    fn software() -> Fields {
        Fields {
            title: text("Collaborative editor"),
            description: text("Write documents together"),
            constraints_and_limitations: Text::new(),
            regulations_and_standards: Text::new(),
            instructions: Text::new(),
            tags: vec![text("editor")],
            languages: vec!["en".into()],
            licence: Some(Licence::Copyleft),
            problem_profiles: vec!["org-01".into()],
            difficulty: Some(Difficulty::Easy),
            targets: vec!["all/pas".into()],
            types: vec!["enabling_services".into()],
            scopes: vec![Scope::Local],
            form: Some(Form::SoftwareTool),
            format: Some(Format::Software),
            logo_uri: String::new(),
            snapshot_uris: Vec::new(),
            shared: false,
            origin: None,
            adopted_from: None,
            details: Some(Details::Software {
                support: Some(SupportMode::Saas),
                endpoint_uri: "https://editor.example.org".into(),
                capabilities: vec![Capability::Instantiate, Capability::Edit],
                status: Some(SoftwareStatus::On),
            }),
        }
    }

    fn profiles() -> BTreeSet<String> {
        BTreeSet::from(["org-01".to_owned()])
    }

    fn fields_of(violations: Vec<Violation>) -> Vec<String> {
        violations.into_iter().map(|v| v.field).collect()
    }

    #[test]
    fn a_complete_entry_passes_as_draft_and_for_publishing() {
        let known = Known {
            problem_profiles: &profiles(),
        };
        assert_eq!(check("i", Nature::Software, &software(), known, false), []);
        assert_eq!(check("i", Nature::Software, &software(), known, true), []);
    }

    #[test]
    fn publishing_needs_more_than_a_draft() {
        let profiles = profiles();
        let known = Known {
            problem_profiles: &profiles,
        };
        let mut draft = software();
        draft.description.clear();
        draft.languages.clear();
        draft.licence = None;
        draft.difficulty = None;
        draft.details = Some(Details::Software {
            support: None,
            endpoint_uri: String::new(),
            capabilities: Vec::new(),
            status: None,
        });
        assert_eq!(check("i", Nature::Software, &draft, known, false), []);
        assert_eq!(
            fields_of(check("i", Nature::Software, &draft, known, true)),
            [
                "i.description",
                "i.languages",
                "i.licence",
                "i.difficulty",
                "i.software.endpoint_uri",
                "i.software.support",
                "i.software.status"
            ]
        );
    }

    #[test]
    fn bad_values_are_named() {
        let profiles = profiles();
        let known = Known {
            problem_profiles: &profiles,
        };
        let mut bad = software();
        bad.title.clear();
        bad.languages = vec!["english".into(), "en".into(), "en".into()];
        bad.problem_profiles = vec!["nope".into()];
        bad.targets = vec!["all/robots".into()];
        bad.types = vec!["services".into()];
        bad.scopes = vec![Scope::Eu, Scope::Eu];
        bad.logo_uri = "ftp://files.example.org/logo.png".into();
        bad.tags = vec![Text::new()];
        assert_eq!(
            fields_of(check("i", Nature::Software, &bad, known, false)),
            [
                "i.title",
                "i.tags[0]",
                "i.languages[0]",
                "i.languages[2]",
                "i.problem_profiles[0]",
                "i.targets[0]",
                "i.types[0]",
                "i.administrative_scopes",
                "i.logo_uri"
            ]
        );
    }

    #[test]
    fn details_must_match_the_nature() {
        let profiles = profiles();
        let known = Known {
            problem_profiles: &profiles,
        };
        let entry = software();
        assert_eq!(
            fields_of(check("i", Nature::Knowledge, &entry, known, false)),
            ["i.knowledge"]
        );
        let mut external = software();
        external.details = Some(Details::External {
            uri: "ftp://x".into(),
        });
        assert_eq!(
            fields_of(check(
                "i",
                Nature::ExternalSoftware,
                &external,
                known,
                false
            )),
            ["i.external.uri"]
        );
        external.details = None;
        assert_eq!(
            fields_of(check(
                "i",
                Nature::ExternalKnowledge,
                &external,
                known,
                false
            )),
            ["i.external"]
        );
    }

    #[test]
    fn lifecycle_moves() {
        assert!(transition(State::Draft, State::Published).is_ok());
        assert!(transition(State::Published, State::Deprecated).is_ok());
        assert!(transition(State::Deprecated, State::Published).is_ok());
        assert!(transition(State::Draft, State::Deprecated).is_err());
        assert!(transition(State::Published, State::Published).is_err());
    }

    #[test]
    fn targets_expand_to_their_ancestors() {
        let got = with_ancestors(&["all/pas/public_servants".into(), "all/citizens".into()]);
        assert_eq!(
            got.into_iter().collect::<Vec<_>>(),
            ["all", "all/citizens", "all/pas", "all/pas/public_servants"]
        );
    }

    #[test]
    fn labels_round_trip() {
        for d in Difficulty::ALL {
            assert_eq!(Difficulty::parse(d.as_str()), Some(*d));
        }
        assert_eq!(Licence::parse("gpl"), None);
    }
}
