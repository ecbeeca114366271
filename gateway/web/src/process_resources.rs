//! A process's resources tab: every asset of every task, filtered by
//! phase, task, interlinker, nature and who added it (a plain GET form),
//! each with its task in the guide.

use askama::Template;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use interlink_proto::coproduction::v1 as coproduction;

use crate::guide::item_href;
use crate::interlinker::interlinker_href;
use crate::pages::{PageCtx, Shown, display_name, page, people, problem, shown, web_pages};
use crate::processes::{Selectable, Tab, coproduction_client, process_href, process_tabs};
use crate::{Shared, WebState};

/// The natures an asset may have, as the filter names them: an
/// interlinker's, or a link to something elsewhere.
const NATURES: [&str; 5] = [
    "software",
    "knowledge",
    "external-software",
    "external-knowledge",
    "link",
];

/// The resources tab's filters as its address says.
#[derive(Debug, Default, PartialEq)]
struct Filters {
    phase: String,
    task: String,
    interlinker: String,
    nature: String,
    creator: String,
}

impl Filters {
    /// The filters of a query string; `Err` names the value not understood.
    fn parse(query: Option<&str>) -> Result<Self, tonic::Status> {
        let mut out = Self::default();
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            let value = value.trim().to_owned();
            match key.as_ref() {
                "phase" => out.phase = value,
                "task" => out.task = value,
                "interlinker" => out.interlinker = value,
                "nature" if !value.is_empty() && !NATURES.contains(&value.as_str()) => {
                    return Err(tonic::Status::invalid_argument(
                        "nature: must be software, knowledge, external-software, \
                         external-knowledge or link",
                    ));
                }
                "nature" => out.nature = value,
                "creator" => out.creator = value,
                _ => {}
            }
        }
        Ok(out)
    }

    fn filtered(&self) -> bool {
        self != &Self::default()
    }
}

/// An asset's nature as the filter names it.
fn nature_of(asset: &coproduction::Asset) -> String {
    if asset.kind == coproduction::AssetKind::External as i32 {
        "link".to_owned()
    } else {
        asset.interlinker_nature.replace('_', "-")
    }
}

/// The message naming a nature of the filter.
fn nature_message(nature: &str) -> String {
    if nature == "link" {
        "asset-link-nature".to_owned()
    } else {
        format!("nature-{nature}")
    }
}

/// An asset in the table.
struct ResourceRow {
    title: String,
    href: String,
    external: bool,
    /// That it is being prepared on its interlinker, or why it could not be.
    preparation: Option<String>,
    task: Option<(Shown, String)>,
    nature: String,
    creator: String,
    added: String,
}

#[derive(Template)]
#[template(path = "process_resources.html")]
struct ResourcesPage {
    ctx: PageCtx,
    title: String,
    text_lang: Option<String>,
    href: String,
    tabs: Vec<Tab>,
    rows: Vec<ResourceRow>,
    /// "3 resources", of those shown.
    heading: String,
    total: usize,
    filtered: bool,
    phases: Vec<Selectable>,
    tasks: Vec<Selectable>,
    interlinkers: Vec<Selectable>,
    natures: Vec<Selectable>,
    creators: Vec<Selectable>,
}

web_pages!(ResourcesPage);

/// A select's choices, "any" first, `chosen` selected.
fn choices(ctx: &PageCtx, chosen: &str, options: Vec<(String, Shown)>) -> Vec<Selectable> {
    std::iter::once(Selectable {
        value: String::new(),
        label: ctx.t("filter-any"),
        label_lang: None,
        selected: chosen.is_empty(),
    })
    .chain(options.into_iter().map(|(value, label)| Selectable {
        selected: value == chosen,
        value,
        label: label.text,
        label_lang: label.lang,
    }))
    .collect()
}

/// `GET /processes/{id}/resources?phase=…&task=…&interlinker=…&nature=…&creator=…`.
pub(crate) async fn resources(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let filters = match Filters::parse(uri.query()) {
        Ok(filters) => filters,
        Err(status) => return problem(ctx, &status),
    };
    render(&state, ctx, &id, &filters).await
}

async fn render(state: &WebState, ctx: PageCtx, id: &str, filters: &Filters) -> Response {
    let Some(mut client) = coproduction_client(state) else {
        return problem(ctx, &tonic::Status::unavailable("co-production"));
    };
    let name = format!("processes/{id}");
    let (mut assets_client, mut permissions_client) = (client.clone(), client.clone());
    let signed_in = ctx.user().is_some();
    let (tree, assets, administers) = tokio::join!(
        client.get_tree(ctx.call(coproduction::GetTreeRequest {
            process: name.clone(),
        })),
        assets_client.list_assets(ctx.call(coproduction::ListAssetsRequest {
            parent: name.clone(),
        })),
        async {
            signed_in
                && permissions_client
                    .get_my_permissions(ctx.call(coproduction::GetMyPermissionsRequest {
                        target: name.clone(),
                    }))
                    .await
                    .is_ok_and(|a| a.into_inner().administrator)
        },
    );
    let tree = match tree {
        Ok(tree) => tree.into_inner(),
        Err(refusal) => return problem(ctx, &refusal),
    };
    let Some(process) = tree.process else {
        return problem(ctx, &tonic::Status::not_found(name));
    };
    let assets = match assets {
        Ok(answer) => answer.into_inner().assets,
        Err(refusal) => return problem(ctx, &refusal),
    };
    let creators = people(state, &ctx, assets.iter().map(|a| a.creator.clone())).await;
    let find = |name: &str| tree.items.iter().find(|i| i.name == name);
    // A task's phase: its objective's parent.
    let phase_of = |task: &str| {
        find(task)
            .and_then(|t| find(&t.parent))
            .map(|o| o.parent.clone())
            .unwrap_or_default()
    };
    let id_of = |name: &str| name.rsplit('/').next().unwrap_or_default().to_owned();
    let matches = |asset: &coproduction::Asset| {
        (filters.phase.is_empty() || id_of(&phase_of(&asset.task)) == filters.phase)
            && (filters.task.is_empty() || id_of(&asset.task) == filters.task)
            && (filters.interlinker.is_empty() || id_of(&asset.interlinker) == filters.interlinker)
            && (filters.nature.is_empty() || nature_of(asset) == filters.nature)
            && (filters.creator.is_empty() || id_of(&asset.creator) == filters.creator)
    };
    let rows: Vec<ResourceRow> = assets
        .iter()
        .filter(|a| matches(a))
        .map(|asset| {
            let external = asset.kind == coproduction::AssetKind::External as i32;
            let preparation = coproduction::AssetPreparation::try_from(asset.preparation)
                .unwrap_or(coproduction::AssetPreparation::Unspecified);
            // Made on its interlinker: opened there through co-production.
            let opens = preparation == coproduction::AssetPreparation::Ready
                && asset.capabilities.iter().any(|c| c == "view");
            ResourceRow {
                title: asset.display_name.clone(),
                href: if opens {
                    format!(
                        "{}/assets/{}/open",
                        process_href(&process.name),
                        asset.name.trim_start_matches("assets/")
                    )
                } else if external || asset.interlinker.is_empty() {
                    asset.uri.clone()
                } else {
                    interlinker_href(&asset.interlinker)
                },
                external: external || opens,
                preparation: match preparation {
                    coproduction::AssetPreparation::Preparing => Some(ctx.t("asset-preparing")),
                    coproduction::AssetPreparation::Failed => {
                        Some(ctx.t_with("asset-prepare-failed", "reason", &asset.preparation_error))
                    }
                    _ => None,
                },
                task: find(&asset.task).map(|t| {
                    (
                        shown(t.title.as_ref(), ctx.lang),
                        item_href(&process.name, &t.name),
                    )
                }),
                nature: ctx.t(&nature_message(&nature_of(asset))),
                creator: display_name(&ctx, &creators, &asset.creator),
                added: asset
                    .create_time
                    .as_ref()
                    .map(|t| ctx.lang.date(t.seconds))
                    .unwrap_or_default(),
            }
        })
        .collect();
    // Each filter offers what the process's assets have.
    let used = |values: Vec<(String, Shown)>| {
        let mut values = values;
        values.sort_by(|a, b| a.1.text.cmp(&b.1.text));
        values.dedup_by(|a, b| a.0 == b.0);
        values
    };
    let text = |text: String| Shown { text, lang: None };
    let phases = tree
        .items
        .iter()
        .filter(|i| i.kind == coproduction::ItemKind::Phase as i32)
        .map(|p| (id_of(&p.name), shown(p.title.as_ref(), ctx.lang)))
        .collect();
    let tasks = used(
        assets
            .iter()
            .filter_map(|a| find(&a.task))
            .map(|t| (id_of(&t.name), shown(t.title.as_ref(), ctx.lang)))
            .collect(),
    );
    let interlinkers = used(
        assets
            .iter()
            .filter(|a| !a.interlinker.is_empty())
            .map(|a| (id_of(&a.interlinker), text(a.display_name.clone())))
            .collect(),
    );
    let creators_used = used(
        assets
            .iter()
            .map(|a| {
                (
                    id_of(&a.creator),
                    text(display_name(&ctx, &creators, &a.creator)),
                )
            })
            .collect(),
    );
    let natures = NATURES
        .iter()
        .map(|n| ((*n).to_owned(), text(ctx.t(&nature_message(n)))))
        .collect();
    let href = process_href(&process.name);
    let heading = ctx.lang.message(
        "resources-count",
        &[("count", fluent_bundle::FluentValue::from(rows.len()))],
    );
    page(
        &ResourcesPage {
            heading,
            title: process.title.clone(),
            text_lang: (!process.language.is_empty()
                && !process.language.eq_ignore_ascii_case(ctx.lang.tag()))
            .then(|| process.language.clone()),
            tabs: process_tabs(&ctx, &href, "resources", administers),
            href,
            total: assets.len(),
            filtered: filters.filtered(),
            phases: choices(&ctx, &filters.phase, phases),
            tasks: choices(&ctx, &filters.task, tasks),
            interlinkers: choices(&ctx, &filters.interlinker, interlinkers),
            natures: choices(&ctx, &filters.nature, natures),
            creators: choices(&ctx, &filters.creator, creators_used),
            rows,
            ctx,
        },
        StatusCode::OK,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filters_read_their_values_and_refuse_unknown_natures() {
        let filters =
            Filters::parse(Some("phase=p&task=t&nature=link&creator=u&x=y")).expect("filters");
        assert_eq!(filters.nature, "link");
        assert!(filters.filtered());
        assert!(!Filters::parse(None).expect("none").filtered());
        let refused = Filters::parse(Some("nature=video")).expect_err("refused");
        assert!(refused.message().starts_with("nature"));
        let link = coproduction::Asset {
            kind: coproduction::AssetKind::External as i32,
            ..Default::default()
        };
        assert_eq!(nature_of(&link), "link");
        let software = coproduction::Asset {
            kind: coproduction::AssetKind::Internal as i32,
            interlinker_nature: "external_software".into(),
            ..Default::default()
        };
        assert_eq!(nature_of(&software), "external-software");
    }
}
