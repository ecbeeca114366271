//! The gRPC adapter: converts and validates requests, checks who may do
//! what, calls the store, and appends events in the same transaction.

use std::collections::BTreeMap;

use interlink_proto::common::v1::TranslatableText;
use interlink_proto::community::v1 as pb;
use interlink_proto::community::v1::community_service_server::CommunityService;
use interlink_runtime::auth::{Identity, identity};
use interlink_runtime::events::{NewEvent, Outbox, user_actor};
use sea_orm::DatabaseConnection;
use tonic::{Request, Response, Status};

use crate::domain::{
    self, Access, Standing, TeamCreationPolicy, TeamType, Violation, check_emails, check_locale,
    check_name, check_translatable, check_url,
};
use crate::error::{Error, Result};
use crate::events::*;
use crate::store::{self, OrganizationRow, UserRow};

/// The community service.
#[derive(Debug, Clone)]
pub struct CommunityApi {
    pub(crate) db: DatabaseConnection,
    pub(crate) outbox: Outbox,
}

const DEFAULT_PAGE: i32 = 50;
const MAX_PAGE: i32 = 500;

pub(crate) use interlink_runtime::api::{now_ms, timestamp};

/// Most users one `BatchGetUsers` names.
const MAX_BATCH_USERS: usize = 500;

pub(crate) fn user_name(id: &str) -> String {
    format!("users/{id}")
}

pub(crate) fn organization_name(id: &str) -> String {
    format!("organizations/{id}")
}

/// The id in `collection/{id}`, or an INVALID_ARGUMENT naming `field`.
pub(crate) fn parse_name<'a>(field: &str, collection: &str, name: &'a str) -> Result<&'a str> {
    Ok(interlink_runtime::api::parse_name(field, collection, name)?)
}

pub(crate) fn page_size(size: i32) -> Result<u64> {
    Ok(interlink_runtime::api::page_size(
        size,
        DEFAULT_PAGE as u64,
        MAX_PAGE as u64,
    )?)
}

/// Keeps the first `limit` of `rows` (fetched with one extra) and returns
/// the next page's token: the last kept key, or empty on the last page.
pub(crate) fn take_page<T>(rows: &mut Vec<T>, limit: u64, key: impl Fn(&T) -> &str) -> String {
    interlink_runtime::api::take_page(rows, limit, |row| key(row).to_owned())
}

pub(crate) fn page_token(token: &str) -> Result<Option<String>> {
    Ok(interlink_runtime::api::uuid_page_token(token)?)
}

pub(crate) fn user_to_proto(user: &UserRow) -> pb::User {
    pb::User {
        name: user_name(&user.id),
        subject: user.subject.clone(),
        display_name: user.display_name.clone(),
        email: user.email.clone(),
        additional_emails: user.additional_emails.clone(),
        locale: user.locale.clone(),
        terms_accepted_time: user.terms_accepted_at.map(timestamp),
        platform_admin: user.platform_admin,
        create_time: Some(timestamp(user.created_at)),
        update_time: Some(timestamp(user.updated_at)),
    }
}

pub(crate) fn team_type_to_proto(stored: &str) -> i32 {
    match TeamType::parse(stored) {
        Some(TeamType::Citizen) => pb::TeamType::Citizen as i32,
        Some(TeamType::PublicAdministration) => pb::TeamType::PublicAdministration as i32,
        Some(TeamType::NonprofitOrganization) => pb::TeamType::NonprofitOrganization as i32,
        Some(TeamType::ForprofitOrganization) => pb::TeamType::ForprofitOrganization as i32,
        None => pb::TeamType::Unspecified as i32,
    }
}

fn policy_to_proto(stored: &str) -> i32 {
    match TeamCreationPolicy::parse(stored) {
        Some(TeamCreationPolicy::Administrators) => pb::TeamCreationPolicy::Administrators as i32,
        Some(TeamCreationPolicy::Members) => pb::TeamCreationPolicy::Members as i32,
        Some(TeamCreationPolicy::Anyone) => pb::TeamCreationPolicy::Anyone as i32,
        None => pb::TeamCreationPolicy::Unspecified as i32,
    }
}

pub(crate) fn team_type_from_proto(
    field: &str,
    value: i32,
    out: &mut Vec<Violation>,
) -> Option<TeamType> {
    match pb::TeamType::try_from(value) {
        Ok(pb::TeamType::Citizen) => Some(TeamType::Citizen),
        Ok(pb::TeamType::PublicAdministration) => Some(TeamType::PublicAdministration),
        Ok(pb::TeamType::NonprofitOrganization) => Some(TeamType::NonprofitOrganization),
        Ok(pb::TeamType::ForprofitOrganization) => Some(TeamType::ForprofitOrganization),
        Ok(pb::TeamType::Unspecified) => {
            out.push(Violation::new(field, "is required"));
            None
        }
        Err(_) => {
            out.push(Violation::new(field, format!("unknown team type {value}")));
            None
        }
    }
}

fn policy_from_proto(
    field: &str,
    value: i32,
    out: &mut Vec<Violation>,
) -> Option<TeamCreationPolicy> {
    match pb::TeamCreationPolicy::try_from(value) {
        // Unset: the safe default.
        Ok(pb::TeamCreationPolicy::Unspecified) | Ok(pb::TeamCreationPolicy::Administrators) => {
            Some(TeamCreationPolicy::Administrators)
        }
        Ok(pb::TeamCreationPolicy::Members) => Some(TeamCreationPolicy::Members),
        Ok(pb::TeamCreationPolicy::Anyone) => Some(TeamCreationPolicy::Anyone),
        Err(_) => {
            out.push(Violation::new(
                field,
                format!("unknown team creation policy {value}"),
            ));
            None
        }
    }
}

pub(crate) fn text(value: &Option<TranslatableText>) -> BTreeMap<String, String> {
    value
        .as_ref()
        .map(|t| {
            t.values
                .iter()
                .map(|(k, v)| (k.clone(), v.trim().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn to_text(values: &BTreeMap<String, String>) -> Option<TranslatableText> {
    (!values.is_empty()).then(|| TranslatableText {
        values: values.clone().into_iter().collect(),
    })
}

pub(crate) fn organization_to_proto(org: &OrganizationRow) -> pb::Organization {
    pb::Organization {
        name: organization_name(&org.id),
        display_name: to_text(&org.display_name),
        description: to_text(&org.description),
        logo_url: org.logo_url.clone(),
        public: org.public,
        default_team_type: team_type_to_proto(&org.default_team_type),
        team_creation_policy: policy_to_proto(&org.team_creation_policy),
        administrators: org.administrators.iter().map(|id| user_name(id)).collect(),
        creator: user_name(&org.created_by),
        create_time: Some(timestamp(org.created_at)),
        update_time: Some(timestamp(org.updated_at)),
    }
}

pub(crate) fn mask_paths<'a>(
    mask: &'a Option<prost_types::FieldMask>,
    allowed: &[&str],
) -> Result<Vec<&'a str>> {
    let paths: Vec<&str> = mask
        .as_ref()
        .map(|m| m.paths.iter().map(String::as_str).collect())
        .unwrap_or_default();
    if paths.is_empty() {
        return Err(Error::invalid(
            "update_mask",
            format!(
                "is required: name the fields to change ({})",
                allowed.join(", ")
            ),
        ));
    }
    let violations: Vec<Violation> = paths
        .iter()
        .enumerate()
        .filter(|(_, p)| !allowed.contains(p))
        .map(|(i, p)| {
            Violation::new(
                format!("update_mask.paths[{i}]"),
                format!("`{p}` cannot be updated; updatable: {}", allowed.join(", ")),
            )
        })
        .collect();
    if violations.is_empty() {
        Ok(paths)
    } else {
        Err(Error::Invalid(violations))
    }
}

impl CommunityApi {
    /// The service over `db`, publishing through `outbox`.
    pub fn new(db: DatabaseConnection, outbox: Outbox) -> Self {
        Self { db, outbox }
    }

    pub(crate) fn event<M: prost::Name>(
        &self,
        event_type: interlink_runtime::events::EventType,
        actor: &str,
        organization: &str,
        aggregate: &str,
        version: i64,
        payload: &M,
    ) -> Result<interlink_proto::events::v1::Event> {
        Ok(self.outbox.envelope(NewEvent {
            event_type,
            actor: user_actor(actor),
            organization_id: organization,
            aggregate_id: aggregate,
            aggregate_version: version as u64,
            payload,
        })?)
    }

    /// The public face of the people named, in the order asked: name and
    /// display name (everything for the caller's own entry); a name no user
    /// has comes back with an empty display name.
    pub(crate) async fn batch_get_users_(
        &self,
        request: Request<pb::BatchGetUsersRequest>,
    ) -> Result<pb::BatchGetUsersResponse> {
        let caller = self.maybe_caller(&request).await?;
        let names = &request.get_ref().names;
        let mut violations = Vec::new();
        if names.len() > MAX_BATCH_USERS {
            violations.push(domain::Violation::new(
                "names",
                format!("must name at most {MAX_BATCH_USERS} users"),
            ));
        }
        let mut ids = Vec::with_capacity(names.len());
        for (n, name) in names.iter().enumerate() {
            match parse_name(&format!("names[{n}]"), "users", name) {
                Ok(id) => ids.push(id),
                Err(Error::Invalid(v)) => violations.extend(v),
                Err(e) => return Err(e),
            }
        }
        if !violations.is_empty() {
            return Err(Error::Invalid(violations));
        }
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        let found: std::collections::HashMap<String, UserRow> =
            store::users_by_ids(&self.db, &unique)
                .await?
                .into_iter()
                .map(|u| (u.id.clone(), u))
                .collect();
        let users = ids
            .iter()
            .map(|id| match found.get(*id) {
                Some(user) if caller.as_ref().is_some_and(|c| c.id == user.id) => {
                    user_to_proto(user)
                }
                Some(user) => pb::User {
                    name: user_name(&user.id),
                    display_name: user.display_name.clone(),
                    ..Default::default()
                },
                None => pb::User {
                    name: user_name(id),
                    ..Default::default()
                },
            })
            .collect();
        Ok(pb::BatchGetUsersResponse { users })
    }

    /// The calling user, registered on their first authenticated call.
    pub(crate) async fn caller<T>(&self, request: &Request<T>) -> Result<UserRow> {
        let identity = identity(request).ok_or(Error::Unauthenticated)?;
        self.ensure_user(identity).await
    }

    /// The calling user if the request has a token.
    pub(crate) async fn maybe_caller<T>(&self, request: &Request<T>) -> Result<Option<UserRow>> {
        match identity(request) {
            Some(identity) => Ok(Some(self.ensure_user(identity).await?)),
            None => Ok(None),
        }
    }

    async fn ensure_user(&self, identity: &Identity) -> Result<UserRow> {
        if let Some(user) = store::user_by_subject(&self.db, &identity.subject).await? {
            if user.erased_at.is_some() {
                return Err(Error::Denied(
                    "this account was erased; it can no longer be used".into(),
                ));
            }
            if user.platform_admin == identity.platform_admin {
                return Ok(user);
            }
            // The identity provider changed the admin claim: record it.
            let mut changed = user.clone();
            changed.platform_admin = identity.platform_admin;
            changed.updated_at = now_ms();
            changed.version += 1;
            let txn = interlink_runtime::db::begin_write(&self.db).await?;
            if !store::update_user(&txn, &changed).await? {
                txn.rollback().await?;
                return store::user_by_subject(&self.db, &identity.subject)
                    .await?
                    .ok_or(Error::Unauthenticated);
            }
            let payload = pb::UserUpdated {
                user: Some(user_to_proto(&changed)),
                changed_fields: vec!["platform_admin".into()],
            };
            let event = self.event(
                USER_UPDATED,
                &changed.subject,
                "",
                &changed.id,
                changed.version,
                &payload,
            )?;
            self.outbox.append(&txn, &[event]).await?;
            // Repeats harmlessly: not the call's own change.
            self.outbox.commit_side_effect(txn).await?;
            return Ok(changed);
        }
        let now = now_ms();
        let name: String = identity
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| identity.subject.clone())
            .chars()
            .take(domain::MAX_NAME_CHARS)
            .collect();
        let user = UserRow {
            // Derived from the subject, so the other services name this
            // person as community does without asking it.
            id: interlink_runtime::api::user_id(&identity.subject),
            subject: identity.subject.clone(),
            display_name: name,
            email: identity
                .email
                .clone()
                .filter(|e| domain::is_email(e))
                .unwrap_or_default(),
            additional_emails: Vec::new(),
            locale: "en".into(),
            terms_accepted_at: None,
            platform_admin: identity.platform_admin,
            created_at: now,
            updated_at: now,
            version: 1,
            erased_at: None,
        };
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        if store::insert_user(&txn, &user).await? {
            let payload = pb::UserRegistered {
                user: Some(user_to_proto(&user)),
            };
            let event = self.event(USER_REGISTERED, &user.subject, "", &user.id, 1, &payload)?;
            self.outbox.append(&txn, &[event]).await?;
            self.outbox.commit_side_effect(txn).await?;
            tracing::info!(user = %user.id, "user registered");
            Ok(user)
        } else {
            // Registered by a concurrent call.
            txn.rollback().await?;
            store::user_by_subject(&self.db, &identity.subject)
                .await?
                .ok_or(Error::Unauthenticated)
        }
    }

    /// The organisation named `name` with the caller's access to it;
    /// NOT_FOUND when it does not exist or is hidden from the caller.
    pub(crate) async fn visible_organization(
        &self,
        db: &impl sea_orm::ConnectionTrait,
        field: &str,
        name: &str,
        caller: Option<&UserRow>,
        for_update: bool,
    ) -> Result<(OrganizationRow, Access)> {
        let id = parse_name(field, "organizations", name)?;
        let not_found = || Error::NotFound {
            kind: "organization",
            id: name.to_owned(),
        };
        let org = store::organization(db, id, for_update)
            .await?
            .ok_or_else(not_found)?;
        let member = match caller {
            Some(c) => store::is_organization_member(db, &org.id, &c.id).await?,
            None => false,
        };
        let access = Standing {
            public: org.public,
            member,
            administrator: caller.is_some_and(|c| org.administrators.contains(&c.id)),
            platform_admin: caller.is_some_and(|c| c.platform_admin),
        }
        .access();
        if access == Access::Hidden {
            return Err(not_found());
        }
        Ok((org, access))
    }

    /// Inside a write transaction: locks `user` against a concurrent erasure
    /// and checks they are still there (`field` names them in a refusal).
    pub(crate) async fn live_user(
        &self,
        txn: &impl sea_orm::ConnectionTrait,
        user_id: &str,
        name: &str,
    ) -> Result<UserRow> {
        match store::lock_user(txn, user_id, false).await? {
            Some(user) if user.erased_at.is_none() => Ok(user),
            _ => Err(Error::NotFound {
                kind: "user",
                id: name.to_owned(),
            }),
        }
    }

    /// Inside a write transaction: locks the caller's row against a
    /// concurrent erasure, refusing an erased caller.
    pub(crate) async fn live_caller(
        &self,
        txn: &impl sea_orm::ConnectionTrait,
        caller: &UserRow,
    ) -> Result<()> {
        match store::lock_user(txn, &caller.id, false).await? {
            Some(user) if user.erased_at.is_none() => Ok(()),
            _ => Err(Error::Denied(
                "this account was erased; it can no longer be used".into(),
            )),
        }
    }

    pub(crate) fn require_manage(access: Access) -> Result<()> {
        match access {
            Access::Manage => Ok(()),
            Access::Read | Access::Hidden => Err(Error::Denied(
                "only the organisation's administrators may do this".into(),
            )),
        }
    }

    async fn update_me(&self, request: Request<pb::UpdateMeRequest>) -> Result<pb::User> {
        let caller = self.caller(&request).await?;
        let request = request.into_inner();
        let paths = mask_paths(
            &request.update_mask,
            &["display_name", "locale", "additional_emails"],
        )?;
        let input = request
            .user
            .ok_or_else(|| Error::invalid("user", "is required"))?;
        let mut changed = caller.clone();
        let mut violations = Vec::new();
        for path in &paths {
            match *path {
                "display_name" => {
                    check_name("user.display_name", &input.display_name, &mut violations);
                    changed.display_name = input.display_name.trim().to_owned();
                }
                "locale" => {
                    check_locale("user.locale", &input.locale, &mut violations);
                    changed.locale = input.locale.clone();
                }
                _ => {
                    check_emails(
                        "user.additional_emails",
                        &input.additional_emails,
                        &mut violations,
                    );
                    changed.additional_emails = input.additional_emails.clone();
                }
            }
        }
        if !violations.is_empty() {
            return Err(Error::Invalid(violations));
        }
        let changed_fields = paths.iter().map(|p| (*p).to_owned()).collect();
        self.save_user(caller, changed, changed_fields).await
    }

    async fn save_user(
        &self,
        before: UserRow,
        mut after: UserRow,
        changed_fields: Vec<String>,
    ) -> Result<pb::User> {
        if after == before {
            return Ok(user_to_proto(&before));
        }
        after.updated_at = now_ms();
        after.version = before.version + 1;
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        if !store::update_user(&txn, &after).await? {
            return Err(Error::Precondition(
                "the profile changed meanwhile; read it again and retry".into(),
            ));
        }
        let payload = pb::UserUpdated {
            user: Some(user_to_proto(&after)),
            changed_fields,
        };
        let event = self.event(
            USER_UPDATED,
            &after.subject,
            "",
            &after.id,
            after.version,
            &payload,
        )?;
        self.outbox.append(&txn, &[event]).await?;
        self.outbox.commit(txn).await?;
        Ok(user_to_proto(&after))
    }

    async fn create_organization(
        &self,
        request: Request<pb::CreateOrganizationRequest>,
    ) -> Result<pb::Organization> {
        let caller = self.caller(&request).await?;
        let input = request
            .into_inner()
            .organization
            .ok_or_else(|| Error::invalid("organization", "is required"))?;
        let mut violations = Vec::new();
        let display_name = text(&input.display_name);
        let description = text(&input.description);
        check_translatable(
            "organization.display_name",
            &display_name,
            true,
            domain::MAX_NAME_CHARS,
            &mut violations,
        );
        check_translatable(
            "organization.description",
            &description,
            false,
            domain::MAX_DESCRIPTION_CHARS,
            &mut violations,
        );
        check_url("organization.logo_url", &input.logo_url, &mut violations);
        let team_type = team_type_from_proto(
            "organization.default_team_type",
            input.default_team_type,
            &mut violations,
        );
        let policy = policy_from_proto(
            "organization.team_creation_policy",
            input.team_creation_policy,
            &mut violations,
        );
        let (Some(team_type), Some(policy), true) = (team_type, policy, violations.is_empty())
        else {
            return Err(Error::Invalid(violations));
        };
        let now = now_ms();
        let org = OrganizationRow {
            id: uuid::Uuid::now_v7().to_string(),
            display_name,
            description,
            logo_url: input.logo_url,
            public: input.public,
            default_team_type: team_type.as_str().into(),
            team_creation_policy: policy.as_str().into(),
            created_by: caller.id.clone(),
            created_at: now,
            updated_at: now,
            version: 1,
            administrators: vec![caller.id.clone()],
        };
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        self.live_caller(&txn, &caller).await?;
        store::insert_organization(&txn, &org).await?;
        let proto = organization_to_proto(&org);
        let created = pb::OrganizationCreated {
            organization: Some(proto.clone()),
        };
        let event = self.event(
            ORGANIZATION_CREATED,
            &caller.subject,
            &org.id,
            &org.id,
            1,
            &created,
        )?;
        self.outbox.append(&txn, &[event]).await?;
        self.outbox.commit(txn).await?;
        tracing::info!(organization = %org.id, "organization created");
        Ok(proto)
    }

    async fn update_organization(
        &self,
        request: Request<pb::UpdateOrganizationRequest>,
    ) -> Result<pb::Organization> {
        let caller = self.caller(&request).await?;
        let request = request.into_inner();
        let input = request
            .organization
            .ok_or_else(|| Error::invalid("organization", "is required"))?;
        let paths = mask_paths(
            &request.update_mask,
            &[
                "display_name",
                "description",
                "logo_url",
                "public",
                "default_team_type",
                "team_creation_policy",
            ],
        )?;
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        let (before, access) = self
            .visible_organization(&txn, "organization.name", &input.name, Some(&caller), true)
            .await?;
        Self::require_manage(access)?;
        let mut after = before.clone();
        let mut violations = Vec::new();
        for path in &paths {
            match *path {
                "display_name" => {
                    after.display_name = text(&input.display_name);
                    check_translatable(
                        "organization.display_name",
                        &after.display_name,
                        true,
                        domain::MAX_NAME_CHARS,
                        &mut violations,
                    );
                }
                "description" => {
                    after.description = text(&input.description);
                    check_translatable(
                        "organization.description",
                        &after.description,
                        false,
                        domain::MAX_DESCRIPTION_CHARS,
                        &mut violations,
                    );
                }
                "logo_url" => {
                    check_url("organization.logo_url", &input.logo_url, &mut violations);
                    after.logo_url = input.logo_url.clone();
                }
                "public" => after.public = input.public,
                "default_team_type" => {
                    if let Some(t) = team_type_from_proto(
                        "organization.default_team_type",
                        input.default_team_type,
                        &mut violations,
                    ) {
                        after.default_team_type = t.as_str().into();
                    }
                }
                _ => {
                    if let Some(p) = policy_from_proto(
                        "organization.team_creation_policy",
                        input.team_creation_policy,
                        &mut violations,
                    ) {
                        after.team_creation_policy = p.as_str().into();
                    }
                }
            }
        }
        if !violations.is_empty() {
            return Err(Error::Invalid(violations));
        }
        if after == before {
            return Ok(organization_to_proto(&before));
        }
        after.updated_at = now_ms();
        after.version = before.version + 1;
        store::update_organization(&txn, &after).await?;
        let proto = organization_to_proto(&after);
        let payload = pb::OrganizationUpdated {
            organization: Some(proto.clone()),
            changed_fields: paths.iter().map(|p| (*p).to_owned()).collect(),
        };
        let event = self.event(
            ORGANIZATION_UPDATED,
            &caller.subject,
            &after.id,
            &after.id,
            after.version,
            &payload,
        )?;
        self.outbox.append(&txn, &[event]).await?;
        self.outbox.commit(txn).await?;
        Ok(proto)
    }

    async fn delete_organization(
        &self,
        request: Request<pb::DeleteOrganizationRequest>,
    ) -> Result<()> {
        let caller = self.caller(&request).await?;
        let request = request.into_inner();
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        let (org, access) = self
            .visible_organization(&txn, "name", &request.name, Some(&caller), true)
            .await?;
        Self::require_manage(access)?;
        let teams = store::team_ids(&txn, &org.id).await?;
        if !teams.is_empty() && !request.force {
            return Err(Error::Precondition(format!(
                "{} has {} team(s); delete them first, or set force to delete them with it",
                request.name,
                teams.len()
            )));
        }
        let mut events = Vec::new();
        for team_id in &teams {
            events.push(self.delete_team_in(&txn, &caller, team_id).await?);
        }
        store::delete_organization(&txn, &org.id).await?;
        let payload = pb::OrganizationDeleted {
            organization: organization_name(&org.id),
            cascaded_teams: teams.iter().map(|t| crate::teams::team_name(t)).collect(),
        };
        events.push(self.event(
            ORGANIZATION_DELETED,
            &caller.subject,
            &org.id,
            &org.id,
            org.version + 1,
            &payload,
        )?);
        self.outbox.append(&txn, &events).await?;
        self.outbox.commit(txn).await?;
        tracing::info!(organization = %org.id, cascaded_teams = teams.len(), "organization deleted");
        Ok(())
    }

    async fn change_administrator(
        &self,
        caller: UserRow,
        organization: &str,
        user: &str,
        add: bool,
    ) -> Result<pb::Organization> {
        let user_id = parse_name("user", "users", user)?;
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        let (mut org, access) = self
            .visible_organization(&txn, "organization", organization, Some(&caller), true)
            .await?;
        Self::require_manage(access)?;
        let target = self.live_user(&txn, user_id, user).await?;
        let now = now_ms();
        let (event_type, subject_of_event) = if add {
            if !store::add_administrator(&txn, &org.id, &target.id, now).await? {
                return Err(Error::AlreadyExists(format!(
                    "{user} is already an administrator of {organization}"
                )));
            }
            org.administrators.push(target.id.clone());
            (ADMINISTRATOR_ADDED, target.subject.clone())
        } else {
            if !org.administrators.contains(&target.id) {
                return Err(Error::NotFound {
                    kind: "administrator",
                    id: user.to_owned(),
                });
            }
            if org.administrators.len() == 1 {
                return Err(Error::Precondition(format!(
                    "{user} is the last administrator of {organization}; add another one first"
                )));
            }
            store::remove_administrator(&txn, &org.id, &target.id).await?;
            org.administrators.retain(|id| id != &target.id);
            (ADMINISTRATOR_REMOVED, target.subject.clone())
        };
        org.updated_at = now;
        org.version += 1;
        store::update_organization(&txn, &org).await?;
        let event = if add {
            self.event(
                event_type,
                &caller.subject,
                &org.id,
                &org.id,
                org.version,
                &pb::OrganizationAdministratorAdded {
                    organization: organization_name(&org.id),
                    user: user_name(&target.id),
                    subject: subject_of_event,
                },
            )?
        } else {
            self.event(
                event_type,
                &caller.subject,
                &org.id,
                &org.id,
                org.version,
                &pb::OrganizationAdministratorRemoved {
                    organization: organization_name(&org.id),
                    user: user_name(&target.id),
                    subject: subject_of_event,
                },
            )?
        };
        self.outbox.append(&txn, &[event]).await?;
        self.outbox.commit(txn).await?;
        Ok(organization_to_proto(&org))
    }
}

#[tonic::async_trait]
impl CommunityService for CommunityApi {
    async fn get_me(
        &self,
        request: Request<pb::GetMeRequest>,
    ) -> std::result::Result<Response<pb::User>, Status> {
        let user = self.caller(&request).await?;
        Ok(Response::new(user_to_proto(&user)))
    }

    async fn update_me(
        &self,
        request: Request<pb::UpdateMeRequest>,
    ) -> std::result::Result<Response<pb::User>, Status> {
        Ok(Response::new(CommunityApi::update_me(self, request).await?))
    }

    async fn accept_terms(
        &self,
        request: Request<pb::AcceptTermsRequest>,
    ) -> std::result::Result<Response<pb::User>, Status> {
        let caller = self.caller(&request).await?;
        let mut after = caller.clone();
        after.terms_accepted_at = Some(now_ms());
        Ok(Response::new(
            self.save_user(caller, after, vec!["terms_accepted_time".into()])
                .await?,
        ))
    }

    async fn export_my_data(
        &self,
        request: Request<pb::ExportMyDataRequest>,
    ) -> std::result::Result<Response<pb::MyData>, Status> {
        Ok(Response::new(
            CommunityApi::export_my_data(self, request).await?,
        ))
    }

    async fn erase_user(
        &self,
        request: Request<pb::EraseUserRequest>,
    ) -> std::result::Result<Response<()>, Status> {
        CommunityApi::erase_user(self, request).await?;
        Ok(Response::new(()))
    }

    async fn list_users(
        &self,
        request: Request<pb::ListUsersRequest>,
    ) -> std::result::Result<Response<pb::ListUsersResponse>, Status> {
        let caller = self.caller(&request).await?;
        if !caller.platform_admin {
            return Err(Error::Denied("only platform administrators may list users".into()).into());
        }
        let request = request.into_inner();
        let limit = page_size(request.page_size)?;
        let after = page_token(&request.page_token)?;
        let mut users = store::list_users(&self.db, after.as_deref(), limit + 1)
            .await
            .map_err(Error::from)?;
        let next_page_token = take_page(&mut users, limit, |row| &row.id);
        Ok(Response::new(pb::ListUsersResponse {
            users: users.iter().map(user_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn batch_get_users(
        &self,
        request: Request<pb::BatchGetUsersRequest>,
    ) -> std::result::Result<Response<pb::BatchGetUsersResponse>, Status> {
        Ok(Response::new(self.batch_get_users_(request).await?))
    }

    async fn create_organization(
        &self,
        request: Request<pb::CreateOrganizationRequest>,
    ) -> std::result::Result<Response<pb::Organization>, Status> {
        Ok(Response::new(
            CommunityApi::create_organization(self, request).await?,
        ))
    }

    async fn get_organization(
        &self,
        request: Request<pb::GetOrganizationRequest>,
    ) -> std::result::Result<Response<pb::Organization>, Status> {
        let caller = self.maybe_caller(&request).await?;
        let name = &request.get_ref().name;
        let (org, _) = self
            .visible_organization(&self.db, "name", name, caller.as_ref(), false)
            .await?;
        Ok(Response::new(organization_to_proto(&org)))
    }

    async fn list_organizations(
        &self,
        request: Request<pb::ListOrganizationsRequest>,
    ) -> std::result::Result<Response<pb::ListOrganizationsResponse>, Status> {
        let caller = self.maybe_caller(&request).await?;
        let request = request.into_inner();
        let limit = page_size(request.page_size)?;
        let before = page_token(&request.page_token)?;
        let mut orgs = store::list_organizations(
            &self.db,
            caller.as_ref().map(|c| c.id.as_str()),
            caller.as_ref().is_some_and(|c| c.platform_admin),
            before.as_deref(),
            limit + 1,
        )
        .await
        .map_err(Error::from)?;
        let next_page_token = take_page(&mut orgs, limit, |row| &row.id);
        Ok(Response::new(pb::ListOrganizationsResponse {
            organizations: orgs.iter().map(organization_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn update_organization(
        &self,
        request: Request<pb::UpdateOrganizationRequest>,
    ) -> std::result::Result<Response<pb::Organization>, Status> {
        Ok(Response::new(
            CommunityApi::update_organization(self, request).await?,
        ))
    }

    async fn delete_organization(
        &self,
        request: Request<pb::DeleteOrganizationRequest>,
    ) -> std::result::Result<Response<()>, Status> {
        CommunityApi::delete_organization(self, request).await?;
        Ok(Response::new(()))
    }

    async fn add_organization_administrator(
        &self,
        request: Request<pb::AddOrganizationAdministratorRequest>,
    ) -> std::result::Result<Response<pb::Organization>, Status> {
        let caller = self.caller(&request).await?;
        let request = request.into_inner();
        Ok(Response::new(
            self.change_administrator(caller, &request.organization, &request.user, true)
                .await?,
        ))
    }

    async fn create_team(
        &self,
        request: Request<pb::CreateTeamRequest>,
    ) -> std::result::Result<Response<pb::Team>, Status> {
        Ok(Response::new(
            CommunityApi::create_team(self, request).await?,
        ))
    }

    async fn get_team(
        &self,
        request: Request<pb::GetTeamRequest>,
    ) -> std::result::Result<Response<pb::Team>, Status> {
        Ok(Response::new(CommunityApi::get_team(self, request).await?))
    }

    async fn list_teams(
        &self,
        request: Request<pb::ListTeamsRequest>,
    ) -> std::result::Result<Response<pb::ListTeamsResponse>, Status> {
        Ok(Response::new(
            CommunityApi::list_teams(self, request).await?,
        ))
    }

    async fn update_team(
        &self,
        request: Request<pb::UpdateTeamRequest>,
    ) -> std::result::Result<Response<pb::Team>, Status> {
        Ok(Response::new(
            CommunityApi::update_team(self, request).await?,
        ))
    }

    async fn delete_team(
        &self,
        request: Request<pb::DeleteTeamRequest>,
    ) -> std::result::Result<Response<()>, Status> {
        CommunityApi::delete_team(self, request).await?;
        Ok(Response::new(()))
    }

    async fn add_team_member(
        &self,
        request: Request<pb::AddTeamMemberRequest>,
    ) -> std::result::Result<Response<pb::TeamMember>, Status> {
        Ok(Response::new(
            CommunityApi::add_team_member(self, request).await?,
        ))
    }

    async fn remove_team_member(
        &self,
        request: Request<pb::RemoveTeamMemberRequest>,
    ) -> std::result::Result<Response<()>, Status> {
        CommunityApi::remove_team_member(self, request).await?;
        Ok(Response::new(()))
    }

    async fn list_team_members(
        &self,
        request: Request<pb::ListTeamMembersRequest>,
    ) -> std::result::Result<Response<pb::ListTeamMembersResponse>, Status> {
        Ok(Response::new(
            CommunityApi::list_team_members(self, request).await?,
        ))
    }

    async fn apply_to_team(
        &self,
        request: Request<pb::ApplyToTeamRequest>,
    ) -> std::result::Result<Response<pb::TeamApplication>, Status> {
        Ok(Response::new(
            CommunityApi::apply_to_team(self, request).await?,
        ))
    }

    async fn list_team_applications(
        &self,
        request: Request<pb::ListTeamApplicationsRequest>,
    ) -> std::result::Result<Response<pb::ListTeamApplicationsResponse>, Status> {
        Ok(Response::new(
            CommunityApi::list_team_applications(self, request).await?,
        ))
    }

    async fn accept_team_application(
        &self,
        request: Request<pb::AcceptTeamApplicationRequest>,
    ) -> std::result::Result<Response<pb::TeamApplication>, Status> {
        let caller = self.caller(&request).await?;
        Ok(Response::new(
            self.decide_application(caller, &request.get_ref().name, "accepted")
                .await?,
        ))
    }

    async fn reject_team_application(
        &self,
        request: Request<pb::RejectTeamApplicationRequest>,
    ) -> std::result::Result<Response<pb::TeamApplication>, Status> {
        let caller = self.caller(&request).await?;
        Ok(Response::new(
            self.decide_application(caller, &request.get_ref().name, "rejected")
                .await?,
        ))
    }

    async fn withdraw_team_application(
        &self,
        request: Request<pb::WithdrawTeamApplicationRequest>,
    ) -> std::result::Result<Response<pb::TeamApplication>, Status> {
        let caller = self.caller(&request).await?;
        Ok(Response::new(
            self.decide_application(caller, &request.get_ref().name, "withdrawn")
                .await?,
        ))
    }

    async fn create_invitation(
        &self,
        request: Request<pb::CreateInvitationRequest>,
    ) -> std::result::Result<Response<pb::Invitation>, Status> {
        Ok(Response::new(
            CommunityApi::create_invitation(self, request).await?,
        ))
    }

    async fn list_invitations(
        &self,
        request: Request<pb::ListInvitationsRequest>,
    ) -> std::result::Result<Response<pb::ListInvitationsResponse>, Status> {
        Ok(Response::new(
            CommunityApi::list_invitations(self, request).await?,
        ))
    }

    async fn accept_invitation(
        &self,
        request: Request<pb::AcceptInvitationRequest>,
    ) -> std::result::Result<Response<pb::TeamMember>, Status> {
        Ok(Response::new(
            CommunityApi::accept_invitation(self, request).await?,
        ))
    }

    async fn revoke_invitation(
        &self,
        request: Request<pb::RevokeInvitationRequest>,
    ) -> std::result::Result<Response<pb::Invitation>, Status> {
        Ok(Response::new(
            CommunityApi::revoke_invitation(self, request).await?,
        ))
    }

    async fn remove_organization_administrator(
        &self,
        request: Request<pb::RemoveOrganizationAdministratorRequest>,
    ) -> std::result::Result<Response<pb::Organization>, Status> {
        let caller = self.caller(&request).await?;
        let request = request.into_inner();
        Ok(Response::new(
            self.change_administrator(caller, &request.organization, &request.user, false)
                .await?,
        ))
    }
}
