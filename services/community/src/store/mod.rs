//! The community's tables. The one place that touches SQL; plain statements
//! that run unchanged on PostgreSQL and SQLite.

pub mod migrations;

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbErr, QueryResult, Statement, Value};

/// A stored user.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    /// UUIDv7.
    pub id: String,
    /// OIDC subject.
    pub subject: String,
    /// Shown name.
    pub display_name: String,
    /// E-mail from the identity provider.
    pub email: String,
    /// Further addresses.
    pub additional_emails: Vec<String>,
    /// BCP 47 tag.
    pub locale: String,
    /// Unix ms.
    pub terms_accepted_at: Option<i64>,
    /// From the last token.
    pub platform_admin: bool,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
    /// Aggregate version.
    pub version: i64,
}

/// A stored organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationRow {
    /// UUIDv7.
    pub id: String,
    /// Per language.
    pub display_name: BTreeMap<String, String>,
    /// Per language.
    pub description: BTreeMap<String, String>,
    /// URL or empty.
    pub logo_url: String,
    /// Visible to all.
    pub public: bool,
    /// Stored name of a [`crate::domain::TeamType`].
    pub default_team_type: String,
    /// Stored name of a [`crate::domain::TeamCreationPolicy`].
    pub team_creation_policy: String,
    /// User id of the creator.
    pub created_by: String,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
    /// Aggregate version.
    pub version: i64,
    /// Administrators' user ids.
    pub administrators: Vec<String>,
}

fn stmt<const N: usize>(db: &impl ConnectionTrait, sql: &str, values: [Value; N]) -> Statement {
    Statement::from_sql_and_values(db.get_database_backend(), sql, values)
}

fn json_map(row: &QueryResult, column: &str) -> Result<BTreeMap<String, String>, DbErr> {
    let text: String = row.try_get("", column)?;
    serde_json::from_str(&text).map_err(|e| DbErr::Custom(format!("{column}: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".into())
}

const USER_COLUMNS: &str = "id, subject, display_name, email, additional_emails, locale, \
     terms_accepted_at, platform_admin, created_at, updated_at, version";

fn user_row(row: &QueryResult) -> Result<UserRow, DbErr> {
    let emails: String = row.try_get("", "additional_emails")?;
    Ok(UserRow {
        id: row.try_get("", "id")?,
        subject: row.try_get("", "subject")?,
        display_name: row.try_get("", "display_name")?,
        email: row.try_get("", "email")?,
        additional_emails: serde_json::from_str(&emails)
            .map_err(|e| DbErr::Custom(format!("additional_emails: {e}")))?,
        locale: row.try_get("", "locale")?,
        terms_accepted_at: row.try_get("", "terms_accepted_at")?,
        platform_admin: row.try_get("", "platform_admin")?,
        created_at: row.try_get("", "created_at")?,
        updated_at: row.try_get("", "updated_at")?,
        version: row.try_get("", "version")?,
    })
}

/// The user with OIDC subject `subject`.
pub async fn user_by_subject(
    db: &impl ConnectionTrait,
    subject: &str,
) -> Result<Option<UserRow>, DbErr> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE subject = $1");
    db.query_one_raw(stmt(db, &sql, [subject.into()]))
        .await?
        .map(|r| user_row(&r))
        .transpose()
}

/// The user with id `id`.
pub async fn user_by_id(db: &impl ConnectionTrait, id: &str) -> Result<Option<UserRow>, DbErr> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    db.query_one_raw(stmt(db, &sql, [id.into()]))
        .await?
        .map(|r| user_row(&r))
        .transpose()
}

/// Inserts `user` unless its subject exists; `false` if it did.
pub async fn insert_user(db: &impl ConnectionTrait, user: &UserRow) -> Result<bool, DbErr> {
    let sql = format!(
        "INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (subject) DO NOTHING"
    );
    let result = db
        .execute_raw(stmt(
            db,
            &sql,
            [
                user.id.clone().into(),
                user.subject.clone().into(),
                user.display_name.clone().into(),
                user.email.clone().into(),
                to_json(&user.additional_emails).into(),
                user.locale.clone().into(),
                user.terms_accepted_at.into(),
                user.platform_admin.into(),
                user.created_at.into(),
                user.updated_at.into(),
                user.version.into(),
            ],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Writes every field of `user` (whose `version` is the new one), if the
/// stored version is the one before it; `false` if someone else changed it.
pub async fn update_user(db: &impl ConnectionTrait, user: &UserRow) -> Result<bool, DbErr> {
    let result = db
        .execute_raw(stmt(
            db,
            "UPDATE users SET display_name = $1, email = $2, additional_emails = $3, locale = $4, \
             terms_accepted_at = $5, platform_admin = $6, updated_at = $7, version = $8 \
             WHERE id = $9 AND version = $10",
            [
                user.display_name.clone().into(),
                user.email.clone().into(),
                to_json(&user.additional_emails).into(),
                user.locale.clone().into(),
                user.terms_accepted_at.into(),
                user.platform_admin.into(),
                user.updated_at.into(),
                user.version.into(),
                user.id.clone().into(),
                (user.version - 1).into(),
            ],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Users in id order after `after`, at most `limit`.
pub async fn list_users(
    db: &impl ConnectionTrait,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<UserRow>, DbErr> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id > $1 ORDER BY id LIMIT $2");
    db.query_all_raw(stmt(
        db,
        &sql,
        [after.unwrap_or("").into(), (limit as i64).into()],
    ))
    .await?
    .iter()
    .map(user_row)
    .collect()
}

const ORG_COLUMNS: &str = "id, display_name, description, logo_url, public, default_team_type, \
     team_creation_policy, created_by, created_at, updated_at, version";

async fn organization_row(
    db: &impl ConnectionTrait,
    row: &QueryResult,
) -> Result<OrganizationRow, DbErr> {
    let id: String = row.try_get("", "id")?;
    let administrators = administrators(db, &id).await?;
    Ok(OrganizationRow {
        display_name: json_map(row, "display_name")?,
        description: json_map(row, "description")?,
        logo_url: row.try_get("", "logo_url")?,
        public: row.try_get("", "public")?,
        default_team_type: row.try_get("", "default_team_type")?,
        team_creation_policy: row.try_get("", "team_creation_policy")?,
        created_by: row.try_get("", "created_by")?,
        created_at: row.try_get("", "created_at")?,
        updated_at: row.try_get("", "updated_at")?,
        version: row.try_get("", "version")?,
        administrators,
        id,
    })
}

/// The administrators (user ids) of organisation `id`, in the order they were added.
pub async fn administrators(db: &impl ConnectionTrait, id: &str) -> Result<Vec<String>, DbErr> {
    db.query_all_raw(stmt(
        db,
        "SELECT user_id FROM organization_administrators WHERE organization_id = $1 ORDER BY added_at, user_id",
        [id.into()],
    ))
    .await?
    .iter()
    .map(|r| r.try_get("", "user_id"))
    .collect()
}

/// The organisation `id`; with `for_update`, its row is locked (PostgreSQL)
/// until the transaction ends, so writers of one organisation take turns.
pub async fn organization(
    db: &impl ConnectionTrait,
    id: &str,
    for_update: bool,
) -> Result<Option<OrganizationRow>, DbErr> {
    let lock = if for_update && db.get_database_backend() == sea_orm::DbBackend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let sql = format!("SELECT {ORG_COLUMNS} FROM organizations WHERE id = $1{lock}");
    match db.query_one_raw(stmt(db, &sql, [id.into()])).await? {
        Some(row) => Ok(Some(organization_row(db, &row).await?)),
        None => Ok(None),
    }
}

/// Inserts an organisation and its first administrator.
pub async fn insert_organization(
    db: &impl ConnectionTrait,
    org: &OrganizationRow,
) -> Result<(), DbErr> {
    let sql = format!(
        "INSERT INTO organizations ({ORG_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    );
    db.execute_raw(stmt(
        db,
        &sql,
        [
            org.id.clone().into(),
            to_json(&org.display_name).into(),
            to_json(&org.description).into(),
            org.logo_url.clone().into(),
            org.public.into(),
            org.default_team_type.clone().into(),
            org.team_creation_policy.clone().into(),
            org.created_by.clone().into(),
            org.created_at.into(),
            org.updated_at.into(),
            org.version.into(),
        ],
    ))
    .await?;
    for user in &org.administrators {
        add_administrator(db, &org.id, user, org.created_at).await?;
    }
    Ok(())
}

/// Writes the organisation's own fields and its new version.
pub async fn update_organization(
    db: &impl ConnectionTrait,
    org: &OrganizationRow,
) -> Result<(), DbErr> {
    db.execute_raw(stmt(
        db,
        "UPDATE organizations SET display_name = $1, description = $2, logo_url = $3, public = $4, \
         default_team_type = $5, team_creation_policy = $6, updated_at = $7, version = $8 WHERE id = $9",
        [
            to_json(&org.display_name).into(),
            to_json(&org.description).into(),
            org.logo_url.clone().into(),
            org.public.into(),
            org.default_team_type.clone().into(),
            org.team_creation_policy.clone().into(),
            org.updated_at.into(),
            org.version.into(),
            org.id.clone().into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Deletes the organisation and its administrator rows.
pub async fn delete_organization(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    db.execute_raw(stmt(
        db,
        "DELETE FROM organization_administrators WHERE organization_id = $1",
        [id.into()],
    ))
    .await?;
    db.execute_raw(stmt(
        db,
        "DELETE FROM organizations WHERE id = $1",
        [id.into()],
    ))
    .await?;
    Ok(())
}

/// Adds an administrator; `false` if they already were one.
pub async fn add_administrator(
    db: &impl ConnectionTrait,
    organization: &str,
    user: &str,
    at: i64,
) -> Result<bool, DbErr> {
    let result = db
        .execute_raw(stmt(
            db,
            "INSERT INTO organization_administrators (organization_id, user_id, added_at) \
             VALUES ($1, $2, $3) ON CONFLICT (organization_id, user_id) DO NOTHING",
            [organization.into(), user.into(), at.into()],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Removes an administrator; `false` if they were not one.
pub async fn remove_administrator(
    db: &impl ConnectionTrait,
    organization: &str,
    user: &str,
) -> Result<bool, DbErr> {
    let result = db
        .execute_raw(stmt(
            db,
            "DELETE FROM organization_administrators WHERE organization_id = $1 AND user_id = $2",
            [organization.into(), user.into()],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Organisations visible to `user` (public ones and those they administer;
/// all of them with `everything`), newest first, with ids below `before`.
pub async fn list_organizations(
    db: &impl ConnectionTrait,
    user: Option<&str>,
    everything: bool,
    before: Option<&str>,
    limit: u64,
) -> Result<Vec<OrganizationRow>, DbErr> {
    let sql = format!(
        "SELECT {ORG_COLUMNS} FROM organizations o WHERE ($1 OR o.public OR EXISTS (\
           SELECT 1 FROM organization_administrators a WHERE a.organization_id = o.id AND a.user_id = $2)) \
         AND ($3 = '' OR o.id < $3) ORDER BY o.id DESC LIMIT $4"
    );
    let rows = db
        .query_all_raw(stmt(
            db,
            &sql,
            [
                everything.into(),
                user.unwrap_or("").into(),
                before.unwrap_or("").into(),
                (limit as i64).into(),
            ],
        ))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(organization_row(db, row).await?);
    }
    Ok(out)
}
