//! Conversions between the protobuf messages and the stored rows.

use interlink_proto::common::v1::TranslatableText;
use interlink_proto::coproduction::v1 as pb;
use interlink_runtime::api::timestamp;

use crate::domain::{Kind, Model, Status, Text, Violation};
use crate::store::{ItemRow, ProcessRow};

pub(crate) fn status_to(status: Status) -> i32 {
    match status {
        Status::Awaiting => pb::Status::Awaiting as i32,
        Status::InProgress => pb::Status::InProgress as i32,
        Status::Finished => pb::Status::Finished as i32,
    }
}

/// The status of `value`; `None` (with a violation) when unset or unknown.
pub(crate) fn status_from(field: &str, value: i32, out: &mut Vec<Violation>) -> Option<Status> {
    match pb::Status::try_from(value) {
        Ok(pb::Status::Awaiting) => Some(Status::Awaiting),
        Ok(pb::Status::InProgress) => Some(Status::InProgress),
        Ok(pb::Status::Finished) => Some(Status::Finished),
        Ok(pb::Status::Unspecified) => {
            out.push(Violation::new(field, "is required"));
            None
        }
        Err(_) => {
            out.push(Violation::new(field, format!("unknown status {value}")));
            None
        }
    }
}

pub(crate) fn model_to(model: Option<Model>) -> i32 {
    match model {
        None => 0,
        Some(Model::C2c) => pb::IntergovernmentalModel::C2c as i32,
        Some(Model::C2g) => pb::IntergovernmentalModel::C2g as i32,
        Some(Model::G2c) => pb::IntergovernmentalModel::G2c as i32,
        Some(Model::GPlusG) => pb::IntergovernmentalModel::GPlusG as i32,
    }
}

/// The model of `value` (unset is none).
pub(crate) fn model_from(field: &str, value: i32, out: &mut Vec<Violation>) -> Option<Model> {
    match pb::IntergovernmentalModel::try_from(value) {
        Ok(pb::IntergovernmentalModel::Unspecified) => None,
        Ok(pb::IntergovernmentalModel::C2c) => Some(Model::C2c),
        Ok(pb::IntergovernmentalModel::C2g) => Some(Model::C2g),
        Ok(pb::IntergovernmentalModel::G2c) => Some(Model::G2c),
        Ok(pb::IntergovernmentalModel::GPlusG) => Some(Model::GPlusG),
        Err(_) => {
            out.push(Violation::new(
                field,
                format!("unknown intergovernmental model {value}"),
            ));
            None
        }
    }
}

pub(crate) fn kind_to(kind: Kind) -> i32 {
    match kind {
        Kind::Phase => pb::ItemKind::Phase as i32,
        Kind::Objective => pb::ItemKind::Objective as i32,
        Kind::Task => pb::ItemKind::Task as i32,
    }
}

/// The kind of `value`; `None` (with a violation) when unset or unknown.
pub(crate) fn kind_from(field: &str, value: i32, out: &mut Vec<Violation>) -> Option<Kind> {
    match pb::ItemKind::try_from(value) {
        Ok(pb::ItemKind::Phase) => Some(Kind::Phase),
        Ok(pb::ItemKind::Objective) => Some(Kind::Objective),
        Ok(pb::ItemKind::Task) => Some(Kind::Task),
        Ok(pb::ItemKind::Unspecified) => {
            out.push(Violation::new(field, "is required"));
            None
        }
        Err(_) => {
            out.push(Violation::new(field, format!("unknown kind {value}")));
            None
        }
    }
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

fn to_text(values: &Text) -> Option<TranslatableText> {
    (!values.is_empty()).then(|| TranslatableText {
        values: values.clone(),
    })
}

/// `processes/{id}`.
pub(crate) fn process_name(id: &str) -> String {
    format!("processes/{id}")
}

/// The resource name of an item of `kind`.
pub(crate) fn item_name(kind: Kind, id: &str) -> String {
    format!("{}/{id}", kind.collection())
}

pub(crate) fn process_to(p: &ProcessRow) -> pb::Process {
    pb::Process {
        name: process_name(&p.id),
        title: p.title.clone(),
        description: p.description.clone(),
        aim: p.aim.clone(),
        idea: p.idea.clone(),
        organization_description: p.organization_description.clone(),
        challenges: p.challenges.clone(),
        requirements: p.requirements.clone(),
        language: p.language.clone(),
        logo_uri: p.logo_uri.clone(),
        status: status_to(p.status),
        progress: p.progress,
        public: p.public,
        intergovernmental_model: model_to(p.model),
        organization: format!("organizations/{}", p.organization_id),
        // People are stored by OIDC subject and shown as `users/{id}`.
        creator: interlink_runtime::api::user_name(&p.creator),
        administrators: p
            .administrators
            .iter()
            .map(|a| interlink_runtime::api::user_name(a))
            .collect(),
        tags: p.tags.clone(),
        cloned_from: if p.cloned_from.is_empty() {
            String::new()
        } else {
            process_name(&p.cloned_from)
        },
        schema: if p.schema_id.is_empty() {
            String::new()
        } else {
            format!("schemas/{}", p.schema_id)
        },
        schema_version: p.schema_version,
        start_time: p.start_at.map(timestamp),
        end_time: p.end_at.map(timestamp),
        create_time: Some(timestamp(p.created_at)),
        update_time: Some(timestamp(p.updated_at)),
        schema_origin: p.provenance.schema_origin.as_ref().map(origin_to),
        adopted_from: if p.provenance.adopted_from.is_empty() {
            String::new()
        } else {
            format!("stories/{}", p.provenance.adopted_from)
        },
        adopted_origin: p.provenance.adopted_origin.as_ref().map(origin_to),
    }
}

/// The proto form of an origin.
pub(crate) fn origin_to(o: &crate::store::Origin) -> interlink_proto::catalogue::v1::Origin {
    interlink_proto::catalogue::v1::Origin {
        peer: o.peer.clone(),
        deployment: o.deployment.clone(),
        deployment_name: o.deployment_name.clone(),
        name: o.name.clone(),
        version: o.version,
        signature: o.signature.clone(),
    }
}

/// The stored form of an origin.
pub(crate) fn origin_from(o: &interlink_proto::catalogue::v1::Origin) -> crate::store::Origin {
    crate::store::Origin {
        peer: o.peer.clone(),
        deployment: o.deployment.clone(),
        deployment_name: o.deployment_name.clone(),
        name: o.name.clone(),
        version: o.version,
        signature: o.signature.clone(),
    }
}

/// The proto form of `item`; `kinds` gives the kind of each id (for the
/// names of its parent and prerequisites).
pub(crate) fn item_to(item: &ItemRow, kind_of: impl Fn(&str) -> Option<Kind>) -> pb::TreeItem {
    let name = |id: &str| item_name(kind_of(id).unwrap_or(item.kind), id);
    pb::TreeItem {
        name: item_name(item.kind, &item.id),
        process: process_name(&item.process_id),
        kind: kind_to(item.kind),
        parent: item
            .parent_id
            .as_deref()
            .map(|p| {
                item_name(
                    kind_of(p).unwrap_or(item.kind.parent().unwrap_or(Kind::Phase)),
                    p,
                )
            })
            .unwrap_or_default(),
        title: to_text(&item.title),
        description: to_text(&item.description),
        status: status_to(item.status),
        progress: item.progress,
        prerequisites: item.prerequisites.iter().map(|p| name(p)).collect(),
        problem_profiles: item.problem_profiles.clone(),
        co_delivery: item.co_delivery,
        start_time: item.start_at.map(timestamp),
        end_time: item.end_at.map(timestamp),
        effort: (item.kind == Kind::Task).then_some(pb::Effort {
            management: item.effort[0],
            development: item.effort[1],
            exploitation: item.effort[2],
        }),
        schema_key: item.schema_key.clone(),
        creator: interlink_runtime::api::user_name(&item.creator),
        disabled: item.disabled_at.is_some(),
        disabled_by: item
            .disabled_by
            .as_deref()
            .map(interlink_runtime::api::user_name)
            .unwrap_or_default(),
        disable_time: item.disabled_at.map(timestamp),
        create_time: Some(timestamp(item.created_at)),
        update_time: Some(timestamp(item.updated_at)),
    }
}

/// `items` (in order of addition) in tree order: each phase, then its
/// objectives, each followed by its tasks.
pub(crate) fn tree_order(items: &[ItemRow]) -> Vec<&ItemRow> {
    let mut children: std::collections::HashMap<Option<&str>, Vec<&ItemRow>> =
        std::collections::HashMap::new();
    for item in items {
        children
            .entry(item.parent_id.as_deref())
            .or_default()
            .push(item);
    }
    let under = |parent: Option<&str>| children.get(&parent).cloned().unwrap_or_default();
    let mut out = Vec::with_capacity(items.len());
    for phase in under(None) {
        out.push(phase);
        for objective in under(Some(&phase.id)) {
            out.push(objective);
            out.extend(under(Some(&objective.id)));
        }
    }
    out
}

/// Milliseconds of a timestamp.
pub(crate) fn millis(t: &prost_types::Timestamp) -> i64 {
    t.seconds.saturating_mul(1000) + i64::from(t.nanos / 1_000_000)
}
