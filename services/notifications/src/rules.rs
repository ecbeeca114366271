//! Which event notifies whom: pure decisions, free of storage. An event
//! gives [`Notice`]s, each naming its audience symbolically
//! ([`Audience`]); the store resolves audiences to people from its
//! projections. Who acted is never told of their own act.

use interlink_proto::community::v1 as community;
use interlink_proto::coproduction::v1 as coproduction;
use interlink_proto::events::v1::Event;
use interlink_runtime::api::id_in;
use interlink_runtime::events::payload;

/// What a notification tells of; its code is what the inbox stores and
/// what preferences name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Added to a team.
    TeamMemberAdded,
    /// Removed from a team.
    TeamMemberRemoved,
    /// A team of theirs was given a process or an item of one.
    TeamGranted,
    /// Someone applied to a team they administer.
    ApplicationSubmitted,
    /// Their application was decided.
    ApplicationDecided,
    /// They were invited to a team.
    Invitation,
    /// A claim of work in a process they administer.
    ClaimSubmitted,
    /// Their claim was decided.
    ClaimDecided,
    /// A task their team holds can start.
    TaskStartable,
    /// A process they take part in finished.
    ProcessFinished,
    /// A story of a process they take part in was published.
    StoryPublished,
    /// A webhook of an organisation they administer was disabled after a
    /// day of failed deliveries.
    WebhookDisabled,
    /// They, or a team of theirs, were asked to contribute to a task or an
    /// asset.
    ContributionRequested,
}

impl Kind {
    /// Every kind, in the order the API numbers them.
    pub const ALL: [Kind; 13] = [
        Kind::TeamMemberAdded,
        Kind::TeamMemberRemoved,
        Kind::TeamGranted,
        Kind::ApplicationSubmitted,
        Kind::ApplicationDecided,
        Kind::Invitation,
        Kind::ClaimSubmitted,
        Kind::ClaimDecided,
        Kind::TaskStartable,
        Kind::ProcessFinished,
        Kind::StoryPublished,
        Kind::WebhookDisabled,
        Kind::ContributionRequested,
    ];

    /// Its stored code (also its message id in the templates).
    pub fn code(self) -> &'static str {
        match self {
            Kind::TeamMemberAdded => "team_member_added",
            Kind::TeamMemberRemoved => "team_member_removed",
            Kind::TeamGranted => "team_granted",
            Kind::ApplicationSubmitted => "application_submitted",
            Kind::ApplicationDecided => "application_decided",
            Kind::Invitation => "invitation",
            Kind::ClaimSubmitted => "claim_submitted",
            Kind::ClaimDecided => "claim_decided",
            Kind::TaskStartable => "task_startable",
            Kind::ProcessFinished => "process_finished",
            Kind::StoryPublished => "story_published",
            Kind::WebhookDisabled => "webhook_disabled",
            Kind::ContributionRequested => "contribution_requested",
        }
    }

    /// The kind of a stored code.
    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Its number in the API (`NotificationKind`).
    pub fn number(self) -> i32 {
        Kind::ALL
            .iter()
            .position(|k| *k == self)
            .map_or(0, |i| i as i32 + 1)
    }
}

/// Who hears of a notice, before the store knows the people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// One person, by user id.
    User(String),
    /// Whoever registered with this e-mail address (compared without case).
    Email(String),
    /// The members of a team.
    TeamMembers(String),
    /// The administrators of a team and of its organisation.
    TeamAdministrators(String),
    /// The administrators of a process.
    ProcessAdministrators(String),
    /// The administrators of an organisation.
    OrganizationAdministrators(String),
    /// Everyone taking part in a process: its administrators and the
    /// members of every team granted any part of it.
    ProcessParticipants(String),
    /// The members of the teams holding a task: granted the task, its
    /// objective, its phase or the whole process.
    TaskHolders {
        /// The process's id.
        process: String,
        /// The task's id.
        task: String,
    },
}

/// One thing to tell an audience.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// What it tells of.
    pub kind: Kind,
    /// Who hears of it.
    pub audience: Vec<Audience>,
    /// The resource it concerns (`teams/{id}` …).
    pub target: String,
    /// Its page in the web front end.
    pub link: String,
    /// The team its text names, if any (id).
    pub team: String,
    /// The process its text names, if any (id).
    pub process: String,
    /// The item its text names, if any (id).
    pub item: String,
    /// Further words of its text (`decision`, `story` …).
    pub args: serde_json::Map<String, serde_json::Value>,
}

impl Notice {
    /// A notice of `kind` to `audience` about `target`, whose page is
    /// `link`.
    pub fn new(kind: Kind, audience: Vec<Audience>, target: String, link: String) -> Self {
        Self {
            kind,
            audience,
            target,
            link,
            team: String::new(),
            process: String::new(),
            item: String::new(),
            args: serde_json::Map::new(),
        }
    }

    fn team(mut self, team: &str) -> Self {
        self.team = team.to_owned();
        self
    }

    fn process(mut self, process: &str) -> Self {
        self.process = process.to_owned();
        self
    }

    fn item(mut self, item: &str) -> Self {
        self.item = item.to_owned();
        self
    }

    fn arg(mut self, name: &str, value: impl Into<String>) -> Self {
        self.args
            .insert(name.to_owned(), serde_json::Value::String(value.into()));
        self
    }
}

/// The id in a `collection/{id}` name (the name itself when it has
/// another form).
pub(crate) fn id(name: &str, collection: &str) -> String {
    id_in(name, collection).to_owned()
}

/// The web path of a tree item (`phases/{id}` …) of a process.
pub fn item_link(process: &str, item_name: &str) -> String {
    if item_name.is_empty() {
        format!("/processes/{process}")
    } else {
        format!("/processes/{process}/guide/{item_name}")
    }
}

/// The user id of the person who acted, if a person did.
pub fn actor_id(event: &Event) -> String {
    event
        .actor
        .as_ref()
        .filter(|a| a.kind == interlink_proto::events::v1::ActorKind::User as i32)
        .map(|a| interlink_runtime::api::user_id(&a.subject))
        .unwrap_or_default()
}

/// The notices an event gives, apart from those that need the state of a
/// process's tree after it ([`newly_startable`]) or before it (a process
/// finishing), which the store adds.
pub fn notices(event: &Event) -> Vec<Notice> {
    match event.r#type.as_str() {
        "community.team.member_added" => {
            let Some(added) = payload::<community::TeamMemberAdded>(event) else {
                return Vec::new();
            };
            let Some(member) = added.member else {
                return Vec::new();
            };
            let team = id(&member.team, "teams");
            vec![
                Notice::new(
                    Kind::TeamMemberAdded,
                    vec![Audience::User(id(&member.user, "users"))],
                    member.team.clone(),
                    format!("/teams/{team}"),
                )
                .team(&team),
            ]
        }
        "community.team.member_removed" => {
            let Some(removed) = payload::<community::TeamMemberRemoved>(event) else {
                return Vec::new();
            };
            let team = id(&removed.team, "teams");
            vec![
                Notice::new(
                    Kind::TeamMemberRemoved,
                    vec![Audience::User(id(&removed.user, "users"))],
                    removed.team.clone(),
                    format!("/teams/{team}"),
                )
                .team(&team),
            ]
        }
        "community.team_application.submitted" => {
            let Some(application) =
                payload::<community::TeamApplicationSubmitted>(event).and_then(|s| s.application)
            else {
                return Vec::new();
            };
            let team = id(&application.team, "teams");
            vec![
                Notice::new(
                    Kind::ApplicationSubmitted,
                    vec![Audience::TeamAdministrators(team.clone())],
                    application.name.clone(),
                    format!("/teams/{team}"),
                )
                .team(&team),
            ]
        }
        "community.team_application.accepted" | "community.team_application.rejected" => {
            let Some(application) =
                payload::<community::TeamApplicationDecided>(event).and_then(|d| d.application)
            else {
                return Vec::new();
            };
            let team = id(&application.team, "teams");
            let decision = if event.r#type.ends_with("accepted") {
                "accepted"
            } else {
                "rejected"
            };
            vec![
                Notice::new(
                    Kind::ApplicationDecided,
                    vec![Audience::User(id(&application.applicant, "users"))],
                    application.name.clone(),
                    format!("/teams/{team}"),
                )
                .team(&team)
                .arg("decision", decision),
            ]
        }
        "community.invitation.created" => {
            let Some(invitation) =
                payload::<community::InvitationCreated>(event).and_then(|c| c.invitation)
            else {
                return Vec::new();
            };
            let team = id(&invitation.team, "teams");
            vec![
                Notice::new(
                    Kind::Invitation,
                    vec![Audience::Email(invitation.email.to_lowercase())],
                    invitation.name.clone(),
                    format!("/teams/{team}"),
                )
                .team(&team),
            ]
        }
        "coproduction.grant.added" => {
            let Some(added) = payload::<coproduction::GrantAdded>(event) else {
                return Vec::new();
            };
            let Some(grant) = added.grant else {
                return Vec::new();
            };
            let process = id(&added.process, "processes");
            let team = id(&grant.team, "teams");
            let item = grant.item.rsplit('/').next().unwrap_or_default();
            let target = if grant.item.is_empty() {
                added.process.clone()
            } else {
                grant.item.clone()
            };
            vec![
                Notice::new(
                    Kind::TeamGranted,
                    vec![Audience::TeamMembers(team.clone())],
                    target,
                    item_link(&process, &grant.item),
                )
                .team(&team)
                .process(&process)
                .item(if grant.item.is_empty() { "" } else { item }),
            ]
        }
        "coproduction.claim.submitted" => {
            let Some(claim) = payload::<coproduction::ClaimSubmitted>(event).and_then(|c| c.claim)
            else {
                return Vec::new();
            };
            let process = claim_process(&claim.name);
            vec![
                Notice::new(
                    Kind::ClaimSubmitted,
                    vec![Audience::ProcessAdministrators(process.clone())],
                    claim.name.clone(),
                    claim_link(&process, &claim.target),
                )
                .process(&process)
                .item(task_of(&claim.target)),
            ]
        }
        "coproduction.contribution.requested" => {
            let Some(payload) = payload::<coproduction::ContributionRequested>(event) else {
                return Vec::new();
            };
            let Some(request) = payload.request else {
                return Vec::new();
            };
            let process = claim_process(&request.name);
            let mut audience: Vec<Audience> = request
                .users
                .iter()
                .map(|u| Audience::User(id(u, "users")))
                .collect();
            audience.extend(
                request
                    .teams
                    .iter()
                    .map(|t| Audience::TeamMembers(id(t, "teams"))),
            );
            // The title quotes the start of what is asked.
            let mut message: String = request.message.chars().take(200).collect();
            if message.len() < request.message.len() {
                message.push('…');
            }
            vec![
                Notice::new(
                    Kind::ContributionRequested,
                    audience,
                    request.name.clone(),
                    claim_link(&process, &request.target),
                )
                .process(&process)
                .item(task_of(&payload.task))
                .arg(
                    "message",
                    if message.is_empty() {
                        "none".to_owned()
                    } else {
                        message
                    },
                ),
            ]
        }
        "coproduction.claim.decided" => {
            let Some(claim) = payload::<coproduction::ClaimDecided>(event).and_then(|c| c.claim)
            else {
                return Vec::new();
            };
            let process = claim_process(&claim.name);
            let decision = if claim.state == coproduction::ClaimState::Accepted as i32 {
                "accepted"
            } else {
                "rejected"
            };
            vec![
                Notice::new(
                    Kind::ClaimDecided,
                    vec![Audience::User(id(&claim.claimant, "users"))],
                    claim.name.clone(),
                    claim_link(&process, &claim.target),
                )
                .process(&process)
                .item(task_of(&claim.target))
                .arg("decision", decision),
            ]
        }
        "coproduction.story.published" => {
            let Some(story) = payload::<coproduction::StoryPublished>(event).and_then(|s| s.story)
            else {
                return Vec::new();
            };
            let process = id(&story.process, "processes");
            let story_id = id(&story.name, "stories");
            vec![
                Notice::new(
                    Kind::StoryPublished,
                    vec![Audience::ProcessParticipants(process.clone())],
                    story.name.clone(),
                    format!("/stories/{story_id}"),
                )
                .process(&process)
                .arg("story", story.title),
            ]
        }
        _ => Vec::new(),
    }
}

/// The process id of `processes/{id}/claims/{id}`.
fn claim_process(claim: &str) -> String {
    claim
        .strip_prefix("processes/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
        .to_owned()
}

/// The task id a claim's target names, '' for an asset.
fn task_of(target: &str) -> &str {
    target.strip_prefix("tasks/").unwrap_or("")
}

/// Where a claim is decided: its task's page, or the process's resources
/// for a claim on an asset.
fn claim_link(process: &str, target: &str) -> String {
    if target.starts_with("tasks/") {
        item_link(process, target)
    } else {
        format!("/processes/{process}/resources")
    }
}

/// The notice of a process that finished.
pub fn process_finished(process: &str) -> Notice {
    Notice::new(
        Kind::ProcessFinished,
        vec![Audience::ProcessParticipants(process.to_owned())],
        format!("processes/{process}"),
        format!("/processes/{process}"),
    )
    .process(process)
}

/// The notice of a task that can start.
pub fn task_startable(process: &str, task: &str) -> Notice {
    Notice::new(
        Kind::TaskStartable,
        vec![Audience::TaskHolders {
            process: process.to_owned(),
            task: task.to_owned(),
        }],
        format!("tasks/{task}"),
        item_link(process, &format!("tasks/{task}")),
    )
    .process(process)
    .item(task)
}

/// One item of a process's tree, as the startable rule needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeNode {
    /// Its id.
    pub id: String,
    /// Phase, objective or task (`ItemKind`).
    pub kind: i32,
    /// Its parent's id ('' for a phase).
    pub parent: String,
    /// Its status (`Status`).
    pub status: i32,
    /// The ids of the siblings that must finish first.
    pub prerequisites: Vec<String>,
    /// Whether it is disabled.
    pub disabled: bool,
}

/// The tasks that can start now because the items in `finished_now` (ids)
/// finished: awaiting tasks, not disabled, whose own prerequisites and
/// those of their objective and phase are all finished (or disabled),
/// one of which is in `finished_now`. In tree order.
pub fn newly_startable(tree: &[TreeNode], finished_now: &[String]) -> Vec<String> {
    let by_id: std::collections::HashMap<&str, &TreeNode> =
        tree.iter().map(|n| (n.id.as_str(), n)).collect();
    let finished = |id: &str| {
        by_id
            .get(id)
            .is_none_or(|n| n.disabled || n.status == coproduction::Status::Finished as i32)
    };
    let mut out = Vec::new();
    for task in tree
        .iter()
        .filter(|n| n.kind == coproduction::ItemKind::Task as i32)
    {
        if task.disabled || task.status != coproduction::Status::Awaiting as i32 {
            continue;
        }
        // The task, its objective and its phase.
        let mut chain = vec![task];
        let mut parent = task.parent.as_str();
        while let Some(node) = by_id.get(parent) {
            if node.disabled {
                chain.clear();
                break;
            }
            chain.push(node);
            parent = node.parent.as_str();
        }
        if chain.is_empty() {
            continue;
        }
        let prerequisites: Vec<&str> = chain
            .iter()
            .flat_map(|n| n.prerequisites.iter().map(String::as_str))
            .collect();
        if prerequisites.iter().all(|p| finished(p))
            && prerequisites
                .iter()
                .any(|p| finished_now.iter().any(|f| f == p))
        {
            out.push(task.id.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use coproduction::{ItemKind, Status};

    fn node(id: &str, kind: ItemKind, parent: &str, status: Status, pre: &[&str]) -> TreeNode {
        TreeNode {
            id: id.into(),
            kind: kind as i32,
            parent: parent.into(),
            status: status as i32,
            prerequisites: pre.iter().map(|p| (*p).to_owned()).collect(),
            disabled: false,
        }
    }

    fn tree() -> Vec<TreeNode> {
        vec![
            node("p1", ItemKind::Phase, "", Status::Finished, &[]),
            node("p2", ItemKind::Phase, "", Status::Awaiting, &["p1"]),
            node("o1", ItemKind::Objective, "p2", Status::Awaiting, &[]),
            node("o2", ItemKind::Objective, "p2", Status::Awaiting, &["o1"]),
            node("t1", ItemKind::Task, "o1", Status::Awaiting, &[]),
            node("t2", ItemKind::Task, "o1", Status::Awaiting, &["t1"]),
            node("t3", ItemKind::Task, "o2", Status::Awaiting, &[]),
            node("t4", ItemKind::Task, "o1", Status::InProgress, &[]),
        ]
    }

    #[test]
    fn a_finished_phase_frees_the_awaiting_tasks_without_other_prerequisites() {
        // t2 still waits for t1; t3's objective waits for o1; t4 started.
        assert_eq!(newly_startable(&tree(), &["p1".into()]), vec!["t1"]);
    }

    #[test]
    fn a_finished_task_frees_its_dependent_sibling() {
        let mut tree = tree();
        tree[4].status = Status::Finished as i32;
        assert_eq!(newly_startable(&tree, &["t1".into()]), vec!["t2"]);
        // Something unrelated finishing frees nothing.
        assert!(newly_startable(&tree, &["t4".into()]).is_empty());
    }

    #[test]
    fn a_finished_objective_frees_the_tasks_of_the_objective_waiting_for_it() {
        let mut tree = tree();
        for n in &mut tree {
            if ["t1", "t2", "t4", "o1"].contains(&n.id.as_str()) {
                n.status = Status::Finished as i32;
            }
        }
        assert_eq!(
            newly_startable(&tree, &["t2".into(), "o1".into()]),
            vec!["t3"]
        );
    }

    #[test]
    fn disabled_items_neither_block_nor_start() {
        let mut tree = tree();
        tree[0].status = Status::Awaiting as i32;
        tree[0].disabled = true;
        tree[5].disabled = true;
        // p1 disabled counts as done; t2 disabled never starts.
        assert_eq!(newly_startable(&tree, &["p1".into()]), vec!["t1"]);
    }

    #[test]
    fn kinds_round_trip_through_their_codes_and_numbers() {
        for (i, kind) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(Kind::from_code(kind.code()), Some(kind));
            assert_eq!(kind.number(), i as i32 + 1);
        }
        assert_eq!(Kind::from_code("nothing"), None);
    }
}
