//! Working on a process from its page: an administrator plans an empty
//! process from a published schema, and those who may change task
//! statuses do so. A task that cannot leave `awaiting` because something
//! before it is unfinished is refused with those items named, each a link
//! to its place in the plan.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use interlink_proto::coproduction::v1 as coproduction;
use serde::Deserialize;

use crate::Shared;
use crate::pages::{PageCtx, Shown, page, problem, shown, web_pages};
use crate::processes::{coproduction_form, process_href};
use crate::sign_in::{Posted, see_other};

/// The schema chosen to plan a process from.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PlanPosted {
    #[serde(default)]
    csrf: String,
    /// A schema's id (`default` …).
    #[serde(default)]
    schema: String,
}

impl Posted for PlanPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /processes/{id}/plan`: builds the process's tree from the newest
/// version of the chosen schema.
pub(crate) async fn plan(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<PlanPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "processes");
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    if posted.schema.is_empty() {
        return problem(
            ctx,
            &tonic::Status::invalid_argument("schema: choose the schema to plan the process from"),
        );
    }
    let process = format!("processes/{id}");
    let request = coproduction::BuildFromSchemaRequest {
        process: process.clone(),
        schema: format!("schemas/{}", posted.schema),
        version: 0,
    };
    match client.build_from_schema(ctx.call(request)).await {
        Ok(_) => see_other(&format!("{}?planned=1", process_href(&process)), None),
        Err(status) => problem(ctx, &status),
    }
}

/// A task's new status.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct StatusPosted {
    #[serde(default)]
    csrf: String,
    /// `awaiting`, `in-progress` or `finished`.
    #[serde(default)]
    status: String,
    /// `guide` when posted from the guide's panel (back there after).
    #[serde(default)]
    back: String,
}

impl Posted for StatusPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// An unfinished item that keeps a task waiting.
pub(crate) struct Blocker {
    pub(crate) title: Shown,
    pub(crate) href: String,
    pub(crate) status: String,
}

#[derive(Template)]
#[template(path = "blocked.html")]
struct BlockedPage {
    ctx: PageCtx,
    task: Shown,
    blockers: Vec<Blocker>,
    back: String,
}

web_pages!(BlockedPage);

/// `POST /processes/{id}/tasks/{task}/status`: sets the task's status;
/// a refusal for unfinished prerequisites names them.
pub(crate) async fn set_status(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, task)): Path<(String, String)>,
    form: Result<Form<StatusPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "processes");
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let status = match posted.status.as_str() {
        "awaiting" => coproduction::Status::Awaiting,
        "in-progress" => coproduction::Status::InProgress,
        "finished" => coproduction::Status::Finished,
        _ => {
            return problem(
                ctx,
                &tonic::Status::invalid_argument(
                    "status: must be awaiting, in-progress or finished",
                ),
            );
        }
    };
    let process = format!("processes/{id}");
    let task_name = format!("tasks/{task}");
    let back = process_href(&process);
    let request = coproduction::SetTaskStatusRequest {
        task: task_name.clone(),
        status: status as i32,
    };
    match client.set_task_status(ctx.call(request)).await {
        Ok(_) if posted.back == "guide" => see_other(
            &format!(
                "{}?done=status",
                crate::guide::item_href(&process, &task_name)
            ),
            None,
        ),
        Ok(_) => see_other(&format!("{back}?status=1#task-{task}"), None),
        Err(refusal) if refusal.code() == tonic::Code::FailedPrecondition => {
            let tree = match client
                .get_tree(ctx.call(coproduction::GetTreeRequest {
                    process: process.clone(),
                }))
                .await
            {
                Ok(tree) => tree.into_inner(),
                Err(_) => return problem(ctx, &refusal),
            };
            let blockers = blockers_in(ctx.lang, &tree.items, &task_name, &process);
            if blockers.is_empty() {
                // Refused for another reason (a disabled task …).
                return problem(ctx, &refusal);
            }
            let task = tree
                .items
                .iter()
                .find(|i| i.name == task_name)
                .map(|i| shown(i.title.as_ref(), ctx.lang))
                .unwrap_or(Shown {
                    text: task_name.clone(),
                    lang: None,
                });
            let back = if posted.back == "guide" {
                crate::guide::item_href(&process, &task_name)
            } else {
                back
            };
            page(
                &BlockedPage {
                    ctx,
                    task,
                    blockers,
                    back,
                },
                StatusCode::CONFLICT,
            )
        }
        Err(refusal) => problem(ctx, &refusal),
    }
}

/// The unfinished prerequisites of `task`, of its objective and of its
/// phase: what keeps it from starting, each linked to its place in
/// `process`'s guide.
fn blockers_in(
    lang: crate::Lang,
    items: &[coproduction::TreeItem],
    task: &str,
    process: &str,
) -> Vec<Blocker> {
    let find = |name: &str| items.iter().find(|i| i.name == name);
    let mut chain = Vec::new();
    let mut at = find(task);
    while let Some(item) = at {
        chain.push(item);
        at = (!item.parent.is_empty())
            .then(|| find(&item.parent))
            .flatten();
    }
    chain
        .iter()
        .flat_map(|item| item.prerequisites.iter())
        .filter_map(|name| find(name))
        .filter(|item| item.status != coproduction::Status::Finished as i32)
        .map(|item| Blocker {
            title: shown(item.title.as_ref(), lang),
            href: crate::guide::item_href(process, &item.name),
            status: lang.message(crate::processes::status_message(item.status), &[]),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(
        name: &str,
        parent: &str,
        prerequisites: &[&str],
        status: coproduction::Status,
    ) -> coproduction::TreeItem {
        coproduction::TreeItem {
            name: name.into(),
            parent: parent.into(),
            prerequisites: prerequisites.iter().map(|p| (*p).to_owned()).collect(),
            status: status as i32,
            ..Default::default()
        }
    }

    #[test]
    fn a_task_waits_for_the_unfinished_prerequisites_of_itself_its_objective_and_its_phase() {
        use coproduction::Status::{Awaiting, Finished, InProgress};
        let items = [
            item("phases/p1", "", &[], InProgress),
            item("phases/p2", "", &["phases/p1"], Awaiting),
            item("objectives/o1", "phases/p2", &[], Awaiting),
            item("objectives/o2", "phases/p2", &["objectives/o1"], Awaiting),
            item("tasks/t0", "objectives/o2", &[], Finished),
            item("tasks/t1", "objectives/o2", &["tasks/t0"], Awaiting),
        ];
        let found = blockers_in(crate::Lang::En, &items, "tasks/t1", "processes/x");
        let hrefs: Vec<&str> = found.iter().map(|b| b.href.as_str()).collect();
        // t0 is finished; o1 and p1 are not.
        assert_eq!(
            hrefs,
            [
                "/processes/x/guide/objectives/o1",
                "/processes/x/guide/phases/p1"
            ]
        );
        assert_eq!(found[1].status, "In progress");
        // A task with nothing unfinished before it waits for nothing.
        assert!(blockers_in(crate::Lang::En, &items, "tasks/t0", "processes/x").len() == 2);
        assert!(blockers_in(crate::Lang::En, &items[..1], "phases/p1", "processes/x").is_empty());
    }
}
