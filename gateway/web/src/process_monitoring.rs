//! A process's monitoring tab, for its organisation's administrators (the
//! monitoring service decides): the process's own figures (its assets,
//! its active users over 7 and 30 days), the organisation's adoption KPIs
//! as cards each with its last 30 days drawn as bars, the process's
//! activity trail filtered by what changed, and whether the organisation's
//! tamper-evident trail verifies.

use std::fmt::Write as _;

use askama::Template;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use interlink_proto::coproduction::v1 as coproduction;
use interlink_proto::monitoring::v1 as monitoring;
use interlink_proto::monitoring::v1::monitoring_service_client::MonitoringServiceClient;

use crate::Lang;
use crate::i18n::iso_date;
use crate::organizations::sign_in_first;
use crate::pages::{
    PageCtx, display_name, form_urlencoded_component, page, people, problem, web_pages,
};
use crate::processes::{Selectable, Tab, coproduction_client, process_href, process_tabs};
use crate::{Shared, WebState};

/// Trail entries per page.
const ENTRIES_PER_PAGE: i32 = 30;
/// The days a series shows.
const SERIES_DAYS: i64 = 30;

/// The organisation's KPIs shown as cards, in this order.
const CARD_KPIS: [&str; 10] = [
    "processes",
    "assets",
    "claims",
    "claims_accepted",
    "stories",
    "teams",
    "participants",
    "interlinkers_used",
    "cloned_processes",
    "co_delivered_processes",
];

/// What a process's trail may be filtered by (the `model` of its events'
/// types `service.model.action`).
const MODELS: [&str; 7] = [
    "process", "item", "task", "grant", "asset", "claim", "story",
];

/// The actions of co-production's events, each with its words.
const ACTIONS: [&str; 16] = [
    "created",
    "updated",
    "deleted",
    "schema_set",
    "schema_cleared",
    "cloned",
    "imported",
    "added",
    "removed",
    "copied",
    "disabled",
    "status_changed",
    "submitted",
    "decided",
    "published",
    "rated",
];

/// A figure with its daily bars.
struct Card {
    label: String,
    value: String,
    /// The last 30 days as an SVG of bars, and its text alternative.
    series: Option<(String, String)>,
}

/// An entry of the trail.
struct EntryRow {
    when: String,
    datetime: String,
    who: String,
    what: String,
}

#[derive(Template)]
#[template(path = "process_monitoring.html")]
struct MonitoringPage {
    ctx: PageCtx,
    title: String,
    text_lang: Option<String>,
    href: String,
    tabs: Vec<Tab>,
    process_cards: Vec<Card>,
    cards: Vec<Card>,
    models: Vec<Selectable>,
    filtered: bool,
    entries: Vec<EntryRow>,
    next_page: Option<String>,
    /// Whether the trail verifies, and the sentence saying so.
    chain: Option<(bool, String)>,
}

web_pages!(MonitoringPage);

/// The trail's filters as the address says.
#[derive(Debug, Default, PartialEq)]
struct TrailFilters {
    model: String,
    page: String,
}

impl TrailFilters {
    fn parse(query: Option<&str>) -> Result<Self, tonic::Status> {
        let mut out = Self::default();
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "model" if !value.is_empty() && !MODELS.contains(&value.as_ref()) => {
                    return Err(tonic::Status::invalid_argument(format!(
                        "model: must be one of {}",
                        MODELS.join(", ")
                    )));
                }
                "model" => out.model = value.into_owned(),
                "page" => out.page = value.into_owned(),
                _ => {}
            }
        }
        Ok(out)
    }
}

/// The sum of a KPI over its dimensions (one dimension when `dimension`
/// is given), and its daily changes likewise.
fn kpi_total(
    kpis: &monitoring::Kpis,
    kpi: &str,
    dimension: Option<&str>,
) -> (i64, std::collections::BTreeMap<String, i64>) {
    let mut total = 0;
    let mut daily = std::collections::BTreeMap::new();
    for value in kpis
        .values
        .iter()
        .filter(|v| v.kpi == kpi && dimension.is_none_or(|d| v.dimension == d))
    {
        total += value.value;
        for (day, delta) in &value.daily {
            *daily.entry(day.clone()).or_insert(0) += delta;
        }
    }
    (total, daily)
}

/// The net change of each of the last `SERIES_DAYS` days up to `today`
/// (days since the epoch) as bars (removals in red, below none), with the
/// period's change in words; `None` when nothing changed in them.
fn series_svg(
    lang: Lang,
    daily: &std::collections::BTreeMap<String, i64>,
    today: i64,
) -> Option<(String, String)> {
    let days: Vec<(i64, i64)> = (today - SERIES_DAYS + 1..=today)
        .map(|day| {
            (
                day,
                daily.get(&iso_date(day * 86_400)).copied().unwrap_or(0),
            )
        })
        .collect();
    let changed: i64 = days.iter().map(|(_, delta)| delta.abs()).sum();
    if changed == 0 {
        return None;
    }
    let top = days.iter().map(|(_, d)| d.abs()).max().unwrap_or(1).max(1);
    let (bar, height) = (6_i64, 40_i64);
    let width = bar * SERIES_DAYS;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"series\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" aria-hidden=\"true\" focusable=\"false\"><path stroke=\"#4a4a4a\" d=\"M0 {}H{width}\"/>",
        height - 1
    );
    for (i, (_, delta)) in days.iter().enumerate() {
        if *delta == 0 {
            continue;
        }
        let h = (delta.abs() * (height - 2) / top).max(2);
        let colour = if *delta > 0 { "#1d4f91" } else { "#b00020" };
        let _ = write!(
            svg,
            "<rect fill=\"{colour}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{h}\"/>",
            i64::try_from(i).unwrap_or(0) * bar + 1,
            height - 1 - h,
            bar - 2
        );
    }
    svg.push_str("</svg>");
    // The days keep net changes: their sum is the change over the period.
    let change: i64 = days.iter().map(|(_, d)| *d).sum();
    let sign = if change > 0 { "+" } else { "" };
    let alternative = lang.message(
        "monitoring-series",
        &[(
            "change",
            fluent_bundle::FluentValue::from(format!("{sign}{}", lang.number(change))),
        )],
    );
    Some((svg, alternative))
}

/// "Task: status changed" for an event type `coproduction.task.status_changed`.
pub(crate) fn entry_text(ctx: &PageCtx, entry: &monitoring::AuditEntry) -> String {
    let model = if MODELS.contains(&entry.model.as_str()) {
        ctx.t(&format!("trail-model-{}", entry.model))
    } else {
        entry.model.clone()
    };
    let action = if ACTIONS.contains(&entry.action.as_str()) {
        ctx.t(&format!("trail-action-{}", entry.action.replace('_', "-")))
    } else {
        entry.action.replace('_', " ")
    };
    format!("{model}: {action}")
}

/// `GET /processes/{id}/monitoring?model=…&page=…`.
pub(crate) async fn monitoring_tab(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let filters = match TrailFilters::parse(uri.query()) {
        Ok(filters) => filters,
        Err(status) => return problem(ctx, &status),
    };
    render(&state, ctx, &id, &filters).await
}

async fn render(state: &WebState, ctx: PageCtx, id: &str, filters: &TrailFilters) -> Response {
    let (Some(mut client), Some(channel)) = (
        coproduction_client(state),
        state.services.monitoring.clone(),
    ) else {
        return problem(ctx, &tonic::Status::unavailable("monitoring"));
    };
    let name = format!("processes/{id}");
    let mut permissions_client = client.clone();
    let (process, permissions) = tokio::join!(
        client.get_process(ctx.call(coproduction::GetProcessRequest { name: name.clone() })),
        permissions_client.get_my_permissions(ctx.call(coproduction::GetMyPermissionsRequest {
            target: name.clone(),
        })),
    );
    let process = match process {
        Ok(process) => process.into_inner(),
        Err(refusal) => return problem(ctx, &refusal),
    };
    let administers = permissions.is_ok_and(|p| p.into_inner().administrator);
    let organization = process.organization.clone();
    let (mut kpis_client, mut trail_client, mut chain_client) = (
        MonitoringServiceClient::new(channel.clone()),
        MonitoringServiceClient::new(channel.clone()),
        MonitoringServiceClient::new(channel),
    );
    let (kpis, trail, chain) = tokio::join!(
        kpis_client.get_kpis(ctx.call(monitoring::GetKpisRequest {
            scope: organization.clone(),
            include_series: true,
        })),
        trail_client.list_activity(ctx.call(monitoring::ListActivityRequest {
            process: name.clone(),
            model: filters.model.clone(),
            page_size: ENTRIES_PER_PAGE,
            page_token: filters.page.clone(),
            ..Default::default()
        })),
        chain_client.verify_chain(ctx.call(monitoring::VerifyChainRequest {
            organization: organization.clone(),
        })),
    );
    // Only the organisation's administrators read its figures.
    let kpis = match kpis {
        Ok(kpis) => kpis.into_inner(),
        Err(refusal) => return problem(ctx, &refusal),
    };
    let trail = match trail {
        Ok(trail) => trail.into_inner(),
        Err(refusal) => return problem(ctx, &refusal),
    };
    let actors = people(state, &ctx, trail.entries.iter().map(|e| e.actor.clone())).await;
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
        .div_euclid(86_400);
    let number = |n: i64| ctx.lang.number(n);
    let (assets, assets_daily) = kpi_total(&kpis, "assets_per_process", Some(id));
    let activity = kpis.active_users.iter().find(|a| a.process == name);
    let process_cards = vec![
        Card {
            label: ctx.t("kpi-process-assets"),
            value: number(assets),
            series: series_svg(ctx.lang, &assets_daily, today),
        },
        Card {
            label: ctx.t("kpi-active-7"),
            value: number(activity.map_or(0, |a| a.last_7_days)),
            series: None,
        },
        Card {
            label: ctx.t("kpi-active-30"),
            value: number(activity.map_or(0, |a| a.last_30_days)),
            series: None,
        },
    ];
    let cards = CARD_KPIS
        .iter()
        .map(|kpi| {
            let (total, daily) = kpi_total(&kpis, kpi, None);
            Card {
                label: ctx.t(&format!("kpi-{}", kpi.replace('_', "-"))),
                value: number(total),
                series: series_svg(ctx.lang, &daily, today),
            }
        })
        .collect();
    let entries = trail
        .entries
        .iter()
        .map(|entry| {
            let seconds = entry.occur_time.as_ref().map_or(0, |t| t.seconds);
            EntryRow {
                when: format!(
                    "{} {:02}:{:02}",
                    ctx.lang.date(seconds),
                    seconds.rem_euclid(86_400) / 3_600,
                    seconds.rem_euclid(3_600) / 60
                ),
                datetime: format!(
                    "{}T{:02}:{:02}Z",
                    iso_date(seconds),
                    seconds.rem_euclid(86_400) / 3_600,
                    seconds.rem_euclid(3_600) / 60
                ),
                who: if entry.actor.starts_with("users/") {
                    display_name(&ctx, &actors, &entry.actor)
                } else {
                    ctx.t("trail-the-platform")
                },
                what: entry_text(&ctx, entry),
            }
        })
        .collect();
    let href = process_href(&process.name);
    let next_page = (!trail.next_page_token.is_empty()).then(|| {
        let mut next = format!("{href}/monitoring?");
        if !filters.model.is_empty() {
            let _ = write!(next, "model={}&", filters.model);
        }
        next + &format!("page={}", form_urlencoded_component(&trail.next_page_token))
    });
    let chain = chain.ok().map(|answer| {
        let verification = answer.into_inner();
        if verification.valid {
            (
                true,
                ctx.lang.message(
                    "trail-valid",
                    &[(
                        "entries",
                        fluent_bundle::FluentValue::from(verification.entries),
                    )],
                ),
            )
        } else {
            (
                false,
                ctx.lang.message(
                    "trail-broken",
                    &[
                        (
                            "sequence",
                            fluent_bundle::FluentValue::from(verification.first_broken_sequence),
                        ),
                        (
                            "reason",
                            fluent_bundle::FluentValue::from(verification.reason),
                        ),
                    ],
                ),
            )
        }
    });
    let models = std::iter::once(("", ctx.t("filter-any")))
        .chain(
            MODELS
                .iter()
                .map(|m| (*m, ctx.t(&format!("trail-model-{m}")))),
        )
        .map(|(value, label)| Selectable {
            selected: value == filters.model,
            value: value.to_owned(),
            label,
            label_lang: None,
        })
        .collect();
    page(
        &MonitoringPage {
            title: process.title.clone(),
            text_lang: (!process.language.is_empty()
                && !process.language.eq_ignore_ascii_case(ctx.lang.tag()))
            .then(|| process.language.clone()),
            tabs: process_tabs(&ctx, &href, "monitoring", administers),
            href,
            process_cards,
            cards,
            models,
            filtered: !filters.model.is_empty(),
            entries,
            next_page,
            chain,
            ctx,
        },
        StatusCode::OK,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpis_add_up_over_dimensions_and_days() {
        let value =
            |kpi: &str, dimension: &str, value: i64, days: &[(&str, i64)]| monitoring::KpiValue {
                kpi: kpi.into(),
                dimension: dimension.into(),
                value,
                daily: days.iter().map(|(d, v)| ((*d).to_owned(), *v)).collect(),
            };
        let kpis = monitoring::Kpis {
            values: vec![
                value("claims", "management", 2, &[("2026-12-01", 2)]),
                value(
                    "claims",
                    "development",
                    3,
                    &[("2026-12-01", 1), ("2026-12-02", 2)],
                ),
                value(
                    "assets_per_process",
                    "p1",
                    4,
                    &[("2026-12-02", 5), ("2026-12-03", -1)],
                ),
                value("assets_per_process", "p2", 9, &[]),
            ],
            ..Default::default()
        };
        let (total, daily) = kpi_total(&kpis, "claims", None);
        assert_eq!(total, 5);
        assert_eq!(daily.get("2026-12-01"), Some(&3));
        let (mine, daily) = kpi_total(&kpis, "assets_per_process", Some("p1"));
        assert_eq!(mine, 4);
        let today = crate::i18n::parse_iso_date("2026-12-03").expect("a day") / 86_400;
        let (svg, text) = series_svg(Lang::En, &daily, today).expect("bars");
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("#b00020"), "a removal is drawn apart");
        assert_eq!(text, "Change over the last 30 days: +4");
        assert!(series_svg(Lang::En, &Default::default(), today).is_none());
    }

    #[test]
    fn the_trail_is_filtered_only_by_known_models() {
        assert_eq!(
            TrailFilters::parse(Some("model=task&page=x"))
                .expect("filters")
                .model,
            "task"
        );
        assert!(TrailFilters::parse(Some("model=drop_table")).is_err());
    }
}
