//! The interlinker contract over HTTP (`docs/interlinker-contract/v1`):
//! JSON routes for the platform, pages for people — those who build a
//! survey and read its results (signed in through the platform) and those
//! who answer it (signed in, or anyone when the survey says so).

use std::collections::BTreeMap;

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use interlink_interlinker_http::{Gate, Manifest, Person, file, html, rfc3339};
use interlink_runtime::auth::Authenticator;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

use crate::domain::{self, Invalid, Kind, QuestionDraft, Status, Survey, Unanswerable};
use crate::error::Error;
use crate::i18n::{Lang, Wording, Words, fill};
use crate::store::{self, Change, NewSurvey};

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

const SESSION_COOKIE: &str = "interlink_surveys_session";

/// What every handler shares.
#[derive(Clone)]
pub struct Surveys {
    db: DatabaseConnection,
    gate: Gate,
}

impl std::fmt::Debug for Surveys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Surveys")
            .field("gate", &self.gate)
            .finish_non_exhaustive()
    }
}

impl Surveys {
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
    /// survey's builders ([`Gate::with_access_checks`]).
    pub fn with_access_checks(mut self, url: String) -> anyhow::Result<Self> {
        self.gate = self.gate.with_access_checks(url)?;
        Ok(self)
    }

    /// Every route of the contract, and the pages and files behind them.
    pub fn router(self) -> axum::Router {
        let router = axum::Router::new()
            .route("/healthz", get(|| async { "ok" }))
            .route("/manifest", get(manifest))
            .route("/static/surveys.css", get(stylesheet))
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
            .route("/assets/{id}/edit", get(edit_page).post(details_form))
            .route("/assets/{id}/questions", post(add_question_form))
            .route(
                "/assets/{id}/questions/{question}",
                get(question_page).post(question_form),
            )
            .route(
                "/assets/{id}/questions/{question}/remove",
                post(remove_question_form),
            )
            .route("/assets/{id}/questions/{question}/up", post(move_up_form))
            .route("/assets/{id}/status", post(status_form))
            .route("/assets/{id}/answer", get(answer_page).post(answer_form))
            .route("/assets/{id}/answered", get(answered_page))
            .route("/assets/{id}/results", get(results_page))
            .route("/assets/{id}/clone", post(clone_asset))
            .route("/assets/{id}/download", get(download));
        self.gate.security_headers(router).with_state(self)
    }

    async fn asset(&self, survey: &Survey) -> Result<Asset, Error> {
        Ok(Asset {
            id: survey.id.to_string(),
            name: survey.title.clone(),
            icon: format!("{}/static/icon.svg", self.gate.public_url()),
            created_at: rfc3339(survey.created_at),
            updated_at: rfc3339(survey.updated_at),
            language: survey.language.clone(),
            status: survey.status,
            responses: store::response_count(&self.db, survey.id).await?,
        })
    }

    async fn bearer(&self, headers: &HeaderMap) -> Result<Person, Error> {
        Ok(self.gate.bearer(headers).await?)
    }

    async fn person(&self, headers: &HeaderMap) -> Result<Person, Error> {
        Ok(self.gate.person(headers).await?)
    }

    fn same_origin(&self, headers: &HeaderMap) -> Result<(), Error> {
        if self.gate.same_origin(headers) {
            Ok(())
        } else {
            Err(Error::CrossOrigin)
        }
    }

    async fn load(&self, id: &str) -> Result<Survey, Error> {
        store::get(&self.db, parse_id(id)?)
            .await?
            .ok_or(Error::NotFound)
    }
}

/// An asset as the contract's `GET /assets/{id}` describes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Asset {
    /// Its id on this interlinker.
    pub id: String,
    /// Its name (the survey's title).
    pub name: String,
    /// An image for it.
    pub icon: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// The language it is written in.
    pub language: String,
    /// Draft, open or closed.
    pub status: Status,
    /// How many answers it has.
    pub responses: i64,
}

fn parse_id(raw: &str) -> Result<Uuid, Error> {
    Uuid::parse_str(raw).map_err(|_| Error::NotFound)
}

// ---------------------------------------------------------------------------
// Static files

async fn stylesheet() -> Response {
    file(
        "text/css; charset=utf-8",
        include_str!("../static/surveys.css"),
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

async fn manifest(State(surveys): State<Surveys>) -> Json<Manifest> {
    Json(Manifest {
        contract: CONTRACT.to_owned(),
        name: "Interlink surveys".to_owned(),
        capabilities: CAPABILITIES.map(str::to_owned).to_vec(),
        icon: format!("{}/static/icon.svg", surveys.gate.public_url()),
    })
}

// ---------------------------------------------------------------------------
// JSON routes

/// `POST /assets`: a new draft survey.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAsset {
    name: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    intro: String,
    #[serde(default)]
    anonymous: bool,
    #[serde(default)]
    questions: Vec<QuestionDraft>,
}

/// `invalid`, reported as the JSON route names its field.
fn in_json(invalid: Invalid) -> Error {
    in_json_at(None, invalid)
}

/// `invalid` in the question at `position` of a JSON body (if any).
fn in_json_at(position: Option<usize>, invalid: Invalid) -> Error {
    let reason = invalid.to_string();
    let reason = reason
        .split_once(": ")
        .map_or(reason.clone(), |(_, r)| r.to_owned());
    let field = match (position, invalid.field()) {
        (None, "title") => "name".to_owned(),
        (None, other) => other.to_owned(),
        (Some(i), other) => format!("questions[{i}].{other}"),
    };
    Error::BadJson { field, reason }
}

async fn create_json(
    State(surveys): State<Surveys>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Error> {
    let caller = surveys.bearer(&headers).await?;
    let new: NewAsset = interlink_interlinker_http::json_body(&body)?;
    let survey = store::create(
        &surveys.db,
        NewSurvey {
            title: domain::title(&new.name).map_err(in_json)?,
            intro: domain::intro(&new.intro).map_err(in_json)?,
            language: domain::language(&new.language).map_err(in_json)?,
            anonymous: new.anonymous,
            questions: domain::questions(&new.questions)
                .map_err(|(at, invalid)| in_json_at(at, invalid))?,
        },
        &caller.sub,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(surveys.asset(&survey).await?)).into_response())
}

async fn get_asset(
    State(surveys): State<Surveys>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Asset>, Error> {
    surveys.bearer(&headers).await?;
    let survey = surveys.load(&id).await?;
    Ok(Json(surveys.asset(&survey).await?))
}

async fn delete_asset(
    State(surveys): State<Surveys>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, Error> {
    surveys.bearer(&headers).await?;
    if store::delete(&surveys.db, parse_id(&id)?).await? {
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
    State(surveys): State<Surveys>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Error> {
    let caller = surveys.bearer(&headers).await?;
    let key = interlink_interlinker_http::idempotency_key(&headers).ok_or(Error::IdempotencyKey)?;
    let request: CloneAsset = if body.iter().all(u8::is_ascii_whitespace) {
        CloneAsset::default()
    } else {
        interlink_interlinker_http::json_body(&body)?
    };
    let title = request
        .name
        .map(|name| domain::title(&name).map_err(in_json))
        .transpose()?;
    let (copy, made) = store::clone(&surveys.db, parse_id(&id)?, key, title, &caller.sub).await?;
    let status = if made {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(surveys.asset(&copy).await?)).into_response())
}

#[derive(Debug, Deserialize)]
struct DownloadQuery {
    #[serde(default)]
    format: Option<String>,
}

async fn download(
    State(surveys): State<Surveys>,
    Path(id): Path<String>,
    Query(query): Query<DownloadQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let person = surveys.person(&headers).await?;
    let survey = surveys.load(&id).await?;
    surveys.gate.may(&person, &id, false).await?;
    if !matches!(query.format.as_deref().unwrap_or("csv"), "csv") {
        return Err(Error::Format);
    }
    let responses = store::responses(&surveys.db, survey.id).await?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        domain::file_name(&survey.title, "csv")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        domain::csv(&survey, &responses, rfc3339),
    )
        .into_response())
}

// ---------------------------------------------------------------------------
// Opening pages

/// A page's query: the platform's token travels once in `token`.
#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

/// A page opened with `?token=`: the token exchanged for a session and
/// the page opened again without it.
async fn sign_in_from_query(
    surveys: &Surveys,
    query: &PageQuery,
    path: &str,
    lang: Lang,
) -> Option<Response> {
    let token = query.token.as_deref()?;
    Some(
        surveys
            .gate
            .sign_in(token, path, query.language.as_deref())
            .await
            .unwrap_or_else(|_| Error::Unauthenticated.page(lang)),
    )
}

/// What opening a survey's page comes to.
enum Opened {
    /// The page, in this language, of this survey, for this person (if
    /// signed in).
    Page(Lang, Survey, Option<Person>),
    /// The platform's token was exchanged for a session: open it again.
    SignedIn(Response),
}

/// What every page of one survey starts with: its language, the
/// platform's token (if given) exchanged for a session, the person (needed
/// unless `open_to_anyone` says the survey lets anyone in), and the survey
/// of `/assets/{id}/{page}`.
async fn survey_page(
    surveys: &Surveys,
    headers: &HeaderMap,
    query: &PageQuery,
    id: &str,
    page: &str,
    open_to_anyone: impl Fn(&Survey) -> bool,
) -> Result<Opened, Error> {
    let lang = Lang::of(headers);
    let path = format!("/assets/{id}/{page}");
    if let Some(response) = sign_in_from_query(surveys, query, &path, lang).await {
        return Ok(Opened::SignedIn(response));
    }
    let person = surveys.person(headers).await.ok();
    let survey = surveys.load(id).await.map_err(|e| e.page_in(lang))?;
    if person.is_none() && !open_to_anyone(&survey) {
        return Err(Error::Unauthenticated.page_in(lang));
    }
    Ok(Opened::Page(lang, survey, person))
}

/// A signed-in person's page of a survey's builders: the platform lets
/// them view it, or edit it for an `edit` page.
async fn builder_page(
    surveys: &Surveys,
    headers: &HeaderMap,
    query: &PageQuery,
    id: &str,
    page: &str,
    edit: bool,
) -> Result<Result<(Lang, Survey), Response>, Error> {
    match survey_page(surveys, headers, query, id, page, |_| false).await? {
        Opened::Page(lang, survey, Some(person)) => {
            surveys
                .gate
                .may(&person, id, edit)
                .await
                .map_err(|e| Error::from(e).page_in(lang))?;
            Ok(Ok((lang, survey)))
        }
        Opened::Page(lang, ..) => Err(Error::Unauthenticated.page_in(lang)),
        Opened::SignedIn(response) => Ok(Err(response)),
    }
}

/// What a page form starts with: its language, the check that it comes
/// from these pages, the person and the survey.
async fn form_start(
    surveys: &Surveys,
    headers: &HeaderMap,
    id: &str,
) -> Result<(Lang, Person, Survey), Error> {
    let lang = Lang::of(headers);
    surveys.same_origin(headers).map_err(|e| e.page_in(lang))?;
    let person = surveys.person(headers).await.map_err(|e| e.page_in(lang))?;
    let survey = surveys.load(id).await.map_err(|e| e.page_in(lang))?;
    surveys
        .gate
        .may(&person, id, true)
        .await
        .map_err(|e| Error::from(e).page_in(lang))?;
    Ok((lang, person, survey))
}

// ---------------------------------------------------------------------------
// Words for what the domain says

fn mistake(w: &Words, invalid: &Invalid) -> &'static str {
    match invalid {
        Invalid::TitleBlank => w.title_blank,
        Invalid::TitleTooLong => w.title_too_long,
        Invalid::TitleNotALine | Invalid::Language => w.title_not_a_line,
        Invalid::Intro => w.intro_invalid,
        Invalid::Prompt => w.prompt_invalid,
        Invalid::Kind => w.kind_invalid,
        Invalid::Options => w.options_invalid,
        Invalid::Scale => w.scale_invalid,
        Invalid::TooManyQuestions => w.too_many_questions,
        Invalid::NoQuestions => w.no_questions_error,
    }
}

fn kind_name(w: &Words, kind: Kind) -> &'static str {
    match kind {
        Kind::Single => w.kind_single,
        Kind::Multiple => w.kind_multiple,
        Kind::Scale => w.kind_scale,
        Kind::Text => w.kind_text,
    }
}

fn status_text(w: &Words, status: Status) -> &'static str {
    match status {
        Status::Draft => w.status_draft,
        Status::Open => w.status_open,
        Status::Closed => w.status_closed,
    }
}

// ---------------------------------------------------------------------------
// Page templates

/// A page with a heading and one sentence (errors, sign-in needed).
#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct MessagePage {
    pub(crate) lang: &'static str,
    pub(crate) w: &'static Words,
    pub(crate) heading: &'static str,
    pub(crate) text: String,
}

impl MessagePage {
    pub(crate) fn response(self, status: StatusCode) -> Response {
        with_status(html(&self), status)
    }
}

fn with_status(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
}

#[derive(Template)]
#[template(path = "instantiate.html")]
struct InstantiatePage {
    lang: &'static str,
    w: &'static Words,
    title: String,
    language: String,
    error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "created.html")]
struct CreatedPage {
    lang: &'static str,
    w: &'static Words,
    ready: String,
    survey: Survey,
    asset_json: String,
    platform_origin: String,
}

/// A question as the pages list it.
struct QuestionRow {
    id: String,
    prompt: String,
    kind: &'static str,
    options: Vec<String>,
    scale: String,
    required: bool,
    edit_label: String,
    remove_label: String,
    move_up_label: Option<String>,
}

fn question_rows(w: &Words, survey: &Survey) -> Vec<QuestionRow> {
    survey
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let number = (i + 1).to_string();
            QuestionRow {
                id: q.id.clone(),
                prompt: q.prompt.clone(),
                kind: kind_name(w, q.kind),
                options: q.options.clone(),
                scale: if q.kind == Kind::Scale {
                    fill(w.scale_hint, &[("n", &q.scale.to_string())])
                } else {
                    String::new()
                },
                required: q.required,
                edit_label: fill(w.edit_question, &[("n", &number)]),
                remove_label: fill(w.remove, &[("n", &number)]),
                move_up_label: (i > 0).then(|| fill(w.move_up, &[("n", &number)])),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "view.html")]
struct ViewPage {
    lang: &'static str,
    w: &'static Words,
    survey: Survey,
    status: &'static str,
    responses: String,
    answer_url: String,
    questions: Vec<QuestionRow>,
    notice: Option<&'static str>,
}

/// The question form, to add one or to change one.
struct QuestionFormView {
    action: String,
    heading: String,
    submit: &'static str,
    prompt: String,
    kind: String,
    options: String,
    scale: String,
    required: bool,
    errors: Vec<(&'static str, &'static str)>,
}

impl QuestionFormView {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, text)| *text)
    }
}

struct KindChoice {
    value: &'static str,
    label: &'static str,
}

fn kind_choices(w: &Words) -> Vec<KindChoice> {
    Kind::ALL
        .into_iter()
        .map(|k| KindChoice {
            value: k.as_str(),
            label: kind_name(w, k),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage {
    lang: &'static str,
    w: &'static Words,
    heading: String,
    survey: Survey,
    title: String,
    intro: String,
    anonymous: bool,
    details_errors: Vec<(&'static str, &'static str)>,
    questions: Vec<QuestionRow>,
    frozen: bool,
    form: QuestionFormView,
    kinds: Vec<KindChoice>,
}

impl EditPage {
    fn details_error(&self, field: &str) -> Option<&'static str> {
        self.details_errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, text)| *text)
    }
}

#[derive(Template)]
#[template(path = "question.html")]
struct QuestionPage {
    lang: &'static str,
    w: &'static Words,
    survey: Survey,
    form: QuestionFormView,
    kinds: Vec<KindChoice>,
}

/// A question as the answer form asks it.
struct AskedQuestion {
    id: String,
    number: String,
    prompt: String,
    kind: Kind,
    required: bool,
    /// (value, label, checked)
    choices: Vec<(String, String, bool)>,
    hint: String,
    text: String,
    error: Option<&'static str>,
}

fn asked(
    w: &Words,
    survey: &Survey,
    raw: &BTreeMap<String, Vec<String>>,
    faults: &[(String, Unanswerable)],
) -> Vec<AskedQuestion> {
    survey
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let given = raw.get(&q.id).cloned().unwrap_or_default();
            let choices = match q.kind {
                Kind::Single | Kind::Multiple => q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(index, label)| {
                        let value = index.to_string();
                        let checked = given.contains(&value);
                        (value, label.clone(), checked)
                    })
                    .collect(),
                Kind::Scale => (1..=q.scale)
                    .map(|point| {
                        let value = point.to_string();
                        let checked = given.contains(&value);
                        (value.clone(), value, checked)
                    })
                    .collect(),
                Kind::Text => Vec::new(),
            };
            AskedQuestion {
                id: q.id.clone(),
                number: (i + 1).to_string(),
                prompt: q.prompt.clone(),
                kind: q.kind,
                required: q.required,
                choices,
                hint: if q.kind == Kind::Scale {
                    fill(w.scale_hint, &[("n", &q.scale.to_string())])
                } else {
                    String::new()
                },
                text: if q.kind == Kind::Text {
                    given.join("\n")
                } else {
                    String::new()
                },
                error: faults
                    .iter()
                    .find(|(id, _)| *id == q.id)
                    .map(|(_, fault)| match fault {
                        Unanswerable::Required => w.answer_required,
                        Unanswerable::NotAnOption => w.answer_not_option,
                        Unanswerable::TextTooLong => w.answer_too_long,
                    }),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "answer.html")]
struct AnswerPage {
    lang: &'static str,
    w: &'static Words,
    survey: Survey,
    questions: Vec<AskedQuestion>,
    /// A preview shows the questions without a way to send them.
    preview: bool,
}

impl AnswerPage {
    fn has_errors(&self) -> bool {
        self.questions.iter().any(|q| q.error.is_some())
    }
}

/// One bar of a result: its label, how many, and the share in percent.
struct ResultRow {
    label: String,
    count: i64,
    percent: i64,
}

struct ResultView {
    number: String,
    prompt: String,
    answered_by: String,
    label_col: &'static str,
    chart: String,
    rows: Vec<ResultRow>,
    mean: Option<String>,
    texts: Vec<String>,
}

#[derive(Template)]
#[template(path = "results.html")]
struct ResultsPage {
    lang: &'static str,
    w: &'static Words,
    heading: String,
    survey: Survey,
    total: String,
    results: Vec<ResultView>,
}

// ---------------------------------------------------------------------------
// Making a survey

async fn instantiate_page(
    State(surveys): State<Surveys>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let lang = Lang::of(&headers);
    if let Some(response) = sign_in_from_query(&surveys, &query, "/assets/instantiate", lang).await
    {
        return Ok(response);
    }
    surveys
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
    State(surveys): State<Surveys>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<InstantiateForm>,
) -> Result<Response, Error> {
    let lang = Lang::of(&headers);
    surveys.same_origin(&headers).map_err(|e| e.page_in(lang))?;
    let caller = surveys
        .person(&headers)
        .await
        .map_err(|e| e.page_in(lang))?;
    let language = domain::language(&form.language).unwrap_or_default();
    let title = match domain::title(&form.title) {
        Ok(title) => title,
        Err(invalid) => {
            return Ok(with_status(
                html(&InstantiatePage {
                    lang: lang.tag(),
                    w: lang.words(),
                    title: form.title,
                    language,
                    error: Some(mistake(lang.words(), &invalid)),
                }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    let survey = store::create(
        &surveys.db,
        NewSurvey {
            title,
            language,
            ..NewSurvey::default()
        },
        &caller.sub,
    )
    .await
    .map_err(|e| Error::from(e).page_in(lang))?;
    let asset = surveys.asset(&survey).await.map_err(|e| e.page_in(lang))?;
    let asset_json =
        serde_json::to_string(&asset).map_err(|e| Error::Internal(e.to_string()).page_in(lang))?;
    Ok(with_status(
        html(&CreatedPage {
            lang: lang.tag(),
            w: lang.words(),
            ready: fill(lang.words().ready, &[("title", &survey.title)]),
            survey,
            asset_json,
            platform_origin: surveys.gate.platform_origin().to_owned(),
        }),
        StatusCode::CREATED,
    ))
}

// ---------------------------------------------------------------------------
// Seeing and building a survey

async fn view_page(
    State(surveys): State<Surveys>,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let (lang, survey) = match builder_page(&surveys, &headers, &query, &id, "view", false).await? {
        Ok(page) => page,
        Err(response) => return Ok(response),
    };
    let w = lang.words();
    let responses = store::response_count(&surveys.db, survey.id)
        .await
        .map_err(|e| Error::from(e).page_in(lang))?;
    Ok(html(&ViewPage {
        lang: lang.tag(),
        w,
        status: status_text(w, survey.status),
        responses: fill(w.responses_count, &[("n", &responses.to_string())]),
        answer_url: format!("{}/assets/{}/answer", surveys.gate.public_url(), survey.id),
        questions: question_rows(w, &survey),
        notice: match query.done.as_deref() {
            Some("saved") => Some(w.saved),
            Some("open") => Some(w.published),
            Some("closed") => Some(w.closed),
            _ => None,
        },
        survey,
    }))
}

fn new_question_form(w: &Words, survey: &Survey) -> QuestionFormView {
    QuestionFormView {
        action: format!("/assets/{}/questions", survey.id),
        heading: w.add_heading.to_owned(),
        submit: w.add,
        prompt: String::new(),
        kind: "single".to_owned(),
        options: String::new(),
        scale: "5".to_owned(),
        required: false,
        errors: Vec::new(),
    }
}

fn edit_view(lang: Lang, survey: Survey) -> EditPage {
    let w = lang.words();
    EditPage {
        lang: lang.tag(),
        w,
        heading: fill(w.edit_heading, &[("title", &survey.title)]),
        title: survey.title.clone(),
        intro: survey.intro.clone(),
        anonymous: survey.anonymous,
        details_errors: Vec::new(),
        questions: question_rows(w, &survey),
        frozen: survey.status != Status::Draft,
        form: new_question_form(w, &survey),
        kinds: kind_choices(w),
        survey,
    }
}

async fn edit_page(
    State(surveys): State<Surveys>,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    match builder_page(&surveys, &headers, &query, &id, "edit", true).await? {
        Ok((lang, survey)) => Ok(html(&edit_view(lang, survey))),
        Err(response) => Ok(response),
    }
}

#[derive(Debug, Deserialize)]
struct DetailsForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    intro: String,
    #[serde(default)]
    anonymous: Option<String>,
}

async fn details_form(
    State(surveys): State<Surveys>,
    Path(id): Path<String>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<DetailsForm>,
) -> Result<Response, Error> {
    let (lang, _, survey) = form_start(&surveys, &headers, &id).await?;
    let w = lang.words();
    let mut errors = Vec::new();
    let title = domain::title(&form.title)
        .map_err(|e| errors.push(("title", mistake(w, &e))))
        .ok();
    let intro = domain::intro(&form.intro)
        .map_err(|e| errors.push(("intro", mistake(w, &e))))
        .ok();
    let anonymous = form.anonymous.is_some();
    if let (Some(title), Some(intro)) = (title, intro) {
        store::change(
            &surveys.db,
            survey.id,
            Change::Details {
                title,
                intro,
                anonymous,
            },
        )
        .await
        .map_err(|e| Error::from(e).page_in(lang))?;
        return Ok(Redirect::to(&format!("/assets/{}/view?done=saved", survey.id)).into_response());
    }
    let mut page = edit_view(lang, survey);
    page.title = form.title;
    page.intro = form.intro;
    page.anonymous = anonymous;
    page.details_errors = errors;
    Ok(with_status(html(&page), StatusCode::UNPROCESSABLE_ENTITY))
}

#[derive(Debug, Deserialize)]
struct QuestionFormInput {
    #[serde(default)]
    prompt: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    options: String,
    #[serde(default)]
    scale: String,
    #[serde(default)]
    required: Option<String>,
}

impl QuestionFormInput {
    /// The question this form describes under `id`, or its mistakes.
    fn question(
        &self,
        w: &Words,
        id: String,
    ) -> Result<domain::Question, Vec<(&'static str, &'static str)>> {
        let scale = match self.scale.trim() {
            "" => None,
            raw => match raw.parse::<u8>() {
                Ok(points) => Some(points),
                Err(_) => return Err(vec![("scale", w.scale_invalid)]),
            },
        };
        let draft = QuestionDraft {
            kind: self.kind.clone(),
            prompt: self.prompt.clone(),
            options: self.options.lines().map(str::to_owned).collect(),
            scale,
            required: self.required.is_some(),
        };
        domain::question(id, &draft).map_err(|e| vec![(e.field(), mistake(w, &e))])
    }

    fn into_view(
        self,
        action: String,
        heading: String,
        submit: &'static str,
        errors: Vec<(&'static str, &'static str)>,
    ) -> QuestionFormView {
        QuestionFormView {
            action,
            heading,
            submit,
            prompt: self.prompt,
            kind: self.kind,
            options: self.options,
            scale: self.scale,
            required: self.required.is_some(),
            errors,
        }
    }
}

async fn add_question_form(
    State(surveys): State<Surveys>,
    Path(id): Path<String>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<QuestionFormInput>,
) -> Result<Response, Error> {
    let (lang, _, survey) = form_start(&surveys, &headers, &id).await?;
    let w = lang.words();
    match form.question(w, survey.next_question_id()) {
        Ok(question) => {
            store::change(
                &surveys.db,
                survey.id,
                Change::Questions(Box::new(move |survey| {
                    let mut questions = survey.questions.clone();
                    // Numbered again inside the transaction: another
                    // question may have been added meanwhile.
                    questions.push(domain::Question {
                        id: survey.next_question_id(),
                        ..question
                    });
                    Ok(questions)
                })),
            )
            .await
            .map_err(|e| Error::from(e).page_in(lang))?;
            Ok(Redirect::to(&format!("/assets/{}/edit", survey.id)).into_response())
        }
        Err(errors) => {
            let mut page = edit_view(lang, survey);
            page.form = form.into_view(page.form.action, page.form.heading, w.add, errors);
            Ok(with_status(html(&page), StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

fn question_view(w: &Words, survey: &Survey, question_id: &str) -> Option<QuestionFormView> {
    let position = survey.questions.iter().position(|q| q.id == question_id)?;
    let question = &survey.questions[position];
    Some(QuestionFormView {
        action: format!("/assets/{}/questions/{}", survey.id, question.id),
        heading: fill(w.edit_question, &[("n", &(position + 1).to_string())]),
        submit: w.save,
        prompt: question.prompt.clone(),
        kind: question.kind.as_str().to_owned(),
        options: question.options.join("\n"),
        scale: if question.kind == Kind::Scale {
            question.scale.to_string()
        } else {
            "5".to_owned()
        },
        required: question.required,
        errors: Vec::new(),
    })
}

async fn question_page(
    State(surveys): State<Surveys>,
    Path((id, question)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let page = format!("questions/{question}");
    let (lang, survey) = match builder_page(&surveys, &headers, &query, &id, &page, true).await? {
        Ok(page) => page,
        Err(response) => return Ok(response),
    };
    let w = lang.words();
    if survey.status != Status::Draft {
        return Err(Error::NotDraft.page_in(lang));
    }
    let form = question_view(w, &survey, &question).ok_or(Error::NotFound.page_in(lang))?;
    Ok(html(&QuestionPage {
        lang: lang.tag(),
        w,
        survey,
        form,
        kinds: kind_choices(w),
    }))
}

async fn question_form(
    State(surveys): State<Surveys>,
    Path((id, question_id)): Path<(String, String)>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<QuestionFormInput>,
) -> Result<Response, Error> {
    let (lang, _, survey) = form_start(&surveys, &headers, &id).await?;
    let w = lang.words();
    let view = question_view(w, &survey, &question_id).ok_or(Error::NotFound.page_in(lang))?;
    match form.question(w, question_id.clone()) {
        Ok(question) => {
            store::change(
                &surveys.db,
                survey.id,
                Change::Questions(Box::new(move |survey| {
                    let mut questions = survey.questions.clone();
                    let slot = questions
                        .iter_mut()
                        .find(|q| q.id == question.id)
                        .ok_or(Invalid::Prompt)?;
                    *slot = question;
                    Ok(questions)
                })),
            )
            .await
            .map_err(|e| Error::from(e).page_in(lang))?;
            Ok(Redirect::to(&format!("/assets/{}/edit", survey.id)).into_response())
        }
        Err(errors) => {
            let form = form.into_view(view.action, view.heading, w.save, errors);
            Ok(with_status(
                html(&QuestionPage {
                    lang: lang.tag(),
                    w,
                    survey,
                    form,
                    kinds: kind_choices(w),
                }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
    }
}

async fn remove_question_form(
    State(surveys): State<Surveys>,
    Path((id, question_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let (lang, _, survey) = form_start(&surveys, &headers, &id).await?;
    if survey.question(&question_id).is_none() {
        return Err(Error::NotFound.page_in(lang));
    }
    store::change(
        &surveys.db,
        survey.id,
        Change::Questions(Box::new(move |survey| {
            Ok(survey
                .questions
                .iter()
                .filter(|q| q.id != question_id)
                .cloned()
                .collect())
        })),
    )
    .await
    .map_err(|e| Error::from(e).page_in(lang))?;
    Ok(Redirect::to(&format!("/assets/{}/edit", survey.id)).into_response())
}

async fn move_up_form(
    State(surveys): State<Surveys>,
    Path((id, question_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let (lang, _, survey) = form_start(&surveys, &headers, &id).await?;
    if survey.question(&question_id).is_none() {
        return Err(Error::NotFound.page_in(lang));
    }
    store::change(
        &surveys.db,
        survey.id,
        Change::Questions(Box::new(move |survey| {
            let mut questions = survey.questions.clone();
            if let Some(at) = questions.iter().position(|q| q.id == question_id)
                && at > 0
            {
                questions.swap(at - 1, at);
            }
            Ok(questions)
        })),
    )
    .await
    .map_err(|e| Error::from(e).page_in(lang))?;
    Ok(Redirect::to(&format!("/assets/{}/edit", survey.id)).into_response())
}

#[derive(Debug, Deserialize)]
struct StatusForm {
    #[serde(default)]
    status: String,
}

async fn status_form(
    State(surveys): State<Surveys>,
    Path(id): Path<String>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<StatusForm>,
) -> Result<Response, Error> {
    let (lang, _, survey) = form_start(&surveys, &headers, &id).await?;
    let status = match Status::parse(&form.status) {
        Some(status @ (Status::Open | Status::Closed)) => status,
        _ => return Err(Error::Invalid(Invalid::NoQuestions).page_in(lang)),
    };
    match store::change(&surveys.db, survey.id, Change::Status(status)).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/assets/{}/view?done={}",
            survey.id,
            status.as_str()
        ))
        .into_response()),
        Err(store::StoreError::Invalid(Invalid::NoQuestions)) => {
            let w = lang.words();
            Ok(MessagePage {
                lang: lang.tag(),
                w,
                heading: w.refused_heading,
                text: w.no_questions_error.to_owned(),
            }
            .response(StatusCode::CONFLICT))
        }
        Err(e) => Err(Error::from(e).page_in(lang)),
    }
}

async fn preview_page(
    State(surveys): State<Surveys>,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let (lang, survey) =
        match builder_page(&surveys, &headers, &query, &id, "preview", false).await? {
            Ok(page) => page,
            Err(response) => return Ok(response),
        };
    let w = lang.words();
    Ok(html(&AnswerPage {
        lang: lang.tag(),
        w,
        questions: asked(w, &survey, &BTreeMap::new(), &[]),
        survey,
        preview: true,
    }))
}

// ---------------------------------------------------------------------------
// Answering

async fn answer_page(
    State(surveys): State<Surveys>,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let (lang, survey, person) =
        match survey_page(&surveys, &headers, &query, &id, "answer", |s| s.anonymous).await? {
            Opened::Page(lang, survey, person) => (lang, survey, person),
            Opened::SignedIn(response) => return Ok(response),
        };
    if survey.status != Status::Open {
        return Err(Error::NotOpen.page_in(lang));
    }
    if let Some(person) = person
        && store::has_answered(&surveys.db, survey.id, &person.sub)
            .await
            .map_err(|e| Error::from(e).page_in(lang))?
    {
        return Err(Error::AlreadyAnswered.page_in(lang));
    }
    let w = lang.words();
    Ok(html(&AnswerPage {
        lang: lang.tag(),
        w,
        questions: asked(w, &survey, &BTreeMap::new(), &[]),
        survey,
        preview: false,
    }))
}

async fn answer_form(
    State(surveys): State<Surveys>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Error> {
    let lang = Lang::of(&headers);
    surveys.same_origin(&headers).map_err(|e| e.page_in(lang))?;
    let person = surveys.person(&headers).await.ok();
    let survey = surveys.load(&id).await.map_err(|e| e.page_in(lang))?;
    if person.is_none() && !survey.anonymous {
        return Err(Error::Unauthenticated.page_in(lang));
    }
    let mut raw: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(&body) {
        raw.entry(name.into_owned())
            .or_default()
            .push(value.into_owned());
    }
    let replies = match domain::replies(&survey, &raw) {
        Ok(replies) => replies,
        Err(faults) => {
            if survey.status != Status::Open {
                return Err(Error::NotOpen.page_in(lang));
            }
            let w = lang.words();
            return Ok(with_status(
                html(&AnswerPage {
                    lang: lang.tag(),
                    w,
                    questions: asked(w, &survey, &raw, &faults),
                    survey,
                    preview: false,
                }),
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    store::answer(
        &surveys.db,
        survey.id,
        person.as_ref().map(|p| p.sub.as_str()),
        &replies,
    )
    .await
    .map_err(|e| Error::from(e).page_in(lang))?;
    Ok(Redirect::to(&format!("/assets/{}/answered", survey.id)).into_response())
}

async fn answered_page(
    State(surveys): State<Surveys>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let lang = Lang::of(&headers);
    surveys.load(&id).await.map_err(|e| e.page_in(lang))?;
    let w = lang.words();
    Ok(MessagePage {
        lang: lang.tag(),
        w,
        heading: w.thanks_heading,
        text: w.thanks_text.to_owned(),
    }
    .response(StatusCode::OK))
}

// ---------------------------------------------------------------------------
// Results

async fn results_page(
    State(surveys): State<Surveys>,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let (lang, survey) =
        match builder_page(&surveys, &headers, &query, &id, "results", false).await? {
            Ok(page) => page,
            Err(response) => return Ok(response),
        };
    let w = lang.words();
    let responses = store::responses(&surveys.db, survey.id)
        .await
        .map_err(|e| Error::from(e).page_in(lang))?;
    let results = domain::tally(&survey, &responses)
        .into_iter()
        .enumerate()
        .map(|(i, tally)| {
            let labels: Vec<String> = match tally.question.kind {
                Kind::Scale => (1..=tally.question.scale).map(|p| p.to_string()).collect(),
                _ => tally.question.options.clone(),
            };
            let bars: Vec<(String, i64)> = labels.into_iter().zip(tally.counts.clone()).collect();
            let rows = bars
                .iter()
                .map(|(label, count)| ResultRow {
                    label: label.clone(),
                    count: *count,
                    percent: if tally.answered > 0 {
                        100 * count / tally.answered
                    } else {
                        0
                    },
                })
                .collect();
            ResultView {
                number: (i + 1).to_string(),
                answered_by: fill(w.answered_by, &[("n", &tally.answered.to_string())]),
                label_col: if tally.question.kind == Kind::Scale {
                    w.point_col
                } else {
                    w.option_col
                },
                chart: if bars.is_empty() {
                    String::new()
                } else {
                    domain::bar_chart(&tally.question.prompt, &bars, tally.answered)
                },
                rows,
                mean: tally
                    .mean
                    .map(|mean| fill(w.mean, &[("mean", &format!("{mean:.2}"))])),
                texts: tally.texts.into_iter().take(200).collect(),
                prompt: tally.question.prompt,
            }
        })
        .collect();
    Ok(html(&ResultsPage {
        lang: lang.tag(),
        w,
        heading: fill(w.results_heading, &[("title", &survey.title)]),
        total: fill(w.responses_count, &[("n", &responses.len().to_string())]),
        survey,
        results,
    }))
}
