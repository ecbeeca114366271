//! Organisations: the list, an organisation's page with its teams, and the
//! forms to create, edit and delete one and to create its teams. Community
//! decides who may do what; these pages show its answers and its refusals.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use interlink_proto::common::v1::TranslatableText;
use interlink_proto::community::v1 as community;
use interlink_proto::community::v1::community_service_client::CommunityServiceClient;
use serde::Deserialize;

use crate::pages::{
    Choice, FieldErrors, PageCtx, Shown, display_name, field_errors, form_urlencoded_component,
    page, paragraphs, people, problem, problem_page, resource_href, shown, web_pages,
};
use crate::sign_in::{Posted, see_other, signed_in_form};
use crate::{Lang, Shared, WebState};

/// Organisations listed per page.
const ORGANIZATIONS_PER_PAGE: i32 = 50;
/// Teams shown on an organisation's page.
const TEAMS_SHOWN: i32 = 200;

/// Community's client, or the page saying it is not there.
pub(crate) fn community_client(state: &WebState) -> Option<CommunityServiceClient<crate::Channel>> {
    state
        .services
        .community
        .clone()
        .map(CommunityServiceClient::new)
}

/// The checks before a signed-in person's form goes to community (see
/// [`signed_in_form`]), then community's client. `Err` is the page to
/// answer with instead.
// The `Err` is the response sent at once, so boxing it would gain nothing.
#[allow(clippy::result_large_err)]
pub(crate) fn community_form<T: Posted>(
    state: &WebState,
    headers: &HeaderMap,
    ctx: PageCtx,
    form: Result<Form<T>, FormRejection>,
) -> Result<(PageCtx, T, CommunityServiceClient<crate::Channel>), Response> {
    let (ctx, form) = signed_in_form(state, headers, ctx, form)?;
    match community_client(state) {
        Some(client) => Ok((ctx, form, client)),
        None => Err(no_community(ctx)),
    }
}

/// The page when community is not part of this gateway's mesh.
pub(crate) fn no_community(ctx: PageCtx) -> Response {
    problem_page(
        ctx,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable-title",
        "unavailable-text",
    )
}

/// `/organizations/{id}` for `organizations/{id}`.
pub(crate) fn organization_href(name: &str) -> String {
    resource_href("/organizations", name)
}

/// The message naming a team type.
pub(crate) fn team_type_message(team_type: i32) -> &'static str {
    match community::TeamType::try_from(team_type) {
        Ok(community::TeamType::Citizen) => "team-type-citizen",
        Ok(community::TeamType::PublicAdministration) => "team-type-public-administration",
        Ok(community::TeamType::NonprofitOrganization) => "team-type-nonprofit",
        Ok(community::TeamType::ForprofitOrganization) => "team-type-forprofit",
        _ => "team-type-unspecified",
    }
}

/// The form values of the team types, in the order shown.
pub(crate) const TEAM_TYPES: [(&str, community::TeamType); 4] = [
    ("citizen", community::TeamType::Citizen),
    (
        "public-administration",
        community::TeamType::PublicAdministration,
    ),
    ("nonprofit", community::TeamType::NonprofitOrganization),
    ("forprofit", community::TeamType::ForprofitOrganization),
];

const POLICIES: [(&str, community::TeamCreationPolicy, &str); 3] = [
    (
        "administrators",
        community::TeamCreationPolicy::Administrators,
        "policy-administrators",
    ),
    (
        "members",
        community::TeamCreationPolicy::Members,
        "policy-members",
    ),
    (
        "anyone",
        community::TeamCreationPolicy::Anyone,
        "policy-anyone",
    ),
];

/// The team-type radio buttons, `checked` ticked.
pub(crate) fn team_type_choices(ctx: &PageCtx, checked: i32) -> Vec<Choice> {
    TEAM_TYPES
        .iter()
        .map(|(value, team_type)| Choice {
            value,
            label: ctx.t(team_type_message(*team_type as i32)),
            checked: *team_type as i32 == checked,
        })
        .collect()
}

/// A posted team type: its number, or 0 (which community refuses, naming
/// the field) for anything else.
pub(crate) fn posted_team_type(value: &str) -> i32 {
    TEAM_TYPES
        .iter()
        .find(|(v, _)| *v == value)
        .map_or(0, |(_, t)| *t as i32)
}

/// `text` with its value in `lang` set to `value` (removed when `value` is
/// blank and `keep_blank` is false), other languages kept.
pub(crate) fn with_language(
    text: Option<TranslatableText>,
    lang: Lang,
    value: &str,
    keep_blank: bool,
) -> Option<TranslatableText> {
    let mut text = text.unwrap_or_default();
    if value.trim().is_empty() && !keep_blank {
        text.values.remove(lang.tag());
    } else {
        text.values
            .insert(lang.tag().to_owned(), value.trim().to_owned());
    }
    Some(text)
}

/// The value of `text` in exactly `lang` (for a form editing that one).
pub(crate) fn in_language(text: Option<&TranslatableText>, lang: Lang) -> String {
    text.and_then(|t| t.values.get(lang.tag()))
        .cloned()
        .unwrap_or_default()
}

// ---------------------------------------------------------------- the list

pub(crate) struct OrganizationRow {
    pub(crate) href: String,
    pub(crate) title: Shown,
    pub(crate) summary: Shown,
    pub(crate) members_only: bool,
}

#[derive(Template)]
#[template(path = "organizations.html")]
struct OrganizationsPage {
    ctx: PageCtx,
    rows: Vec<OrganizationRow>,
    next_page: Option<String>,
    deleted: bool,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    page: String,
    #[serde(default)]
    deleted: Option<String>,
}

/// `GET /organizations`: the organisations the visitor may see, newest
/// first, in pages.
pub(crate) async fn list(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Query(query): Query<ListQuery>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let Some(mut client) = community_client(&state) else {
        return no_community(ctx);
    };
    let answer = match client
        .list_organizations(ctx.call(community::ListOrganizationsRequest {
            page_size: ORGANIZATIONS_PER_PAGE,
            page_token: query.page.clone(),
        }))
        .await
    {
        Ok(answer) => answer.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let lang = ctx.lang;
    let rows = answer
        .organizations
        .iter()
        .map(|o| OrganizationRow {
            href: organization_href(&o.name),
            title: shown(o.display_name.as_ref(), lang),
            summary: summary(shown(o.description.as_ref(), lang)),
            members_only: !o.public,
        })
        .collect();
    let next_page = (!answer.next_page_token.is_empty()).then(|| {
        format!(
            "/organizations?page={}",
            form_urlencoded_component(&answer.next_page_token)
        )
    });
    page(
        &OrganizationsPage {
            ctx,
            rows,
            next_page,
            deleted: query.deleted.is_some(),
        },
        StatusCode::OK,
    )
}

/// "3 members" in `lang`.
pub(crate) fn member_count(lang: Lang, count: i32) -> String {
    lang.message(
        "member-count",
        &[
            ("count", fluent_bundle::FluentValue::from(count)),
            (
                "shown",
                fluent_bundle::FluentValue::from(lang.number(count.into())),
            ),
        ],
    )
}

/// The first 300 characters of a text.
pub(crate) fn summary(mut text: Shown) -> Shown {
    const SUMMARY_CHARS: usize = 300;
    if text.text.chars().count() > SUMMARY_CHARS {
        text.text = text.text.chars().take(SUMMARY_CHARS).collect::<String>() + "…";
    }
    text
}

// ------------------------------------------------------ an organisation

pub(crate) struct TeamRow {
    pub(crate) href: String,
    pub(crate) title: Shown,
    pub(crate) team_type: String,
    pub(crate) members: String,
}

#[derive(Template)]
#[template(path = "organization.html")]
struct OrganizationPage {
    ctx: PageCtx,
    href: String,
    title: Shown,
    description: Vec<String>,
    description_lang: Option<String>,
    members_only: bool,
    team_type: String,
    policy: String,
    administrators: Vec<AdministratorRow>,
    teams: Vec<TeamRow>,
    administers: bool,
    /// Its webhooks may be managed here (the notifications service is
    /// part of the mesh, and the person administers the organisation).
    webhooks: bool,
    csrf: String,
    may_create_team: bool,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct OrganizationQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    created: Option<String>,
    /// `added` or `removed`: an administrator was.
    #[serde(default)]
    administrator: Option<String>,
}

/// An administrator of an organisation, as its page lists them.
pub(crate) struct AdministratorRow {
    pub(crate) name: String,
    /// `users/{id}`, for the remove button.
    pub(crate) user: String,
    pub(crate) me: bool,
}

/// The organisation `organizations/{id}`, or the page to answer instead
/// (404 for an id no visible organisation has).
pub(crate) async fn organization(
    client: &mut CommunityServiceClient<crate::Channel>,
    ctx: PageCtx,
    id: &str,
) -> Result<(PageCtx, community::Organization), Response> {
    match client
        .get_organization(ctx.call(community::GetOrganizationRequest {
            name: format!("organizations/{id}"),
        }))
        .await
    {
        Ok(answer) => Ok((ctx, answer.into_inner())),
        Err(status) => Err(not_found_or_problem(ctx, &status)),
    }
}

/// A refusal to find something by a path's id: 404 when the id is
/// malformed or names nothing the visitor may see.
pub(crate) fn not_found_or_problem(ctx: PageCtx, status: &tonic::Status) -> Response {
    if matches!(
        status.code(),
        tonic::Code::NotFound | tonic::Code::InvalidArgument
    ) {
        problem_page(
            ctx,
            StatusCode::NOT_FOUND,
            "not-found-title",
            "not-found-text",
        )
    } else {
        problem(ctx, status)
    }
}

/// Whether the signed-in person administers `organization` (or the whole
/// platform): only to offer the links; community decides on the forms.
pub(crate) fn administers(ctx: &PageCtx, organization: &community::Organization) -> bool {
    ctx.user().is_some_and(|user| {
        user.admin
            || (!user.user_name.is_empty() && organization.administrators.contains(&user.user_name))
    })
}

/// An organisation and its first teams, asked for at once. `Err` is
/// community's refusal of the organisation.
async fn with_teams(
    ctx: &PageCtx,
    client: &mut CommunityServiceClient<crate::Channel>,
    id: &str,
) -> Result<
    (
        community::Organization,
        Result<tonic::Response<community::ListTeamsResponse>, tonic::Status>,
    ),
    tonic::Status,
> {
    let name = format!("organizations/{id}");
    let mut teams_client = client.clone();
    let (found, teams) = tokio::join!(
        client.get_organization(ctx.call(community::GetOrganizationRequest { name: name.clone() })),
        teams_client.list_teams(ctx.call(community::ListTeamsRequest {
            parent: name,
            page_size: TEAMS_SHOWN,
            page_token: String::new(),
        })),
    );
    Ok((found?.into_inner(), teams))
}

/// `GET /organizations/{id}`: what it is, its administrators and teams.
pub(crate) async fn organization_page(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<OrganizationQuery>,
) -> Response {
    let mut ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let Some(mut client) = community_client(&state) else {
        return no_community(ctx);
    };
    let (organization, teams) = match with_teams(&ctx, &mut client, &id).await {
        Ok(found) => found,
        Err(status) => return not_found_or_problem(ctx, &status),
    };
    let teams = match teams {
        Ok(answer) => answer.into_inner().teams,
        Err(status) => return problem(ctx, &status),
    };
    let admins = people(&state, &ctx, organization.administrators.iter().cloned()).await;
    let lang = ctx.lang;
    let description = shown(organization.description.as_ref(), lang);
    let administers = administers(&ctx, &organization);
    let policy = community::TeamCreationPolicy::try_from(organization.team_creation_policy)
        .unwrap_or(community::TeamCreationPolicy::Unspecified);
    let notice = if query.created.is_some() {
        Some(ctx.t("organization-created"))
    } else if query.saved.is_some() {
        Some(ctx.t("changes-saved"))
    } else {
        match query.administrator.as_deref() {
            Some("added") => Some(ctx.t("organization-admin-added")),
            Some("removed") => Some(ctx.t("organization-admin-removed")),
            _ => None,
        }
    };
    let my_name = ctx.user().map(|u| u.user_name.clone()).unwrap_or_default();
    let csrf = if administers {
        ctx.csrf(&state)
    } else {
        String::new()
    };
    let page_data = OrganizationPage {
        href: organization_href(&organization.name),
        title: shown(organization.display_name.as_ref(), lang),
        description: paragraphs(&description.text),
        description_lang: description.lang,
        members_only: !organization.public,
        team_type: ctx.t(team_type_message(organization.default_team_type)),
        policy: ctx.t(POLICIES
            .iter()
            .find(|(_, p, _)| *p == policy)
            .map_or("policy-administrators", |(_, _, message)| message)),
        administrators: organization
            .administrators
            .iter()
            .map(|name| AdministratorRow {
                name: display_name(&ctx, &admins, name),
                user: name.clone(),
                me: !my_name.is_empty() && *name == my_name,
            })
            .collect(),
        csrf,
        teams: teams
            .iter()
            .map(|team| TeamRow {
                href: crate::teams::team_href(&team.name),
                title: shown(team.display_name.as_ref(), lang),
                team_type: ctx.t(team_type_message(team.r#type)),
                members: member_count(lang, team.member_count),
            })
            .collect(),
        // Only to offer the link: community applies the policy on the form.
        may_create_team: ctx.user().is_some()
            && (administers || policy != community::TeamCreationPolicy::Administrators),
        webhooks: administers && state.services.notifications.is_some(),
        administers,
        notice,
        ctx,
    };
    page(&page_data, StatusCode::OK)
}

// ------------------------------------------------ create and edit forms

/// The organisation form: what it shows, and what was typed.
pub(crate) struct OrganizationFields {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) logo: String,
    pub(crate) public: bool,
    pub(crate) team_type: i32,
    pub(crate) policy: i32,
}

#[derive(Template)]
#[template(path = "organization_form.html")]
struct OrganizationFormPage {
    ctx: PageCtx,
    /// Editing an existing organisation (else creating one).
    editing: Option<(String, Shown)>,
    action: String,
    csrf: String,
    fields: OrganizationFields,
    team_types: Vec<Choice>,
    policies: Vec<Choice>,
    errors: FieldErrors,
}

web_pages!(OrganizationsPage, OrganizationPage, OrganizationFormPage);

fn form_page(
    state: &WebState,
    mut ctx: PageCtx,
    editing: Option<(String, Shown)>,
    fields: OrganizationFields,
    errors: FieldErrors,
) -> Response {
    let csrf = ctx.csrf(state);
    let action = editing.as_ref().map_or_else(
        || "/organizations".to_owned(),
        |(href, _)| format!("{href}/edit"),
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let team_types = team_type_choices(&ctx, fields.team_type);
    let policies = POLICIES
        .iter()
        .map(|(value, policy, message)| Choice {
            value,
            label: ctx.t(message),
            checked: *policy as i32 == fields.policy,
        })
        .collect();
    page(
        &OrganizationFormPage {
            ctx,
            editing,
            action,
            csrf,
            fields,
            team_types,
            policies,
            errors,
        },
        status,
    )
}

/// The page for a form only signed-in people have: the sign-in page (back
/// here afterwards) where there is one, else a page saying so.
pub(crate) fn sign_in_first(ctx: PageCtx) -> Response {
    if ctx.can_sign_in {
        return see_other(&ctx.sign_in_href(), None);
    }
    problem_page(
        ctx,
        StatusCode::UNAUTHORIZED,
        "sign-in-needed-title",
        "sign-in-first-text",
    )
}

/// `GET /organizations/new`.
pub(crate) async fn new_organization(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let fields = OrganizationFields {
        name: String::new(),
        description: String::new(),
        logo: String::new(),
        public: true,
        team_type: community::TeamType::Citizen as i32,
        policy: community::TeamCreationPolicy::Administrators as i32,
    };
    form_page(&state, ctx, None, fields, FieldErrors::default())
}

/// The organisation form as posted.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct OrganizationPosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    logo: String,
    /// Present when ticked.
    #[serde(default)]
    public: Option<String>,
    #[serde(default)]
    team_type: String,
    #[serde(default)]
    policy: String,
}

impl Posted for OrganizationPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl OrganizationPosted {
    fn fields(&self) -> OrganizationFields {
        OrganizationFields {
            name: self.name.clone(),
            description: self.description.clone(),
            logo: self.logo.trim().to_owned(),
            public: self.public.is_some(),
            team_type: posted_team_type(&self.team_type),
            policy: POLICIES
                .iter()
                .find(|(v, _, _)| *v == self.policy)
                .map_or(0, |(_, p, _)| *p as i32),
        }
    }
}

/// Community's violations of an organisation, beside the form's inputs.
const ORGANIZATION_RULES: [(&str, &str, &str); 5] = [
    (
        "organization.display_name",
        "name",
        "organization-name-invalid",
    ),
    (
        "organization.description",
        "description",
        "description-invalid",
    ),
    ("organization.logo_url", "logo", "logo-invalid"),
    (
        "organization.default_team_type",
        "team-type-citizen",
        "team-type-invalid",
    ),
    (
        "organization.team_creation_policy",
        "policy-administrators",
        "policy-invalid",
    ),
];

/// `POST /organizations`: creates it (the person becomes its first
/// administrator) and goes to its page.
pub(crate) async fn create_organization(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<OrganizationPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let (ctx, form, mut client) = match community_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let fields = form.fields();
    let lang = ctx.lang;
    let request = community::CreateOrganizationRequest {
        organization: Some(community::Organization {
            display_name: with_language(None, lang, &fields.name, false),
            description: with_language(None, lang, &fields.description, false),
            logo_url: fields.logo.clone(),
            public: fields.public,
            default_team_type: fields.team_type,
            team_creation_policy: fields.policy,
            ..Default::default()
        }),
    };
    match client.create_organization(ctx.call(request)).await {
        Ok(created) => see_other(
            &format!(
                "{}?created=1",
                organization_href(&created.into_inner().name)
            ),
            None,
        ),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            let errors = field_errors(&ctx, &status, &ORGANIZATION_RULES);
            if errors.is_empty() {
                return problem(ctx, &status);
            }
            form_page(&state, ctx, None, fields, errors)
        }
        Err(status) => problem(ctx, &status),
    }
}

/// `GET /organizations/{id}/edit`: the form with its values in the page's
/// language (other languages keep theirs).
pub(crate) async fn edit_organization(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(mut client) = community_client(&state) else {
        return no_community(ctx);
    };
    let (ctx, organization) = match organization(&mut client, ctx, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let lang = ctx.lang;
    let fields = OrganizationFields {
        name: in_language(organization.display_name.as_ref(), lang),
        description: in_language(organization.description.as_ref(), lang),
        logo: organization.logo_url.clone(),
        public: organization.public,
        team_type: organization.default_team_type,
        policy: organization.team_creation_policy,
    };
    let editing = Some((
        organization_href(&organization.name),
        shown(organization.display_name.as_ref(), lang),
    ));
    form_page(&state, ctx, editing, fields, FieldErrors::default())
}

/// `POST /organizations/{id}/edit`: saves the form's fields (the texts in
/// the page's language) and goes back to the organisation's page.
pub(crate) async fn update_organization(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<OrganizationPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let (ctx, form, mut client) = match community_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let (ctx, current) = match organization(&mut client, ctx, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let fields = form.fields();
    let lang = ctx.lang;
    let href = organization_href(&current.name);
    let title = shown(current.display_name.as_ref(), lang);
    let request = community::UpdateOrganizationRequest {
        organization: Some(community::Organization {
            name: current.name.clone(),
            // A blank name is sent as such, so community names the field.
            display_name: with_language(current.display_name, lang, &fields.name, true),
            description: with_language(current.description, lang, &fields.description, false),
            logo_url: fields.logo.clone(),
            public: fields.public,
            default_team_type: fields.team_type,
            team_creation_policy: fields.policy,
            ..Default::default()
        }),
        update_mask: Some(prost_types::FieldMask {
            paths: [
                "display_name",
                "description",
                "logo_url",
                "public",
                "default_team_type",
                "team_creation_policy",
            ]
            .map(str::to_owned)
            .to_vec(),
        }),
    };
    match client.update_organization(ctx.call(request)).await {
        Ok(_) => see_other(&format!("{href}?saved=1"), None),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            let errors = field_errors(&ctx, &status, &ORGANIZATION_RULES);
            if errors.is_empty() {
                return problem(ctx, &status);
            }
            form_page(&state, ctx, Some((href, title)), fields, errors)
        }
        Err(status) => problem(ctx, &status),
    }
}

// ---------------------------------------------------------------- delete

/// A page asking to confirm something that cannot be undone.
#[derive(Template)]
#[template(path = "confirm.html")]
pub(crate) struct ConfirmPage {
    pub(crate) ctx: PageCtx,
    pub(crate) title: String,
    pub(crate) text: String,
    pub(crate) action: String,
    pub(crate) csrf: String,
    pub(crate) button: String,
    pub(crate) back: String,
}

web_pages!(ConfirmPage);

/// `GET /organizations/{id}/delete`: what deleting takes with it, and the
/// button.
pub(crate) async fn confirm_delete(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let mut ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(mut client) = community_client(&state) else {
        return no_community(ctx);
    };
    let (organization, teams) = match with_teams(&ctx, &mut client, &id).await {
        Ok(found) => found,
        Err(status) => return not_found_or_problem(ctx, &status),
    };
    let teams = match teams {
        Ok(answer) => answer.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let title = shown(organization.display_name.as_ref(), ctx.lang).text;
    let count = teams.teams.len() as i64 + i64::from(!teams.next_page_token.is_empty());
    let text = ctx.lang.message(
        "organization-delete-text",
        &[
            ("name", fluent_bundle::FluentValue::from(title.clone())),
            ("teams", fluent_bundle::FluentValue::from(count)),
        ],
    );
    let href = organization_href(&organization.name);
    let csrf = ctx.csrf(&state);
    page(
        &ConfirmPage {
            title: ctx.t_with("organization-delete-title", "name", &title),
            text,
            action: format!("{href}/delete"),
            csrf,
            button: ctx.t("organization-delete-button"),
            back: href,
            ctx,
        },
        StatusCode::OK,
    )
}

/// A form naming a person: its CSRF token and `users/{id}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PersonPosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    user: String,
}

impl Posted for PersonPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /organizations/{id}/administrators`: makes `user` (`users/{id}`)
/// an administrator, then shows the organisation; community decides
/// whether the visitor may.
pub(crate) async fn add_administrator(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<PersonPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let (ctx, form, mut client) = match community_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let request = community::AddOrganizationAdministratorRequest {
        organization: format!("organizations/{id}"),
        user: form.user,
    };
    match client
        .add_organization_administrator(ctx.call(request))
        .await
    {
        Ok(organization) => see_other(
            &format!(
                "{}?administrator=added",
                organization_href(&organization.into_inner().name)
            ),
            None,
        ),
        Err(status) => not_found_or_problem(ctx, &status),
    }
}

/// `POST /organizations/{id}/administrators/remove`: `user` is no longer
/// an administrator (community refuses to remove the last one).
pub(crate) async fn remove_administrator(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<PersonPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let (ctx, form, mut client) = match community_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let request = community::RemoveOrganizationAdministratorRequest {
        organization: format!("organizations/{id}"),
        user: form.user,
    };
    match client
        .remove_organization_administrator(ctx.call(request))
        .await
    {
        Ok(organization) => see_other(
            &format!(
                "{}?administrator=removed",
                organization_href(&organization.into_inner().name)
            ),
            None,
        ),
        Err(status) => not_found_or_problem(ctx, &status),
    }
}

/// A form of one button: its CSRF token only.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ButtonPosted {
    #[serde(default)]
    csrf: String,
}

impl Posted for ButtonPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /organizations/{id}/delete`: deletes it with its teams.
pub(crate) async fn delete_organization(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<ButtonPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let (ctx, _, mut client) = match community_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    match client
        .delete_organization(ctx.call(community::DeleteOrganizationRequest {
            name: format!("organizations/{id}"),
            force: true,
        }))
        .await
    {
        Ok(_) => see_other("/organizations?deleted=1", None),
        Err(status) => not_found_or_problem(ctx, &status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_changes_only_its_own_language() {
        let text = TranslatableText {
            values: [("en", "Riga"), ("lv", "Rīga")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into_iter()
                .collect(),
        };
        let changed =
            with_language(Some(text.clone()), Lang::Lv, " Rīgas dome ", false).unwrap_or_default();
        assert_eq!(changed.values["lv"], "Rīgas dome");
        assert_eq!(changed.values["en"], "Riga");
        let removed = with_language(Some(text.clone()), Lang::Lv, "  ", false).unwrap_or_default();
        assert!(!removed.values.contains_key("lv"));
        let kept_blank = with_language(Some(text), Lang::Lv, "", true).unwrap_or_default();
        assert_eq!(kept_blank.values["lv"], "");
    }

    #[test]
    fn posted_team_types_are_the_four_or_none() {
        assert_eq!(
            posted_team_type("public-administration"),
            community::TeamType::PublicAdministration as i32
        );
        assert_eq!(posted_team_type("1"), 0);
        assert_eq!(posted_team_type(""), 0);
    }
}
