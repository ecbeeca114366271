//! Conversions between the protobuf messages and the domain and stored
//! types. Enumerations travel by name: the proto's `LICENCE_PERMISSIVE` is
//! the domain's `permissive`.

use interlink_proto::catalogue::v1 as pb;
use interlink_proto::common::v1::TranslatableText;
use interlink_runtime::api::timestamp;

use crate::domain::interlinker::{
    Capability, Details, Difficulty, Fields, Form, Format, Label, Licence, Nature, Scope,
    SoftwareStatus, State, SupportMode,
};
use crate::domain::rating::average;
use crate::domain::schema::{Item, ItemKind};
use crate::domain::{Text, Violation};
use crate::store::{EditorRow, InterlinkerRow, ProfileRow, RatingRow, SchemaRow, VersionRow};

/// The domain value of a proto enumeration value: `None` for unspecified,
/// a violation naming `field` for a number the proto does not define.
fn label<L: Label>(
    field: &str,
    prefix: &str,
    name: Option<&'static str>,
    value: i32,
    out: &mut Vec<Violation>,
) -> Option<L> {
    let Some(name) = name else {
        out.push(Violation::new(field, format!("unknown value {value}")));
        return None;
    };
    let short = name
        .strip_prefix(prefix)
        .unwrap_or(name)
        .to_ascii_lowercase();
    if short == "unspecified" {
        return None;
    }
    let parsed = L::parse(&short);
    if parsed.is_none() {
        out.push(Violation::new(field, format!("unknown value {name}")));
    }
    parsed
}

/// The proto enumeration value of a domain value.
fn number<L: Label, E: Into<i32>>(
    value: Option<L>,
    prefix: &str,
    from_name: fn(&str) -> Option<E>,
) -> i32 {
    value
        .and_then(|v| from_name(&format!("{prefix}{}", v.as_str().to_ascii_uppercase())))
        .map(Into::into)
        .unwrap_or(0)
}

macro_rules! enum_codec {
    ($from:ident, $to:ident, $label:ty, $proto:ty, $prefix:literal) => {
        pub(crate) fn $from(field: &str, value: i32, out: &mut Vec<Violation>) -> Option<$label> {
            let name = <$proto>::try_from(value).ok().map(|v| v.as_str_name());
            label(field, $prefix, name, value, out)
        }

        pub(crate) fn $to(value: Option<$label>) -> i32 {
            number(value, $prefix, <$proto>::from_str_name)
        }
    };
}

enum_codec!(nature_from, nature_to, Nature, pb::Nature, "NATURE_");
enum_codec!(
    state_from,
    state_to,
    State,
    pb::InterlinkerState,
    "INTERLINKER_STATE_"
);
enum_codec!(licence_from, licence_to, Licence, pb::Licence, "LICENCE_");
enum_codec!(
    difficulty_from,
    difficulty_to,
    Difficulty,
    pb::Difficulty,
    "DIFFICULTY_"
);
enum_codec!(
    scope_from,
    scope_to,
    Scope,
    pb::AdministrativeScope,
    "ADMINISTRATIVE_SCOPE_"
);
enum_codec!(form_from, form_to, Form, pb::Form, "FORM_");
enum_codec!(format_from, format_to, Format, pb::Format, "FORMAT_");
enum_codec!(
    support_from,
    support_to,
    SupportMode,
    pb::SupportMode,
    "SUPPORT_MODE_"
);
enum_codec!(
    capability_from,
    capability_to,
    Capability,
    pb::Capability,
    "CAPABILITY_"
);
enum_codec!(
    status_from,
    status_to,
    SoftwareStatus,
    pb::SoftwareStatus,
    "SOFTWARE_STATUS_"
);
enum_codec!(kind_from, kind_to, ItemKind, pb::ItemKind, "ITEM_KIND_");

impl Label for ItemKind {
    const ALL: &'static [Self] = &[ItemKind::Phase, ItemKind::Objective, ItemKind::Task];
    fn as_str(self) -> &'static str {
        match self {
            ItemKind::Phase => "phase",
            ItemKind::Objective => "objective",
            ItemKind::Task => "task",
        }
    }
}

/// The facet value of a stored label (`software` → `NATURE_SOFTWARE`).
pub(crate) fn facet_value(field: &str, value: &str) -> String {
    let prefix = match field {
        "nature" => "NATURE_",
        "difficulty" => "DIFFICULTY_",
        "licence" => "LICENCE_",
        _ => return value.to_owned(),
    };
    format!("{prefix}{}", value.to_ascii_uppercase())
}

/// Trimmed text per language.
pub(crate) fn text(value: &Option<TranslatableText>) -> Text {
    value
        .as_ref()
        .map(|t| {
            t.values
                .iter()
                .map(|(k, v)| (k.clone(), v.trim().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The proto form of text per language; absent when empty.
pub(crate) fn to_text(values: &Text) -> Option<TranslatableText> {
    (!values.is_empty()).then(|| TranslatableText {
        values: values.clone(),
    })
}

/// `interlinkers/{id}`.
pub(crate) fn interlinker_name(id: &str) -> String {
    format!("interlinkers/{id}")
}

/// The editable fields of `input`, and every enumeration value it got
/// wrong (fields prefixed with `path`).
pub(crate) fn fields_from(path: &str, input: &pb::Interlinker, out: &mut Vec<Violation>) -> Fields {
    let p = |f: &str| format!("{path}.{f}");
    // `*_UNSPECIFIED` is dropped from these lists, but listed twice it is
    // refused as any value twice is (the domain checks the others).
    let unspecified_twice = |values: &[i32]| values.iter().filter(|v| **v == 0).count() > 1;
    if unspecified_twice(&input.administrative_scopes) {
        out.push(Violation::new(
            p("administrative_scopes"),
            "lists a value twice",
        ));
    }
    if let Some(pb::interlinker::Details::Software(software)) = &input.details
        && unspecified_twice(&software.capabilities)
    {
        out.push(Violation::new(
            p("software.capabilities"),
            "lists a value twice",
        ));
    }
    // As sent: the services check values, they do not mend them.
    let list = |values: &[String]| values.to_vec();
    Fields {
        title: text(&input.title),
        description: text(&input.description),
        constraints_and_limitations: text(&input.constraints_and_limitations),
        regulations_and_standards: text(&input.regulations_and_standards),
        instructions: text(&input.instructions),
        tags: input.tags.iter().map(|t| text(&Some(t.clone()))).collect(),
        languages: list(&input.languages),
        licence: licence_from(&p("licence"), input.licence, out),
        problem_profiles: list(&input.problem_profiles),
        difficulty: difficulty_from(&p("difficulty"), input.difficulty, out),
        targets: list(&input.targets),
        types: list(&input.types),
        scopes: input
            .administrative_scopes
            .iter()
            .enumerate()
            .filter_map(|(i, s)| scope_from(&p(&format!("administrative_scopes[{i}]")), *s, out))
            .collect(),
        form: form_from(&p("form"), input.form, out),
        format: format_from(&p("format"), input.format, out),
        logo_uri: input.logo_uri.clone(),
        snapshot_uris: list(&input.snapshot_uris),
        details: input.details.as_ref().map(|d| details_from(path, d, out)),
        shared: input.shared,
        // Output only: set by the catalogue, never by a request.
        origin: None,
        adopted_from: None,
    }
}

fn details_from(
    path: &str,
    details: &pb::interlinker::Details,
    out: &mut Vec<Violation>,
) -> Details {
    use pb::interlinker::Details as D;
    match details {
        D::Software(s) => Details::Software {
            support: support_from(&format!("{path}.software.support"), s.support, out),
            endpoint_uri: s.endpoint_uri.clone(),
            capabilities: s
                .capabilities
                .iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    capability_from(&format!("{path}.software.capabilities[{i}]"), *c, out)
                })
                .collect(),
            status: status_from(&format!("{path}.software.status"), s.status, out),
        },
        D::Knowledge(k) => Details::Knowledge {
            software_interlinker: match k.software_interlinker.strip_prefix("interlinkers/") {
                _ if k.software_interlinker.is_empty() => String::new(),
                Some(id) if interlink_runtime::api::is_canonical_uuid(id) => id.to_owned(),
                _ => {
                    out.push(Violation::new(
                        format!("{path}.knowledge.software_interlinker"),
                        "must be a resource name `interlinkers/{id}`",
                    ));
                    String::new()
                }
            },
            genesis_assets: k
                .genesis_assets
                .iter()
                .map(|(l, u)| (l.clone(), u.clone()))
                .collect(),
        },
        D::External(e) => Details::External { uri: e.uri.clone() },
    }
}

fn details_to(details: &Details) -> pb::interlinker::Details {
    use pb::interlinker::Details as D;
    match details {
        Details::Software {
            support,
            endpoint_uri,
            capabilities,
            status,
        } => D::Software(pb::SoftwareDetails {
            support: support_to(*support),
            endpoint_uri: endpoint_uri.clone(),
            capabilities: capabilities
                .iter()
                .map(|c| capability_to(Some(*c)))
                .collect(),
            status: status_to(*status),
        }),
        Details::Knowledge {
            software_interlinker,
            genesis_assets,
        } => D::Knowledge(pb::KnowledgeDetails {
            software_interlinker: if software_interlinker.is_empty() {
                String::new()
            } else {
                interlinker_name(software_interlinker)
            },
            genesis_assets: genesis_assets.clone(),
        }),
        Details::External { uri } => D::External(pb::ExternalDetails { uri: uri.clone() }),
    }
}

/// The proto form of a stored interlinker.
pub(crate) fn interlinker_to(row: &InterlinkerRow) -> pb::Interlinker {
    let f = &row.fields;
    pb::Interlinker {
        name: interlinker_name(&row.id),
        nature: nature_to(Some(row.nature)),
        state: state_to(Some(row.state)),
        title: to_text(&f.title),
        description: to_text(&f.description),
        constraints_and_limitations: to_text(&f.constraints_and_limitations),
        regulations_and_standards: to_text(&f.regulations_and_standards),
        instructions: to_text(&f.instructions),
        tags: f
            .tags
            .iter()
            .map(|t| TranslatableText { values: t.clone() })
            .collect(),
        languages: f.languages.clone(),
        licence: licence_to(f.licence),
        problem_profiles: f.problem_profiles.clone(),
        difficulty: difficulty_to(f.difficulty),
        targets: f.targets.clone(),
        types: f.types.clone(),
        administrative_scopes: f.scopes.iter().map(|s| scope_to(Some(*s))).collect(),
        form: form_to(f.form),
        format: format_to(f.format),
        logo_uri: f.logo_uri.clone(),
        snapshot_uris: f.snapshot_uris.clone(),
        owner: person(&row.owner),
        rating_average: average(row.rating_sum, row.rating_count),
        rating_count: row.rating_count,
        adoption_count: row.adoption_count,
        create_time: Some(timestamp(row.created_at)),
        update_time: Some(timestamp(row.updated_at)),
        publish_time: row.published_at.map(timestamp),
        shared: f.shared,
        origin: f.origin.as_ref().map(origin_to),
        adopted_from: f.adopted_from.as_ref().map(origin_to),
        // Read from their own table where they are shown (GetInterlinker).
        genesis_documents: Vec::new(),
        details: f.details.as_ref().map(details_to),
    }
}

fn origin_to(origin: &crate::domain::interlinker::Origin) -> pb::Origin {
    pb::Origin {
        peer: origin.peer.clone(),
        deployment: origin.deployment.clone(),
        deployment_name: origin.deployment_name.clone(),
        name: origin.name.clone(),
        version: origin.version,
        signature: origin.signature.clone(),
    }
}

/// The proto form of a rating.
pub(crate) fn rating_to(row: &RatingRow) -> pb::Rating {
    pb::Rating {
        name: format!("interlinkers/{}/ratings/{}", row.interlinker_id, row.id),
        author: person(&row.author),
        value: row.value,
        title: row.title.clone(),
        text: row.text.clone(),
        create_time: Some(timestamp(row.created_at)),
        update_time: Some(timestamp(row.updated_at)),
    }
}

/// The proto form of a problem profile.
pub(crate) fn profile_to(row: &ProfileRow) -> pb::ProblemProfile {
    let p = &row.profile;
    pb::ProblemProfile {
        name: format!("problemProfiles/{}", p.code),
        code: p.code.clone(),
        family: p.family.clone(),
        title: to_text(&p.title),
        description: to_text(&p.description),
    }
}

/// The domain items of `items` (fields prefixed `schema.items[i]`).
pub(crate) fn items_from(items: &[pb::SchemaItem], out: &mut Vec<Violation>) -> Vec<Item> {
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let field = format!("schema.items[{i}].kind");
            let kind = kind_from(&field, item.kind, out);
            if kind.is_none() && item.kind == 0 {
                out.push(Violation::new(field, "is required"));
            }
            Some(Item {
                key: item.key.clone(),
                kind: kind?,
                parent: item.parent.clone(),
                title: text(&item.title),
                description: text(&item.description),
                prerequisites: item.prerequisites.clone(),
                problem_profiles: item.problem_profiles.clone(),
                co_delivery: item.co_delivery,
            })
        })
        .collect()
}

fn items_to(items: &[Item]) -> Vec<pb::SchemaItem> {
    items
        .iter()
        .map(|item| pb::SchemaItem {
            key: item.key.clone(),
            kind: kind_to(Some(item.kind)),
            parent: item.parent.clone(),
            title: to_text(&item.title),
            description: to_text(&item.description),
            prerequisites: item.prerequisites.clone(),
            problem_profiles: item.problem_profiles.clone(),
            co_delivery: item.co_delivery,
        })
        .collect()
}

/// The proto form of a schema; the draft items only when `with_draft`.
pub(crate) fn schema_to(row: &SchemaRow, with_draft: bool) -> pb::Schema {
    pb::Schema {
        name: format!("schemas/{}", row.id),
        title: to_text(&row.title),
        description: to_text(&row.description),
        items: if with_draft {
            items_to(&row.items)
        } else {
            Vec::new()
        },
        latest_version: row.latest_version,
        draft_changed: row.draft_changed,
        create_time: Some(timestamp(row.created_at)),
        update_time: Some(timestamp(row.updated_at)),
        latest: None,
        shared: row.shared,
        origin: row.origin.as_ref().map(origin_to),
        withdrawn: row.withdrawn,
        adopted_from: row.adopted_from.as_ref().map(origin_to),
    }
}

/// The proto form of a published version.
pub(crate) fn version_to(row: &VersionRow) -> pb::SchemaVersion {
    pb::SchemaVersion {
        name: format!("schemas/{}/versions/{}", row.schema_id, row.version),
        schema: format!("schemas/{}", row.schema_id),
        version: row.version,
        title: to_text(&row.title),
        description: to_text(&row.description),
        items: items_to(&row.items),
        publisher: person(&row.publisher),
        publish_time: Some(timestamp(row.published_at)),
        origin: row.origin.as_ref().map(origin_to),
    }
}

/// The proto form of an editor.
pub(crate) fn editor_to(row: &EditorRow) -> pb::CatalogueEditor {
    pb::CatalogueEditor {
        name: format!("catalogueEditors/{}", row.subject),
        subject: row.subject.clone(),
        added_by: row.added_by.clone(),
        add_time: Some(timestamp(row.added_at)),
    }
}

/// How the API names who made something: `users/{id}` for a person (stored
/// by OIDC subject), `services/catalogue` for what the catalogue seeded.
fn person(subject: &str) -> String {
    if subject == crate::mirrors::MIRROR_OWNER {
        subject.to_owned()
    } else if subject == crate::events::SERVICE {
        format!("services/{subject}")
    } else {
        interlink_runtime::api::user_name(subject)
    }
}
