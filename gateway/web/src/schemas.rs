//! The co-production schemas, as anyone may read them: the published ones
//! listed, and each version's tree — phases, their objectives, each
//! objective's tasks — with what must be finished first and the problems
//! each task meets (each leading to the interlinkers for it). A version
//! picker (a GET form, and a link per version) shows earlier versions.
//! Another deployment's schema (a mirror) says where it came from, and
//! whether its origin still shares it; catalogue editors share this
//! deployment's own schemas with other deployments.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use interlink_proto::catalogue::v1 as catalogue;
use interlink_proto::catalogue::v1::catalogue_service_client::CatalogueServiceClient;
use serde::Deserialize;

use crate::pages::{
    PageCtx, Shown, form_urlencoded_component, page, paragraphs, problem, shown, web_pages,
};
use crate::{Lang, Shared};

/// Schemas listed (the catalogue's own page size limit).
const SCHEMAS_LISTED: i32 = 500;
/// Versions offered in the picker.
const VERSIONS_LISTED: i32 = 500;

/// One schema in the list.
pub(crate) struct SchemaRow {
    pub(crate) href: String,
    pub(crate) title: Shown,
    pub(crate) description: Shown,
    pub(crate) version: String,
    /// "From …" on another deployment's schema.
    pub(crate) origin: Option<String>,
    /// A mirror its origin no longer shares.
    pub(crate) withdrawn: bool,
}

#[derive(Template)]
#[template(path = "schemas.html")]
struct SchemasPage {
    ctx: PageCtx,
    schemas: Vec<SchemaRow>,
}

/// `/schemas/{id}` for `schemas/{id}`.
fn schema_href(name: &str) -> String {
    crate::pages::resource_href("/schemas", name)
}

/// `GET /schemas`: the published schemas.
pub(crate) async fn schemas(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "catalogue");
    let mut client = CatalogueServiceClient::new(state.services.catalogue.clone());
    let listed = client
        .list_schemas(ctx.call(catalogue::ListSchemasRequest {
            page_size: SCHEMAS_LISTED,
            page_token: String::new(),
            view: catalogue::SchemaView::Basic as i32,
        }))
        .await;
    let listed = match listed {
        Ok(answer) => answer.into_inner().schemas,
        Err(status) => return problem(ctx, &status),
    };
    let lang = ctx.lang;
    let schemas = listed
        .iter()
        // A schema never published has nothing to show yet.
        .filter(|schema| schema.latest_version > 0)
        .map(|schema| {
            let mut description = shown(schema.description.as_ref(), lang);
            description.text = paragraphs(&description.text)
                .into_iter()
                .next()
                .unwrap_or_default();
            SchemaRow {
                href: schema_href(&schema.name),
                title: shown(schema.title.as_ref(), lang),
                description,
                version: ctx.t_with(
                    "schema-version",
                    "version",
                    &lang.number(i64::from(schema.latest_version)),
                ),
                origin: schema
                    .origin
                    .as_ref()
                    .map(|origin| crate::origins::from_label(&ctx, origin)),
                withdrawn: schema.withdrawn,
            }
        })
        .collect();
    page(&SchemasPage { ctx, schemas }, StatusCode::OK)
}

/// A task of an objective.
pub(crate) struct TaskRow {
    pub(crate) id: String,
    pub(crate) title: Shown,
    pub(crate) description: Shown,
    pub(crate) after: Vec<Shown>,
    /// Each problem met, with the catalogue's search for it.
    pub(crate) problems: Vec<(Shown, String)>,
}

/// An objective of a phase, with its tasks.
pub(crate) struct ObjectiveRow {
    pub(crate) id: String,
    pub(crate) title: Shown,
    pub(crate) description: Shown,
    pub(crate) after: Vec<Shown>,
    pub(crate) tasks: Vec<TaskRow>,
}

/// A phase, with its objectives.
pub(crate) struct PhaseRow {
    pub(crate) id: String,
    pub(crate) title: Shown,
    pub(crate) description: Shown,
    pub(crate) after: Vec<Shown>,
    pub(crate) co_delivery: bool,
    pub(crate) objectives: Vec<ObjectiveRow>,
}

/// A version in the picker.
pub(crate) struct VersionChoice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

#[derive(Template)]
#[template(path = "schema.html")]
struct SchemaPage {
    ctx: PageCtx,
    action: String,
    title: Shown,
    description: Vec<String>,
    description_lang: Option<String>,
    shown_version: String,
    older: bool,
    latest_href: String,
    versions: Vec<VersionChoice>,
    phases: Vec<PhaseRow>,
    counts: String,
    /// What was just done (shared or not).
    notice: Option<String>,
    /// Where a mirror (its shown version) came from.
    origin: Option<crate::origins::OriginNote>,
    /// A mirror its origin no longer shares.
    withdrawn: bool,
    /// Where an adopted schema came from.
    adopted_from: Option<crate::origins::OriginNote>,
    /// For editors: the switch sharing a local schema.
    sharing: Option<crate::origins::SharingForm>,
    csrf: String,
}

web_pages!(SchemasPage, SchemaPage);

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SchemaQuery {
    /// A version number; none: the newest.
    #[serde(default)]
    version: String,
}

/// `GET /schemas/{id}?version=n`: a published version's tree (the newest
/// unless asked), with a picker of the others.
pub(crate) async fn schema(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<SchemaQuery>,
) -> Response {
    let mut ctx = PageCtx::new(&state, &headers, &uri, "catalogue");
    let version = query.version.trim();
    if !version.is_empty() && !version.parse::<u32>().is_ok_and(|v| v > 0) {
        return problem(
            ctx,
            &tonic::Status::invalid_argument("version: must be a version number, 1 or more"),
        );
    }
    let parent = format!("schemas/{id}");
    let wanted = format!(
        "{parent}/versions/{}",
        if version.is_empty() {
            "latest"
        } else {
            version
        }
    );
    let mut client = CatalogueServiceClient::new(state.services.catalogue.clone());
    let mut versions_client = client.clone();
    let mut profiles_client = client.clone();
    let mut schema_client = client.clone();
    let (found, versions, profiles, schema, editor) = tokio::join!(
        client.get_schema_version(ctx.call(catalogue::GetSchemaVersionRequest { name: wanted })),
        versions_client.list_schema_versions(ctx.call(catalogue::ListSchemaVersionsRequest {
            parent: parent.clone(),
            page_size: VERSIONS_LISTED,
            page_token: String::new(),
        })),
        profiles_client.list_problem_profiles(ctx.call(catalogue::ListProblemProfilesRequest {
            family: String::new(),
        })),
        schema_client.get_schema(ctx.call(catalogue::GetSchemaRequest {
            name: parent.clone(),
        })),
        crate::origins::is_catalogue_editor(&state, &ctx),
    );
    let found = match found {
        Ok(answer) => answer.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let mut versions = match versions {
        Ok(answer) => answer.into_inner().versions,
        Err(status) => return problem(ctx, &status),
    };
    // Without the profiles' titles, tasks show the problems' codes.
    let profiles = profiles
        .map(|answer| answer.into_inner().problem_profiles)
        .unwrap_or_default();
    let schema = match schema {
        Ok(answer) => answer.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let notice = crate::origins::sharing_notice(&ctx, uri.query(), "schema");
    // The shown version's origin names its version there.
    let origin = found
        .origin
        .as_ref()
        .or(schema.origin.as_ref())
        .filter(|_| schema.origin.is_some())
        .map(|o| crate::origins::origin_note(&ctx, o, "/schemas"));
    let adopted_from = schema
        .adopted_from
        .as_ref()
        .map(|o| crate::origins::origin_note(&ctx, o, "/schemas"));
    let sharing = (editor && schema.origin.is_none()).then(|| crate::origins::SharingForm {
        action: format!("{}/sharing", schema_href(&parent)),
        shared: schema.shared,
    });
    let csrf = if sharing.is_some() {
        ctx.csrf(&state)
    } else {
        String::new()
    };
    versions.sort_by_key(|v| std::cmp::Reverse(v.version));
    let lang = ctx.lang;
    let newest = versions.first().map_or(found.version, |v| v.version);
    let description = shown(found.description.as_ref(), lang);
    let phases = tree(&found.items, &profiles, lang);
    let objectives: usize = phases.iter().map(|p| p.objectives.len()).sum();
    let tasks: usize = phases
        .iter()
        .flat_map(|p| &p.objectives)
        .map(|o| o.tasks.len())
        .sum();
    let counts = lang.message(
        "schema-counts",
        &[
            ("phases", fluent_bundle::FluentValue::from(phases.len())),
            ("objectives", fluent_bundle::FluentValue::from(objectives)),
            ("tasks", fluent_bundle::FluentValue::from(tasks)),
        ],
    );
    let versions = versions
        .iter()
        .map(|v| VersionChoice {
            value: v.version.to_string(),
            label: version_label(&ctx, v),
            selected: v.version == found.version,
        })
        .collect();
    let href = schema_href(&parent);
    page(
        &SchemaPage {
            action: href.clone(),
            latest_href: href,
            title: shown(found.title.as_ref(), lang),
            description: paragraphs(&description.text),
            description_lang: description.lang,
            shown_version: version_label(&ctx, &found),
            older: found.version < newest,
            versions,
            phases,
            counts,
            notice,
            origin,
            withdrawn: schema.withdrawn,
            adopted_from,
            sharing,
            csrf,
            ctx,
        },
        StatusCode::OK,
    )
}

/// "Version 3, published 4 December 2026".
fn version_label(ctx: &PageCtx, version: &catalogue::SchemaVersion) -> String {
    let number = ctx.lang.number(i64::from(version.version));
    match version.publish_time.as_ref() {
        Some(time) => ctx.lang.message(
            "schema-version-published",
            &[
                ("version", fluent_bundle::FluentValue::from(number)),
                (
                    "date",
                    fluent_bundle::FluentValue::from(ctx.lang.date(time.seconds)),
                ),
            ],
        ),
        None => ctx.t_with("schema-version", "version", &number),
    }
}

/// The version's flat items as the tree they describe: phases in order,
/// each with its objectives, each with its tasks. Prerequisites name
/// siblings by key; they are shown by title.
fn tree(
    items: &[catalogue::SchemaItem],
    profiles: &[catalogue::ProblemProfile],
    lang: Lang,
) -> Vec<PhaseRow> {
    let title_of = |key: &str| {
        items.iter().find(|item| item.key == key).map_or_else(
            || Shown {
                text: key.to_owned(),
                lang: None,
            },
            |item| shown(item.title.as_ref(), lang),
        )
    };
    let after = |item: &catalogue::SchemaItem| -> Vec<Shown> {
        item.prerequisites.iter().map(|key| title_of(key)).collect()
    };
    let children = |parent: &str, kind: catalogue::ItemKind| -> Vec<&catalogue::SchemaItem> {
        items
            .iter()
            .filter(|item| item.parent == parent && item.kind == kind as i32)
            .collect()
    };
    items
        .iter()
        .filter(|item| item.kind == catalogue::ItemKind::Phase as i32)
        .map(|phase| PhaseRow {
            id: format!("item-{}", phase.key),
            title: shown(phase.title.as_ref(), lang),
            description: shown(phase.description.as_ref(), lang),
            after: after(phase),
            co_delivery: phase.co_delivery,
            objectives: children(&phase.key, catalogue::ItemKind::Objective)
                .into_iter()
                .map(|objective| ObjectiveRow {
                    id: format!("item-{}", objective.key),
                    title: shown(objective.title.as_ref(), lang),
                    description: shown(objective.description.as_ref(), lang),
                    after: after(objective),
                    tasks: children(&objective.key, catalogue::ItemKind::Task)
                        .into_iter()
                        .map(|task| TaskRow {
                            id: format!("item-{}", task.key),
                            title: shown(task.title.as_ref(), lang),
                            description: shown(task.description.as_ref(), lang),
                            after: after(task),
                            problems: task
                                .problem_profiles
                                .iter()
                                .map(|code| {
                                    let title = profiles
                                        .iter()
                                        .find(|p| &p.code == code)
                                        .map(|p| shown(p.title.as_ref(), lang))
                                        .filter(|t| !t.text.is_empty())
                                        .unwrap_or_else(|| Shown {
                                            text: code.clone(),
                                            lang: None,
                                        });
                                    let href = format!(
                                        "/catalogue?profile={}",
                                        form_urlencoded_component(code)
                                    );
                                    (title, href)
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use interlink_proto::common::v1::TranslatableText;

    fn text(en: &str) -> Option<TranslatableText> {
        Some(TranslatableText {
            values: [("en".to_owned(), en.to_owned())].into(),
        })
    }

    fn item(
        key: &str,
        kind: catalogue::ItemKind,
        parent: &str,
        prerequisites: &[&str],
    ) -> catalogue::SchemaItem {
        catalogue::SchemaItem {
            key: key.into(),
            kind: kind as i32,
            parent: parent.into(),
            title: text(&key.to_uppercase()),
            prerequisites: prerequisites.iter().map(|&p| p.to_owned()).collect(),
            problem_profiles: if kind == catalogue::ItemKind::Task {
                vec!["org-01".into(), "zz-99".into()]
            } else {
                Vec::new()
            },
            ..Default::default()
        }
    }

    #[test]
    fn flat_items_become_phases_objectives_and_tasks_in_order() {
        use catalogue::ItemKind::{Objective, Phase, Task};
        let items = [
            item("engage", Phase, "", &[]),
            item("map", Objective, "engage", &[]),
            item("list", Task, "map", &[]),
            item("meet", Task, "map", &["list"]),
            item("design", Phase, "", &["engage"]),
            item("ideas", Objective, "design", &[]),
        ];
        let profiles = [catalogue::ProblemProfile {
            code: "org-01".into(),
            title: text("Identify the stakeholders"),
            ..Default::default()
        }];
        let phases = tree(&items, &profiles, Lang::En);
        let titles: Vec<&str> = phases.iter().map(|p| p.title.text.as_str()).collect();
        assert_eq!(titles, ["ENGAGE", "DESIGN"]);
        assert_eq!(phases[1].after[0].text, "ENGAGE");
        assert_eq!(phases[0].objectives[0].tasks.len(), 2);
        let meet = &phases[0].objectives[0].tasks[1];
        assert_eq!(meet.id, "item-meet");
        assert_eq!(meet.after[0].text, "LIST");
        // Problems by title, an unknown code as it is, each a search.
        assert_eq!(meet.problems[0].0.text, "Identify the stakeholders");
        assert_eq!(meet.problems[0].1, "/catalogue?profile=org-01");
        assert_eq!(meet.problems[1].0.text, "zz-99");
        assert!(phases[1].objectives[0].tasks.is_empty());
    }
}
