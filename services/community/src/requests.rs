//! Ways into a team other than being added: join applications (the user
//! asks, the team decides) and invitations (the team asks, the invitee
//! accepts with a single-use token).

use base64::Engine;
use interlink_proto::community::v1 as pb;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tonic::Request;

use crate::domain::is_email;
use crate::error::{Error, Result};
use crate::events::*;
use crate::grpc::{CommunityApi, now_ms, organization_name, parse_name, timestamp, user_name};
use crate::store::{self, ApplicationRow, InvitationRow, UserRow};
use crate::teams::{member_to_proto, team_name};

/// Longest application reason.
const MAX_REASON_CHARS: usize = 2_000;
/// Default and longest validity of an invitation.
const DEFAULT_VALID_HOURS: i32 = 168;
const MAX_VALID_HOURS: i32 = 720;

fn application_state(stored: &str) -> i32 {
    use pb::team_application::State;
    match stored {
        "pending" => State::Pending as i32,
        "accepted" => State::Accepted as i32,
        "rejected" => State::Rejected as i32,
        "withdrawn" => State::Withdrawn as i32,
        _ => State::Unspecified as i32,
    }
}

pub(crate) fn application_to_proto(a: &ApplicationRow) -> pb::TeamApplication {
    pb::TeamApplication {
        name: format!("teamApplications/{}", a.id),
        team: team_name(&a.team_id),
        applicant: user_name(&a.user_id),
        applicant_subject: a.subject.clone(),
        reason: a.reason.clone(),
        state: application_state(&a.state),
        create_time: Some(timestamp(a.created_at)),
        decide_time: a.decided_at.map(timestamp),
        decided_by: a.decided_by.as_deref().map(user_name).unwrap_or_default(),
    }
}

/// The state a caller sees: a pending invitation past its expiry is expired.
fn invitation_state(i: &InvitationRow, now: i64) -> i32 {
    use pb::invitation::State;
    match i.state.as_str() {
        "pending" if i.expires_at <= now => State::Expired as i32,
        "pending" => State::Pending as i32,
        "accepted" => State::Accepted as i32,
        "revoked" => State::Revoked as i32,
        _ => State::Unspecified as i32,
    }
}

pub(crate) fn invitation_to_proto(i: &InvitationRow, now: i64) -> pb::Invitation {
    pb::Invitation {
        name: format!("invitations/{}", i.id),
        team: team_name(&i.team_id),
        email: i.email.clone(),
        administrator: i.administrator,
        state: invitation_state(i, now),
        expire_time: Some(timestamp(i.expires_at)),
        token: String::new(),
        inviter: user_name(&i.invited_by),
        accepted_by: i.accepted_by.as_deref().map(user_name).unwrap_or_default(),
        create_time: Some(timestamp(i.created_at)),
    }
}

fn token_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl CommunityApi {
    pub(crate) async fn apply_to_team(
        &self,
        request: Request<pb::ApplyToTeamRequest>,
    ) -> Result<pb::TeamApplication> {
        let caller = self.caller(&request).await?;
        let request = request.into_inner();
        let mut violations = Vec::new();
        let reason = interlink_runtime::validation::check_paragraphs(
            "reason",
            &request.reason,
            MAX_REASON_CHARS,
            &mut violations,
        );
        if !violations.is_empty() {
            return Err(Error::Invalid(violations));
        }
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        self.live_caller(&txn, &caller).await?;
        let access = self
            .visible_team(&txn, "team", &request.team, Some(&caller), true)
            .await?;
        let team = access.team;
        if store::member(&txn, &team.id, &caller.id).await?.is_some() {
            return Err(Error::AlreadyExists(format!(
                "you are already a member of {}",
                request.team
            )));
        }
        if !store::applications(&txn, &team.id, Some(&caller.id), true)
            .await?
            .is_empty()
        {
            return Err(Error::AlreadyExists(format!(
                "you already have a pending application to {}",
                request.team
            )));
        }
        let application = ApplicationRow {
            id: uuid::Uuid::now_v7().to_string(),
            team_id: team.id.clone(),
            user_id: caller.id.clone(),
            subject: caller.subject.clone(),
            reason,
            state: "pending".into(),
            created_at: now_ms(),
            decided_at: None,
            decided_by: None,
        };
        store::insert_application(&txn, &application).await?;
        let proto = application_to_proto(&application);
        let event = self.event(
            APPLICATION_SUBMITTED,
            &caller.subject,
            &team.organization_id,
            &application.id,
            1,
            &pb::TeamApplicationSubmitted {
                application: Some(proto.clone()),
                organization: organization_name(&team.organization_id),
            },
        )?;
        self.outbox.append(&txn, &[event]).await?;
        self.outbox.commit(txn).await?;
        Ok(proto)
    }

    pub(crate) async fn list_team_applications(
        &self,
        request: Request<pb::ListTeamApplicationsRequest>,
    ) -> Result<pb::ListTeamApplicationsResponse> {
        let caller = self.caller(&request).await?;
        let access = self
            .visible_team(
                &self.db,
                "team",
                &request.get_ref().team,
                Some(&caller),
                false,
            )
            .await?;
        // Administrators see every application; others their own.
        let only = (!access.manage).then_some(caller.id.as_str());
        let applications = store::applications(&self.db, &access.team.id, only, false).await?;
        Ok(pb::ListTeamApplicationsResponse {
            applications: applications.iter().map(application_to_proto).collect(),
        })
    }

    /// Accepts, rejects or withdraws the application `name`.
    pub(crate) async fn decide_application(
        &self,
        caller: UserRow,
        name: &str,
        decision: &'static str,
    ) -> Result<pb::TeamApplication> {
        let id = parse_name("name", "teamApplications", name)?;
        let not_found = || Error::NotFound {
            kind: "team application",
            id: name.to_owned(),
        };
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        let application = store::application(&txn, id).await?.ok_or_else(not_found)?;
        let access = match self
            .visible_team(
                &txn,
                "name",
                &team_name(&application.team_id),
                Some(&caller),
                true,
            )
            .await
        {
            Ok(access) => access,
            Err(Error::NotFound { .. }) => return Err(not_found()),
            Err(e) => return Err(e),
        };
        if decision == "withdrawn" {
            if application.user_id != caller.id {
                return Err(Error::Denied(
                    "only the applicant may withdraw an application".into(),
                ));
            }
        } else {
            Self::require_team_manage(&access)?;
        }
        let now = now_ms();
        if !store::decide_application(&txn, &application.id, decision, now, &caller.id).await? {
            return Err(Error::Precondition(format!(
                "{name} is already {}; only pending applications can be {decision}",
                application.state
            )));
        }
        let decided = ApplicationRow {
            state: decision.into(),
            decided_at: Some(now),
            decided_by: Some(caller.id.clone()),
            ..application
        };
        let proto = application_to_proto(&decided);
        let mut team = access.team;
        let event_type = match decision {
            "accepted" => APPLICATION_ACCEPTED,
            "rejected" => APPLICATION_REJECTED,
            _ => APPLICATION_WITHDRAWN,
        };
        let mut events = vec![self.event(
            event_type,
            &caller.subject,
            &team.organization_id,
            &decided.id,
            2,
            &pb::TeamApplicationDecided {
                application: Some(proto.clone()),
                organization: organization_name(&team.organization_id),
            },
        )?];
        if decision == "accepted" {
            // An erased applicant's applications were withdrawn; this
            // re-check covers an erasure racing with the acceptance.
            self.live_user(&txn, &decided.user_id, &user_name(&decided.user_id))
                .await?;
        }
        if decision == "accepted"
            && store::member(&txn, &team.id, &decided.user_id)
                .await?
                .is_none()
        {
            store::upsert_member(&txn, &team.id, &decided.user_id, false, now).await?;
            self.touch_team(&txn, &mut team).await?;
            let member = store::member(&txn, &team.id, &decided.user_id)
                .await?
                .ok_or_else(|| Error::Precondition("membership vanished".into()))?;
            events.push(self.member_added_event(&caller, &team, &member)?);
        }
        self.outbox.append(&txn, &events).await?;
        self.outbox.commit(txn).await?;
        Ok(proto)
    }

    pub(crate) async fn create_invitation(
        &self,
        request: Request<pb::CreateInvitationRequest>,
    ) -> Result<pb::Invitation> {
        let caller = self.caller(&request).await?;
        let request = request.into_inner();
        let mut violations = Vec::new();
        let email = request.email.clone();
        if !is_email(&email) {
            violations.push(crate::domain::Violation::new(
                "email",
                "is not an e-mail address",
            ));
        }
        let hours = match request.valid_hours {
            0 => DEFAULT_VALID_HOURS,
            h if (1..=MAX_VALID_HOURS).contains(&h) => h,
            _ => {
                violations.push(crate::domain::Violation::new(
                    "valid_hours",
                    format!("must be between 1 and {MAX_VALID_HOURS}"),
                ));
                0
            }
        };
        if !violations.is_empty() {
            return Err(Error::Invalid(violations));
        }
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        let access = self
            .visible_team(&txn, "team", &request.team, Some(&caller), true)
            .await?;
        Self::require_team_manage(&access)?;
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
        let now = now_ms();
        let invitation = InvitationRow {
            id: uuid::Uuid::now_v7().to_string(),
            team_id: access.team.id.clone(),
            email,
            administrator: request.administrator,
            token_sha256: token_digest(&token),
            state: "pending".into(),
            expires_at: now + i64::from(hours) * 3_600_000,
            invited_by: caller.id.clone(),
            accepted_by: None,
            created_at: now,
        };
        store::insert_invitation(&txn, &invitation).await?;
        let proto = invitation_to_proto(&invitation, now);
        let event = self.event(
            INVITATION_CREATED,
            &caller.subject,
            &access.team.organization_id,
            &invitation.id,
            1,
            &pb::InvitationCreated {
                invitation: Some(proto.clone()),
                organization: organization_name(&access.team.organization_id),
            },
        )?;
        self.outbox.append(&txn, &[event]).await?;
        self.outbox.commit(txn).await?;
        Ok(pb::Invitation { token, ..proto })
    }

    pub(crate) async fn list_invitations(
        &self,
        request: Request<pb::ListInvitationsRequest>,
    ) -> Result<pb::ListInvitationsResponse> {
        let caller = self.caller(&request).await?;
        let access = self
            .visible_team(
                &self.db,
                "team",
                &request.get_ref().team,
                Some(&caller),
                false,
            )
            .await?;
        Self::require_team_manage(&access)?;
        let now = now_ms();
        Ok(pb::ListInvitationsResponse {
            invitations: store::invitations(&self.db, &access.team.id)
                .await?
                .iter()
                .map(|i| invitation_to_proto(i, now))
                .collect(),
        })
    }

    pub(crate) async fn accept_invitation(
        &self,
        request: Request<pb::AcceptInvitationRequest>,
    ) -> Result<pb::TeamMember> {
        let caller = self.caller(&request).await?;
        let token = request.into_inner().token;
        if token.is_empty() {
            return Err(Error::invalid("token", "is required"));
        }
        // What `create_invitation` hands out: 32 random bytes, base64url.
        if token.len() != 43
            || !token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(Error::invalid(
                "token",
                "is not an invitation token (43 letters, digits, `-` and `_`)",
            ));
        }
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        self.live_caller(&txn, &caller).await?;
        let invitation = store::invitation(&txn, None, Some(&token_digest(&token)))
            .await?
            .ok_or_else(|| Error::NotFound {
                kind: "invitation",
                id: "for this token".into(),
            })?;
        let now = now_ms();
        match invitation_state(&invitation, now) {
            s if s == pb::invitation::State::Pending as i32 => {}
            s if s == pb::invitation::State::Expired as i32 => {
                return Err(Error::Precondition("this invitation has expired".into()));
            }
            s if s == pb::invitation::State::Revoked as i32 => {
                return Err(Error::Precondition("this invitation was revoked".into()));
            }
            _ => {
                return Err(Error::Precondition(
                    "this invitation was already used".into(),
                ));
            }
        }
        let mut team = store::team(&txn, &invitation.team_id, true)
            .await?
            .ok_or_else(|| {
                Error::Precondition("the team of this invitation no longer exists".into())
            })?;
        if !store::close_invitation(&txn, &invitation.id, "accepted", Some(&caller.id)).await? {
            return Err(Error::Precondition(
                "this invitation was already used".into(),
            ));
        }
        let accepted = InvitationRow {
            state: "accepted".into(),
            accepted_by: Some(caller.id.clone()),
            ..invitation
        };
        let mut events = vec![self.event(
            INVITATION_ACCEPTED,
            &caller.subject,
            &team.organization_id,
            &accepted.id,
            2,
            &pb::InvitationDecided {
                invitation: Some(invitation_to_proto(&accepted, now)),
                organization: organization_name(&team.organization_id),
            },
        )?];
        let existing = store::member(&txn, &team.id, &caller.id).await?;
        let administrator =
            accepted.administrator || existing.as_ref().is_some_and(|m| m.administrator);
        if existing.as_ref().map(|m| m.administrator) != Some(administrator) {
            let joined = existing.as_ref().map_or(now, |m| m.joined_at);
            store::upsert_member(&txn, &team.id, &caller.id, administrator, joined).await?;
            self.touch_team(&txn, &mut team).await?;
            let member = store::member(&txn, &team.id, &caller.id)
                .await?
                .ok_or_else(|| Error::Precondition("membership vanished".into()))?;
            events.push(self.member_added_event(&caller, &team, &member)?);
        }
        let member = store::member(&txn, &team.id, &caller.id)
            .await?
            .ok_or_else(|| Error::Precondition("membership vanished".into()))?;
        self.outbox.append(&txn, &events).await?;
        self.outbox.commit(txn).await?;
        Ok(member_to_proto(&member))
    }

    pub(crate) async fn revoke_invitation(
        &self,
        request: Request<pb::RevokeInvitationRequest>,
    ) -> Result<pb::Invitation> {
        let caller = self.caller(&request).await?;
        let name = request.into_inner().name;
        let id = parse_name("name", "invitations", &name)?;
        let not_found = || Error::NotFound {
            kind: "invitation",
            id: name.clone(),
        };
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        let invitation = store::invitation(&txn, Some(id), None)
            .await?
            .ok_or_else(not_found)?;
        let access = match self
            .visible_team(
                &txn,
                "name",
                &team_name(&invitation.team_id),
                Some(&caller),
                true,
            )
            .await
        {
            Ok(access) => access,
            Err(Error::NotFound { .. }) => return Err(not_found()),
            Err(e) => return Err(e),
        };
        Self::require_team_manage(&access)?;
        if !store::close_invitation(&txn, &invitation.id, "revoked", None).await? {
            return Err(Error::Precondition(format!(
                "{name} is already {}; only pending invitations can be revoked",
                invitation.state
            )));
        }
        let now = now_ms();
        let revoked = InvitationRow {
            state: "revoked".into(),
            ..invitation
        };
        let proto = invitation_to_proto(&revoked, now);
        let event = self.event(
            INVITATION_REVOKED,
            &caller.subject,
            &access.team.organization_id,
            &revoked.id,
            2,
            &pb::InvitationDecided {
                invitation: Some(proto.clone()),
                organization: organization_name(&access.team.organization_id),
            },
        )?;
        self.outbox.append(&txn, &[event]).await?;
        self.outbox.commit(txn).await?;
        Ok(proto)
    }
}
