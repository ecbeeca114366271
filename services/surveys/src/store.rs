//! The one place that touches the surveys database.

use interlink_runtime::db::{begin_write, run, run_write, statement};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult};
use uuid::Uuid;

use crate::domain::{Invalid, Question, Replies, Response, Status, Survey};

/// A store failure that is not the database's alone.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
    /// No such survey.
    #[error("no such survey")]
    NotFound,
    /// A change the survey's state refuses.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Questions change only while the survey is a draft.
    #[error("the questions of a published survey do not change")]
    NotDraft,
    /// Answers are taken only while the survey is open.
    #[error("the survey is not open for answers")]
    NotOpen,
    /// This person has answered already.
    #[error("this person has already answered")]
    AlreadyAnswered,
    /// The clone an idempotency key made has been deleted since.
    #[error("the copy made under this idempotency key has been deleted")]
    CloneDeleted,
}

const SURVEY_COLUMNS: &str = "id, title, intro, language, status, anonymous, questions, \
                              created_by, created_at, updated_at";

fn survey(row: &QueryResult) -> Result<Survey, DbErr> {
    let id: String = row.try_get("", "id")?;
    let status: String = row.try_get("", "status")?;
    let questions: String = row.try_get("", "questions")?;
    let anonymous: i64 = row.try_get("", "anonymous")?;
    Ok(Survey {
        id: Uuid::parse_str(&id).map_err(|e| DbErr::Custom(format!("survey id {id}: {e}")))?,
        title: row.try_get("", "title")?,
        intro: row.try_get("", "intro")?,
        language: row.try_get("", "language")?,
        status: Status::parse(&status)
            .ok_or_else(|| DbErr::Custom(format!("survey {id}: status {status}")))?,
        anonymous: anonymous != 0,
        questions: serde_json::from_str(&questions)
            .map_err(|e| DbErr::Custom(format!("survey {id}: questions: {e}")))?,
        created_by: row.try_get("", "created_by")?,
        created_at: row.try_get("", "created_at")?,
        updated_at: row.try_get("", "updated_at")?,
    })
}

fn questions_json(questions: &[Question]) -> Result<String, DbErr> {
    serde_json::to_string(questions).map_err(|e| DbErr::Custom(e.to_string()))
}

async fn insert(db: &impl ConnectionTrait, survey: &Survey) -> Result<(), DbErr> {
    run(
        db,
        &format!(
            "INSERT INTO surveys ({SURVEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)"
        ),
        [
            survey.id.to_string().into(),
            survey.title.clone().into(),
            survey.intro.clone().into(),
            survey.language.clone().into(),
            survey.status.as_str().into(),
            i64::from(survey.anonymous).into(),
            questions_json(&survey.questions)?.into(),
            survey.created_by.clone().into(),
            survey.created_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// What a new survey is made of.
#[derive(Debug, Clone, Default)]
pub struct NewSurvey {
    /// Its title (checked).
    pub title: String,
    /// Its introduction (checked).
    pub intro: String,
    /// Its language tag (checked).
    pub language: String,
    /// Whether people may answer without signing in.
    pub anonymous: bool,
    /// Its questions (checked).
    pub questions: Vec<Question>,
}

/// A new draft survey made by `subject`.
pub async fn create(
    db: &DatabaseConnection,
    new: NewSurvey,
    subject: &str,
) -> Result<Survey, StoreError> {
    create_with_id(db, Uuid::now_v7(), new, subject).await
}

/// [`create`] under a given `id` (the seed's genesis surveys).
pub async fn create_with_id(
    db: &DatabaseConnection,
    id: Uuid,
    new: NewSurvey,
    subject: &str,
) -> Result<Survey, StoreError> {
    let now = interlink_runtime::api::now_ms();
    let survey = Survey {
        id,
        title: new.title,
        intro: new.intro,
        language: new.language,
        status: Status::Draft,
        anonymous: new.anonymous,
        questions: new.questions,
        created_by: subject.to_owned(),
        created_at: now,
        updated_at: now,
    };
    let txn = begin_write(db).await?;
    insert(&txn, &survey).await?;
    txn.commit().await?;
    Ok(survey)
}

/// The survey `id`, if it exists.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Survey>, DbErr> {
    db.query_one_raw(statement(
        db,
        &format!("SELECT {SURVEY_COLUMNS} FROM surveys WHERE id = $1"),
        [id.to_string().into()],
    ))
    .await?
    .as_ref()
    .map(survey)
    .transpose()
}

async fn write(db: &impl ConnectionTrait, survey: &Survey) -> Result<(), DbErr> {
    run(
        db,
        "UPDATE surveys SET title = $2, intro = $3, status = $4, anonymous = $5, questions = $6, \
         updated_at = $7 WHERE id = $1",
        [
            survey.id.to_string().into(),
            survey.title.clone().into(),
            survey.intro.clone().into(),
            survey.status.as_str().into(),
            i64::from(survey.anonymous).into(),
            questions_json(&survey.questions)?.into(),
            survey.updated_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// A change of a draft's questions: the new list, made from the survey as
/// it is inside the transaction.
pub type QuestionsEdit = Box<dyn FnOnce(&Survey) -> Result<Vec<Question>, Invalid> + Send>;

/// What a change to a survey may touch.
pub enum Change {
    /// Its title, introduction and whether anyone may answer.
    Details {
        /// The new title (checked).
        title: String,
        /// The new introduction (checked).
        intro: String,
        /// Whether people may answer without signing in.
        anonymous: bool,
    },
    /// Its questions (a draft's only), changed by the function.
    Questions(QuestionsEdit),
    /// Where it is in its life (opening needs a question).
    Status(Status),
}

impl std::fmt::Debug for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Details { title, .. } => write!(f, "Details({title:?}, …)"),
            Change::Questions(_) => f.write_str("Questions(…)"),
            Change::Status(status) => write!(f, "Status({status:?})"),
        }
    }
}

/// Applies `change` to survey `id`, read and written in one transaction.
pub async fn change(
    db: &DatabaseConnection,
    id: Uuid,
    change: Change,
) -> Result<Survey, StoreError> {
    let txn = begin_write(db).await?;
    let mut survey = get(&txn, id).await?.ok_or(StoreError::NotFound)?;
    match change {
        Change::Details {
            title,
            intro,
            anonymous,
        } => {
            survey.title = title;
            survey.intro = intro;
            survey.anonymous = anonymous;
        }
        Change::Questions(edit) => {
            if survey.status != Status::Draft {
                return Err(StoreError::NotDraft);
            }
            let questions = edit(&survey)?;
            if questions.len() > crate::domain::MAX_QUESTIONS {
                return Err(Invalid::TooManyQuestions.into());
            }
            survey.questions = questions;
        }
        Change::Status(status) => {
            if status == Status::Open && survey.questions.is_empty() {
                return Err(Invalid::NoQuestions.into());
            }
            if status == Status::Draft && survey.status != Status::Draft {
                return Err(StoreError::NotDraft);
            }
            survey.status = status;
        }
    }
    // Never backwards, even if the clock is.
    survey.updated_at = interlink_runtime::api::now_ms().max(survey.updated_at);
    write(&txn, &survey).await?;
    txn.commit().await?;
    Ok(survey)
}

/// Keeps `replies` as an answer to survey `id` by `respondent` (`None`
/// when not signed in): only while it is open, and once per respondent.
pub async fn answer(
    db: &DatabaseConnection,
    id: Uuid,
    respondent: Option<&str>,
    replies: &Replies,
) -> Result<(), StoreError> {
    let replies = serde_json::to_string(replies).map_err(|e| DbErr::Custom(e.to_string()))?;
    // One statement: no lock on the survey's row, so answers to one survey
    // do not queue behind each other on PostgreSQL.
    let added = run_write(
        db,
        "INSERT INTO responses (id, survey_id, respondent, replies, created_at) \
         SELECT $1, id, $3, $4, $5 FROM surveys WHERE id = $2 AND status = 'open' \
         ON CONFLICT (survey_id, respondent) DO NOTHING",
        [
            Uuid::now_v7().to_string().into(),
            id.to_string().into(),
            respondent.map(str::to_owned).into(),
            replies.into(),
            interlink_runtime::api::now_ms().into(),
        ],
    )
    .await?;
    if added == 1 {
        return Ok(());
    }
    match get(db, id).await? {
        None => Err(StoreError::NotFound),
        Some(survey) if survey.status != Status::Open => Err(StoreError::NotOpen),
        Some(_) => Err(StoreError::AlreadyAnswered),
    }
}

/// Whether `subject` has answered survey `id`.
pub async fn has_answered(db: &DatabaseConnection, id: Uuid, subject: &str) -> Result<bool, DbErr> {
    Ok(db
        .query_one_raw(statement(
            db,
            "SELECT 1 AS one FROM responses WHERE survey_id = $1 AND respondent = $2",
            [id.to_string().into(), subject.into()],
        ))
        .await?
        .is_some())
}

/// Every answer to survey `id`, in the order they came, numbered from 1.
pub async fn responses(db: &DatabaseConnection, id: Uuid) -> Result<Vec<Response>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db,
            "SELECT respondent, replies, created_at FROM responses WHERE survey_id = $1 \
             ORDER BY created_at, id",
            [id.to_string().into()],
        ))
        .await?;
    rows.iter()
        .zip(1..)
        .map(|(row, number)| {
            let respondent: Option<String> = row.try_get("", "respondent")?;
            let replies: String = row.try_get("", "replies")?;
            Ok(Response {
                number,
                created_at: row.try_get("", "created_at")?,
                signed_in: respondent.is_some(),
                replies: serde_json::from_str(&replies)
                    .map_err(|e| DbErr::Custom(format!("an answer to {id}: {e}")))?,
            })
        })
        .collect()
}

/// How many answers survey `id` has.
pub async fn response_count(db: &impl ConnectionTrait, id: Uuid) -> Result<i64, DbErr> {
    scalar(
        db,
        statement(
            db,
            "SELECT COUNT(*) AS n FROM responses WHERE survey_id = $1",
            [id.to_string().into()],
        ),
    )
    .await
}

async fn scalar(db: &impl ConnectionTrait, query: sea_orm::Statement) -> Result<i64, DbErr> {
    db.query_one_raw(query)
        .await?
        .ok_or_else(|| DbErr::Custom("COUNT(*) returned no row".into()))?
        .try_get("", "n")
}

/// A draft copy of `source`'s questions by `subject` (`title` if given,
/// else the source's), without its answers, made once per `key`: asked
/// again with the same key, the first copy is returned and `false` says
/// nothing new was made.
pub async fn clone(
    db: &DatabaseConnection,
    source: Uuid,
    key: &str,
    title: Option<String>,
    subject: &str,
) -> Result<(Survey, bool), StoreError> {
    let txn = begin_write(db).await?;
    let earlier = interlink_interlinker_http::earlier_clone(&txn, &source.to_string(), key).await?;
    if let Some(clone_id) = earlier {
        let clone_id = Uuid::parse_str(&clone_id).map_err(|e| DbErr::Custom(e.to_string()))?;
        return match get(&txn, clone_id).await? {
            Some(copy) => Ok((copy, false)),
            None => Err(StoreError::CloneDeleted),
        };
    }
    let original = get(&txn, source).await?.ok_or(StoreError::NotFound)?;
    let now = interlink_runtime::api::now_ms();
    let copy = Survey {
        id: Uuid::now_v7(),
        title: title.unwrap_or(original.title),
        status: Status::Draft,
        created_by: subject.to_owned(),
        created_at: now,
        updated_at: now,
        ..original
    };
    insert(&txn, &copy).await?;
    interlink_interlinker_http::remember_clone(
        &txn,
        &source.to_string(),
        key,
        &copy.id.to_string(),
    )
    .await?;
    txn.commit().await?;
    Ok((copy, true))
}

/// Deletes `id` and its answers; `false` when there was no such survey.
pub async fn delete(db: &DatabaseConnection, id: Uuid) -> Result<bool, DbErr> {
    let txn = begin_write(db).await?;
    run(
        &txn,
        "DELETE FROM responses WHERE survey_id = $1",
        [id.to_string().into()],
    )
    .await?;
    let deleted = run(
        &txn,
        "DELETE FROM surveys WHERE id = $1",
        [id.to_string().into()],
    )
    .await?;
    txn.commit().await?;
    Ok(deleted > 0)
}

/// How many surveys there are.
pub async fn count(db: &DatabaseConnection) -> Result<i64, DbErr> {
    scalar(db, statement(db, "SELECT COUNT(*) AS n FROM surveys", [])).await
}
