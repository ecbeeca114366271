//! Federation peers, for platform administrators: this deployment's own
//! feed address and current key id (what the PAs of other deployments
//! pin), the peers it trusts with how each subscription stands, and the
//! form to trust another; a peer's page (its keys and state, forms to
//! change it, pause or resume it and read it now) with the entries of its
//! feed that were refused, paged. The federation service decides who may:
//! platform administrators only; everyone else gets its refusal as a page.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use interlink_proto::federation::v1 as pb;
use interlink_proto::federation::v1::federation_service_client::FederationServiceClient;
use serde::Deserialize;

use crate::notifications::unavailable;
use crate::organizations::{ButtonPosted, not_found_or_problem, sign_in_first};
use crate::pages::{
    FieldErrors, PageCtx, form_urlencoded_component, page, path_uuid, problem, problem_page,
    resource_href, web_pages,
};
use crate::sign_in::{FieldError, Posted, see_other, signed_in_form};
use crate::webhooks::{When, when};
use crate::{Lang, Shared, WebState};

/// Where the peers' pages live.
pub(crate) const PEERS_HREF: &str = "/admin/peers";

/// The menu's item for these pages.
const SECTION: &str = "peers";

/// Refused entries shown per page of a peer's page.
const REFUSED_PER_PAGE: i32 = 20;

/// The federation service, when the mesh has it.
fn client(state: &WebState) -> Option<FederationServiceClient<crate::Channel>> {
    state
        .services
        .federation
        .clone()
        .map(FederationServiceClient::new)
}

/// `/admin/peers/{id}` for `peers/{id}`.
fn peer_href(name: &str) -> String {
    resource_href(PEERS_HREF, name)
}

/// The page for a path that names nothing.
fn not_found(ctx: PageCtx) -> Response {
    problem_page(
        ctx,
        StatusCode::NOT_FOUND,
        "not-found-title",
        "not-found-text",
    )
}

/// The service's violations of a peer, beside the form's inputs.
const PEER_RULES: [(&str, &str, &str); 3] = [
    ("peer.feed_url", "feed-url", "peer-feed-url-invalid"),
    (
        "peer.pinned_keys",
        "pinned-keys",
        "peer-pinned-keys-invalid",
    ),
    (
        "peer.display_name",
        "display-name",
        "peer-display-name-invalid",
    ),
];

// ------------------------------------------------------- the form's fields

/// A peer's form: what it shows, and what was typed.
#[derive(Debug, Default, Clone)]
pub(crate) struct PeerFields {
    pub(crate) feed_url: String,
    /// The key ids as typed: one a line, or separated by commas.
    pub(crate) pinned_keys: String,
    pub(crate) display_name: String,
}

impl PeerFields {
    /// The key ids typed, in order.
    fn key_ids(&self) -> Vec<String> {
        key_ids(&self.pinned_keys)
    }

    /// The peer the form describes, named `name`.
    fn peer(&self, name: String) -> pb::Peer {
        pb::Peer {
            name,
            feed_url: self.feed_url.clone(),
            pinned_keys: self.key_ids(),
            display_name: self.display_name.clone(),
            ..Default::default()
        }
    }
}

/// The key ids of `text`: separated by line breaks, commas, semicolons or
/// spaces.
fn key_ids(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|kid| !kid.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A peer's form as posted.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PeerPosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    feed_url: String,
    #[serde(default)]
    pinned_keys: String,
    #[serde(default)]
    display_name: String,
}

impl Posted for PeerPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl PeerPosted {
    fn fields(&self) -> PeerFields {
        PeerFields {
            feed_url: self.feed_url.trim().to_owned(),
            pinned_keys: self.pinned_keys.trim().to_owned(),
            display_name: self.display_name.trim().to_owned(),
        }
    }
}

/// The mistakes of a peer's form: each in the page's language beside its
/// input, with the service's own words (in English) after it.
#[derive(Default)]
pub(crate) struct PeerErrors {
    pub(crate) errors: FieldErrors,
    details: Vec<(&'static str, String)>,
}

impl PeerErrors {
    /// The message for the input `field`, if it has one.
    pub(crate) fn get(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    /// What the service said about the input `field`.
    pub(crate) fn detail(&self, field: &str) -> Option<&str> {
        self.details
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, detail)| detail.as_str())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Adds `message` (an id) beside `field` with the service's `detail`.
    fn add(&mut self, ctx: &PageCtx, field: &'static str, message: &str, detail: String) {
        if self.errors.get(field).is_none() {
            self.errors.0.push(FieldError {
                field,
                text: ctx.t(message),
            });
        }
        match self.details.iter_mut().find(|(f, _)| *f == field) {
            Some((_, known)) if !detail.is_empty() => {
                known.push_str("; ");
                known.push_str(&detail);
            }
            Some(_) => {}
            None => self.details.push((field, detail)),
        }
    }
}

/// The service's refusal of `fields` as the form's mistakes: none when it
/// refused for another reason (then its page answers).
fn peer_errors(ctx: &PageCtx, status: &tonic::Status, fields: &PeerFields) -> PeerErrors {
    use tonic_types::StatusExt;
    let mut errors = PeerErrors::default();
    match status.code() {
        tonic::Code::InvalidArgument => {
            let Some(bad) = status.get_details_bad_request() else {
                return errors;
            };
            let keys = fields.key_ids();
            for violation in &bad.field_violations {
                let Some((prefix, input, message)) = PEER_RULES
                    .iter()
                    .find(|(prefix, _, _)| violation.field.starts_with(prefix))
                else {
                    continue;
                };
                // `peer.pinned_keys[2]`: that key, named.
                let key = violation.field[prefix.len()..]
                    .strip_prefix('[')
                    .and_then(|rest| rest.strip_suffix(']'))
                    .and_then(|at| at.parse::<usize>().ok())
                    .and_then(|at| keys.get(at));
                let detail = match key {
                    Some(kid) => format!("{kid}: {}", violation.description),
                    None => violation.description.clone(),
                };
                errors.add(ctx, input, message, detail);
            }
        }
        // Another peer reads that feed.
        tonic::Code::AlreadyExists => errors.add(
            ctx,
            "feed-url",
            "peer-feed-url-taken",
            status.message().to_owned(),
        ),
        _ => {}
    }
    errors
}

/// What a form posted about one peer needs: the checked form in its page
/// context, the client and the peer's name — or the page that answers
/// instead (sign-in, refused form, no federation service, not found).
// The `Err` is the response sent at once, so boxing it would gain nothing.
#[allow(clippy::result_large_err)]
fn posted_about<T: Posted>(
    state: &WebState,
    headers: &HeaderMap,
    uri: &Uri,
    id: &str,
    form: Result<Form<T>, FormRejection>,
) -> Result<Posting<T>, Response> {
    let ctx = PageCtx::new(state, headers, uri, SECTION);
    let (ctx, posted) = signed_in_form(state, headers, ctx, form)?;
    let Some(client) = client(state) else {
        return Err(unavailable(ctx));
    };
    let Some(id) = path_uuid(id) else {
        return Err(not_found(ctx));
    };
    Ok(Posting {
        name: format!("peers/{id}"),
        ctx,
        posted,
        client,
    })
}

/// A checked post about one peer (see [`posted_about`]).
struct Posting<T> {
    ctx: PageCtx,
    posted: T,
    client: FederationServiceClient<crate::Channel>,
    /// `peers/{id}`.
    name: String,
}

/// A peer's name for people: its name here, else the one its keys give,
/// else its feed's address.
fn peer_title(peer: &pb::Peer) -> String {
    [
        &peer.display_name,
        &peer.origin_display_name,
        &peer.feed_url,
    ]
    .into_iter()
    .find(|name| !name.trim().is_empty())
    .cloned()
    .unwrap_or_default()
}

/// What a page says after a form, as a message id.
fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "added" => "peer-added-done",
        "saved" => "changes-saved",
        "paused" => "peer-paused-done",
        "resumed" => "peer-resumed-done",
        "synced" => "peer-synced-done",
        _ => return None,
    })
}

// ------------------------------------------------------------ the peers

/// This deployment as its peers see it.
pub(crate) struct OwnFeed {
    pub(crate) display_name: String,
    pub(crate) issuer: String,
    pub(crate) feed_url: String,
    /// The id of the key that signs its feed now.
    pub(crate) key_id: Option<String>,
}

/// A peer as the list shows it.
pub(crate) struct PeerRow {
    pub(crate) href: String,
    pub(crate) title: String,
    pub(crate) feed_url: String,
    pub(crate) paused: bool,
    pub(crate) last_sync: Option<When>,
    pub(crate) last_error: String,
    pub(crate) last_error_time: Option<When>,
    pub(crate) mirrored: String,
    pub(crate) refused: String,
}

#[derive(Template)]
#[template(path = "peers.html")]
struct PeersPage {
    ctx: PageCtx,
    own: Option<OwnFeed>,
    rows: Vec<PeerRow>,
    action: &'static str,
    csrf: String,
    fields: PeerFields,
    errors: PeerErrors,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DoneQuery {
    /// What was just done, for the notice.
    #[serde(default)]
    done: String,
}

/// The peers page, with `fields` in its form and `errors` beside them.
async fn render_list(
    state: &WebState,
    mut ctx: PageCtx,
    fields: PeerFields,
    errors: PeerErrors,
    notice: Option<String>,
) -> Response {
    let Some(mut client) = client(state) else {
        return unavailable(ctx);
    };
    let mut keys_client = client.clone();
    let (listed, keys) = tokio::join!(
        client.list_peers(ctx.call(pb::ListPeersRequest {})),
        keys_client.get_federation_keys(ctx.call(pb::GetFederationKeysRequest {})),
    );
    let listed = match listed {
        Ok(answer) => answer.into_inner().peers,
        Err(status) => return problem(ctx, &status),
    };
    // The page still does its job without them.
    let own = match keys {
        Ok(answer) => {
            let keys = answer.into_inner();
            let feed_url = format!("{}/v1/federation/feed", keys.issuer.trim_end_matches('/'));
            Some(OwnFeed {
                display_name: keys.display_name,
                issuer: keys.issuer,
                feed_url,
                key_id: keys
                    .keys
                    .iter()
                    .find(|k| k.retire_time.is_none())
                    .or(keys.keys.first())
                    .map(|k| k.kid.clone()),
            })
        }
        Err(status) => {
            tracing::warn!(code = ?status.code(), "the deployment's federation keys did not come");
            None
        }
    };
    let lang = ctx.lang;
    let rows = listed.iter().map(|p| peer_row(lang, p)).collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let csrf = ctx.csrf(state);
    page(
        &PeersPage {
            own,
            rows,
            action: PEERS_HREF,
            csrf,
            fields,
            errors,
            notice,
            ctx,
        },
        status,
    )
}

fn peer_row(lang: Lang, peer: &pb::Peer) -> PeerRow {
    PeerRow {
        href: peer_href(&peer.name),
        title: peer_title(peer),
        feed_url: peer.feed_url.clone(),
        paused: peer.paused,
        last_sync: when(lang, peer.last_sync_time.as_ref()),
        last_error: peer.last_error.clone(),
        last_error_time: when(lang, peer.last_error_time.as_ref()),
        mirrored: lang.number(peer.mirrored_count),
        refused: lang.number(peer.refused_count),
    }
}

/// `GET /admin/peers`: this deployment's feed and key, the peers, and the
/// form to trust another.
pub(crate) async fn list(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Query(query): Query<DoneQuery>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, SECTION);
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let notice = done_message(&query.done).map(|message| ctx.t(message));
    render_list(
        &state,
        ctx,
        PeerFields::default(),
        PeerErrors::default(),
        notice,
    )
    .await
}

/// `POST /admin/peers`: trusts the peer and goes to its page; mistakes
/// come back beside their inputs, with what was typed kept.
pub(crate) async fn create(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<PeerPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, SECTION);
    let (ctx, posted) = match signed_in_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let Some(mut client) = client(&state) else {
        return unavailable(ctx);
    };
    let fields = posted.fields();
    let request = pb::CreatePeerRequest {
        peer: Some(fields.peer(String::new())),
    };
    match client.create_peer(ctx.call(request)).await {
        Ok(created) => see_other(
            &format!("{}?done=added", peer_href(&created.into_inner().name)),
            None,
        ),
        Err(status) => {
            let errors = peer_errors(&ctx, &status, &fields);
            if errors.is_empty() {
                return problem(ctx, &status);
            }
            render_list(&state, ctx, fields, errors, None).await
        }
    }
}

// ------------------------------------------------------------- one peer

/// A key of the peer trusted now.
pub(crate) struct TrustedKey {
    pub(crate) kid: String,
    /// Pinned here (else endorsed by a pinned key, or by one it endorsed).
    pub(crate) pinned: bool,
}

/// An entry of the peer's feed that was refused.
pub(crate) struct RefusalRow {
    pub(crate) sequence: String,
    pub(crate) entry_name: String,
    pub(crate) reason: String,
    pub(crate) time: Option<When>,
}

#[derive(Template)]
#[template(path = "peer.html")]
struct PeerPage {
    ctx: PageCtx,
    href: String,
    title: String,
    display_name: String,
    origin_display_name: String,
    issuer: String,
    feed_url: String,
    paused: bool,
    pinned_keys: Vec<String>,
    trusted_keys: Vec<TrustedKey>,
    last_sync: Option<When>,
    last_error: String,
    last_error_time: Option<When>,
    mirrored: String,
    refused: String,
    created: Option<When>,
    csrf: String,
    fields: PeerFields,
    errors: PeerErrors,
    notice: Option<String>,
    refusals: Vec<RefusalRow>,
    /// Older refusals, when there are more.
    next_page: Option<String>,
    /// Back to the newest refusals, when this is a later page.
    first_page: Option<String>,
}

web_pages!(PeersPage, PeerPage);

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PeerQuery {
    /// From the previous page of refused entries.
    #[serde(default)]
    page: String,
    /// What was just done, for the notice.
    #[serde(default)]
    done: String,
}

/// The page of the peer `id`: its facts, its forms (`typed` kept in the
/// change form, with `errors` beside), and the refused entries of its feed
/// from `page_token`.
async fn render_peer(
    state: &WebState,
    mut ctx: PageCtx,
    id: &str,
    page_token: &str,
    typed: Option<PeerFields>,
    errors: PeerErrors,
    notice: Option<String>,
) -> Response {
    let Some(mut client) = client(state) else {
        return unavailable(ctx);
    };
    let Some(id) = path_uuid(id) else {
        return not_found(ctx);
    };
    let name = format!("peers/{id}");
    let mut refused_client = client.clone();
    let (found, refused) = tokio::join!(
        client.get_peer(ctx.call(pb::GetPeerRequest { name: name.clone() })),
        refused_client.list_refused_entries(ctx.call(pb::ListRefusedEntriesRequest {
            parent: name.clone(),
            page_size: REFUSED_PER_PAGE,
            page_token: page_token.to_owned(),
        })),
    );
    let peer = match found {
        Ok(answer) => answer.into_inner(),
        Err(status) => return not_found_or_problem(ctx, &status),
    };
    let refused = match refused {
        Ok(answer) => answer.into_inner(),
        // A page token from elsewhere: the newest refusals instead.
        Err(status) if status.code() == tonic::Code::InvalidArgument && !page_token.is_empty() => {
            return see_other(&peer_href(&name), None);
        }
        Err(status) => return problem(ctx, &status),
    };
    let lang = ctx.lang;
    let href = peer_href(&peer.name);
    let refusals = refused
        .refused_entries
        .iter()
        .map(|r| RefusalRow {
            sequence: lang.number(r.sequence),
            entry_name: r.entry_name.clone(),
            reason: r.reason.clone(),
            time: when(lang, r.refuse_time.as_ref()),
        })
        .collect();
    let next_page = (!refused.next_page_token.is_empty()).then(|| {
        format!(
            "{href}?page={}#refused",
            form_urlencoded_component(&refused.next_page_token)
        )
    });
    let first_page = (!page_token.is_empty()).then(|| format!("{href}#refused"));
    let fields = typed.unwrap_or_else(|| PeerFields {
        feed_url: peer.feed_url.clone(),
        pinned_keys: peer.pinned_keys.join("\n"),
        display_name: peer.display_name.clone(),
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let trusted_keys = peer
        .trusted_keys
        .iter()
        .map(|kid| TrustedKey {
            kid: kid.clone(),
            pinned: peer.pinned_keys.contains(kid),
        })
        .collect();
    let csrf = ctx.csrf(state);
    page(
        &PeerPage {
            href,
            title: peer_title(&peer),
            last_sync: when(lang, peer.last_sync_time.as_ref()),
            last_error_time: when(lang, peer.last_error_time.as_ref()),
            created: when(lang, peer.create_time.as_ref()),
            mirrored: lang.number(peer.mirrored_count),
            refused: lang.number(peer.refused_count),
            display_name: peer.display_name,
            origin_display_name: peer.origin_display_name,
            issuer: peer.issuer,
            feed_url: peer.feed_url,
            paused: peer.paused,
            pinned_keys: peer.pinned_keys,
            trusted_keys,
            last_error: peer.last_error,
            csrf,
            fields,
            errors,
            notice,
            refusals,
            next_page,
            first_page,
            ctx,
        },
        status,
    )
}

/// `GET /admin/peers/{id}` (`?page=` for older refused entries).
pub(crate) async fn peer_page(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<PeerQuery>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, SECTION);
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let notice = done_message(&query.done).map(|message| ctx.t(message));
    render_peer(
        &state,
        ctx,
        &id,
        &query.page,
        None,
        PeerErrors::default(),
        notice,
    )
    .await
}

/// `POST /admin/peers/{id}/edit`: saves the feed's address, the pinned
/// keys and the name; mistakes come back beside their inputs.
pub(crate) async fn update(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<PeerPosted>, FormRejection>,
) -> Response {
    let Posting {
        ctx,
        posted,
        mut client,
        name,
    } = match posted_about(&state, &headers, &uri, &id, form) {
        Ok(posting) => posting,
        Err(response) => return response,
    };
    let fields = posted.fields();
    let request = pb::UpdatePeerRequest {
        peer: Some(fields.peer(name.clone())),
        update_mask: Some(prost_types::FieldMask {
            paths: ["display_name", "feed_url", "pinned_keys"]
                .map(str::to_owned)
                .to_vec(),
        }),
    };
    match client.update_peer(ctx.call(request)).await {
        Ok(_) => see_other(&format!("{}?done=saved", peer_href(&name)), None),
        Err(status) => {
            let errors = peer_errors(&ctx, &status, &fields);
            if errors.is_empty() {
                return not_found_or_problem(ctx, &status);
            }
            render_peer(&state, ctx, &id, "", Some(fields), errors, None).await
        }
    }
}

/// The pause or resume button.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PausedPosted {
    #[serde(default)]
    csrf: String,
    /// `yes` or `no`.
    #[serde(default)]
    paused: String,
}

impl Posted for PausedPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /admin/peers/{id}/paused`: pauses the subscription, or resumes
/// it from where it stopped.
pub(crate) async fn set_paused(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<PausedPosted>, FormRejection>,
) -> Response {
    let Posting {
        ctx,
        posted,
        mut client,
        name,
    } = match posted_about(&state, &headers, &uri, &id, form) {
        Ok(posting) => posting,
        Err(response) => return response,
    };
    let paused = match posted.paused.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            return problem_page(
                ctx,
                StatusCode::BAD_REQUEST,
                "bad-request-title",
                "bad-request-text",
            );
        }
    };
    let request = pb::UpdatePeerRequest {
        peer: Some(pb::Peer {
            name: name.clone(),
            paused,
            ..Default::default()
        }),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["paused".to_owned()],
        }),
    };
    match client.update_peer(ctx.call(request)).await {
        Ok(_) => see_other(
            &format!(
                "{}?done={}",
                peer_href(&name),
                if paused { "paused" } else { "resumed" }
            ),
            None,
        ),
        Err(status) => not_found_or_problem(ctx, &status),
    }
}

/// `POST /admin/peers/{id}/sync`: reads the peer's feed now rather than
/// at its next poll.
pub(crate) async fn sync(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<ButtonPosted>, FormRejection>,
) -> Response {
    let Posting {
        ctx,
        mut client,
        name,
        ..
    } = match posted_about(&state, &headers, &uri, &id, form) {
        Ok(posting) => posting,
        Err(response) => return response,
    };
    match client
        .sync_peer(ctx.call(pb::SyncPeerRequest { name: name.clone() }))
        .await
    {
        Ok(_) => see_other(&format!("{}?done=synced", peer_href(&name)), None),
        Err(status) => not_found_or_problem(ctx, &status),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, header};
    use interlink_proto::federation::v1::federation_service_server::{
        FederationService, FederationServiceServer,
    };
    use tonic_types::{ErrorDetails, StatusExt};
    use tower::ServiceExt;

    use super::*;
    use crate::{Channel, DevToken, Services, SignIn, Unreachable, WebSettings};

    const PEER: &str = "0193a5b2-7c1d-7e4f-8a9b-0c1d2e3f4a5b";
    const KID: &str = "cM4F70RGABvflaXFJyRGqmzOWf1UTDSz5prxE5ejWMA";
    const OWN_KID: &str = "viVDtahTLJ5AHoqJzsGFymVLe-v0SBeHlOkKplrG_5Y";

    /// What the fake service was asked to change.
    #[derive(Debug, Default)]
    struct Asked {
        created: Vec<pb::Peer>,
        updated: Vec<pb::UpdatePeerRequest>,
        synced: Vec<String>,
        refused_pages: Vec<String>,
    }

    /// The federation service as the pages see it: Ana is a platform
    /// administrator (token `token-ana`); anyone else is refused as the
    /// real one refuses them.
    #[derive(Debug, Clone, Default)]
    struct Fake {
        asked: Arc<Mutex<Asked>>,
    }

    fn is_ana<T>(request: &tonic::Request<T>) -> Result<(), tonic::Status> {
        let ana = request
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            == Some("Bearer token-ana");
        if ana {
            Ok(())
        } else {
            Err(tonic::Status::permission_denied(
                "only platform administrators manage federated peers",
            ))
        }
    }

    fn at(seconds: i64) -> Option<prost_types::Timestamp> {
        Some(prost_types::Timestamp { seconds, nanos: 0 })
    }

    fn peer() -> pb::Peer {
        pb::Peer {
            name: format!("peers/{PEER}"),
            display_name: String::new(),
            feed_url: "https://interlink.varam.gov.lv/v1/federation/feed".into(),
            pinned_keys: vec![KID.into()],
            paused: false,
            issuer: "https://interlink.varam.gov.lv".into(),
            origin_display_name: "VARAM".into(),
            trusted_keys: vec![KID.into(), OWN_KID.into()],
            cursor: "c12".into(),
            // 2026-12-05 10:30:15 UTC.
            last_sync_time: at(1_796_466_615),
            last_error: "the peer answered 503 (attempt 2; trying again)".into(),
            last_error_time: at(1_796_466_715),
            mirrored_count: 12_345,
            refused_count: 3,
            create_time: at(1_796_428_800),
            update_time: at(1_796_428_800),
        }
    }

    fn invalid(field: &str, reason: &str) -> tonic::Status {
        tonic::Status::with_error_details(
            tonic::Code::InvalidArgument,
            format!("{field}: {reason}"),
            ErrorDetails::with_bad_request_violation(field, reason),
        )
    }

    /// The peer's violations as the real service names them.
    fn violations(peer: &pb::Peer) -> Option<tonic::Status> {
        if !peer.feed_url.starts_with("https://") {
            return Some(invalid("peer.feed_url", "must be an https:// URL"));
        }
        if peer.pinned_keys.is_empty() {
            return Some(invalid(
                "peer.pinned_keys",
                "at least one key id is required",
            ));
        }
        let bad = peer.pinned_keys.iter().position(|kid| kid.len() != 43)?;
        Some(invalid(
            &format!("peer.pinned_keys[{bad}]"),
            "must be a key id: an RFC 7638 SHA-256 thumbprint, 43 base64url characters",
        ))
    }

    type Answer<T> = Result<tonic::Response<T>, tonic::Status>;

    #[tonic::async_trait]
    impl FederationService for Fake {
        async fn get_federation_keys(
            &self,
            _: tonic::Request<pb::GetFederationKeysRequest>,
        ) -> Answer<pb::FederationKeys> {
            Ok(tonic::Response::new(pb::FederationKeys {
                issuer: "https://participa.zaragoza.es".into(),
                display_name: "Participa Zaragoza".into(),
                keys: vec![
                    pb::FederationKey {
                        kid: OWN_KID.into(),
                        ..Default::default()
                    },
                    pb::FederationKey {
                        kid: KID.into(),
                        retire_time: at(1_796_428_800),
                        ..Default::default()
                    },
                ],
            }))
        }

        async fn list_feed_entries(
            &self,
            _: tonic::Request<pb::ListFeedEntriesRequest>,
        ) -> Answer<pb::ListFeedEntriesResponse> {
            Err(tonic::Status::unimplemented("not for the pages"))
        }

        async fn rotate_federation_key(
            &self,
            _: tonic::Request<pb::RotateFederationKeyRequest>,
        ) -> Answer<pb::FederationKey> {
            Err(tonic::Status::unimplemented("not for the pages"))
        }

        async fn create_peer(
            &self,
            request: tonic::Request<pb::CreatePeerRequest>,
        ) -> Answer<pb::Peer> {
            is_ana(&request)?;
            let input = request.into_inner().peer.unwrap_or_default();
            if let Some(status) = violations(&input) {
                return Err(status);
            }
            self.asked.lock().unwrap().created.push(input);
            Ok(tonic::Response::new(peer()))
        }

        async fn list_peers(
            &self,
            request: tonic::Request<pb::ListPeersRequest>,
        ) -> Answer<pb::ListPeersResponse> {
            is_ana(&request)?;
            let paused = pb::Peer {
                name: "peers/0193a5b2-7c1d-7e4f-8a9b-0c1d2e3f4a5c".into(),
                display_name: "Ministero".into(),
                feed_url: "https://interlink.mef.gov.it/v1/federation/feed".into(),
                paused: true,
                last_sync_time: None,
                last_error: String::new(),
                last_error_time: None,
                ..peer()
            };
            Ok(tonic::Response::new(pb::ListPeersResponse {
                peers: vec![peer(), paused],
            }))
        }

        async fn get_peer(&self, request: tonic::Request<pb::GetPeerRequest>) -> Answer<pb::Peer> {
            is_ana(&request)?;
            if request.get_ref().name != format!("peers/{PEER}") {
                return Err(tonic::Status::not_found("peer"));
            }
            Ok(tonic::Response::new(peer()))
        }

        async fn update_peer(
            &self,
            request: tonic::Request<pb::UpdatePeerRequest>,
        ) -> Answer<pb::Peer> {
            is_ana(&request)?;
            let request = request.into_inner();
            let input = request.peer.clone().unwrap_or_default();
            let masked = request
                .update_mask
                .as_ref()
                .is_some_and(|m| m.paths.iter().any(|p| p == "feed_url"));
            if masked && let Some(status) = violations(&input) {
                return Err(status);
            }
            self.asked.lock().unwrap().updated.push(request);
            Ok(tonic::Response::new(peer()))
        }

        async fn sync_peer(
            &self,
            request: tonic::Request<pb::SyncPeerRequest>,
        ) -> Answer<pb::Peer> {
            is_ana(&request)?;
            self.asked
                .lock()
                .unwrap()
                .synced
                .push(request.into_inner().name);
            Ok(tonic::Response::new(peer()))
        }

        async fn list_refused_entries(
            &self,
            request: tonic::Request<pb::ListRefusedEntriesRequest>,
        ) -> Answer<pb::ListRefusedEntriesResponse> {
            is_ana(&request)?;
            let request = request.into_inner();
            assert_eq!(request.page_size, REFUSED_PER_PAGE);
            self.asked
                .lock()
                .unwrap()
                .refused_pages
                .push(request.page_token.clone());
            let refused = |sequence: i64, name: &str| pb::RefusedEntry {
                sequence,
                entry_name: name.into(),
                reason: "the signature does not verify".into(),
                refuse_time: at(1_796_466_615),
            };
            Ok(tonic::Response::new(match request.page_token.as_str() {
                "" => pb::ListRefusedEntriesResponse {
                    refused_entries: vec![refused(1_204, "interlinkers/x1"), refused(1_203, "")],
                    next_page_token: "older+1".into(),
                },
                "older+1" => pb::ListRefusedEntriesResponse {
                    refused_entries: vec![refused(7, "stories/s7")],
                    next_page_token: String::new(),
                },
                _ => return Err(tonic::Status::invalid_argument("page_token: malformed")),
            }))
        }
    }

    /// The pages with the dev sign-in (token `token-{subject}`) over
    /// `fake` as the federation role (none: not part of the mesh).
    fn pages(fake: Option<Fake>) -> Router {
        let catalogue = Channel::new(tower::service_fn(
            |_: http::Request<tonic::body::Body>| async {
                Err::<http::Response<tonic::body::Body>, _>(Unreachable("no catalogue here".into()))
            },
        ));
        let federation = fake.map(|fake| {
            Channel::new(ServiceExt::<http::Request<tonic::body::Body>>::map_err(
                FederationServiceServer::new(fake),
                |never: std::convert::Infallible| -> Unreachable { match never {} },
            ))
        });
        let dev: crate::DevSignIn =
            Arc::new(|token: &DevToken| Ok(format!("token-{}", token.subject)));
        crate::router(
            WebSettings {
                site_name: "Test".into(),
                default_language: Lang::En,
                public_url: None,
                accent_colour: None,
                logo_url: None,
            },
            SignIn {
                session_key: vec![7; 32],
                dev: Some(dev),
                dev_session: std::time::Duration::from_secs(3600),
                oidc: None,
            },
            Services {
                catalogue,
                coproduction: None,
                community: None,
                monitoring: None,
                notifications: None,
                federation,
                to_json: None,
            },
        )
    }

    async fn body_of(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// The `name=value` pairs a response sets, for the next request.
    fn cookies_of(response: &Response) -> String {
        response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The first form's CSRF token on a page.
    fn csrf_of(html: &str) -> String {
        html.split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned()
    }

    fn location(response: &Response) -> &str {
        response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// A visitor of `pages` in `lang`, signed in as `subject`, a platform
    /// administrator when `admin`.
    struct Visitor {
        pages: Router,
        cookies: String,
        lang: &'static str,
    }

    impl Visitor {
        async fn signed_in(pages: &Router, subject: &str, admin: bool, lang: &'static str) -> Self {
            let anonymous = Visitor {
                pages: pages.clone(),
                cookies: String::new(),
                lang,
            };
            let form = anonymous.get("/sign-in").await;
            let cookies = cookies_of(&form);
            let csrf = csrf_of(&body_of(form).await);
            let visitor = Visitor {
                cookies,
                ..anonymous
            };
            let admin = if admin { "&admin=yes" } else { "" };
            let signed = visitor
                .post(
                    "/sign-in",
                    &format!("csrf={csrf}&subject={subject}{admin}&next=/"),
                )
                .await;
            assert_eq!(signed.status(), StatusCode::SEE_OTHER);
            Visitor {
                cookies: cookies_of(&signed),
                ..visitor
            }
        }

        async fn get(&self, path: &str) -> Response {
            let request = Request::get(path)
                .header(header::ACCEPT_LANGUAGE, self.lang)
                .header(header::COOKIE, &self.cookies)
                .body(Body::empty())
                .unwrap();
            self.pages.clone().oneshot(request).await.unwrap()
        }

        async fn post(&self, path: &str, form: &str) -> Response {
            let request = Request::post(path)
                .header(header::ACCEPT_LANGUAGE, self.lang)
                .header(header::COOKIE, &self.cookies)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form.to_owned()))
                .unwrap();
            self.pages.clone().oneshot(request).await.unwrap()
        }

        /// The page at `path` (200), and its CSRF token.
        async fn page(&self, path: &str) -> (String, String) {
            let response = self.get(path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let html = body_of(response).await;
            let csrf = csrf_of(&html);
            (html, csrf)
        }
    }

    #[test]
    fn key_ids_are_read_one_a_line_or_separated_by_commas() {
        assert_eq!(
            key_ids(&format!(" {KID}\r\n{OWN_KID},{KID} ;\n\n")),
            [KID, OWN_KID, KID]
        );
        assert!(key_ids(" \n, ").is_empty());
        let named = pb::Peer {
            display_name: " ".into(),
            ..peer()
        };
        assert_eq!(peer_title(&named), "VARAM");
        assert_eq!(
            peer_href(&format!("peers/{PEER}")),
            format!("/admin/peers/{PEER}")
        );
    }

    #[tokio::test]
    async fn the_peers_page_shows_this_deployments_feed_and_each_peers_state() {
        let pages = pages(Some(Fake::default()));
        let ana = Visitor::signed_in(&pages, "ana", true, "lv").await;
        let (html, _) = ana.page(PEERS_HREF).await;
        assert!(html.contains("<html lang=\"lv\">"), "{html}");
        // The menu's link, current.
        assert!(
            html.contains("<a href=\"/admin/peers\" aria-current=\"page\">Federācija</a>"),
            "{html}"
        );
        // What to send to other PAs: the feed and the current key.
        assert!(html.contains("id=\"own-feed-url\" value=\"https://participa.zaragoza.es/v1/federation/feed\" readonly"), "{html}");
        assert!(
            html.contains(&format!("id=\"own-key-id\" value=\"{OWN_KID}\" readonly")),
            "{html}"
        );
        // Each peer: its name (the one its keys give), state, times,
        // error in English, counts in the page's language.
        assert!(
            html.contains(&format!("<a href=\"/admin/peers/{PEER}\">VARAM</a>")),
            "{html}"
        );
        assert!(
            html.contains(
                "<time datetime=\"2026-12-05T10:30:15Z\">2026. gada 5. decembris 10:30:15</time>"
            ),
            "{html}"
        );
        assert!(html.contains("<span lang=\"en\">the peer answered 503 (attempt 2; trying again)</span> (<time datetime=\"2026-12-05T10:31:55Z\">"), "{html}");
        assert!(html.contains("<td>12\u{a0}345</td>"), "{html}");
        assert!(html.contains(">Ministero</a>"), "{html}");
        assert!(html.contains("<strong>Apturēts</strong>"), "{html}");
        assert!(html.contains("Vēl nav"), "{html}");
    }

    #[tokio::test]
    async fn a_refused_peer_comes_back_beside_its_inputs_with_the_services_words() {
        let fake = Fake::default();
        let pages = pages(Some(fake.clone()));
        let ana = Visitor::signed_in(&pages, "ana", true, "es").await;
        let (_, csrf) = ana.page(PEERS_HREF).await;
        let refused = ana
            .post(
                PEERS_HREF,
                &format!(
                    "csrf={csrf}&feed_url=https%3A%2F%2Fpeer.example.org%2Ffeed\
                     &pinned_keys={KID}%0Ashort&display_name=Riga"
                ),
            )
            .await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let html = body_of(refused).await;
        assert!(html.contains("<p class=\"error\" id=\"pinned-keys-error\"><span class=\"visually-hidden\">Error:</span> Escriba entre 1 y 10 identificadores de clave distintos, cada uno de 43 letras, cifras, - o _ (<span lang=\"en\">short: must be a key id"), "{html}");
        assert!(html.contains("<a href=\"#pinned-keys\">"), "{html}");
        assert!(
            html.contains(
                "aria-describedby=\"pinned-keys-hint pinned-keys-error\" aria-invalid=\"true\""
            ),
            "{html}"
        );
        assert!(
            html.contains(&format!(">{KID}\nshort</textarea>")),
            "{html}"
        );
        assert!(html.contains("value=\"Riga\""), "{html}");
        assert!(fake.asked.lock().unwrap().created.is_empty());

        // Corrected: the peer's page, saying so.
        let added = ana
            .post(
                PEERS_HREF,
                &format!(
                    "csrf={csrf}&feed_url=+https%3A%2F%2Fpeer.example.org%2Ffeed+\
                     &pinned_keys={KID}%2C+{OWN_KID}&display_name="
                ),
            )
            .await;
        assert_eq!(added.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&added), format!("/admin/peers/{PEER}?done=added"));
        let created = fake.asked.lock().unwrap().created[0].clone();
        assert_eq!(created.feed_url, "https://peer.example.org/feed");
        assert_eq!(created.pinned_keys, [KID, OWN_KID]);
        assert_eq!(created.display_name, "");
        let (html, _) = ana.page(location(&added)).await;
        assert!(
            html.contains("El despliegue se ha añadido: se están leyendo sus claves y su feed."),
            "{html}"
        );
    }

    #[tokio::test]
    async fn a_peers_page_pages_its_refused_entries_and_its_forms_work() {
        let fake = Fake::default();
        let pages = pages(Some(fake.clone()));
        let ana = Visitor::signed_in(&pages, "ana", true, "it").await;
        let path = format!("/admin/peers/{PEER}");
        let (html, csrf) = ana.page(&path).await;
        // Its keys: pinned, or trusted through an endorsement.
        assert!(
            html.contains(&format!(
                "<code>{KID}</code> <span class=\"tag\">fissata</span>"
            )),
            "{html}"
        );
        assert!(
            html.contains(&format!(
                "<code>{OWN_KID}</code> <span class=\"tag\">avallata</span>"
            )),
            "{html}"
        );
        // The newest refusals, and a link to older ones.
        assert!(html.contains("<code>interlinkers/x1</code></td><td>1.204</td><td class=\"problem\"><span lang=\"en\">the signature does not verify</span>"), "{html}");
        assert!(html.contains("Illeggibile"), "{html}");
        assert!(
            html.contains(&format!(
                "<a href=\"{path}?page=older%2B1#refused\" rel=\"next\">"
            )),
            "{html}"
        );
        let (older, _) = ana.page(&format!("{path}?page=older%2B1")).await;
        assert!(older.contains("<code>stories/s7</code>"), "{older}");
        assert!(!older.contains("rel=\"next\""), "{older}");
        assert!(
            older.contains(&format!("<a href=\"{path}#refused\">")),
            "{older}"
        );
        assert_eq!(fake.asked.lock().unwrap().refused_pages, ["", "older+1"]);
        // A token from elsewhere: the newest instead.
        let odd = ana.get(&format!("{path}?page=forged")).await;
        assert_eq!(odd.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&odd), path);

        // Paused, read now, changed: each a plain post, then the page.
        let paused = ana
            .post(
                &format!("{path}/paused"),
                &format!("csrf={csrf}&paused=yes"),
            )
            .await;
        assert_eq!(location(&paused), format!("{path}?done=paused"));
        let synced = ana
            .post(&format!("{path}/sync"), &format!("csrf={csrf}"))
            .await;
        assert_eq!(location(&synced), format!("{path}?done=synced"));
        let saved = ana
            .post(
                &format!("{path}/edit"),
                &format!(
                    "csrf={csrf}&feed_url=https%3A%2F%2Fpeer.example.org%2Ffeed\
                     &pinned_keys={KID}&display_name=Lettonia"
                ),
            )
            .await;
        assert_eq!(location(&saved), format!("{path}?done=saved"));
        let bad = ana
            .post(
                &format!("{path}/edit"),
                &format!("csrf={csrf}&feed_url=ftp%3A%2F%2Fx&pinned_keys={KID}"),
            )
            .await;
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        let html = body_of(bad).await;
        assert!(html.contains("Scrivi l&#39;indirizzo del feed come link https:// (<span lang=\"en\">must be an https:// URL</span>)"), "{html}");
        assert!(html.contains("value=\"ftp://x\""), "{html}");
        let odd = ana
            .post(
                &format!("{path}/paused"),
                &format!("csrf={csrf}&paused=maybe"),
            )
            .await;
        assert_eq!(odd.status(), StatusCode::BAD_REQUEST);
        let asked = fake.asked.lock().unwrap();
        assert_eq!(asked.synced, [format!("peers/{PEER}")]);
        let pause = &asked.updated[0];
        assert!(pause.peer.as_ref().unwrap().paused);
        assert_eq!(pause.update_mask.as_ref().unwrap().paths, ["paused"]);
        let save = &asked.updated[1];
        assert_eq!(save.peer.as_ref().unwrap().display_name, "Lettonia");
        assert_eq!(
            save.update_mask.as_ref().unwrap().paths,
            ["display_name", "feed_url", "pinned_keys"]
        );
        assert_eq!(asked.updated.len(), 2);
    }

    #[tokio::test]
    async fn others_are_refused_and_without_the_service_the_pages_say_so() {
        let fake = Fake::default();
        let pages = pages(Some(fake.clone()));
        let ben = Visitor::signed_in(&pages, "ben", false, "en").await;
        let refused = ben.get(PEERS_HREF).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let html = body_of(refused).await;
        assert!(!html.contains("href=\"/admin/peers\""), "{html}");
        let csrf = csrf_of(&html);
        let peer = format!("/admin/peers/{PEER}");
        assert_eq!(ben.get(&peer).await.status(), StatusCode::FORBIDDEN);
        let posted = ben
            .post(&format!("{peer}/sync"), &format!("csrf={csrf}"))
            .await;
        assert_eq!(posted.status(), StatusCode::FORBIDDEN);
        assert!(fake.asked.lock().unwrap().synced.is_empty());
        // Paths that name nothing.
        let ana = Visitor::signed_in(&pages, "ana", true, "en").await;
        for path in [
            "/admin/peers/not-an-id",
            "/admin/peers/0193a5b2-7c1d-7e4f-8a9b-0c1d2e3f4a5d",
        ] {
            assert_eq!(
                ana.get(path).await.status(),
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        // A post without the session's token changes nothing.
        let forged = ana.post(&format!("{peer}/sync"), "csrf=forged").await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert!(fake.asked.lock().unwrap().synced.is_empty());
        // Signed out: the sign-in page first.
        let visitor = Visitor {
            pages: pages.clone(),
            cookies: String::new(),
            lang: "en",
        };
        let response = visitor.get(PEERS_HREF).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/sign-in?next=/admin/peers");
        // No federation role in the mesh.
        let without = self::pages(None);
        let ana = Visitor::signed_in(&without, "ana", true, "lv").await;
        let response = ana.get(PEERS_HREF).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(body_of(response).await.contains("<html lang=\"lv\">"));
    }
}
