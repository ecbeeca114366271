//! GDPR: a user's data export and erasure.

use interlink_proto::community::v1 as pb;
use tonic::Request;

use crate::error::{Error, Result};
use crate::events::*;
use crate::grpc::{
    CommunityApi, now_ms, organization_name, organization_to_proto, parse_name, team_type_to_proto,
    timestamp, user_name, user_to_proto,
};
use crate::requests::{application_to_proto, invitation_to_proto};
use crate::store;
use crate::teams::{member_to_proto, team_name};

/// What an erased user's name becomes.
const ERASED_NAME: &str = "Erased user";

impl CommunityApi {
    pub(crate) async fn export_my_data(
        &self,
        request: Request<pb::ExportMyDataRequest>,
    ) -> Result<pb::MyData> {
        let caller = self.caller(&request).await?;
        let mut organizations = Vec::new();
        for id in store::administered_by(&self.db, &caller.id).await? {
            if let Some(org) = store::organization(&self.db, &id, false).await? {
                organizations.push(organization_to_proto(&org));
            }
        }
        let now = now_ms();
        Ok(pb::MyData {
            user: Some(user_to_proto(&caller)),
            administered_organizations: organizations,
            memberships: store::memberships(&self.db, &caller.id)
                .await?
                .iter()
                .map(member_to_proto)
                .collect(),
            applications: store::applications_of(&self.db, &caller.id)
                .await?
                .iter()
                .map(application_to_proto)
                .collect(),
            invitations: store::invitations_of(&self.db, &caller.id)
                .await?
                .iter()
                .map(|i| invitation_to_proto(i, now))
                .collect(),
            export_time: Some(timestamp(now)),
        })
    }

    pub(crate) async fn erase_user(&self, request: Request<pb::EraseUserRequest>) -> Result<()> {
        let caller = self.caller(&request).await?;
        let name = request.into_inner().name;
        let target = if name == "users/me" {
            caller.clone()
        } else {
            let id = parse_name("name", "users", &name)?;
            if id != caller.id && !caller.platform_admin {
                return Err(Error::Denied(
                    "only platform administrators may erase other users".into(),
                ));
            }
            store::user_by_id(&self.db, id)
                .await?
                .ok_or_else(|| Error::NotFound {
                    kind: "user",
                    id: name.clone(),
                })?
        };
        if target.erased_at.is_some() {
            return Ok(());
        }
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        // Lock the user (no one attaches them meanwhile), then their
        // organisations, then their teams, each in id order (the order every
        // other writer takes), and only then count administrators.
        match store::lock_user(&txn, &target.id, true).await? {
            Some(user) if user.erased_at.is_none() => {}
            _ => return Ok(()),
        }
        let organizations = store::administered_by(&txn, &target.id).await?;
        for org in &organizations {
            store::organization(&txn, org, true).await?;
        }
        let mut memberships = store::memberships(&txn, &target.id).await?;
        memberships.sort_by(|a, b| a.team_id.cmp(&b.team_id));
        for membership in &memberships {
            store::team(&txn, &membership.team_id, true).await?;
        }
        // Nothing may be left without an administrator.
        let mut blocking = Vec::new();
        for org in &organizations {
            if store::administrators(&txn, org).await?.len() == 1 {
                blocking.push(organization_name(org));
            }
        }
        for membership in memberships.iter().filter(|m| m.administrator) {
            let admins = store::members(&txn, &membership.team_id)
                .await?
                .iter()
                .filter(|m| m.administrator)
                .count();
            if admins == 1 {
                blocking.push(team_name(&membership.team_id));
            }
        }
        if !blocking.is_empty() {
            return Err(Error::Precondition(format!(
                "{} is the last administrator of {}; appoint another administrator first",
                user_name(&target.id),
                blocking.join(", ")
            )));
        }

        let now = now_ms();
        let mut events = Vec::new();
        for membership in &memberships {
            let Some(mut team) = store::team(&txn, &membership.team_id, true).await? else {
                continue;
            };
            store::remove_member(&txn, &team.id, &target.id).await?;
            team.version += 1;
            team.updated_at = now;
            store::update_team(&txn, &team).await?;
            events.push(self.event(
                TEAM_MEMBER_REMOVED,
                &caller.subject,
                &team.organization_id,
                &team.id,
                team.version,
                &pb::TeamMemberRemoved {
                    team: team_name(&team.id),
                    user: user_name(&target.id),
                    subject: target.subject.clone(),
                    organization: organization_name(&team.organization_id),
                    team_type: team_type_to_proto(&team.team_type),
                },
            )?);
        }
        for org_id in &organizations {
            let Some(mut org) = store::organization(&txn, org_id, true).await? else {
                continue;
            };
            store::remove_administrator(&txn, org_id, &target.id).await?;
            org.administrators.retain(|id| id != &target.id);
            org.version += 1;
            org.updated_at = now;
            store::update_organization(&txn, &org).await?;
            events.push(self.event(
                ADMINISTRATOR_REMOVED,
                &caller.subject,
                org_id,
                org_id,
                org.version,
                &pb::OrganizationAdministratorRemoved {
                    organization: organization_name(org_id),
                    user: user_name(&target.id),
                    subject: target.subject.clone(),
                },
            )?);
        }
        // Pending applications are withdrawn, so no one accepts them later.
        for application in store::pending_applications_of(&txn, &target.id).await? {
            if !store::decide_application(&txn, &application.id, "withdrawn", now, &caller.id)
                .await?
            {
                continue;
            }
            let Some(team) = store::team(&txn, &application.team_id, false).await? else {
                continue;
            };
            let withdrawn = store::ApplicationRow {
                state: "withdrawn".into(),
                reason: String::new(),
                decided_at: Some(now),
                decided_by: Some(caller.id.clone()),
                ..application
            };
            events.push(self.event(
                APPLICATION_WITHDRAWN,
                &caller.subject,
                &team.organization_id,
                &withdrawn.id,
                2,
                &pb::TeamApplicationDecided {
                    application: Some(application_to_proto(&withdrawn)),
                    organization: organization_name(&team.organization_id),
                },
            )?);
        }
        store::forget_user_roles(&txn, &target.id).await?;
        let erased = store::UserRow {
            display_name: ERASED_NAME.into(),
            email: String::new(),
            additional_emails: Vec::new(),
            terms_accepted_at: None,
            updated_at: now,
            version: target.version + 1,
            erased_at: Some(now),
            ..target.clone()
        };
        if !store::update_user(&txn, &erased).await? {
            return Err(Error::Precondition(
                "the user changed meanwhile; try again".into(),
            ));
        }
        events.push(self.event(
            USER_ERASED,
            &caller.subject,
            "",
            &erased.id,
            erased.version,
            &pb::UserErased {
                user: user_name(&erased.id),
                subject: erased.subject.clone(),
            },
        )?);
        self.outbox.append(&txn, &events).await?;
        self.outbox.commit(txn).await?;
        tracing::info!(user = %erased.id, "user erased");
        Ok(())
    }
}
