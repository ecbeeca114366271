//! The interlinker contract over HTTP (`docs/interlinker-contract/v1`):
//! JSON routes for the platform, pages for people.

use std::sync::Arc;

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use interlink_interlinker_http::{Gate, Manifest, Person, file, html, rfc3339, when};
use interlink_runtime::auth::Authenticator;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{self, Document};
use crate::error::Error;
use crate::i18n::{Lang, Wording, Words, fill};
use crate::store::{self, Author};

pub use interlink_interlinker_http::CONTRACT;
/// What it can do with its assets (the contract's capability names).
pub const CAPABILITIES: [&str; 8] = [
    "instantiate",
    "view",
    "edit",
    "clone",
    "delete",
    "download",
    "preview",
    "open_in_modal",
];

const SESSION_COOKIE: &str = "interlink_documents_session";

/// What every handler shares.
#[derive(Clone)]
pub struct Documents {
    db: DatabaseConnection,
    gate: Gate,
}

impl std::fmt::Debug for Documents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Documents")
            .field("gate", &self.gate)
            .finish_non_exhaustive()
    }
}

impl Documents {
    /// The server's state: `authenticator` checks the platform's tokens
    /// for this interlinker, `session_secret` (at least 32 bytes) seals page
    /// sessions, `public_url` is where it is reached, `platform_origin` the
    /// one window told about new assets.
    pub fn new(
        db: DatabaseConnection,
        authenticator: Arc<Authenticator>,
        session_secret: &[u8],
        public_url: String,
        platform_origin: String,
    ) -> Self {
        Self {
            db,
            gate: Gate::new(
                authenticator,
                session_secret,
                SESSION_COOKIE,
                public_url,
                platform_origin,
            ),
        }
    }

    /// Asks the platform's access check at `url` before each page of a
    /// document ([`Gate::with_access_checks`]).
    pub fn with_access_checks(mut self, url: String) -> anyhow::Result<Self> {
        self.gate = self.gate.with_access_checks(url)?;
        Ok(self)
    }

    /// Every route of the contract, and the pages and files behind them.
    pub fn router(self) -> axum::Router {
        let router = axum::Router::new()
            .route("/healthz", get(|| async { "ok" }))
            .route("/manifest", get(manifest))
            .route("/static/documents.css", get(stylesheet))
            .route("/static/handshake.js", get(handshake))
            .route("/static/icon.svg", get(icon))
            .route("/assets", post(create_json))
            .route(
                "/assets/instantiate",
                get(instantiate_page).post(instantiate_form),
            )
            .route("/assets/{id}", get(get_asset).delete(delete_asset))
            .route("/assets/{id}/view", get(view_page))
            .route("/assets/{id}/preview", get(preview_page))
            .route("/assets/{id}/edit", get(edit_page).post(edit_form))
            .route("/assets/{id}/history", get(history_page))
            .route("/assets/{id}/history/{number}/restore", post(restore_form))
            .route("/assets/{id}/clone", post(clone_asset))
            .route("/assets/{id}/download", get(download));
        self.gate.security_headers(router).with_state(self)
    }

    fn asset(&self, document: &Document) -> Asset {
        Asset {
            id: document.id.to_string(),
            name: document.title.clone(),
            icon: format!("{}/static/icon.svg", self.gate.public_url()),
            created_at: rfc3339(document.created_at),
            updated_at: rfc3339(document.updated_at),
            language: document.language.clone(),
            revisions: document.revisions,
        }
    }
}

/// An asset as the contract's `GET /assets/{id}` describes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Asset {
    /// Its id on this interlinker.
    pub id: String,
    /// Its name (the document's title).
    pub name: String,
    /// An image for it.
    pub icon: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// The language it is written in.
    pub language: String,
    /// How many revisions it has.
    pub revisions: i64,
}

// ---------------------------------------------------------------------------
// Who is asking

fn author(person: &Person) -> Author {
    Author {
        subject: person.sub.clone(),
        name: person.name.clone(),
    }
}

impl Documents {
    async fn bearer(&self, headers: &HeaderMap) -> Result<Person, Error> {
        Ok(self.gate.bearer(headers).await?)
    }

    async fn person(&self, headers: &HeaderMap) -> Result<Person, Error> {
        Ok(self.gate.person(headers).await?)
    }
}

/// A page's query: the platform's token travels once in `token`.
#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    restored: Option<String>,
}

/// A page opened with `?token=`: the token exchanged for a session and
/// the page opened again without it.
async fn sign_in_from_query(
    documents: &Documents,
    query: &PageQuery,
    path: &str,
    lang: Lang,
) -> Option<Response> {
    let token = query.token.as_deref()?;
    Some(
        documents
            .gate
            .sign_in(token, path, query.language.as_deref())
            .await
            .unwrap_or_else(|_| Error::Unauthenticated.page(lang)),
    )
}

/// What opening a document's page comes to.
enum Opened {
    /// The page, in this language, of this document.
    Page(Lang, Document),
    /// The platform's token was exchanged for a session: open it again.
    SignedIn(Response),
}

/// What every page of one document starts with: its language, the
/// platform's token (if given) exchanged for a session, the person (who
/// the platform lets view it, or edit it for an `edit` page), and the
/// document of `/assets/{id}/{page}`.
async fn document_page(
    documents: &Documents,
    headers: &HeaderMap,
    query: &PageQuery,
    id: &str,
    page: &str,
    edit: bool,
) -> Result<Opened, Error> {
    let lang = Lang::of(headers);
    let path = format!("/assets/{id}/{page}");
    if let Some(response) = sign_in_from_query(documents, query, &path, lang).await {
        return Ok(Opened::SignedIn(response));
    }
    let person = documents
        .person(headers)
        .await
        .map_err(|e| e.page_in(lang))?;
    let document = load(documents, id).await.map_err(|e| e.page_in(lang))?;
    documents
        .gate
        .may(&person, id, edit)
        .await
        .map_err(|e| Error::from(e).page_in(lang))?;
    Ok(Opened::Page(lang, document))
}

/// Page forms are accepted from this interlinker's own pages only.
fn same_origin(documents: &Documents, headers: &HeaderMap) -> Result<(), Error> {
    if documents.gate.same_origin(headers) {
        Ok(())
    } else {
        Err(Error::CrossOrigin)
    }
}

fn parse_id(raw: &str) -> Result<Uuid, Error> {
    Uuid::parse_str(raw).map_err(|_| Error::NotFound)
}

async fn load(documents: &Documents, id: &str) -> Result<Document, Error> {
    store::get(&documents.db, parse_id(id)?)
        .await?
        .ok_or(Error::NotFound)
}

// ---------------------------------------------------------------------------
// Headers and static files

async fn stylesheet() -> Response {
    file(
        "text/css; charset=utf-8",
        include_str!("../static/documents.css"),
    )
}

async fn handshake() -> Response {
    file(
        "text/javascript; charset=utf-8",
        interlink_interlinker_http::HANDSHAKE_JS,
    )
}

async fn icon() -> Response {
    file("image/svg+xml", include_str!("../static/icon.svg"))
}

async fn manifest(State(documents): State<Documents>) -> Json<Manifest> {
    Json(Manifest {
        contract: CONTRACT.to_owned(),
        name: "Interlink documents".to_owned(),
        capabilities: CAPABILITIES.map(str::to_owned).to_vec(),
        icon: format!("{}/static/icon.svg", documents.gate.public_url()),
    })
}

// ---------------------------------------------------------------------------
// JSON routes

/// `POST /assets`: a new document.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAsset {
    name: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    body: String,
}

fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    interlink_interlinker_http::json_body(bytes).map_err(|e| Error::BadJson {
        field: e.field,
        reason: e.reason,
    })
}

async fn create_json(
    State(documents): State<Documents>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Error> {
    let caller = documents.bearer(&headers).await?;
    let new: NewAsset = json_body(&body)?;
    let document = store::create(
        &documents.db,
        domain::title(&new.name).map_err(Error::named("name"))?,
        domain::body(&new.body)?,
        domain::language(&new.language)?,
        &author(&caller),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(documents.asset(&document))).into_response())
}

async fn get_asset(
    State(documents): State<Documents>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Asset>, Error> {
    documents.bearer(&headers).await?;
    let document = load(&documents, &id).await?;
    Ok(Json(documents.asset(&document)))
}

async fn delete_asset(
    State(documents): State<Documents>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, Error> {
    documents.bearer(&headers).await?;
    if store::delete(&documents.db, parse_id(&id)?).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound)
    }
}

/// `POST /assets/{id}/clone`'s optional body.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CloneAsset {
    #[serde(default)]
    name: Option<String>,
}

async fn clone_asset(
    State(documents): State<Documents>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Error> {
    let caller = documents.bearer(&headers).await?;
    let key = interlink_interlinker_http::idempotency_key(&headers).ok_or(Error::IdempotencyKey)?;
    let request: CloneAsset = if body.iter().all(u8::is_ascii_whitespace) {
        CloneAsset::default()
    } else {
        json_body(&body)?
    };
    let title = request
        .name
        .map(|name| domain::title(&name).map_err(Error::named("name")))
        .transpose()?;
    let (copy, made) =
        store::clone(&documents.db, parse_id(&id)?, key, title, &author(&caller)).await?;
    let status = if made {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(documents.asset(&copy))).into_response())
}

#[derive(Debug, Deserialize)]
struct DownloadQuery {
    #[serde(default)]
    format: Option<String>,
}

async fn download(
    State(documents): State<Documents>,
    Path(id): Path<String>,
    Query(query): Query<DownloadQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let person = documents.person(&headers).await?;
    let document = load(&documents, &id).await?;
    documents.gate.may(&person, &id, false).await?;
    let (content, media_type, extension) = match query.format.as_deref().unwrap_or("md") {
        "md" | "markdown" => (
            domain::markdown_file(&document),
            "text/markdown; charset=utf-8",
            "md",
        ),
        "html" => (
            domain::html_file(&document),
            "text/html; charset=utf-8",
            "html",
        ),
        _ => return Err(Error::Format),
    };
    let disposition = format!(
        "attachment; filename=\"{}\"",
        domain::file_name(&document.title, extension)
    );
    Ok((
        [
            (header::CONTENT_TYPE, media_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        content,
    )
        .into_response())
}

// ---------------------------------------------------------------------------
// Pages

#[derive(Template)]
#[template(path = "instantiate.html")]
struct InstantiatePage {
    lang: &'static str,
    w: &'static Words,
    title: String,
    language: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "created.html")]
struct CreatedPage {
    lang: &'static str,
    w: &'static Words,
    ready: String,
    document: Document,
    asset_json: String,
    platform_origin: String,
}

#[derive(Template)]
#[template(path = "view.html")]
struct ViewPage {
    lang: &'static str,
    w: &'static Words,
    document: Document,
    meta: String,
    body_html: String,
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage {
    lang: &'static str,
    w: &'static Words,
    heading: String,
    document: Document,
    title: String,
    body: String,
    errors: Vec<(&'static str, String)>,
    stale: Option<String>,
}

struct HistoryRow {
    number: i64,
    label: String,
    current: bool,
    author_name: String,
    when: String,
    restores: Option<String>,
    text_of: String,
    restore: String,
    html: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    lang: &'static str,
    w: &'static Words,
    heading: String,
    document: Document,
    rows: Vec<HistoryRow>,
    restored: Option<String>,
}

/// A page with a heading and one sentence (errors, sign-in needed).
#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    pub(crate) lang: &'static str,
    pub(crate) w: &'static Words,
    pub(crate) heading: &'static str,
    pub(crate) text: String,
}

/// What a field's mistake says, in the page's language.
fn mistake(w: &Words, invalid: &domain::Invalid) -> String {
    match invalid {
        domain::Invalid::TitleBlank => w.title_blank,
        domain::Invalid::TitleTooLong => w.title_too_long,
        domain::Invalid::TitleNotALine | domain::Invalid::Language => w.title_not_a_line,
        domain::Invalid::BodyTooLarge => w.body_too_large,
        domain::Invalid::BodyControl => w.body_control,
    }
    .to_owned()
}

impl MessagePage {
    pub(crate) fn response(self, status: StatusCode) -> Response {
        let mut response = html(&self);
        *response.status_mut() = status;
        response
    }
}

async fn instantiate_page(
    State(documents): State<Documents>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let lang = Lang::of(&headers);
    if let Some(response) =
        sign_in_from_query(&documents, &query, "/assets/instantiate", lang).await
    {
        return Ok(response);
    }
    documents
        .person(&headers)
        .await
        .map_err(|e| e.page_in(lang))?;
    let language =
        domain::language(query.language.as_deref().unwrap_or_default()).unwrap_or_default();
    Ok(html(&InstantiatePage {
        lang: lang.tag(),
        w: lang.words(),
        title: String::new(),
        language,
        error: None,
    }))
}

#[derive(Debug, Deserialize)]
struct InstantiateForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    language: String,
}

async fn instantiate_form(
    State(documents): State<Documents>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<InstantiateForm>,
) -> Result<Response, Error> {
    let lang = Lang::of(&headers);
    same_origin(&documents, &headers).map_err(|e| e.page_in(lang))?;
    let caller = documents
        .person(&headers)
        .await
        .map_err(|e| e.page_in(lang))?;
    let language = domain::language(&form.language).unwrap_or_default();
    let title = match domain::title(&form.title) {
        Ok(title) => title,
        Err(invalid) => {
            let mut response = html(&InstantiatePage {
                lang: lang.tag(),
                w: lang.words(),
                title: form.title,
                language,
                error: Some(mistake(lang.words(), &invalid)),
            });
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(response);
        }
    };
    let document = store::create(
        &documents.db,
        title,
        String::new(),
        language,
        &author(&caller),
    )
    .await
    .map_err(|e| Error::from(e).page_in(lang))?;
    let asset_json = serde_json::to_string(&documents.asset(&document))
        .map_err(|e| Error::Internal(e.to_string()).page_in(lang))?;
    let mut response = html(&CreatedPage {
        lang: lang.tag(),
        w: lang.words(),
        ready: fill(lang.words().ready, &[("title", &document.title)]),
        document,
        asset_json,
        platform_origin: documents.gate.platform_origin().to_owned(),
    });
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

async fn view_page(
    State(documents): State<Documents>,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let (lang, document) =
        match document_page(&documents, &headers, &query, &id, "view", false).await? {
            Opened::Page(lang, document) => (lang, document),
            Opened::SignedIn(response) => return Ok(response),
        };
    let last = store::revision_of(&documents.db, document.id, document.revisions)
        .await
        .map_err(|e| Error::from(e).page_in(lang))?
        .ok_or_else(|| Error::Internal("the current revision is missing".into()).page_in(lang))?;
    let w = lang.words();
    let revisions = document.revisions.to_string();
    Ok(html(&ViewPage {
        lang: lang.tag(),
        w,
        meta: fill(
            w.meta,
            &[
                ("n", &revisions),
                ("name", &last.author_name),
                ("date", &when(last.created_at)),
            ],
        ),
        body_html: domain::render(&document.body),
        saved: query
            .saved
            .is_some()
            .then(|| fill(w.saved, &[("n", &revisions)])),
        document,
    }))
}

async fn preview_page(
    State(documents): State<Documents>,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let (_, document) =
        match document_page(&documents, &headers, &query, &id, "preview", false).await? {
            Opened::Page(lang, document) => (lang, document),
            Opened::SignedIn(response) => return Ok(response),
        };
    let mut page = domain::html_file(&document);
    // The preview is the downloadable file, shown with this site's style.
    page = page.replacen(
        "</head>",
        "<link rel=\"stylesheet\" href=\"/static/documents.css\">\n</head>",
        1,
    );
    page = page.replacen("<body>\n", "<body>\n<main>\n", 1);
    page = page.replacen("</body>", "</main>\n</body>", 1);
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response())
}

async fn edit_page(
    State(documents): State<Documents>,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let (lang, document) =
        match document_page(&documents, &headers, &query, &id, "edit", true).await? {
            Opened::Page(lang, document) => (lang, document),
            Opened::SignedIn(response) => return Ok(response),
        };
    Ok(html(&EditPage {
        lang: lang.tag(),
        w: lang.words(),
        heading: fill(lang.words().edit_heading, &[("title", &document.title)]),
        title: document.title.clone(),
        body: document.body.clone(),
        document,
        errors: Vec::new(),
        stale: None,
    }))
}

#[derive(Debug, Deserialize)]
struct EditForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    revision: String,
}

async fn edit_form(
    State(documents): State<Documents>,
    Path(id): Path<String>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<EditForm>,
) -> Result<Response, Error> {
    let lang = Lang::of(&headers);
    same_origin(&documents, &headers).map_err(|e| e.page_in(lang))?;
    let caller = documents
        .person(&headers)
        .await
        .map_err(|e| e.page_in(lang))?;
    let document = load(&documents, &id).await.map_err(|e| e.page_in(lang))?;
    documents
        .gate
        .may(&caller, &id, true)
        .await
        .map_err(|e| Error::from(e).page_in(lang))?;
    let mut errors = Vec::new();
    let w = lang.words();
    let title = domain::title(&form.title)
        .map_err(|e| errors.push((e.field(), mistake(w, &e))))
        .ok();
    let body = domain::body(&form.body)
        .map_err(|e| errors.push((e.field(), mistake(w, &e))))
        .ok();
    let base = form.revision.trim().parse::<i64>().ok();
    let outcome = match (title, body, base) {
        (Some(title), Some(body), Some(base)) => Some(
            store::save(
                &documents.db,
                document.id,
                base,
                title,
                body,
                &author(&caller),
                None,
            )
            .await,
        ),
        _ => None,
    };
    let stale = match outcome {
        Some(Ok(saved)) => {
            return Ok(Redirect::to(&format!("/assets/{}/view?saved=1", saved.id)).into_response());
        }
        Some(Err(store::StoreError::Stale(_))) => true,
        Some(Err(e)) => return Err(Error::from(e).page_in(lang)),
        None => base.is_none(),
    };
    let mut response = html(&EditPage {
        lang: lang.tag(),
        w,
        heading: fill(w.edit_heading, &[("title", &document.title)]),
        stale: stale.then(|| fill(w.stale, &[("n", &document.revisions.to_string())])),
        document,
        title: form.title,
        body: form.body,
        errors,
    });
    *response.status_mut() = if stale {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(response)
}

async fn history_page(
    State(documents): State<Documents>,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let (lang, document) =
        match document_page(&documents, &headers, &query, &id, "history", false).await? {
            Opened::Page(lang, document) => (lang, document),
            Opened::SignedIn(response) => return Ok(response),
        };
    let w = lang.words();
    let rows = store::history(&documents.db, document.id, 100)
        .await
        .map_err(|e| Error::from(e).page_in(lang))?
        .into_iter()
        .map(|revision| {
            let number = revision.number.to_string();
            HistoryRow {
                number: revision.number,
                label: fill(w.revision, &[("n", &number)]),
                current: revision.number == document.revisions,
                when: when(revision.created_at),
                restores: revision
                    .restored_from
                    .map(|from| fill(w.restores, &[("n", &from.to_string())])),
                text_of: fill(w.text_of, &[("n", &number)]),
                restore: fill(w.restore, &[("n", &number)]),
                html: domain::render(&revision.body),
                author_name: revision.author_name,
            }
        })
        .collect();
    Ok(html(&HistoryPage {
        lang: lang.tag(),
        w,
        heading: fill(w.history_heading, &[("title", &document.title)]),
        restored: query
            .restored
            .is_some()
            .then(|| fill(w.restored, &[("n", &document.revisions.to_string())])),
        document,
        rows,
    }))
}

async fn restore_form(
    State(documents): State<Documents>,
    Path((id, number)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let lang = Lang::of(&headers);
    same_origin(&documents, &headers).map_err(|e| e.page_in(lang))?;
    let caller = documents
        .person(&headers)
        .await
        .map_err(|e| e.page_in(lang))?;
    let document = load(&documents, &id).await.map_err(|e| e.page_in(lang))?;
    documents
        .gate
        .may(&caller, &id, true)
        .await
        .map_err(|e| Error::from(e).page_in(lang))?;
    let number = number
        .parse::<i64>()
        .map_err(|_| Error::NotFound.page_in(lang))?;
    let earlier = store::revision_of(&documents.db, document.id, number)
        .await
        .map_err(|e| Error::from(e).page_in(lang))?
        .ok_or_else(|| Error::NotFound.page_in(lang))?;
    store::save(
        &documents.db,
        document.id,
        document.revisions,
        earlier.title,
        earlier.body,
        &author(&caller),
        Some(number),
    )
    .await
    .map_err(|e| Error::from(e).page_in(lang))?;
    Ok(Redirect::to(&format!("/assets/{}/history?restored=1", document.id)).into_response())
}
