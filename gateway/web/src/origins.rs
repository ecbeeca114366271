//! Federation on the pages: where a mirrored entry (an interlinker, a
//! schema or a story another Interlink deployment shares) came from, with
//! its signature and the keys to check it against; the catalogue editors'
//! "share with other deployments" switch and "adopt" button; an
//! administrator's switch sharing their process's story; and adopting a
//! mirrored story as a new process of one's organisation. Every form posts
//! and redirects (no script needed); the services decide who may.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use interlink_proto::catalogue::v1 as catalogue;
use interlink_proto::catalogue::v1::catalogue_service_client::CatalogueServiceClient;
use interlink_proto::coproduction::v1 as coproduction;
use serde::Deserialize;

use crate::interlinker::interlinker_href;
use crate::pages::{FieldErrors, PageCtx, field_errors, problem, resource_href};
use crate::processes::{coproduction_form, process_href, story_href};
use crate::sign_in::{FieldError, Posted, see_other, signed_in_form};
use crate::{Shared, WebState};

/// Where a mirror came from, as its page shows it.
pub(crate) struct OriginNote {
    /// The deployment's name for people (its address without one).
    pub(crate) deployment: String,
    /// The deployment's address, when it is a web address.
    pub(crate) deployment_href: Option<String>,
    /// The entry's name there (`interlinkers/{id}` …).
    pub(crate) entry: String,
    /// The entry's page there.
    pub(crate) entry_href: Option<String>,
    /// "Version 3", or empty when the feed gave none.
    pub(crate) version: String,
    /// The deployment's signing keys, which check the signature.
    pub(crate) keys_href: Option<String>,
    /// The signed feed entry (a compact JWS).
    pub(crate) signature: String,
}

/// An `http(s)` address without its trailing `/`; `None` for anything
/// else (never a `javascript:` link).
fn web_address(url: &str) -> Option<&str> {
    (url.starts_with("https://") || url.starts_with("http://")).then(|| url.trim_end_matches('/'))
}

/// A deployment's name for people: the name it gives itself, else its
/// address without the scheme.
pub(crate) fn deployment_label(name: &str, deployment: &str) -> String {
    let name = name.trim();
    if !name.is_empty() {
        return name.to_owned();
    }
    deployment
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

/// The name of the deployment `origin` came from.
pub(crate) fn origin_deployment(origin: &catalogue::Origin) -> String {
    deployment_label(&origin.deployment_name, &origin.deployment)
}

/// "From Zaragoza Participa": the badge of a mirror in a list.
pub(crate) fn from_label(ctx: &PageCtx, origin: &catalogue::Origin) -> String {
    ctx.t_with("origin-from", "deployment", &origin_deployment(origin))
}

/// What a mirror's page says of its origin; `base` is where the origin
/// shows such entries (`/catalogue`, `/schemas`, `/stories`).
pub(crate) fn origin_note(ctx: &PageCtx, origin: &catalogue::Origin, base: &str) -> OriginNote {
    let home = web_address(&origin.deployment);
    OriginNote {
        deployment: origin_deployment(origin),
        deployment_href: home.map(|home| format!("{home}/")),
        entry: origin.name.clone(),
        entry_href: home
            .filter(|_| origin.name.contains('/'))
            .map(|home| resource_href(&format!("{home}{base}"), &origin.name)),
        version: if origin.version > 0 {
            ctx.t_with(
                "origin-version",
                "version",
                &ctx.lang.number(origin.version),
            )
        } else {
            String::new()
        },
        keys_href: home.map(|home| format!("{home}/.well-known/interlink-federation")),
        signature: origin.signature.clone(),
    }
}

/// Whether the signed-in person is a catalogue editor: only to offer the
/// editors' buttons (the catalogue decides on each). Drafts are listed to
/// editors alone, so asking for one answers it.
pub(crate) async fn is_catalogue_editor(state: &WebState, ctx: &PageCtx) -> bool {
    if ctx.user().is_none() {
        return false;
    }
    CatalogueServiceClient::new(state.services.catalogue.clone())
        .list_interlinkers(ctx.call(catalogue::ListInterlinkersRequest {
            page_size: 1,
            page_token: String::new(),
            state: catalogue::InterlinkerState::Draft as i32,
        }))
        .await
        .is_ok()
}

/// The switch sharing a local entry with other deployments: where it
/// posts, and whether the entry is shared now (the button does the other).
pub(crate) struct SharingForm {
    pub(crate) action: String,
    pub(crate) shared: bool,
}

impl SharingForm {
    /// The value the button posts: the opposite of now.
    pub(crate) fn next(&self) -> &'static str {
        if self.shared { "no" } else { "yes" }
    }
}

/// The notice after the switch was used (`?shared=yes|no`), in `kind`'s
/// words (`interlinker`, `schema`, `story`).
pub(crate) fn sharing_notice(ctx: &PageCtx, query: Option<&str>, kind: &str) -> Option<String> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(key, _)| key == "shared")
        .and_then(|(_, value)| match value.as_ref() {
            "yes" => Some(ctx.t(&format!("sharing-{kind}-on"))),
            "no" => Some(ctx.t(&format!("sharing-{kind}-off"))),
            _ => None,
        })
}

/// The sharing switch as posted.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SharingPosted {
    #[serde(default)]
    csrf: String,
    /// `yes` to share, `no` to stop.
    #[serde(default)]
    shared: String,
}

impl Posted for SharingPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl SharingPosted {
    fn shared(&self) -> Result<bool, tonic::Status> {
        match self.shared.as_str() {
            "yes" => Ok(true),
            "no" => Ok(false),
            _ => Err(tonic::Status::invalid_argument("shared: must be yes or no")),
        }
    }
}

/// A button alone, with the session's token.
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

/// `?shared=yes` or `?shared=no` after `href`.
fn shared_href(href: &str, shared: bool) -> String {
    format!("{href}?shared={}", if shared { "yes" } else { "no" })
}

/// A catalogue page's sharing switch as posted: the signed-in person's
/// page context and whether to share, or the page that says why not.
// The `Err` is the response sent at once, so boxing it would gain nothing.
#[allow(clippy::result_large_err)]
fn sharing_form(
    state: &Shared,
    headers: &HeaderMap,
    uri: &Uri,
    form: Result<Form<SharingPosted>, FormRejection>,
) -> Result<(PageCtx, bool), Response> {
    let ctx = PageCtx::new(state, headers, uri, "catalogue");
    let (ctx, posted) = signed_in_form(state, headers, ctx, form)?;
    match posted.shared() {
        Ok(shared) => Ok((ctx, shared)),
        Err(status) => Err(problem(ctx, &status)),
    }
}

/// `POST /catalogue/{id}/sharing`: an editor shares a local entry with
/// other deployments (it goes out once published), or stops.
pub(crate) async fn share_interlinker(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<SharingPosted>, FormRejection>,
) -> Response {
    let (ctx, shared) = match sharing_form(&state, &headers, &uri, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let name = format!("interlinkers/{id}");
    let request = catalogue::UpdateInterlinkerRequest {
        interlinker: Some(catalogue::Interlinker {
            name: name.clone(),
            shared,
            ..Default::default()
        }),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["shared".into()],
        }),
    };
    match CatalogueServiceClient::new(state.services.catalogue.clone())
        .update_interlinker(ctx.call(request))
        .await
    {
        Ok(_) => see_other(&shared_href(&interlinker_href(&name), shared), None),
        Err(status) => problem(ctx, &status),
    }
}

/// `POST /catalogue/{id}/adopt`: an editor copies a mirror into a local
/// draft, then edits it there.
pub(crate) async fn adopt_interlinker(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<ButtonPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "catalogue");
    let (ctx, _) = match signed_in_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    match CatalogueServiceClient::new(state.services.catalogue.clone())
        .adopt_interlinker(ctx.call(catalogue::AdoptInterlinkerRequest {
            name: format!("interlinkers/{id}"),
        }))
        .await
    {
        Ok(copy) => see_other(
            &format!("{}?adopted=1", interlinker_href(&copy.into_inner().name)),
            None,
        ),
        Err(status) => problem(ctx, &status),
    }
}

/// `POST /schemas/{id}/sharing`: an editor shares a local schema's newest
/// version with other deployments, or stops.
pub(crate) async fn share_schema(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<SharingPosted>, FormRejection>,
) -> Response {
    let (ctx, shared) = match sharing_form(&state, &headers, &uri, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let name = format!("schemas/{id}");
    let request = catalogue::UpdateSchemaRequest {
        schema: Some(catalogue::Schema {
            name: name.clone(),
            shared,
            ..Default::default()
        }),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["shared".into()],
        }),
    };
    match CatalogueServiceClient::new(state.services.catalogue.clone())
        .update_schema(ctx.call(request))
        .await
    {
        Ok(_) => see_other(
            &shared_href(&resource_href("/schemas", &name), shared),
            None,
        ),
        Err(status) => problem(ctx, &status),
    }
}

/// `POST /stories/{id}/sharing`: an administrator of the story's process
/// shares it (with its process, without personal data), or stops.
pub(crate) async fn share_story(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<SharingPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "stories");
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let shared = match posted.shared() {
        Ok(shared) => shared,
        Err(status) => return problem(ctx, &status),
    };
    let name = format!("stories/{id}");
    let request = coproduction::UpdateStoryRequest {
        story: Some(coproduction::Story {
            name: name.clone(),
            shared,
            ..Default::default()
        }),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["shared".into()],
        }),
    };
    match client.update_story(ctx.call(request)).await {
        Ok(_) => see_other(&shared_href(&story_href(&name), shared), None),
        Err(status) => problem(ctx, &status),
    }
}

/// The form adopting a mirrored story: the organisation chosen, and what
/// co-production said of it.
#[derive(Default)]
pub(crate) struct AdoptChoice {
    pub(crate) organization: String,
    pub(crate) errors: FieldErrors,
}

/// The adopt form as posted.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AdoptPosted {
    #[serde(default)]
    csrf: String,
    /// The organisation's id.
    #[serde(default)]
    organization: String,
}

impl Posted for AdoptPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /stories/{id}/adopt`: a new process of one of the person's
/// organisations from the process a mirrored story tells of; then its
/// page. Co-production's objections to the organisation come back beside
/// the choice.
pub(crate) async fn adopt_story(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<AdoptPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "stories");
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let organization = posted.organization.trim();
    let request = coproduction::AdoptStoryRequest {
        name: format!("stories/{id}"),
        organization: if organization.is_empty() {
            String::new()
        } else {
            format!("organizations/{organization}")
        },
    };
    let status = match client.adopt_story(ctx.call(request)).await {
        Ok(tree) => {
            let process = tree.into_inner().process.unwrap_or_default();
            return see_other(&format!("{}?adopted=1", process_href(&process.name)), None);
        }
        Err(status) => status,
    };
    let errors = match status.code() {
        tonic::Code::InvalidArgument => field_errors(
            &ctx,
            &status,
            &[(
                "organization",
                "adopt-organization",
                "adopt-organization-invalid",
            )],
        ),
        // Not one of theirs (as co-production knows the memberships).
        tonic::Code::PermissionDenied => FieldErrors(vec![FieldError {
            field: "adopt-organization",
            text: ctx.t("adopt-organization-denied"),
        }]),
        _ => FieldErrors::default(),
    };
    if errors.is_empty() {
        return problem(ctx, &status);
    }
    let choice = AdoptChoice {
        organization: organization.to_owned(),
        errors,
    };
    crate::processes::render_story(
        &state,
        ctx,
        &id,
        None,
        Some(choice),
        StatusCode::BAD_REQUEST,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deployment_is_named_by_its_name_else_its_address() {
        assert_eq!(
            deployment_label(" Zaragoza ", "https://a.example/"),
            "Zaragoza"
        );
        assert_eq!(
            deployment_label("", "https://participa.zaragoza.es/"),
            "participa.zaragoza.es"
        );
        assert_eq!(web_address("https://a.example/"), Some("https://a.example"));
        assert_eq!(web_address("javascript:alert(1)"), None);
    }
}
