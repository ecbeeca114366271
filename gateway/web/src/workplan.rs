//! A process's work plan as a Gantt chart drawn on the server: one row per
//! phase, objective and task (in the plan's order), a bar over its days
//! filled as far as it has progressed, an arrow from each prerequisite to
//! what waits for it, and a day, week or month scale. It is plain SVG in
//! the page (readable without JavaScript, printable, each row a link to
//! its item in the guide) and a file of its own to download.

use std::fmt::Write as _;

use askama::Template;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use interlink_proto::coproduction::v1 as coproduction;

use crate::Lang;
use crate::i18n::ymd;
use crate::pages::{PageCtx, page, problem, shown, web_pages};
use crate::processes::{Tab, coproduction_client, process_href, process_tabs, status_message};
use crate::{Shared, WebState};

/// The label column's width, in pixels.
const LABEL_WIDTH: i64 = 250;
/// A row's height.
const ROW_HEIGHT: i64 = 24;
/// The scale's height above the rows.
const SCALE_HEIGHT: i64 = 36;
/// The indent per level of the tree.
const INDENT: i64 = 12;
/// The longest label drawn whole (the rest is cut, the whole in its title).
const LABEL_CHARS: usize = 34;
/// The most days drawn: dates further out are cut at the edge.
const MAX_DAYS: i64 = 3_660;

/// How many days a pixel column stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Zoom {
    Day,
    Week,
    Month,
}

impl Zoom {
    fn parse(value: &str) -> Option<Self> {
        match value {
            "day" => Some(Self::Day),
            "week" => Some(Self::Week),
            "month" => Some(Self::Month),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }

    /// Pixels per day.
    fn scale(self) -> i64 {
        match self {
            Self::Day => 24,
            Self::Week => 6,
            Self::Month => 2,
        }
    }

    /// The zoom that fits `days` best when none is asked for.
    fn fitting(days: i64) -> Self {
        if days <= 45 {
            Self::Day
        } else if days <= 200 {
            Self::Week
        } else {
            Self::Month
        }
    }
}

/// Days since the epoch, the end exclusive.
type Span = (i64, i64);

/// A row of the chart.
struct Row<'a> {
    item: &'a coproduction::TreeItem,
    depth: i64,
    /// Days since the epoch, end exclusive.
    span: Option<(i64, i64)>,
}

/// The days a task's dates cover (end inclusive, so exclusive + 1).
fn own_span(item: &coproduction::TreeItem) -> Option<(i64, i64)> {
    let day = |t: &prost_types::Timestamp| t.seconds.div_euclid(86_400);
    match (item.start_time.as_ref(), item.end_time.as_ref()) {
        (Some(start), Some(end)) => Some((day(start), day(end).max(day(start)) + 1)),
        (Some(start), None) => Some((day(start), day(start) + 1)),
        (None, Some(end)) => Some((day(end), day(end) + 1)),
        (None, None) => None,
    }
}

/// The rows in the plan's order, each phase and objective spanning its
/// children's days (or its own when the service gives them).
fn rows(items: &[coproduction::TreeItem]) -> Vec<Row<'_>> {
    let enabled = |parent: &str| -> Vec<&coproduction::TreeItem> {
        items
            .iter()
            .filter(|i| i.parent == parent && !i.disabled)
            .collect()
    };
    let union = |spans: &[Option<(i64, i64)>]| {
        spans
            .iter()
            .flatten()
            .fold(None, |acc: Option<(i64, i64)>, (s, e)| {
                Some(acc.map_or((*s, *e), |(a, b)| (a.min(*s), b.max(*e))))
            })
    };
    let mut out = Vec::new();
    for phase in items.iter().filter(|i| {
        i.kind == coproduction::ItemKind::Phase as i32 && !i.disabled && i.parent.is_empty()
    }) {
        let phase_at = out.len();
        out.push(Row {
            item: phase,
            depth: 0,
            span: None,
        });
        let mut phase_spans = Vec::new();
        for objective in enabled(&phase.name) {
            let objective_at = out.len();
            out.push(Row {
                item: objective,
                depth: 1,
                span: None,
            });
            let mut task_spans = Vec::new();
            for task in enabled(&objective.name) {
                let span = own_span(task);
                task_spans.push(span);
                out.push(Row {
                    item: task,
                    depth: 2,
                    span,
                });
            }
            let span = own_span(objective).or_else(|| union(&task_spans));
            out[objective_at].span = span;
            phase_spans.push(span);
        }
        out[phase_at].span = own_span(phase).or_else(|| union(&phase_spans));
    }
    out
}

/// `text` safe in SVG text and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The chart as a standalone SVG document, or `None` when no item has
/// dates. Links are relative to the process's own pages
/// (`/processes/{id}/…`), so they work inline and downloaded alike.
pub(crate) fn gantt(
    lang: Lang,
    items: &[coproduction::TreeItem],
    zoom: Option<Zoom>,
    title: &str,
) -> Option<(String, Zoom)> {
    let rows = rows(items);
    let (first, last) = rows
        .iter()
        .filter_map(|r| r.span)
        .fold(None, |acc: Option<(i64, i64)>, (s, e)| {
            Some(acc.map_or((s, e), |(a, b)| (a.min(s), b.max(e))))
        })?;
    let zoom = zoom.unwrap_or_else(|| Zoom::fitting(last - first));
    // From the first day's unit: a day before it, its week's Monday, its
    // month's first day.
    let start = match zoom {
        Zoom::Day => first - 1,
        // 1970-01-01 was a Thursday: Mondays are 4 days on, every 7.
        Zoom::Week => first - (first - 4).rem_euclid(7),
        Zoom::Month => first - (i64::from(ymd(first).2) - 1),
    };
    let end = (last + 2).min(start + MAX_DAYS);
    let scale = zoom.scale();
    let x = |day: i64| LABEL_WIDTH + (day.clamp(start, end) - start) * scale;
    let width = x(end) + 8;
    let height = SCALE_HEIGHT + ROW_HEIGHT * i64::try_from(rows.len()).unwrap_or(0) + 4;
    let mut svg = String::with_capacity(400 * rows.len() + 4_000);
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gantt\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"system-ui,sans-serif\" font-size=\"12\" fill=\"#1b1b1b\">\
<title>{}</title>\
<defs><marker id=\"h\" viewBox=\"0 0 6 6\" refX=\"6\" refY=\"3\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0 0L6 3L0 6z\" fill=\"#4a4a4a\"/></marker></defs>",
        escape(title)
    );
    // The scale: a line and a label per unit.
    let mut day = start;
    while day < end {
        let (year, month, date) = ymd(day);
        let (label, next) = match zoom {
            Zoom::Day => (date.to_string(), day + 1),
            Zoom::Week => (lang.day_month(day), day + 7),
            Zoom::Month => {
                let days_in_month = {
                    let (ny, nm) = if month == 12 {
                        (year + 1, 1)
                    } else {
                        (year, month + 1)
                    };
                    crate::i18n::parse_iso_date(&format!("{ny:04}-{nm:02}-01"))
                        .map_or(30, |s| s / 86_400 - (day - i64::from(date) + 1))
                };
                (
                    if month == 1 || day == start {
                        format!("{} {year}", lang.short_month(month))
                    } else {
                        lang.short_month(month).to_owned()
                    },
                    day - i64::from(date) + 1 + days_in_month,
                )
            }
        };
        let at = x(day);
        // Days name their month above, where it begins.
        if zoom == Zoom::Day && (date == 1 || day == start) {
            let _ = write!(
                svg,
                "<text fill=\"#4a4a4a\" font-size=\"11\" x=\"{}\" y=\"9\">{} {year}</text>",
                at + 2,
                lang.short_month(month)
            );
        }
        let _ = write!(
            svg,
            "<path stroke=\"#c8c8c8\" d=\"M{at} {}V{height}\"/><text fill=\"#4a4a4a\" font-size=\"11\" x=\"{}\" y=\"{}\">{}</text>",
            SCALE_HEIGHT - 10,
            at + 2,
            SCALE_HEIGHT - 14,
            escape(&label)
        );
        day = next.max(day + 1);
    }
    // Where each row's bar is, for the arrows.
    let at: std::collections::HashMap<&str, (i64, Option<Span>)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let y = SCALE_HEIGHT + ROW_HEIGHT * i64::try_from(i).unwrap_or(0);
            (r.item.name.as_str(), (y, r.span))
        })
        .collect();
    for (i, row) in rows.iter().enumerate() {
        let y = SCALE_HEIGHT + ROW_HEIGHT * i64::try_from(i).unwrap_or(0);
        let item = row.item;
        let label = shown(item.title.as_ref(), lang).text;
        let cut: String = if label.chars().count() > LABEL_CHARS {
            label.chars().take(LABEL_CHARS - 1).collect::<String>() + "…"
        } else {
            label.clone()
        };
        // Status colours, each 4.5:1 or more on white.
        let colour = match coproduction::Status::try_from(item.status) {
            Ok(coproduction::Status::InProgress) => "#1d4f91",
            Ok(coproduction::Status::Finished) => "#1e6b37",
            _ => "#5c5c5c",
        };
        let percent = item.progress.clamp(0.0, 100.0).round() as i64;
        let mut described = format!(
            "{label}: {} · {}",
            lang.message(status_message(item.status), &[]),
            lang.message(
                "progress-done",
                &[(
                    "percent",
                    fluent_bundle::FluentValue::from(lang.number(percent))
                )]
            )
        );
        if let Some((s, e)) = row.span {
            let _ = write!(
                described,
                " · {} – {}",
                lang.date(s * 86_400),
                lang.date((e - 1) * 86_400)
            );
        }
        let weight = if row.depth < 2 {
            " font-weight=\"700\""
        } else {
            ""
        };
        let _ = write!(
            svg,
            "<a href=\"guide/{}\"><title>{}</title><text x=\"{}\" y=\"{}\"{weight}>{}</text>",
            escape(&item.name),
            escape(&described),
            4 + row.depth * INDENT,
            y + 16,
            escape(&cut)
        );
        if let Some((s, e)) = row.span {
            let (left, right) = (x(s), x(e));
            let bar = (right - left).max(3);
            let thick = if row.depth < 2 { 8 } else { 14 };
            let top = y + (ROW_HEIGHT - thick) / 2;
            let filled = bar * percent / 100;
            let _ = write!(
                svg,
                "<rect fill=\"#fff\" stroke=\"{colour}\" stroke-width=\"1.5\" x=\"{left}\" y=\"{top}\" width=\"{bar}\" height=\"{thick}\"/>"
            );
            if filled > 0 {
                let _ = write!(
                    svg,
                    "<rect fill=\"{colour}\" x=\"{left}\" y=\"{top}\" width=\"{filled}\" height=\"{thick}\"/>"
                );
            }
        }
        svg.push_str("</a>");
        // An arrow from each prerequisite's end to this bar's start.
        if let Some((s, _)) = row.span {
            for before in &item.prerequisites {
                if let Some((from_y, Some((_, from_end)))) = at.get(before.as_str()) {
                    let (x1, y1) = (x(*from_end), from_y + ROW_HEIGHT / 2);
                    let (x2, y2) = (x(s), y + ROW_HEIGHT / 2);
                    let _ = write!(
                        svg,
                        "<path fill=\"none\" stroke=\"#4a4a4a\" d=\"M{x1} {y1}h5V{y2}H{x2}\" marker-end=\"url(#h)\"/>"
                    );
                }
            }
        }
    }
    svg.push_str("</svg>");
    Some((svg, zoom))
}

/// A zoom link.
struct ZoomLink {
    href: String,
    label: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "workplan.html")]
struct WorkplanPage {
    ctx: PageCtx,
    title: String,
    text_lang: Option<String>,
    href: String,
    tabs: Vec<Tab>,
    zooms: Vec<ZoomLink>,
    /// The chart, none when nothing has dates.
    chart: Option<String>,
    download: String,
}

web_pages!(WorkplanPage);

/// The zoom a query asks for; `Err` names the value not understood.
fn asked_zoom(query: Option<&str>) -> Result<Option<Zoom>, tonic::Status> {
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if key == "zoom" && !value.is_empty() {
            return Zoom::parse(&value).map(Some).ok_or_else(|| {
                tonic::Status::invalid_argument("zoom: must be day, week or month")
            });
        }
    }
    Ok(None)
}

/// The process and its tree, and whether the visitor administers it.
async fn tree_of(
    state: &WebState,
    ctx: &PageCtx,
    id: &str,
) -> Result<(coproduction::ProcessTree, bool), tonic::Status> {
    let mut client =
        coproduction_client(state).ok_or_else(|| tonic::Status::unavailable("co-production"))?;
    let name = format!("processes/{id}");
    let mut permissions_client = client.clone();
    let signed_in = ctx.user().is_some();
    let (tree, administers) = tokio::join!(
        client.get_tree(ctx.call(coproduction::GetTreeRequest {
            process: name.clone(),
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
    Ok((tree?.into_inner(), administers))
}

/// `GET /processes/{id}/workplan?zoom=day|week|month`.
pub(crate) async fn workplan(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let asked = match asked_zoom(uri.query()) {
        Ok(zoom) => zoom,
        Err(status) => return problem(ctx, &status),
    };
    let (tree, administers) = match tree_of(&state, &ctx, &id).await {
        Ok(found) => found,
        Err(status) => return problem(ctx, &status),
    };
    let Some(process) = tree.process else {
        return problem(ctx, &tonic::Status::not_found(format!("processes/{id}")));
    };
    let chart = gantt(ctx.lang, &tree.items, asked, &process.title);
    let shown_zoom = chart.as_ref().map(|(_, zoom)| *zoom);
    let href = process_href(&process.name);
    let zooms = [Zoom::Day, Zoom::Week, Zoom::Month]
        .into_iter()
        .map(|zoom| ZoomLink {
            href: format!("{href}/workplan?zoom={}", zoom.name()),
            label: ctx.t(&format!("workplan-zoom-{}", zoom.name())),
            current: shown_zoom == Some(zoom),
        })
        .collect();
    page(
        &WorkplanPage {
            title: process.title.clone(),
            text_lang: (!process.language.is_empty()
                && !process.language.eq_ignore_ascii_case(ctx.lang.tag()))
            .then(|| process.language.clone()),
            tabs: process_tabs(&ctx, &href, "workplan", administers),
            download: format!(
                "{href}/workplan.svg?zoom={}",
                shown_zoom.unwrap_or(Zoom::Week).name()
            ),
            href,
            zooms,
            chart: chart.map(|(svg, _)| svg),
            ctx,
        },
        StatusCode::OK,
    )
}

/// `GET /processes/{id}/workplan.svg?zoom=…`: the chart alone, to keep or
/// print.
pub(crate) async fn workplan_svg(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let asked = match asked_zoom(uri.query()) {
        Ok(zoom) => zoom,
        Err(status) => return problem(ctx, &status),
    };
    let (tree, _) = match tree_of(&state, &ctx, &id).await {
        Ok(found) => found,
        Err(status) => return problem(ctx, &status),
    };
    let title = tree.process.as_ref().map_or("", |p| p.title.as_str());
    let Some((svg, _)) = gantt(ctx.lang, &tree.items, asked, title) else {
        return problem(
            ctx,
            &tonic::Status::failed_precondition("the plan has no dates yet"),
        );
    };
    let mut response = (StatusCode::OK, svg).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(ctx.lang.tag()),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(iso: &str) -> prost_types::Timestamp {
        prost_types::Timestamp {
            seconds: crate::i18n::parse_iso_date(iso).expect("a date"),
            nanos: 0,
        }
    }

    fn item(
        name: &str,
        parent: &str,
        kind: coproduction::ItemKind,
        dates: Option<(&str, &str)>,
        prerequisites: &[&str],
    ) -> coproduction::TreeItem {
        let mut title = interlink_proto::common::v1::TranslatableText::default();
        title.values.insert("en".into(), format!("Item <{name}>"));
        coproduction::TreeItem {
            name: name.into(),
            parent: parent.into(),
            kind: kind as i32,
            title: Some(title),
            start_time: dates.map(|(s, _)| day(s)),
            end_time: dates.map(|(_, e)| day(e)),
            prerequisites: prerequisites.iter().map(|p| (*p).to_owned()).collect(),
            ..Default::default()
        }
    }

    fn plan() -> Vec<coproduction::TreeItem> {
        use coproduction::ItemKind::{Objective, Phase, Task};
        vec![
            item("phases/p", "", Phase, None, &[]),
            item("objectives/o", "phases/p", Objective, None, &[]),
            item(
                "tasks/a",
                "objectives/o",
                Task,
                Some(("2027-03-01", "2027-03-10")),
                &[],
            ),
            item(
                "tasks/b",
                "objectives/o",
                Task,
                Some(("2027-03-11", "2027-03-20")),
                &["tasks/a"],
            ),
            item("tasks/c", "objectives/o", Task, None, &[]),
        ]
    }

    #[test]
    fn phases_and_objectives_span_their_tasks_days() {
        let items = plan();
        let rows = rows(&items);
        let spans: Vec<Option<(i64, i64)>> = rows.iter().map(|r| r.span).collect();
        let d = |iso: &str| day(iso).seconds / 86_400;
        assert_eq!(spans[0], Some((d("2027-03-01"), d("2027-03-21"))));
        assert_eq!(spans[1], spans[0]);
        assert_eq!(spans[2], Some((d("2027-03-01"), d("2027-03-11"))));
        assert_eq!(spans[4], None, "a task without dates has no bar");
        assert_eq!(
            rows.iter().map(|r| r.depth).collect::<Vec<_>>(),
            [0, 1, 2, 2, 2]
        );
    }

    #[test]
    fn the_chart_links_every_row_escapes_titles_and_draws_the_arrows() {
        let (svg, zoom) = gantt(Lang::En, &plan(), None, "A & B").expect("a chart");
        assert_eq!(zoom, Zoom::Day, "three weeks fit days");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("<title>A &amp; B</title>"));
        for name in ["phases/p", "objectives/o", "tasks/a", "tasks/b", "tasks/c"] {
            assert!(
                svg.contains(&format!("<a href=\"guide/{name}\">")),
                "{name}"
            );
        }
        assert!(svg.contains("Item &lt;tasks/a&gt;"));
        assert!(!svg.contains("<tasks/a>"));
        assert_eq!(svg.matches("marker-end").count(), 1, "b waits for a");
        assert!(svg.contains("1 March 2027 – 10 March 2027"));
        assert!(svg.contains(">Mar 2027</text>") && svg.contains(">1</text>"));
        // Weeks start on Mondays; months on the first.
        let (weeks, _) = gantt(Lang::Es, &plan(), Some(Zoom::Week), "x").expect("a chart");
        assert!(weeks.contains(">1 mar</text>"), "{weeks}");
        let (months, _) = gantt(Lang::Lv, &plan(), Some(Zoom::Month), "x").expect("a chart");
        assert!(months.contains(">marts 2027</text>"), "{months}");
    }

    #[test]
    fn no_dates_no_chart() {
        let mut items = plan();
        items.truncate(2);
        assert!(gantt(Lang::En, &items, None, "x").is_none());
        assert_eq!(
            asked_zoom(Some("zoom=week")).ok().flatten(),
            Some(Zoom::Week)
        );
        assert!(asked_zoom(Some("zoom=year")).is_err());
    }
}
