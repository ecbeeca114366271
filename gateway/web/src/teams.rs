//! Teams: a team's page with its members; applying to join and deciding
//! applications; invitations made, revoked and accepted; creating, editing,
//! leaving and deleting teams. Who may do what is community's to say: a
//! team's administrators are those to whom it shows the invitations.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use fluent_bundle::FluentValue;
use interlink_proto::community::v1 as community;
use serde::Deserialize;

use crate::organizations::{
    ButtonPosted, ConfirmPage, community_client, community_form, in_language, member_count,
    no_community, not_found_or_problem, organization, organization_href, posted_team_type,
    sign_in_first, team_type_choices, team_type_message, with_language,
};
use crate::pages::{
    Choice, FieldErrors, PageCtx, Shown, display_name, field_errors, page, paragraphs, people,
    problem, problem_page, resource_href, shown, web_pages,
};
use crate::sign_in::{Posted, see_other};
use crate::{Shared, WebState};

/// `/teams/{id}` for `teams/{id}`.
pub(crate) fn team_href(name: &str) -> String {
    resource_href("/teams", name)
}

/// The id of `kind/{id}`, for a form's path.
fn id_of(name: &str) -> &str {
    name.split_once('/').map_or(name, |(_, id)| id)
}

pub(crate) struct MemberRow {
    pub(crate) name: String,
    pub(crate) administrator: bool,
    /// `users/{id}`, for the remove button of administrators.
    pub(crate) user: String,
    pub(crate) me: bool,
    /// Whether the organisation's administrators may make them one of
    /// theirs (they are not yet).
    pub(crate) may_administer_organization: bool,
}

pub(crate) struct ApplicationRow {
    pub(crate) action: String,
    pub(crate) applicant: String,
    pub(crate) reason: Vec<String>,
    pub(crate) iso_date: String,
    pub(crate) date: String,
    pub(crate) pending: bool,
    pub(crate) state: String,
}

pub(crate) struct InvitationRow {
    pub(crate) action: String,
    pub(crate) email: String,
    pub(crate) administrator: bool,
    pub(crate) pending: bool,
    pub(crate) state: String,
    pub(crate) iso_date: String,
    pub(crate) date: String,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    ctx: PageCtx,
    href: String,
    organization_href: String,
    organization: Shown,
    title: Shown,
    meta: String,
    description: Vec<String>,
    description_lang: Option<String>,
    members: Vec<MemberRow>,
    /// The signed-in person is a member.
    member: bool,
    /// The team's administrators see applications and invitations.
    manages: bool,
    /// The person's own pending application.
    pending: Option<ApplicationRow>,
    applications: Vec<ApplicationRow>,
    invitations: Vec<InvitationRow>,
    csrf: String,
    reason: String,
    invite_email: String,
    invite_administrator: bool,
    errors: FieldErrors,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct TeamQuery {
    /// What was just done, for the notice: `applied`, `joined` …
    #[serde(default)]
    done: String,
}

/// What a team's page shows after a form, as a message id.
fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "created" => "team-created",
        "saved" => "changes-saved",
        "applied" => "application-sent",
        "withdrawn" => "application-withdrawn",
        "decided" => "application-decided",
        "joined" => "team-joined",
        "left" => "team-left",
        "removed" => "member-removed",
        "revoked" => "invitation-revoked",
        _ => return None,
    })
}

/// `GET /teams/{id}`.
pub(crate) async fn team_page(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<TeamQuery>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let notice = done_message(&query.done).map(|id| ctx.t(id));
    render(
        &state,
        ctx,
        &id,
        Typed::default(),
        FieldErrors::default(),
        notice,
    )
    .await
}

/// The forms of a team's page as typed, for showing them again.
#[derive(Debug, Default)]
struct Typed {
    reason: String,
    email: String,
    administrator: bool,
}

/// The team page of `id`, with `typed` kept in its forms and `errors`
/// beside them.
async fn render(
    state: &WebState,
    mut ctx: PageCtx,
    id: &str,
    typed: Typed,
    errors: FieldErrors,
    notice: Option<String>,
) -> Response {
    let Some(mut client) = community_client(state) else {
        return no_community(ctx);
    };
    let name = format!("teams/{id}");
    let signed_in = ctx.user().is_some();
    let (mut members_client, mut applications_client, mut invitations_client) =
        (client.clone(), client.clone(), client.clone());
    let (team, members, applications, invitations) = tokio::join!(
        client.get_team(ctx.call(community::GetTeamRequest { name: name.clone() })),
        members_client
            .list_team_members(ctx.call(community::ListTeamMembersRequest { team: name.clone() })),
        async {
            if !signed_in {
                return None;
            }
            Some(
                applications_client
                    .list_team_applications(
                        ctx.call(community::ListTeamApplicationsRequest { team: name.clone() }),
                    )
                    .await,
            )
        },
        async {
            if !signed_in {
                return None;
            }
            Some(
                invitations_client
                    .list_invitations(
                        ctx.call(community::ListInvitationsRequest { team: name.clone() }),
                    )
                    .await,
            )
        },
    );
    let team = match team {
        Ok(answer) => answer.into_inner(),
        Err(status) => return not_found_or_problem(ctx, &status),
    };
    let members = match members {
        Ok(answer) => answer.into_inner().members,
        Err(status) => return problem(ctx, &status),
    };
    let applications = match applications {
        None => Vec::new(),
        Some(Ok(answer)) => answer.into_inner().applications,
        Some(Err(status)) => return problem(ctx, &status),
    };
    // Community shows a team's invitations to its administrators only.
    let (manages, invitations) = match invitations {
        None => (false, Vec::new()),
        Some(Ok(answer)) => (true, answer.into_inner().invitations),
        Some(Err(status)) if status.code() == tonic::Code::PermissionDenied => (false, Vec::new()),
        Some(Err(status)) => return problem(ctx, &status),
    };
    let mut organization_client = client.clone();
    let (organization, applicants) = tokio::join!(
        organization_client.get_organization(ctx.call(community::GetOrganizationRequest {
            name: team.organization.clone(),
        })),
        people(
            state,
            &ctx,
            applications.iter().map(|a| a.applicant.clone())
        ),
    );
    let organization = match organization {
        Ok(answer) => answer.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let lang = ctx.lang;
    let my_subject = ctx.user().map(|u| u.subject.clone()).unwrap_or_default();
    let member = members
        .iter()
        .any(|m| !my_subject.is_empty() && m.subject == my_subject);
    let application_row = |a: &community::TeamApplication, ctx: &PageCtx| {
        let seconds = a.create_time.as_ref().map_or(0, |t| t.seconds);
        let pending = a.state == community::team_application::State::Pending as i32;
        ApplicationRow {
            action: format!("{}/applications/{}", team_href(&team.name), id_of(&a.name)),
            applicant: display_name(ctx, &applicants, &a.applicant),
            reason: paragraphs(&a.reason),
            iso_date: crate::i18n::iso_date(seconds),
            date: lang.date(seconds),
            pending,
            state: ctx.t(application_state_message(a.state)),
        }
    };
    let pending = applications
        .iter()
        .find(|a| {
            a.applicant_subject == my_subject
                && a.state == community::team_application::State::Pending as i32
        })
        .map(|a| application_row(a, &ctx));
    let application_rows = if manages {
        applications
            .iter()
            .map(|a| application_row(a, &ctx))
            .collect()
    } else {
        Vec::new()
    };
    let invitation_rows = invitations
        .iter()
        .map(|i| {
            let seconds = i.expire_time.as_ref().map_or(0, |t| t.seconds);
            InvitationRow {
                action: format!(
                    "{}/invitations/{}/revoke",
                    team_href(&team.name),
                    id_of(&i.name)
                ),
                email: i.email.clone(),
                administrator: i.administrator,
                pending: i.state == community::invitation::State::Pending as i32,
                state: ctx.t(invitation_state_message(i.state)),
                iso_date: crate::i18n::iso_date(seconds),
                date: lang.date(seconds),
            }
        })
        .collect();
    let description = shown(team.description.as_ref(), lang);
    let meta = format!(
        "{} · {}",
        ctx.t(team_type_message(team.r#type)),
        member_count(lang, team.member_count)
    );
    let csrf = if signed_in {
        ctx.csrf(state)
    } else {
        String::new()
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    // Only to offer the button: community decides on the form.
    let administers_organization = crate::organizations::administers(&ctx, &organization);
    let members = members
        .iter()
        .map(|m| MemberRow {
            name: if m.display_name.is_empty() {
                ctx.t("someone")
            } else {
                m.display_name.clone()
            },
            administrator: m.administrator,
            user: m.user.clone(),
            me: m.subject == my_subject,
            may_administer_organization: administers_organization
                && !m.user.is_empty()
                && !organization.administrators.contains(&m.user),
        })
        .collect();
    let page_data = TeamPage {
        href: team_href(&team.name),
        organization_href: organization_href(&organization.name),
        organization: shown(organization.display_name.as_ref(), lang),
        title: shown(team.display_name.as_ref(), lang),
        meta,
        description: paragraphs(&description.text),
        description_lang: description.lang,
        members,
        member,
        manages,
        pending,
        applications: application_rows,
        invitations: invitation_rows,
        csrf,
        reason: typed.reason,
        invite_email: typed.email,
        invite_administrator: typed.administrator,
        errors,
        notice,
        ctx,
    };
    page(&page_data, status)
}

fn application_state_message(state: i32) -> &'static str {
    use community::team_application::State;
    match State::try_from(state) {
        Ok(State::Accepted) => "application-accepted",
        Ok(State::Rejected) => "application-rejected",
        Ok(State::Withdrawn) => "application-withdrawn-state",
        _ => "application-pending",
    }
}

fn invitation_state_message(state: i32) -> &'static str {
    use community::invitation::State;
    match State::try_from(state) {
        Ok(State::Accepted) => "invitation-accepted",
        Ok(State::Revoked) => "invitation-revoked-state",
        Ok(State::Expired) => "invitation-expired",
        _ => "invitation-pending",
    }
}

// ------------------------------------------------------------ applying

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ApplyPosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

impl Posted for ApplyPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /teams/{id}/applications`: asks to join, with a reason.
pub(crate) async fn apply(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<ApplyPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let (ctx, form, mut client) = match community_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let request = community::ApplyToTeamRequest {
        team: format!("teams/{id}"),
        reason: form.reason.clone(),
    };
    match client.apply_to_team(ctx.call(request)).await {
        Ok(_) => see_other(&format!("{}?done=applied", team_href(&id)), None),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            let errors = field_errors(&ctx, &status, &[("reason", "reason", "reason-invalid")]);
            if errors.is_empty() {
                return not_found_or_problem(ctx, &status);
            }
            let typed = Typed {
                reason: form.reason,
                ..Typed::default()
            };
            render(&state, ctx, &id, typed, errors, None).await
        }
        Err(status) => not_found_or_problem(ctx, &status),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DecisionPosted {
    #[serde(default)]
    csrf: String,
    /// `accept`, `reject` or `withdraw`.
    #[serde(default)]
    decision: String,
}

impl Posted for DecisionPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /teams/{id}/applications/{application}`: accepts or rejects it
/// (the team's administrators) or withdraws it (the applicant).
pub(crate) async fn decide(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, application)): Path<(String, String)>,
    form: Result<Form<DecisionPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let (ctx, form, mut client) = match community_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let name = format!("teamApplications/{application}");
    let answer = match form.decision.as_str() {
        "accept" => client
            .accept_team_application(ctx.call(community::AcceptTeamApplicationRequest { name }))
            .await
            .map(|_| "decided"),
        "reject" => client
            .reject_team_application(ctx.call(community::RejectTeamApplicationRequest { name }))
            .await
            .map(|_| "decided"),
        "withdraw" => client
            .withdraw_team_application(ctx.call(community::WithdrawTeamApplicationRequest { name }))
            .await
            .map(|_| "withdrawn"),
        _ => {
            return problem_page(
                ctx,
                StatusCode::BAD_REQUEST,
                "bad-request-title",
                "bad-request-text",
            );
        }
    };
    match answer {
        Ok(done) => see_other(
            &format!("{}?done={done}#applications", team_href(&id)),
            None,
        ),
        Err(status) => not_found_or_problem(ctx, &status),
    }
}

// ----------------------------------------------------------- membership

#[derive(Debug, Default, Deserialize)]
pub(crate) struct MemberPosted {
    #[serde(default)]
    csrf: String,
    /// `users/{id}`; empty: the signed-in person (leaving).
    #[serde(default)]
    user: String,
}

impl Posted for MemberPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /teams/{id}/members/remove`: removes a member (administrators),
/// or the person themself when `user` is empty (leaving).
pub(crate) async fn remove_member(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<MemberPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let (ctx, form, mut client) = match community_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let leaving = form.user.is_empty();
    let user = if leaving {
        ctx.user().map(|u| u.user_name.clone()).unwrap_or_default()
    } else {
        form.user
    };
    match client
        .remove_team_member(ctx.call(community::RemoveTeamMemberRequest {
            team: format!("teams/{id}"),
            user,
        }))
        .await
    {
        Ok(_) => see_other(
            &format!(
                "{}?done={}",
                team_href(&id),
                if leaving { "left" } else { "removed" }
            ),
            None,
        ),
        Err(status) => not_found_or_problem(ctx, &status),
    }
}

// ---------------------------------------------------------- invitations

#[derive(Debug, Default, Deserialize)]
pub(crate) struct InvitePosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    /// Present when ticked.
    #[serde(default)]
    administrator: Option<String>,
}

impl Posted for InvitePosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

#[derive(Template)]
#[template(path = "invitation_made.html")]
struct InvitationMadePage {
    ctx: PageCtx,
    team_href: String,
    team: Shown,
    email: String,
    link: String,
    code: String,
    expires: String,
    expires_iso: String,
}

/// The origin people open this site at: the configured public URL, else
/// the request's own host.
fn site_origin(state: &WebState, headers: &HeaderMap) -> String {
    if let Some(public) = &state.settings.public_url {
        return public.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_graphic()))
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// `POST /teams/{id}/invitations`: invites an e-mail address and shows,
/// this once, the link to send (its code after a `#`, so it never reaches
/// a server's log).
pub(crate) async fn invite(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<InvitePosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let (ctx, form, mut client) = match community_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let name = format!("teams/{id}");
    let request = community::CreateInvitationRequest {
        team: name.clone(),
        email: form.email.trim().to_owned(),
        administrator: form.administrator.is_some(),
        valid_hours: 0,
    };
    let invitation = match client.create_invitation(ctx.call(request)).await {
        Ok(answer) => answer.into_inner(),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            let errors = field_errors(&ctx, &status, &[("email", "email", "email-invalid")]);
            if errors.is_empty() {
                return not_found_or_problem(ctx, &status);
            }
            let typed = Typed {
                email: form.email,
                administrator: form.administrator.is_some(),
                ..Typed::default()
            };
            return render(&state, ctx, &id, typed, errors, None).await;
        }
        Err(status) => return not_found_or_problem(ctx, &status),
    };
    let team = match client
        .get_team(ctx.call(community::GetTeamRequest { name }))
        .await
    {
        Ok(answer) => answer.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let seconds = invitation.expire_time.as_ref().map_or(0, |t| t.seconds);
    let lang = ctx.lang;
    page(
        &InvitationMadePage {
            team_href: team_href(&team.name),
            team: shown(team.display_name.as_ref(), lang),
            email: invitation.email,
            link: format!(
                "{}/invitation#{}",
                site_origin(&state, &headers),
                invitation.token
            ),
            code: invitation.token,
            expires: lang.date(seconds),
            expires_iso: crate::i18n::iso_date(seconds),
            ctx,
        },
        StatusCode::OK,
    )
}

/// `POST /teams/{id}/invitations/{invitation}/revoke`.
pub(crate) async fn revoke(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, invitation)): Path<(String, String)>,
    form: Result<Form<ButtonPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let (ctx, _, mut client) = match community_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    match client
        .revoke_invitation(ctx.call(community::RevokeInvitationRequest {
            name: format!("invitations/{invitation}"),
        }))
        .await
    {
        Ok(_) => see_other(
            &format!("{}?done=revoked#invitations", team_href(&id)),
            None,
        ),
        Err(status) => not_found_or_problem(ctx, &status),
    }
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    ctx: PageCtx,
    csrf: String,
    code: String,
    errors: FieldErrors,
    script: &'static str,
}

web_pages!(TeamPage, InvitationMadePage, InvitationPage, TeamFormPage);

fn invitation_page(
    state: &WebState,
    mut ctx: PageCtx,
    code: String,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let csrf = if ctx.user().is_some() {
        ctx.csrf(state)
    } else {
        String::new()
    };
    page(
        &InvitationPage {
            ctx,
            csrf,
            code,
            errors,
            script: crate::assets::INVITATION_JS,
        },
        status,
    )
}

/// `GET /invitation`: the form to accept an invitation by its code. The
/// link people receive ends in `#code`, which a small script puts in the
/// form; without scripts, people paste the code.
pub(crate) async fn invitation(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    invitation_page(
        &state,
        ctx,
        String::new(),
        FieldErrors::default(),
        StatusCode::OK,
    )
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AcceptPosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

impl Posted for AcceptPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /invitation`: joins the invitation's team and goes to its page.
pub(crate) async fn accept_invitation(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<AcceptPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let (ctx, form, mut client) = match community_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let code = form.code.trim().to_owned();
    let refused = |ctx: PageCtx, message: &str, status: StatusCode| {
        let errors = FieldErrors(vec![crate::sign_in::FieldError {
            field: "code",
            text: ctx.t(message),
        }]);
        invitation_page(&state, ctx, code.clone(), errors, status)
    };
    match client
        .accept_invitation(ctx.call(community::AcceptInvitationRequest {
            token: code.clone(),
        }))
        .await
    {
        Ok(member) => see_other(
            &format!("{}?done=joined", team_href(&member.into_inner().team)),
            None,
        ),
        Err(status) => match status.code() {
            tonic::Code::InvalidArgument => {
                refused(ctx, "invitation-code-invalid", StatusCode::BAD_REQUEST)
            }
            tonic::Code::NotFound => refused(ctx, "invitation-code-unknown", StatusCode::NOT_FOUND),
            tonic::Code::FailedPrecondition => {
                refused(ctx, "invitation-code-used", StatusCode::CONFLICT)
            }
            _ => problem(ctx, &status),
        },
    }
}

// ------------------------------------------------- create, edit, delete

/// The team form: what it shows, and what was typed.
pub(crate) struct TeamFields {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) logo: String,
    pub(crate) team_type: i32,
}

#[derive(Template)]
#[template(path = "team_form.html")]
struct TeamFormPage {
    ctx: PageCtx,
    /// Where the form was opened from: the organisation (creating) or the
    /// team (editing), with its name.
    back: (String, Shown),
    editing: bool,
    action: String,
    csrf: String,
    fields: TeamFields,
    team_types: Vec<Choice>,
    errors: FieldErrors,
}

fn team_form(
    state: &WebState,
    mut ctx: PageCtx,
    back: (String, Shown),
    editing: bool,
    fields: TeamFields,
    errors: FieldErrors,
) -> Response {
    let csrf = ctx.csrf(state);
    let action = if editing {
        format!("{}/edit", back.0)
    } else {
        format!("{}/teams", back.0)
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let team_types = team_type_choices(&ctx, fields.team_type);
    page(
        &TeamFormPage {
            ctx,
            back,
            editing,
            action,
            csrf,
            fields,
            team_types,
            errors,
        },
        status,
    )
}

/// `GET /organizations/{id}/teams/new`.
pub(crate) async fn new_team(
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
    let back = (
        organization_href(&organization.name),
        shown(organization.display_name.as_ref(), ctx.lang),
    );
    let fields = TeamFields {
        name: String::new(),
        description: String::new(),
        logo: String::new(),
        team_type: organization.default_team_type,
    };
    team_form(&state, ctx, back, false, fields, FieldErrors::default())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct TeamPosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    logo: String,
    #[serde(default)]
    team_type: String,
}

impl Posted for TeamPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl TeamPosted {
    fn fields(&self) -> TeamFields {
        TeamFields {
            name: self.name.clone(),
            description: self.description.clone(),
            logo: self.logo.trim().to_owned(),
            team_type: posted_team_type(&self.team_type),
        }
    }
}

const TEAM_RULES: [(&str, &str, &str); 4] = [
    ("team.display_name", "name", "team-name-invalid"),
    ("team.description", "description", "description-invalid"),
    ("team.logo_url", "logo", "logo-invalid"),
    ("team.type", "team-type-citizen", "team-type-invalid"),
];

/// `POST /organizations/{id}/teams`: creates a team (its creator becomes
/// its first administrator) and goes to its page.
pub(crate) async fn create_team(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<TeamPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let (ctx, form, mut client) = match community_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let fields = form.fields();
    let lang = ctx.lang;
    let request = community::CreateTeamRequest {
        parent: format!("organizations/{id}"),
        team: Some(community::Team {
            display_name: with_language(None, lang, &fields.name, false),
            description: with_language(None, lang, &fields.description, false),
            logo_url: fields.logo.clone(),
            r#type: fields.team_type,
            ..Default::default()
        }),
    };
    match client.create_team(ctx.call(request)).await {
        Ok(team) => see_other(
            &format!("{}?done=created", team_href(&team.into_inner().name)),
            None,
        ),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            let errors = field_errors(&ctx, &status, &TEAM_RULES);
            if errors.is_empty() {
                return not_found_or_problem(ctx, &status);
            }
            let (ctx, organization) = match organization(&mut client, ctx, &id).await {
                Ok(found) => found,
                Err(response) => return response,
            };
            let back = (
                organization_href(&organization.name),
                shown(organization.display_name.as_ref(), ctx.lang),
            );
            team_form(&state, ctx, back, false, fields, errors)
        }
        Err(status) => not_found_or_problem(ctx, &status),
    }
}

/// The team `teams/{id}`, or the page to answer instead.
async fn team(
    client: &mut community::community_service_client::CommunityServiceClient<crate::Channel>,
    ctx: PageCtx,
    id: &str,
) -> Result<(PageCtx, community::Team), Response> {
    match client
        .get_team(ctx.call(community::GetTeamRequest {
            name: format!("teams/{id}"),
        }))
        .await
    {
        Ok(answer) => Ok((ctx, answer.into_inner())),
        Err(status) => Err(not_found_or_problem(ctx, &status)),
    }
}

/// `GET /teams/{id}/edit`: the form with its texts in the page's language.
pub(crate) async fn edit_team(
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
    let (ctx, team) = match team(&mut client, ctx, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let lang = ctx.lang;
    let fields = TeamFields {
        name: in_language(team.display_name.as_ref(), lang),
        description: in_language(team.description.as_ref(), lang),
        logo: team.logo_url.clone(),
        team_type: team.r#type,
    };
    let back = (
        team_href(&team.name),
        shown(team.display_name.as_ref(), lang),
    );
    team_form(&state, ctx, back, true, fields, FieldErrors::default())
}

/// `POST /teams/{id}/edit`.
pub(crate) async fn update_team(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<TeamPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let (ctx, form, mut client) = match community_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let (ctx, current) = match team(&mut client, ctx, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let fields = form.fields();
    let lang = ctx.lang;
    let back = (
        team_href(&current.name),
        shown(current.display_name.as_ref(), lang),
    );
    let request = community::UpdateTeamRequest {
        team: Some(community::Team {
            name: current.name.clone(),
            display_name: with_language(current.display_name, lang, &fields.name, true),
            description: with_language(current.description, lang, &fields.description, false),
            logo_url: fields.logo.clone(),
            r#type: fields.team_type,
            ..Default::default()
        }),
        update_mask: Some(prost_types::FieldMask {
            paths: ["display_name", "description", "logo_url", "type"]
                .map(str::to_owned)
                .to_vec(),
        }),
    };
    match client.update_team(ctx.call(request)).await {
        Ok(_) => see_other(&format!("{}?done=saved", back.0), None),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            let errors = field_errors(&ctx, &status, &TEAM_RULES);
            if errors.is_empty() {
                return problem(ctx, &status);
            }
            team_form(&state, ctx, back, true, fields, errors)
        }
        Err(status) => problem(ctx, &status),
    }
}

/// `GET /teams/{id}/delete`.
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
    let (found_ctx, team) = match team(&mut client, ctx, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    ctx = found_ctx;
    let title = shown(team.display_name.as_ref(), ctx.lang).text;
    let href = team_href(&team.name);
    let csrf = ctx.csrf(&state);
    page(
        &ConfirmPage {
            title: ctx.t_with("team-delete-title", "name", &title),
            text: ctx.lang.message(
                "team-delete-text",
                &[
                    ("name", FluentValue::from(title.clone())),
                    ("members", FluentValue::from(team.member_count)),
                ],
            ),
            action: format!("{href}/delete"),
            csrf,
            button: ctx.t("team-delete-button"),
            back: href,
            ctx,
        },
        StatusCode::OK,
    )
}

/// `POST /teams/{id}/delete`: deletes it, then shows its organisation.
pub(crate) async fn delete_team(
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
    let (ctx, current) = match team(&mut client, ctx, &id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match client
        .delete_team(ctx.call(community::DeleteTeamRequest {
            name: current.name.clone(),
        }))
        .await
    {
        Ok(_) => see_other(
            &format!("{}?saved=1", organization_href(&current.organization)),
            None,
        ),
        Err(status) => not_found_or_problem(ctx, &status),
    }
}
