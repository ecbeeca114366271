//! What a process's overview adds for the people in it: for its
//! administrators, the set-up steps (data and administrators, schema,
//! teams, permissions, resources, ready), each done or pending as the
//! process's real state says and one click away; for those taking part
//! in it, the process's latest activity from its feed in the
//! notifications service (live through `static/feed.js`), else from the
//! monitoring service's trail for those it lets read it.

use interlink_proto::coproduction::v1 as coproduction;
use interlink_proto::monitoring::v1 as monitoring;
use interlink_proto::monitoring::v1::monitoring_service_client::MonitoringServiceClient;
use interlink_proto::notifications::v1 as notifications;

use crate::WebState;
use crate::pages::{PageCtx, display_name, people};
use crate::processes::coproduction_client;

/// The latest activity shown on the overview.
const FEED_ENTRIES: i32 = 8;

/// A set-up step.
pub(crate) struct Step {
    pub(crate) label: String,
    pub(crate) done: bool,
    /// Where to do it (or see it done).
    pub(crate) href: String,
    pub(crate) state: String,
}

/// An entry of the activity feed.
pub(crate) struct FeedEntry {
    pub(crate) when: String,
    /// Who acted, when `what` does not say it.
    pub(crate) who: Option<String>,
    pub(crate) what: String,
    /// The page of the thing it concerns.
    pub(crate) link: Option<String>,
}

/// The activity the overview shows.
#[derive(Default)]
pub(crate) struct Feed {
    pub(crate) entries: Vec<FeedEntry>,
    /// Where the process's live feed is, when it comes from the
    /// notifications service (the stream resumes after it).
    pub(crate) cursor: Option<u64>,
}

/// The set-up steps of `process` (whose page is `href`) with its plan
/// `items`, from its grants and assets.
pub(crate) async fn steps(
    state: &WebState,
    ctx: &PageCtx,
    process: &coproduction::Process,
    items: &[coproduction::TreeItem],
    href: &str,
) -> Vec<Step> {
    let Some(mut client) = coproduction_client(state) else {
        return Vec::new();
    };
    let mut assets_client = client.clone();
    let (grants, assets) = tokio::join!(
        client.list_grants(ctx.call(coproduction::ListGrantsRequest {
            parent: process.name.clone(),
        })),
        assets_client.list_assets(ctx.call(coproduction::ListAssetsRequest {
            parent: process.name.clone(),
        })),
    );
    let grants = grants.map(|a| a.into_inner().grants).unwrap_or_default();
    let assets = assets.map(|a| a.into_inner().assets).unwrap_or_default();
    let described = !process.description.trim().is_empty() || !process.aim.trim().is_empty();
    let planned = !items.is_empty();
    let teams = !grants.is_empty();
    // Someone besides the administrators may do the work.
    let permissions = grants.iter().any(|g| g.create_assets);
    let resources = !assets.is_empty();
    let under_way = process.status != coproduction::Status::Awaiting as i32;
    let all = [
        (described, "wizard-data", format!("{href}/settings")),
        (
            planned,
            "wizard-schema",
            if planned {
                format!("{href}/guide")
            } else {
                format!("{href}#plan")
            },
        ),
        (teams, "wizard-teams", format!("{href}/team")),
        (permissions, "wizard-permissions", format!("{href}/team")),
        (resources, "wizard-resources", format!("{href}/guide")),
        (under_way, "wizard-ready", format!("{href}/guide")),
    ];
    all.into_iter()
        .map(|(done, message, href)| Step {
            label: ctx.t(message),
            done,
            href,
            state: ctx.t(if done {
                "wizard-done"
            } else {
                "wizard-pending"
            }),
        })
        .collect()
}

/// The process's latest activity: its feed, if the visitor takes part in
/// it; else the monitoring trail, if that service lets them read it (its
/// organisation's administrators); none otherwise.
pub(crate) async fn feed(state: &WebState, ctx: &PageCtx, process: &str) -> Feed {
    if ctx.user().is_none() {
        return Feed::default();
    }
    if let Some(mut client) = crate::notifications::client(state) {
        match client
            .list_process_feed(ctx.call(notifications::ListProcessFeedRequest {
                process: process.to_owned(),
                page_size: FEED_ENTRIES,
                page_token: String::new(),
                language_code: ctx.lang.tag().to_owned(),
            }))
            .await
        {
            Ok(answer) => {
                let answer = answer.into_inner();
                return Feed {
                    entries: answer
                        .entries
                        .iter()
                        .map(|entry| feed_entry(ctx, entry))
                        .collect(),
                    cursor: Some(answer.cursor),
                };
            }
            Err(status) if status.code() == tonic::Code::NotFound => {}
            Err(status) => tracing::debug!(%status, "no process feed"),
        }
    }
    Feed {
        entries: trail(state, ctx, process).await,
        cursor: None,
    }
}

/// An entry of a process's feed as the overview shows it.
pub(crate) fn feed_entry(ctx: &PageCtx, entry: &notifications::FeedEntry) -> FeedEntry {
    FeedEntry {
        when: ctx
            .lang
            .date(entry.create_time.as_ref().map_or(0, |t| t.seconds)),
        who: None,
        what: entry.title.clone(),
        link: (!entry.link.is_empty()).then(|| entry.link.clone()),
    }
}

/// The process's latest changes from the monitoring trail, if that
/// service lets the visitor read them.
async fn trail(state: &WebState, ctx: &PageCtx, process: &str) -> Vec<FeedEntry> {
    let Some(channel) = state
        .services
        .monitoring
        .clone()
        .filter(|_| ctx.user().is_some())
    else {
        return Vec::new();
    };
    let Ok(answer) = MonitoringServiceClient::new(channel)
        .list_activity(ctx.call(monitoring::ListActivityRequest {
            process: process.to_owned(),
            page_size: FEED_ENTRIES,
            ..Default::default()
        }))
        .await
    else {
        return Vec::new();
    };
    let entries = answer.into_inner().entries;
    let actors = people(state, ctx, entries.iter().map(|e| e.actor.clone())).await;
    entries
        .iter()
        .map(|entry| FeedEntry {
            when: ctx
                .lang
                .date(entry.occur_time.as_ref().map_or(0, |t| t.seconds)),
            who: Some(if entry.actor.starts_with("users/") {
                display_name(ctx, &actors, &entry.actor)
            } else {
                ctx.t("trail-the-platform")
            }),
            what: crate::process_monitoring::entry_text(ctx, entry),
            link: None,
        })
        .collect()
}
