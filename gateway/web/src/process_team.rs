//! A process's team tab: its administrators, and the teams granted rights
//! on the whole process or on one of its items. Its administrators grant
//! and revoke, and make a member of a granted team an administrator (or
//! stop being one); everyone who may see the process sees who may act in
//! it. Co-production decides on each form (the last administrator stays).

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use interlink_proto::community::v1 as community;
use interlink_proto::community::v1::community_service_client::CommunityServiceClient;
use interlink_proto::coproduction::v1 as coproduction;
use serde::Deserialize;

use crate::guide::item_href;
use crate::pages::{
    FieldErrors, PageCtx, Shown, display_name, page, people, problem, resource_href, shown,
    web_pages,
};
use crate::processes::{Tab, coproduction_client, coproduction_form, process_href, process_tabs};
use crate::sign_in::{FieldError, Posted, see_other};
use crate::{Shared, WebState};

/// Teams looked through for the grant form and to name grants.
const TEAMS_LISTED: i32 = 500;

/// A grant in the table.
struct GrantRow {
    team: String,
    team_href: String,
    /// The item's title and guide address; `None`: the whole process.
    item: Option<(Shown, String)>,
    rights: String,
    /// Where revoking posts, for administrators.
    revoke: Option<String>,
}

/// A process administrator.
struct AdministratorRow {
    user: String,
    name: String,
    /// Whether the visitor may remove them (administrators may, while
    /// another stays).
    removable: bool,
}

/// A member of a granted team who is not an administrator yet.
struct Candidate {
    user: String,
    name: String,
    team: String,
}

/// A choice of the grant form's selects.
struct Choice {
    value: String,
    label: String,
    label_lang: Option<String>,
    selected: bool,
}

/// The grant form as posted, to show again with its mistakes.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct GrantPosted {
    #[serde(default)]
    csrf: String,
    /// `teams/{id}`.
    #[serde(default)]
    team: String,
    /// `tasks/{id}` …; empty: the whole process.
    #[serde(default)]
    item: String,
    #[serde(default)]
    access_assets: Option<String>,
    #[serde(default)]
    create_assets: Option<String>,
    #[serde(default)]
    delete_assets: Option<String>,
}

impl Posted for GrantPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

#[derive(Template)]
#[template(path = "process_team.html")]
struct TeamPage {
    ctx: PageCtx,
    csrf: String,
    notice: Option<String>,
    title: String,
    text_lang: Option<String>,
    href: String,
    tabs: Vec<Tab>,
    administers: bool,
    administrators: Vec<AdministratorRow>,
    candidates: Vec<Candidate>,
    grants: Vec<GrantRow>,
    teams: Vec<Choice>,
    items: Vec<Choice>,
    rights: [(&'static str, String, bool); 3],
    errors: FieldErrors,
}

web_pages!(TeamPage);

/// `GET /processes/{id}/team`.
pub(crate) async fn team(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let notice = match uri.query() {
        Some("granted=1") => Some("grant-made"),
        Some("revoked=1") => Some("grant-revoked"),
        Some("administrators=1") => Some("changes-saved"),
        _ => None,
    };
    render(&state, ctx, &id, notice, None, StatusCode::OK).await
}

/// The team tab, with the grant form shown again with `retry`'s mistakes.
async fn render(
    state: &WebState,
    mut ctx: PageCtx,
    id: &str,
    notice: Option<&str>,
    retry: Option<(GrantPosted, FieldErrors)>,
    status: StatusCode,
) -> Response {
    let Some(mut client) = coproduction_client(state) else {
        return problem(ctx, &tonic::Status::unavailable("co-production"));
    };
    let name = format!("processes/{id}");
    let (mut grants_client, mut permissions_client) = (client.clone(), client.clone());
    let signed_in = ctx.user().is_some();
    let (tree, grants, permissions) = tokio::join!(
        client.get_tree(ctx.call(coproduction::GetTreeRequest {
            process: name.clone(),
        })),
        grants_client.list_grants(ctx.call(coproduction::ListGrantsRequest {
            parent: name.clone(),
        })),
        async {
            if signed_in {
                permissions_client
                    .get_my_permissions(ctx.call(coproduction::GetMyPermissionsRequest {
                        target: name.clone(),
                    }))
                    .await
                    .map(|a| a.into_inner())
                    .unwrap_or_default()
            } else {
                coproduction::Permissions::default()
            }
        },
    );
    let tree = match tree {
        Ok(tree) => tree.into_inner(),
        Err(refusal) => return problem(ctx, &refusal),
    };
    let Some(process) = tree.process else {
        return problem(ctx, &tonic::Status::not_found(name));
    };
    let grants = grants.map(|a| a.into_inner().grants).unwrap_or_default();
    let administers = permissions.administrator;
    let mut granted_teams: Vec<String> = grants.iter().map(|g| g.team.clone()).collect();
    granted_teams.sort();
    granted_teams.dedup();
    let (teams, members, names) = tokio::join!(
        teams_of(state, &ctx, &process.organization),
        members_of(state, &ctx, if administers { &granted_teams } else { &[] }),
        people(state, &ctx, process.administrators.iter().cloned()),
    );
    let team_title = |team: &str| {
        teams.iter().find(|t| t.name == team).map_or_else(
            || ctx.t("a-team"),
            |t| shown(t.display_name.as_ref(), ctx.lang).text,
        )
    };
    let href = process_href(&process.name);
    let grant_rows = grants
        .iter()
        .map(|grant| GrantRow {
            team: team_title(&grant.team),
            team_href: resource_href("/teams", &grant.team),
            item: tree.items.iter().find(|i| i.name == grant.item).map(|i| {
                (
                    shown(i.title.as_ref(), ctx.lang),
                    item_href(&process.name, &i.name),
                )
            }),
            rights: [
                (grant.access_assets, "grant-access-assets"),
                (grant.create_assets, "grant-create-assets"),
                (grant.delete_assets, "grant-delete-assets"),
            ]
            .into_iter()
            .filter(|(granted, _)| *granted)
            .map(|(_, message)| ctx.t(message))
            .collect::<Vec<_>>()
            .join(", "),
            revoke: administers.then(|| {
                format!(
                    "{href}/grants/{}/revoke",
                    grant.name.rsplit('/').next().unwrap_or_default()
                )
            }),
        })
        .collect();
    let administrators = process
        .administrators
        .iter()
        .map(|user| AdministratorRow {
            user: user.clone(),
            name: display_name(&ctx, &names, user),
            removable: administers && process.administrators.len() > 1,
        })
        .collect();
    let mut candidates: Vec<Candidate> = Vec::new();
    for member in members {
        if process.administrators.contains(&member.user)
            || candidates.iter().any(|c| c.user == member.user)
        {
            continue;
        }
        candidates.push(Candidate {
            name: if member.display_name.is_empty() {
                ctx.t("someone")
            } else {
                member.display_name.clone()
            },
            team: team_title(&member.team),
            user: member.user,
        });
    }
    let (chosen, errors) = match retry {
        Some((posted, errors)) => (posted, errors),
        None => (
            GrantPosted {
                access_assets: Some("on".to_owned()),
                ..GrantPosted::default()
            },
            FieldErrors::default(),
        ),
    };
    let team_choices = teams
        .iter()
        .map(|t| {
            let title = shown(t.display_name.as_ref(), ctx.lang);
            Choice {
                selected: t.name == chosen.team,
                value: t.name.clone(),
                label: title.text,
                label_lang: title.lang,
            }
        })
        .collect();
    let item_choices = std::iter::once(Choice {
        value: String::new(),
        label: ctx.t("grant-on-process"),
        label_lang: None,
        selected: chosen.item.is_empty(),
    })
    .chain(tree.items.iter().filter(|i| !i.disabled).map(|i| {
        let title = shown(i.title.as_ref(), ctx.lang);
        // Indented by depth so the select reads as the tree.
        let depth = match coproduction::ItemKind::try_from(i.kind) {
            Ok(coproduction::ItemKind::Phase) => "",
            Ok(coproduction::ItemKind::Objective) => "— ",
            _ => "— — ",
        };
        Choice {
            selected: i.name == chosen.item,
            value: i.name.clone(),
            label: format!("{depth}{}", title.text),
            label_lang: title.lang,
        }
    }))
    .collect();
    let rights = [
        (
            "access_assets",
            ctx.t("grant-access-assets"),
            chosen.access_assets.is_some(),
        ),
        (
            "create_assets",
            ctx.t("grant-create-assets"),
            chosen.create_assets.is_some(),
        ),
        (
            "delete_assets",
            ctx.t("grant-delete-assets"),
            chosen.delete_assets.is_some(),
        ),
    ];
    let csrf = if administers {
        ctx.csrf(state)
    } else {
        String::new()
    };
    page(
        &TeamPage {
            csrf,
            notice: notice.map(|m| ctx.t(m)),
            title: process.title.clone(),
            text_lang: (!process.language.is_empty()
                && !process.language.eq_ignore_ascii_case(ctx.lang.tag()))
            .then(|| process.language.clone()),
            tabs: process_tabs(&ctx, &href, "team", administers),
            href,
            administers,
            administrators,
            candidates,
            grants: grant_rows,
            teams: team_choices,
            items: item_choices,
            rights,
            errors,
            ctx,
        },
        status,
    )
}

/// The teams of the process's organisation.
async fn teams_of(state: &WebState, ctx: &PageCtx, organization: &str) -> Vec<community::Team> {
    let Some(channel) = state.services.community.clone() else {
        return Vec::new();
    };
    CommunityServiceClient::new(channel)
        .list_teams(ctx.call(community::ListTeamsRequest {
            parent: organization.to_owned(),
            page_size: TEAMS_LISTED,
            page_token: String::new(),
        }))
        .await
        .map(|a| a.into_inner().teams)
        .unwrap_or_default()
}

/// The members of `teams`, asked of community at once.
async fn members_of(
    state: &WebState,
    ctx: &PageCtx,
    teams: &[String],
) -> Vec<community::TeamMember> {
    let Some(channel) = state.services.community.clone() else {
        return Vec::new();
    };
    let calls = teams.iter().map(|team| {
        let mut client = CommunityServiceClient::new(channel.clone());
        let request = ctx.call(community::ListTeamMembersRequest { team: team.clone() });
        async move {
            client
                .list_team_members(request)
                .await
                .map(|a| a.into_inner().members)
                .unwrap_or_default()
        }
    });
    futures::future::join_all(calls)
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// `POST /processes/{id}/grants`: grants a team rights on the process or
/// on one of its items.
pub(crate) async fn grant(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<GrantPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let name = format!("processes/{id}");
    let request = coproduction::CreateGrantRequest {
        parent: name.clone(),
        grant: Some(coproduction::Grant {
            team: posted.team.clone(),
            item: posted.item.clone(),
            access_assets: posted.access_assets.is_some(),
            create_assets: posted.create_assets.is_some(),
            delete_assets: posted.delete_assets.is_some(),
            ..Default::default()
        }),
    };
    match client.create_grant(ctx.call(request)).await {
        Ok(_) => see_other(&format!("{}/team?granted=1", process_href(&name)), None),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            use tonic_types::StatusExt;
            let fields: Vec<String> = status
                .get_details_bad_request()
                .map(|bad| bad.field_violations.into_iter().map(|v| v.field).collect())
                .unwrap_or_default();
            let mut errors = FieldErrors::default();
            for field in fields {
                let (input, message) = match field.as_str() {
                    "grant.team" => ("grant-team", "grant-team-invalid"),
                    "grant.item" => ("grant-item", "grant-item-invalid"),
                    "grant" => ("grant-rights", "grant-rights-invalid"),
                    _ => continue,
                };
                if errors.get(input).is_none() {
                    errors.0.push(FieldError {
                        field: input,
                        text: ctx.t(message),
                    });
                }
            }
            if errors.is_empty() {
                return problem(ctx, &status);
            }
            render(
                &state,
                ctx,
                &id,
                None,
                Some((posted, errors)),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(status) => problem(ctx, &status),
    }
}

/// `POST /processes/{id}/grants/{grant}/revoke`.
pub(crate) async fn revoke(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, grant)): Path<(String, String)>,
    form: Result<Form<crate::organizations::ButtonPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, _, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let name = format!("processes/{id}");
    match client
        .delete_grant(ctx.call(coproduction::DeleteGrantRequest {
            name: format!("{name}/grants/{grant}"),
        }))
        .await
    {
        Ok(_) => see_other(&format!("{}/team?revoked=1", process_href(&name)), None),
        Err(status) => problem(ctx, &status),
    }
}

/// A person to make, or stop being, a process administrator.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AdministratorPosted {
    #[serde(default)]
    csrf: String,
    /// `users/{id}`.
    #[serde(default)]
    user: String,
}

impl Posted for AdministratorPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /processes/{id}/administrators`: makes a person an administrator.
pub(crate) async fn add_administrator(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<AdministratorPosted>, FormRejection>,
) -> Response {
    set_administrator(state, headers, uri, id, form, true).await
}

/// `POST /processes/{id}/administrators/remove`: a person stops being an
/// administrator (never the last one).
pub(crate) async fn remove_administrator(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<AdministratorPosted>, FormRejection>,
) -> Response {
    set_administrator(state, headers, uri, id, form, false).await
}

async fn set_administrator(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    id: String,
    form: Result<Form<AdministratorPosted>, FormRejection>,
    add: bool,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let process = format!("processes/{id}");
    let done = if add {
        client
            .add_process_administrator(ctx.call(coproduction::AddProcessAdministratorRequest {
                process: process.clone(),
                user: posted.user,
                subject: String::new(),
            }))
            .await
    } else {
        client
            .remove_process_administrator(ctx.call(
                coproduction::RemoveProcessAdministratorRequest {
                    process: process.clone(),
                    user: posted.user,
                    subject: String::new(),
                },
            ))
            .await
    };
    match done {
        Ok(_) => see_other(
            &format!("{}/team?administrators=1", process_href(&process)),
            None,
        ),
        Err(status) => problem(ctx, &status),
    }
}
