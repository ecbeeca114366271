//! Teams and memberships: the part of the gRPC adapter that answers who
//! belongs where.

use interlink_proto::community::v1 as pb;
use sea_orm::ConnectionTrait;
use tonic::Request;

use crate::domain::{self, Access, TeamCreationPolicy, TeamType, check_translatable, check_url};
use crate::error::{Error, Result};
use crate::events::*;
use crate::grpc::{
    CommunityApi, mask_paths, now_ms, organization_name, page_size, page_token, parse_name,
    take_page, team_type_from_proto, team_type_to_proto, text, timestamp, to_text, user_name,
};
use crate::store::{self, MemberRow, OrganizationRow, TeamRow, UserRow};

/// `teams/{id}`.
pub(crate) fn team_name(id: &str) -> String {
    format!("teams/{id}")
}

fn team_to_proto(team: &TeamRow) -> pb::Team {
    pb::Team {
        name: team_name(&team.id),
        organization: organization_name(&team.organization_id),
        display_name: to_text(&team.display_name),
        description: to_text(&team.description),
        logo_url: team.logo_url.clone(),
        r#type: team_type_to_proto(&team.team_type),
        member_count: team.member_count as i32,
        creator: user_name(&team.created_by),
        create_time: Some(timestamp(team.created_at)),
        update_time: Some(timestamp(team.updated_at)),
    }
}

pub(crate) fn member_to_proto(member: &MemberRow) -> pb::TeamMember {
    pb::TeamMember {
        team: team_name(&member.team_id),
        user: user_name(&member.user_id),
        subject: member.subject.clone(),
        display_name: member.display_name.clone(),
        administrator: member.administrator,
        join_time: Some(timestamp(member.joined_at)),
    }
}

/// What a caller may do with a team.
pub(crate) struct TeamAccess {
    pub(crate) team: TeamRow,
    pub(crate) organization: OrganizationRow,
    /// Team administrators, organisation administrators and platform admins.
    pub(crate) manage: bool,
}

/// The type a team gets when its request leaves it unset.
fn default_team_type(organization: &OrganizationRow) -> TeamType {
    TeamType::parse(&organization.default_team_type).unwrap_or(TeamType::Citizen)
}

impl CommunityApi {
    /// The team named `name` if the caller may see its organisation
    /// (NOT_FOUND otherwise), and whether they may manage it.
    pub(crate) async fn visible_team(
        &self,
        db: &impl ConnectionTrait,
        field: &str,
        name: &str,
        caller: Option<&UserRow>,
        for_update: bool,
    ) -> Result<TeamAccess> {
        let id = parse_name(field, "teams", name)?;
        let not_found = || Error::NotFound {
            kind: "team",
            id: name.to_owned(),
        };
        let team = store::team(db, id, for_update)
            .await?
            .ok_or_else(not_found)?;
        let (organization, access) = match self
            .visible_organization(
                db,
                field,
                &organization_name(&team.organization_id),
                caller,
                false,
            )
            .await
        {
            Ok(found) => found,
            Err(Error::NotFound { .. }) => return Err(not_found()),
            Err(e) => return Err(e),
        };
        let team_admin = match caller {
            Some(c) => store::member(db, &team.id, &c.id)
                .await?
                .is_some_and(|m| m.administrator),
            None => false,
        };
        Ok(TeamAccess {
            team,
            organization,
            manage: team_admin || access == Access::Manage,
        })
    }

    pub(crate) fn require_team_manage(access: &TeamAccess) -> Result<()> {
        if access.manage {
            Ok(())
        } else {
            Err(Error::Denied(
                "only the team's or the organisation's administrators may do this".into(),
            ))
        }
    }

    /// Bumps the team's version (memberships are changes of the team).
    pub(crate) async fn touch_team(
        &self,
        db: &impl ConnectionTrait,
        team: &mut TeamRow,
    ) -> Result<()> {
        team.version += 1;
        team.updated_at = now_ms();
        store::update_team(db, team).await?;
        Ok(())
    }

    pub(crate) async fn create_team(
        &self,
        request: Request<pb::CreateTeamRequest>,
    ) -> Result<pb::Team> {
        let caller = self.caller(&request).await?;
        let request = request.into_inner();
        let input = request
            .team
            .ok_or_else(|| Error::invalid("team", "is required"))?;
        let mut violations = Vec::new();
        let display_name = text(&input.display_name);
        let description = text(&input.description);
        check_translatable(
            "team.display_name",
            &display_name,
            true,
            domain::MAX_NAME_CHARS,
            &mut violations,
        );
        check_translatable(
            "team.description",
            &description,
            false,
            domain::MAX_DESCRIPTION_CHARS,
            &mut violations,
        );
        check_url("team.logo_url", &input.logo_url, &mut violations);
        // Unset: the organisation's default team type.
        let explicit_type = if input.r#type == pb::TeamType::Unspecified as i32 {
            None
        } else {
            team_type_from_proto("team.type", input.r#type, &mut violations)
        };
        if let Err(Error::Invalid(parent)) = parse_name("parent", "organizations", &request.parent)
        {
            violations.extend(parent);
        }
        if !violations.is_empty() {
            return Err(Error::Invalid(violations));
        }
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        self.live_caller(&txn, &caller).await?;
        let (org, access) = self
            .visible_organization(&txn, "parent", &request.parent, Some(&caller), true)
            .await?;
        let member = store::is_organization_member(&txn, &org.id, &caller.id).await?;
        let policy = TeamCreationPolicy::parse(&org.team_creation_policy)
            .unwrap_or(TeamCreationPolicy::Administrators);
        if !domain::may_create_team(policy, access, member) {
            return Err(Error::Denied(format!(
                "the organisation lets {} create teams",
                match policy {
                    TeamCreationPolicy::Administrators => "only its administrators",
                    TeamCreationPolicy::Members => "only its administrators and members",
                    TeamCreationPolicy::Anyone => "anyone",
                }
            )));
        }
        let team_type = explicit_type.unwrap_or_else(|| default_team_type(&org));
        let now = now_ms();
        let mut team = TeamRow {
            id: uuid::Uuid::now_v7().to_string(),
            organization_id: org.id.clone(),
            display_name,
            description,
            logo_url: input.logo_url,
            team_type: team_type.as_str().into(),
            created_by: caller.id.clone(),
            created_at: now,
            updated_at: now,
            version: 1,
            member_count: 0,
        };
        store::insert_team(&txn, &team).await?;
        let created = self.event(
            TEAM_CREATED,
            &caller.subject,
            &org.id,
            &team.id,
            team.version,
            &pb::TeamCreated {
                team: Some(team_to_proto(&team)),
            },
        )?;
        // The creator is its first member and administrator.
        store::upsert_member(&txn, &team.id, &caller.id, true, now).await?;
        self.touch_team(&txn, &mut team).await?;
        team.member_count = 1;
        let member = store::member(&txn, &team.id, &caller.id)
            .await?
            .ok_or_else(|| Error::Precondition("membership vanished".into()))?;
        let added = self.member_added_event(&caller, &team, &member)?;
        self.outbox.append(&txn, &[created, added]).await?;
        self.outbox.commit(txn).await?;
        tracing::info!(team = %team.id, organization = %org.id, "team created");
        Ok(team_to_proto(&team))
    }

    pub(crate) fn member_added_event(
        &self,
        caller: &UserRow,
        team: &TeamRow,
        member: &MemberRow,
    ) -> Result<interlink_proto::events::v1::Event> {
        self.event(
            TEAM_MEMBER_ADDED,
            &caller.subject,
            &team.organization_id,
            &team.id,
            team.version,
            &pb::TeamMemberAdded {
                member: Some(member_to_proto(member)),
                organization: organization_name(&team.organization_id),
                team_type: team_type_to_proto(&team.team_type),
            },
        )
    }

    pub(crate) async fn get_team(&self, request: Request<pb::GetTeamRequest>) -> Result<pb::Team> {
        let caller = self.maybe_caller(&request).await?;
        let access = self
            .visible_team(
                &self.db,
                "name",
                &request.get_ref().name,
                caller.as_ref(),
                false,
            )
            .await?;
        Ok(team_to_proto(&access.team))
    }

    pub(crate) async fn list_teams(
        &self,
        request: Request<pb::ListTeamsRequest>,
    ) -> Result<pb::ListTeamsResponse> {
        let caller = self.maybe_caller(&request).await?;
        let request = request.into_inner();
        let limit = page_size(request.page_size)?;
        let after = page_token(&request.page_token)?;
        let (org, _) = self
            .visible_organization(&self.db, "parent", &request.parent, caller.as_ref(), false)
            .await?;
        let mut teams = store::list_teams(&self.db, &org.id, after.as_deref(), limit + 1).await?;
        let next_page_token = take_page(&mut teams, limit, |row| &row.id);
        Ok(pb::ListTeamsResponse {
            teams: teams.iter().map(team_to_proto).collect(),
            next_page_token,
        })
    }

    pub(crate) async fn update_team(
        &self,
        request: Request<pb::UpdateTeamRequest>,
    ) -> Result<pb::Team> {
        let caller = self.caller(&request).await?;
        let request = request.into_inner();
        let input = request
            .team
            .ok_or_else(|| Error::invalid("team", "is required"))?;
        let paths = mask_paths(
            &request.update_mask,
            &["display_name", "description", "logo_url", "type"],
        )?;
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        let access = self
            .visible_team(&txn, "team.name", &input.name, Some(&caller), true)
            .await?;
        Self::require_team_manage(&access)?;
        let before = access.team;
        let mut after = before.clone();
        let mut violations = Vec::new();
        for path in &paths {
            match *path {
                "display_name" => {
                    after.display_name = text(&input.display_name);
                    check_translatable(
                        "team.display_name",
                        &after.display_name,
                        true,
                        domain::MAX_NAME_CHARS,
                        &mut violations,
                    );
                }
                "description" => {
                    after.description = text(&input.description);
                    check_translatable(
                        "team.description",
                        &after.description,
                        false,
                        domain::MAX_DESCRIPTION_CHARS,
                        &mut violations,
                    );
                }
                "logo_url" => {
                    check_url("team.logo_url", &input.logo_url, &mut violations);
                    after.logo_url = input.logo_url.clone();
                }
                _ => {
                    // Unset: the organisation's default, as when created.
                    let team_type = if input.r#type == pb::TeamType::Unspecified as i32 {
                        Some(default_team_type(&access.organization))
                    } else {
                        team_type_from_proto("team.type", input.r#type, &mut violations)
                    };
                    if let Some(t) = team_type {
                        after.team_type = t.as_str().into();
                    }
                }
            }
        }
        if !violations.is_empty() {
            return Err(Error::Invalid(violations));
        }
        if after == before {
            return Ok(team_to_proto(&before));
        }
        self.touch_team(&txn, &mut after).await?;
        let event = self.event(
            TEAM_UPDATED,
            &caller.subject,
            &after.organization_id,
            &after.id,
            after.version,
            &pb::TeamUpdated {
                team: Some(team_to_proto(&after)),
                changed_fields: paths.iter().map(|p| (*p).to_owned()).collect(),
            },
        )?;
        self.outbox.append(&txn, &[event]).await?;
        self.outbox.commit(txn).await?;
        Ok(team_to_proto(&after))
    }

    /// Deletes a team inside `txn` and returns its event (the caller appends it).
    pub(crate) async fn delete_team_in(
        &self,
        txn: &impl ConnectionTrait,
        caller: &UserRow,
        team_id: &str,
    ) -> Result<interlink_proto::events::v1::Event> {
        let team = store::team(txn, team_id, true)
            .await?
            .ok_or_else(|| Error::NotFound {
                kind: "team",
                id: team_name(team_id),
            })?;
        let members = store::members(txn, team_id).await?;
        store::delete_team(txn, team_id).await?;
        self.event(
            TEAM_DELETED,
            &caller.subject,
            &team.organization_id,
            &team.id,
            team.version + 1,
            &pb::TeamDeleted {
                team: team_name(&team.id),
                organization: organization_name(&team.organization_id),
                member_subjects: members.into_iter().map(|m| m.subject).collect(),
            },
        )
    }

    pub(crate) async fn delete_team(&self, request: Request<pb::DeleteTeamRequest>) -> Result<()> {
        let caller = self.caller(&request).await?;
        let name = request.into_inner().name;
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        let access = self
            .visible_team(&txn, "name", &name, Some(&caller), true)
            .await?;
        Self::require_team_manage(&access)?;
        let event = self.delete_team_in(&txn, &caller, &access.team.id).await?;
        self.outbox.append(&txn, &[event]).await?;
        self.outbox.commit(txn).await?;
        tracing::info!(team = %access.team.id, organization = %access.organization.id, "team deleted");
        Ok(())
    }

    pub(crate) async fn add_team_member(
        &self,
        request: Request<pb::AddTeamMemberRequest>,
    ) -> Result<pb::TeamMember> {
        let caller = self.caller(&request).await?;
        let request = request.into_inner();
        let user_id = parse_name("user", "users", &request.user)?;
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        let access = self
            .visible_team(&txn, "team", &request.team, Some(&caller), true)
            .await?;
        Self::require_team_manage(&access)?;
        let mut team = access.team;
        let user = self.live_user(&txn, user_id, &request.user).await?;
        let existing = store::member(&txn, &team.id, &user.id).await?;
        let joined_at = match &existing {
            Some(m) if m.administrator == request.administrator => {
                return Err(Error::AlreadyExists(format!(
                    "{} is already a{} of {}",
                    request.user,
                    if m.administrator {
                        "n administrator"
                    } else {
                        " member"
                    },
                    request.team
                )));
            }
            Some(m) => {
                // A role change: a team keeps at least one administrator.
                if m.administrator && self.administrators_of(&txn, &team.id).await? == 1 {
                    return Err(Error::Precondition(format!(
                        "{} is the last administrator of {}; make another member administrator first",
                        request.user, request.team
                    )));
                }
                m.joined_at
            }
            None => now_ms(),
        };
        store::upsert_member(&txn, &team.id, &user.id, request.administrator, joined_at).await?;
        self.touch_team(&txn, &mut team).await?;
        let member = store::member(&txn, &team.id, &user.id)
            .await?
            .ok_or_else(|| Error::Precondition("membership vanished".into()))?;
        let event = self.member_added_event(&caller, &team, &member)?;
        self.outbox.append(&txn, &[event]).await?;
        self.outbox.commit(txn).await?;
        Ok(member_to_proto(&member))
    }

    async fn administrators_of(&self, db: &impl ConnectionTrait, team: &str) -> Result<usize> {
        Ok(store::members(db, team)
            .await?
            .iter()
            .filter(|m| m.administrator)
            .count())
    }

    pub(crate) async fn remove_team_member(
        &self,
        request: Request<pb::RemoveTeamMemberRequest>,
    ) -> Result<()> {
        let caller = self.caller(&request).await?;
        let request = request.into_inner();
        let user_id = parse_name("user", "users", &request.user)?;
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        let access = self
            .visible_team(&txn, "team", &request.team, Some(&caller), true)
            .await?;
        // Members may leave; administrators may remove anyone.
        if user_id != caller.id {
            Self::require_team_manage(&access)?;
        }
        let mut team = access.team;
        let member = store::member(&txn, &team.id, user_id)
            .await?
            .ok_or_else(|| Error::NotFound {
                kind: "member",
                id: format!("{} in {}", request.user, request.team),
            })?;
        if member.administrator && self.administrators_of(&txn, &team.id).await? == 1 {
            return Err(Error::Precondition(format!(
                "{} is the last administrator of {}; make another member administrator first, or delete the team",
                request.user, request.team
            )));
        }
        store::remove_member(&txn, &team.id, user_id).await?;
        self.touch_team(&txn, &mut team).await?;
        let event = self.event(
            TEAM_MEMBER_REMOVED,
            &caller.subject,
            &team.organization_id,
            &team.id,
            team.version,
            &pb::TeamMemberRemoved {
                team: team_name(&team.id),
                user: user_name(user_id),
                subject: member.subject,
                organization: organization_name(&team.organization_id),
                team_type: team_type_to_proto(&team.team_type),
            },
        )?;
        self.outbox.append(&txn, &[event]).await?;
        self.outbox.commit(txn).await?;
        Ok(())
    }

    pub(crate) async fn list_team_members(
        &self,
        request: Request<pb::ListTeamMembersRequest>,
    ) -> Result<pb::ListTeamMembersResponse> {
        let caller = self.maybe_caller(&request).await?;
        let access = self
            .visible_team(
                &self.db,
                "team",
                &request.get_ref().team,
                caller.as_ref(),
                false,
            )
            .await?;
        let members = store::members(&self.db, &access.team.id).await?;
        // OIDC subjects are identifiers of people: not for anonymous callers.
        let anonymous = caller.is_none();
        Ok(pb::ListTeamMembersResponse {
            members: members
                .iter()
                .map(|m| {
                    let mut member = member_to_proto(m);
                    if anonymous {
                        member.subject.clear();
                    }
                    member
                })
                .collect(),
        })
    }
}
