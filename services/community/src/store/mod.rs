//! The community's tables. The one place that touches SQL; plain statements
//! that run unchanged on PostgreSQL and SQLite.

pub mod migrations;

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbErr, QueryResult};

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
    /// Unix ms of the erasure, if erased (GDPR).
    pub erased_at: Option<i64>,
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

use interlink_runtime::db::{run, statement as stmt};

fn json_map(row: &QueryResult, column: &str) -> Result<BTreeMap<String, String>, DbErr> {
    let text: String = row.try_get("", column)?;
    serde_json::from_str(&text).map_err(|e| DbErr::Custom(format!("{column}: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".into())
}

const USER_COLUMNS: &str = "id, subject, display_name, email, additional_emails, locale, \
     terms_accepted_at, platform_admin, created_at, updated_at, version, erased_at";

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
        erased_at: row.try_get("", "erased_at")?,
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

/// The users of `ids` that exist, in no particular order.
pub async fn users_by_ids(db: &impl ConnectionTrait, ids: &[&str]) -> Result<Vec<UserRow>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id IN ({})",
        placeholders.join(", ")
    );
    db.query_all_raw(sea_orm::Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        ids.iter().map(|id| sea_orm::Value::from(*id)),
    ))
    .await?
    .iter()
    .map(user_row)
    .collect()
}

/// Inserts `user` unless its subject exists; `false` if it did.
pub async fn insert_user(db: &impl ConnectionTrait, user: &UserRow) -> Result<bool, DbErr> {
    let sql = format!(
        "INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (subject) DO NOTHING"
    );
    let changed = run(
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
            user.erased_at.into(),
        ],
    )
    .await?;
    Ok(changed == 1)
}

/// Writes every field of `user` (whose `version` is the new one), if the
/// stored version is the one before it; `false` if someone else changed it.
pub async fn update_user(db: &impl ConnectionTrait, user: &UserRow) -> Result<bool, DbErr> {
    let changed = run(
            db,
            "UPDATE users SET display_name = $1, email = $2, additional_emails = $3, locale = $4, \
             terms_accepted_at = $5, platform_admin = $6, updated_at = $7, version = $8, erased_at = $11 \
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
                user.erased_at.into(),
            ],
        )
        .await?;
    Ok(changed == 1)
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
    organization_row_with(row, administrators)
}

/// An organisation's row with its `administrators` already read.
fn organization_row_with(
    row: &QueryResult,
    administrators: Vec<String>,
) -> Result<OrganizationRow, DbErr> {
    let id: String = row.try_get("", "id")?;
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
    run(
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
    )
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
    run(
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
    )
    .await?;
    Ok(())
}

/// Deletes the organisation and its administrator rows.
pub async fn delete_organization(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    run(
        db,
        "DELETE FROM organization_administrators WHERE organization_id = $1",
        [id.into()],
    )
    .await?;
    run(db, "DELETE FROM organizations WHERE id = $1", [id.into()]).await?;
    Ok(())
}

/// Adds an administrator; `false` if they already were one.
pub async fn add_administrator(
    db: &impl ConnectionTrait,
    organization: &str,
    user: &str,
    at: i64,
) -> Result<bool, DbErr> {
    let changed = run(
        db,
        "INSERT INTO organization_administrators (organization_id, user_id, added_at) \
             VALUES ($1, $2, $3) ON CONFLICT (organization_id, user_id) DO NOTHING",
        [organization.into(), user.into(), at.into()],
    )
    .await?;
    Ok(changed == 1)
}

/// Removes an administrator; `false` if they were not one.
pub async fn remove_administrator(
    db: &impl ConnectionTrait,
    organization: &str,
    user: &str,
) -> Result<bool, DbErr> {
    let changed = run(
        db,
        "DELETE FROM organization_administrators WHERE organization_id = $1 AND user_id = $2",
        [organization.into(), user.into()],
    )
    .await?;
    Ok(changed == 1)
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
           SELECT 1 FROM organization_administrators a WHERE a.organization_id = o.id AND a.user_id = $2) \
           OR EXISTS (SELECT 1 FROM team_members m JOIN teams t ON t.id = m.team_id \
             WHERE t.organization_id = o.id AND m.user_id = $2)) \
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
    // The administrators of the whole page in one query, not one each.
    let ids = rows
        .iter()
        .map(|row| row.try_get::<String>("", "id"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut administrators: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    if !ids.is_empty() {
        let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT organization_id, user_id FROM organization_administrators \
             WHERE organization_id IN ({}) ORDER BY organization_id, added_at, user_id",
            marks.join(", ")
        );
        let values: Vec<sea_orm::Value> = ids.iter().map(|id| id.clone().into()).collect();
        for row in db
            .query_all_raw(sea_orm::Statement::from_sql_and_values(
                db.get_database_backend(),
                sql,
                values,
            ))
            .await?
        {
            administrators
                .entry(row.try_get("", "organization_id")?)
                .or_default()
                .push(row.try_get("", "user_id")?);
        }
    }
    rows.iter()
        .zip(ids)
        .map(|(row, id)| organization_row_with(row, administrators.remove(&id).unwrap_or_default()))
        .collect()
}

/// A stored team.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamRow {
    /// UUIDv7.
    pub id: String,
    /// Its organisation.
    pub organization_id: String,
    /// Per language.
    pub display_name: BTreeMap<String, String>,
    /// Per language.
    pub description: BTreeMap<String, String>,
    /// URL or empty.
    pub logo_url: String,
    /// Stored name of a [`crate::domain::TeamType`].
    pub team_type: String,
    /// User id of the creator.
    pub created_by: String,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
    /// Aggregate version (memberships count as changes of the team).
    pub version: i64,
    /// Members, counted.
    pub member_count: i64,
}

/// A stored membership, with the member's identity.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    /// The team.
    pub team_id: String,
    /// The user.
    pub user_id: String,
    /// The user's OIDC subject.
    pub subject: String,
    /// The user's display name.
    pub display_name: String,
    /// Administers the team.
    pub administrator: bool,
    /// Unix ms.
    pub joined_at: i64,
}

const TEAM_COLUMNS: &str = "t.id, t.organization_id, t.display_name, t.description, t.logo_url, \
     t.team_type, t.created_by, t.created_at, t.updated_at, t.version, \
     (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id) AS member_count";

fn team_row(row: &QueryResult) -> Result<TeamRow, DbErr> {
    Ok(TeamRow {
        id: row.try_get("", "id")?,
        organization_id: row.try_get("", "organization_id")?,
        display_name: json_map(row, "display_name")?,
        description: json_map(row, "description")?,
        logo_url: row.try_get("", "logo_url")?,
        team_type: row.try_get("", "team_type")?,
        created_by: row.try_get("", "created_by")?,
        created_at: row.try_get("", "created_at")?,
        updated_at: row.try_get("", "updated_at")?,
        version: row.try_get("", "version")?,
        member_count: row.try_get("", "member_count")?,
    })
}

/// The team `id`; with `for_update`, its row is locked (PostgreSQL).
pub async fn team(
    db: &impl ConnectionTrait,
    id: &str,
    for_update: bool,
) -> Result<Option<TeamRow>, DbErr> {
    if for_update && db.get_database_backend() == sea_orm::DbBackend::Postgres {
        run(
            db,
            "SELECT id FROM teams WHERE id = $1 FOR UPDATE",
            [id.into()],
        )
        .await?;
    }
    let sql = format!("SELECT {TEAM_COLUMNS} FROM teams t WHERE t.id = $1");
    db.query_one_raw(stmt(db, &sql, [id.into()]))
        .await?
        .map(|r| team_row(&r))
        .transpose()
}

/// Teams of `organization` in id order after `after`, at most `limit`.
pub async fn list_teams(
    db: &impl ConnectionTrait,
    organization: &str,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<TeamRow>, DbErr> {
    let sql = format!(
        "SELECT {TEAM_COLUMNS} FROM teams t WHERE t.organization_id = $1 AND t.id > $2 ORDER BY t.id LIMIT $3"
    );
    db.query_all_raw(stmt(
        db,
        &sql,
        [
            organization.into(),
            after.unwrap_or("").into(),
            (limit as i64).into(),
        ],
    ))
    .await?
    .iter()
    .map(team_row)
    .collect()
}

/// Ids of every team of `organization`.
pub async fn team_ids(db: &impl ConnectionTrait, organization: &str) -> Result<Vec<String>, DbErr> {
    db.query_all_raw(stmt(
        db,
        "SELECT id FROM teams WHERE organization_id = $1 ORDER BY id",
        [organization.into()],
    ))
    .await?
    .iter()
    .map(|r| r.try_get("", "id"))
    .collect()
}

/// Inserts a team (its members are added separately).
pub async fn insert_team(db: &impl ConnectionTrait, team: &TeamRow) -> Result<(), DbErr> {
    run(
        db,
        "INSERT INTO teams (id, organization_id, display_name, description, logo_url, team_type, \
         created_by, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        [
            team.id.clone().into(),
            team.organization_id.clone().into(),
            to_json(&team.display_name).into(),
            to_json(&team.description).into(),
            team.logo_url.clone().into(),
            team.team_type.clone().into(),
            team.created_by.clone().into(),
            team.created_at.into(),
            team.updated_at.into(),
            team.version.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Writes the team's own fields and its new version.
pub async fn update_team(db: &impl ConnectionTrait, team: &TeamRow) -> Result<(), DbErr> {
    run(
        db,
        "UPDATE teams SET display_name = $1, description = $2, logo_url = $3, team_type = $4, \
         updated_at = $5, version = $6 WHERE id = $7",
        [
            to_json(&team.display_name).into(),
            to_json(&team.description).into(),
            team.logo_url.clone().into(),
            team.team_type.clone().into(),
            team.updated_at.into(),
            team.version.into(),
            team.id.clone().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Deletes a team and its memberships.
pub async fn delete_team(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    delete_team_requests(db, id).await?;
    run(
        db,
        "DELETE FROM team_members WHERE team_id = $1",
        [id.into()],
    )
    .await?;
    run(db, "DELETE FROM teams WHERE id = $1", [id.into()]).await?;
    Ok(())
}

const MEMBER_COLUMNS: &str =
    "m.team_id, m.user_id, u.subject, u.display_name, m.administrator, m.joined_at";

fn member_row(row: &QueryResult) -> Result<MemberRow, DbErr> {
    Ok(MemberRow {
        team_id: row.try_get("", "team_id")?,
        user_id: row.try_get("", "user_id")?,
        subject: row.try_get("", "subject")?,
        display_name: row.try_get("", "display_name")?,
        administrator: row.try_get("", "administrator")?,
        joined_at: row.try_get("", "joined_at")?,
    })
}

/// The members of `team`, in the order they joined.
pub async fn members(db: &impl ConnectionTrait, team: &str) -> Result<Vec<MemberRow>, DbErr> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM team_members m JOIN users u ON u.id = m.user_id \
         WHERE m.team_id = $1 ORDER BY m.joined_at, m.user_id"
    );
    db.query_all_raw(stmt(db, &sql, [team.into()]))
        .await?
        .iter()
        .map(member_row)
        .collect()
}

/// `user`'s membership of `team`.
pub async fn member(
    db: &impl ConnectionTrait,
    team: &str,
    user: &str,
) -> Result<Option<MemberRow>, DbErr> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM team_members m JOIN users u ON u.id = m.user_id \
         WHERE m.team_id = $1 AND m.user_id = $2"
    );
    db.query_one_raw(stmt(db, &sql, [team.into(), user.into()]))
        .await?
        .map(|r| member_row(&r))
        .transpose()
}

/// Adds `user` to `team`, or changes their role if they are a member.
pub async fn upsert_member(
    db: &impl ConnectionTrait,
    team: &str,
    user: &str,
    administrator: bool,
    at: i64,
) -> Result<(), DbErr> {
    run(
        db,
        "INSERT INTO team_members (team_id, user_id, administrator, joined_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (team_id, user_id) DO UPDATE SET administrator = excluded.administrator",
        [team.into(), user.into(), administrator.into(), at.into()],
    )
    .await?;
    Ok(())
}

/// Removes `user` from `team`.
pub async fn remove_member(db: &impl ConnectionTrait, team: &str, user: &str) -> Result<(), DbErr> {
    run(
        db,
        "DELETE FROM team_members WHERE team_id = $1 AND user_id = $2",
        [team.into(), user.into()],
    )
    .await?;
    Ok(())
}

/// Whether `user` belongs to a team of `organization`.
pub async fn is_organization_member(
    db: &impl ConnectionTrait,
    organization: &str,
    user: &str,
) -> Result<bool, DbErr> {
    let row = db
        .query_one_raw(stmt(
            db,
            "SELECT COUNT(*) AS n FROM team_members m JOIN teams t ON t.id = m.team_id \
             WHERE t.organization_id = $1 AND m.user_id = $2",
            [organization.into(), user.into()],
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0)
        > 0)
}

/// A stored join application.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationRow {
    /// UUIDv7.
    pub id: String,
    /// The team.
    pub team_id: String,
    /// The applicant.
    pub user_id: String,
    /// The applicant's subject (joined from users).
    pub subject: String,
    /// Why.
    pub reason: String,
    /// `pending`, `accepted`, `rejected`, `withdrawn`.
    pub state: String,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub decided_at: Option<i64>,
    /// User id.
    pub decided_by: Option<String>,
}

const APPLICATION_COLUMNS: &str = "a.id, a.team_id, a.user_id, u.subject, a.reason, a.state, \
     a.created_at, a.decided_at, a.decided_by";

fn application_row(row: &QueryResult) -> Result<ApplicationRow, DbErr> {
    Ok(ApplicationRow {
        id: row.try_get("", "id")?,
        team_id: row.try_get("", "team_id")?,
        user_id: row.try_get("", "user_id")?,
        subject: row.try_get("", "subject")?,
        reason: row.try_get("", "reason")?,
        state: row.try_get("", "state")?,
        created_at: row.try_get("", "created_at")?,
        decided_at: row.try_get("", "decided_at")?,
        decided_by: row.try_get("", "decided_by")?,
    })
}

/// The application `id`.
pub async fn application(
    db: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<ApplicationRow>, DbErr> {
    let sql = format!(
        "SELECT {APPLICATION_COLUMNS} FROM team_applications a JOIN users u ON u.id = a.user_id WHERE a.id = $1"
    );
    db.query_one_raw(stmt(db, &sql, [id.into()]))
        .await?
        .map(|r| application_row(&r))
        .transpose()
}

/// The applications to `team`, newest first; only pending ones with `pending_only`,
/// only `user`'s with `user`.
pub async fn applications(
    db: &impl ConnectionTrait,
    team: &str,
    user: Option<&str>,
    pending_only: bool,
) -> Result<Vec<ApplicationRow>, DbErr> {
    let sql = format!(
        "SELECT {APPLICATION_COLUMNS} FROM team_applications a JOIN users u ON u.id = a.user_id \
         WHERE a.team_id = $1 AND ($2 = '' OR a.user_id = $2) AND (NOT $3 OR a.state = 'pending') \
         ORDER BY a.id DESC"
    );
    db.query_all_raw(stmt(
        db,
        &sql,
        [team.into(), user.unwrap_or("").into(), pending_only.into()],
    ))
    .await?
    .iter()
    .map(application_row)
    .collect()
}

/// Inserts an application.
pub async fn insert_application(
    db: &impl ConnectionTrait,
    a: &ApplicationRow,
) -> Result<(), DbErr> {
    run(
        db,
        "INSERT INTO team_applications (id, team_id, user_id, reason, state, created_at, decided_at, decided_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [
            a.id.clone().into(),
            a.team_id.clone().into(),
            a.user_id.clone().into(),
            a.reason.clone().into(),
            a.state.clone().into(),
            a.created_at.into(),
            a.decided_at.into(),
            a.decided_by.clone().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Moves a pending application to `state`; `false` if it was no longer pending.
pub async fn decide_application(
    db: &impl ConnectionTrait,
    id: &str,
    state: &str,
    at: i64,
    by: &str,
) -> Result<bool, DbErr> {
    let changed = run(
        db,
        "UPDATE team_applications SET state = $1, decided_at = $2, decided_by = $3 \
             WHERE id = $4 AND state = 'pending'",
        [state.into(), at.into(), by.into(), id.into()],
    )
    .await?;
    Ok(changed == 1)
}

/// A stored invitation.
#[derive(Debug, Clone, PartialEq)]
pub struct InvitationRow {
    /// UUIDv7.
    pub id: String,
    /// The team.
    pub team_id: String,
    /// Invitee.
    pub email: String,
    /// Joins as administrator.
    pub administrator: bool,
    /// SHA-256 of the token, hex.
    pub token_sha256: String,
    /// `pending`, `accepted`, `revoked`.
    pub state: String,
    /// Unix ms.
    pub expires_at: i64,
    /// User id.
    pub invited_by: String,
    /// User id.
    pub accepted_by: Option<String>,
    /// Unix ms.
    pub created_at: i64,
}

const INVITATION_COLUMNS: &str = "id, team_id, email, administrator, token_sha256, state, \
     expires_at, invited_by, accepted_by, created_at";

fn invitation_row(row: &QueryResult) -> Result<InvitationRow, DbErr> {
    Ok(InvitationRow {
        id: row.try_get("", "id")?,
        team_id: row.try_get("", "team_id")?,
        email: row.try_get("", "email")?,
        administrator: row.try_get("", "administrator")?,
        token_sha256: row.try_get("", "token_sha256")?,
        state: row.try_get("", "state")?,
        expires_at: row.try_get("", "expires_at")?,
        invited_by: row.try_get("", "invited_by")?,
        accepted_by: row.try_get("", "accepted_by")?,
        created_at: row.try_get("", "created_at")?,
    })
}

/// The invitation `id`, or the one whose token digest is `sha256`.
pub async fn invitation(
    db: &impl ConnectionTrait,
    id: Option<&str>,
    sha256: Option<&str>,
) -> Result<Option<InvitationRow>, DbErr> {
    let sql =
        format!("SELECT {INVITATION_COLUMNS} FROM invitations WHERE id = $1 OR token_sha256 = $2");
    db.query_one_raw(stmt(
        db,
        &sql,
        [id.unwrap_or("").into(), sha256.unwrap_or("").into()],
    ))
    .await?
    .map(|r| invitation_row(&r))
    .transpose()
}

/// The invitations of `team`, newest first.
pub async fn invitations(
    db: &impl ConnectionTrait,
    team: &str,
) -> Result<Vec<InvitationRow>, DbErr> {
    let sql =
        format!("SELECT {INVITATION_COLUMNS} FROM invitations WHERE team_id = $1 ORDER BY id DESC");
    db.query_all_raw(stmt(db, &sql, [team.into()]))
        .await?
        .iter()
        .map(invitation_row)
        .collect()
}

/// Inserts an invitation.
pub async fn insert_invitation(db: &impl ConnectionTrait, i: &InvitationRow) -> Result<(), DbErr> {
    let sql = format!(
        "INSERT INTO invitations ({INVITATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    );
    run(
        db,
        &sql,
        [
            i.id.clone().into(),
            i.team_id.clone().into(),
            i.email.clone().into(),
            i.administrator.into(),
            i.token_sha256.clone().into(),
            i.state.clone().into(),
            i.expires_at.into(),
            i.invited_by.clone().into(),
            i.accepted_by.clone().into(),
            i.created_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Moves a pending invitation to `state`; `false` if it was no longer pending
/// (a concurrent accept or revoke won).
pub async fn close_invitation(
    db: &impl ConnectionTrait,
    id: &str,
    state: &str,
    accepted_by: Option<&str>,
) -> Result<bool, DbErr> {
    let changed = run(
        db,
        "UPDATE invitations SET state = $1, accepted_by = $2 WHERE id = $3 AND state = 'pending'",
        [
            state.into(),
            accepted_by.map(str::to_owned).into(),
            id.into(),
        ],
    )
    .await?;
    Ok(changed == 1)
}

/// Deletes the applications and invitations of a deleted team.
pub async fn delete_team_requests(db: &impl ConnectionTrait, team: &str) -> Result<(), DbErr> {
    run(
        db,
        "DELETE FROM team_applications WHERE team_id = $1",
        [team.into()],
    )
    .await?;
    run(
        db,
        "DELETE FROM invitations WHERE team_id = $1",
        [team.into()],
    )
    .await?;
    Ok(())
}

/// Locks `user`'s row (PostgreSQL: `FOR SHARE`, so it cannot be erased
/// until the transaction ends; `FOR UPDATE` for the erasure itself) and
/// returns it.
pub async fn lock_user(
    db: &impl ConnectionTrait,
    id: &str,
    exclusive: bool,
) -> Result<Option<UserRow>, DbErr> {
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        let mode = if exclusive { "UPDATE" } else { "SHARE" };
        run(
            db,
            &format!("SELECT id FROM users WHERE id = $1 FOR {mode}"),
            [id.into()],
        )
        .await?;
    }
    user_by_id(db, id).await
}

/// Ids of `user`'s pending applications.
pub async fn pending_applications_of(
    db: &impl ConnectionTrait,
    user: &str,
) -> Result<Vec<ApplicationRow>, DbErr> {
    Ok(applications_of(db, user)
        .await?
        .into_iter()
        .filter(|a| a.state == "pending")
        .collect())
}

/// Ids of the organisations `user` administers.
pub async fn administered_by(db: &impl ConnectionTrait, user: &str) -> Result<Vec<String>, DbErr> {
    db.query_all_raw(stmt(
        db,
        "SELECT organization_id FROM organization_administrators WHERE user_id = $1 ORDER BY organization_id",
        [user.into()],
    ))
    .await?
    .iter()
    .map(|r| r.try_get("", "organization_id"))
    .collect()
}

/// `user`'s memberships.
pub async fn memberships(db: &impl ConnectionTrait, user: &str) -> Result<Vec<MemberRow>, DbErr> {
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM team_members m JOIN users u ON u.id = m.user_id \
         WHERE m.user_id = $1 ORDER BY m.joined_at, m.team_id"
    );
    db.query_all_raw(stmt(db, &sql, [user.into()]))
        .await?
        .iter()
        .map(member_row)
        .collect()
}

/// `user`'s applications, to any team.
pub async fn applications_of(
    db: &impl ConnectionTrait,
    user: &str,
) -> Result<Vec<ApplicationRow>, DbErr> {
    let sql = format!(
        "SELECT {APPLICATION_COLUMNS} FROM team_applications a JOIN users u ON u.id = a.user_id \
         WHERE a.user_id = $1 ORDER BY a.id"
    );
    db.query_all_raw(stmt(db, &sql, [user.into()]))
        .await?
        .iter()
        .map(application_row)
        .collect()
}

/// Invitations `user` sent or accepted.
pub async fn invitations_of(
    db: &impl ConnectionTrait,
    user: &str,
) -> Result<Vec<InvitationRow>, DbErr> {
    let sql = format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE invited_by = $1 OR accepted_by = $1 ORDER BY id"
    );
    db.query_all_raw(stmt(db, &sql, [user.into()]))
        .await?
        .iter()
        .map(invitation_row)
        .collect()
}

/// Ends `user`'s administrator roles and blanks the reasons they wrote
/// (memberships are removed one by one by the caller, with their events).
pub async fn forget_user_roles(db: &impl ConnectionTrait, user: &str) -> Result<(), DbErr> {
    run(
        db,
        "DELETE FROM organization_administrators WHERE user_id = $1",
        [user.into()],
    )
    .await?;
    run(
        db,
        "UPDATE team_applications SET reason = '' WHERE user_id = $1",
        [user.into()],
    )
    .await?;
    run(
        db,
        "UPDATE invitations SET email = '' WHERE accepted_by = $1",
        [user.into()],
    )
    .await?;
    Ok(())
}
