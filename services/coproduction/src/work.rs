//! Handlers of claims (who did what work), requests for contributions
//! (who is asked to work), and stories (what a process achieved), with
//! the stories' ratings.

use interlink_proto::coproduction::v1 as pb;
use interlink_runtime::api::{
    is_canonical_uuid, now_ms, page_size, parse_name, take_page, timestamp, uuid_page_token,
};
use interlink_runtime::auth::identity;
use interlink_runtime::db::begin_write;
use tonic::Request;

use crate::convert::{millis, process_name};
use crate::domain::{Kind, Status, Violation};
use crate::error::{Error, Result};
use crate::events::{
    CLAIM_DECIDED, CLAIM_SUBMITTED, CONTRIBUTION_REQUESTED, STORY_PUBLISHED, STORY_RATED,
    STORY_SHARING_CHANGED,
};
use crate::grpc::{CoproductionApi, parse_item_name};
use crate::store::{self, ClaimRow, StoryRow};

/// Longest claim description and story text field.
const MAX_DESCRIPTION_CHARS: usize = 2_000;
const MAX_STORY_TEXT_CHARS: usize = 10_000;
const MAX_STORY_TITLE_CHARS: usize = 200;
/// Most licences or keywords of a story, and the longest.
const MAX_WORDS: usize = 30;
const MAX_WORD_CHARS: usize = 60;

const CLAIM_TYPES: [(pb::ClaimType, &str); 3] = [
    (pb::ClaimType::Management, "management"),
    (pb::ClaimType::Development, "development"),
    (pb::ClaimType::Exploitation, "exploitation"),
];

fn claim_to(c: &ClaimRow) -> pb::Claim {
    pb::Claim {
        name: format!("processes/{}/claims/{}", c.process_id, c.id),
        target: if c.asset_id.is_empty() {
            format!("tasks/{}", c.task_id)
        } else {
            format!("assets/{}", c.asset_id)
        },
        r#type: CLAIM_TYPES
            .iter()
            .find(|(_, name)| *name == c.claim_type)
            .map(|(t, _)| *t as i32)
            .unwrap_or_default(),
        description: c.description.clone(),
        claimant: interlink_runtime::api::user_name(&c.claimant),
        state: match c.state.as_str() {
            "accepted" => pb::ClaimState::Accepted as i32,
            "rejected" => pb::ClaimState::Rejected as i32,
            _ => pb::ClaimState::Pending as i32,
        },
        decided_by: interlink_runtime::api::user_name(&c.decided_by),
        create_time: Some(timestamp(c.created_at)),
        decide_time: c.decided_at.map(timestamp),
    }
}

pub(crate) fn story_to(s: &StoryRow) -> pb::Story {
    pb::Story {
        name: format!("stories/{}", s.id),
        process: if s.process_id.is_empty() {
            String::new()
        } else {
            process_name(&s.process_id)
        },
        title: s.title.clone(),
        description: s.description.clone(),
        results: s.results.clone(),
        lessons_learned: s.lessons_learned.clone(),
        licences: s.licences.clone(),
        keywords: s.keywords.clone(),
        start_time: s.start_at.map(timestamp),
        end_time: s.end_at.map(timestamp),
        author: if s.author.is_empty() {
            String::new()
        } else {
            interlink_runtime::api::user_name(&s.author)
        },
        rating_average: if s.rating_count > 0 {
            s.rating_sum as f64 / s.rating_count as f64
        } else {
            0.0
        },
        rating_count: s.rating_count,
        publish_time: Some(timestamp(s.published_at)),
        shared: s.shared,
        origin: s.origin.as_ref().map(crate::convert::origin_to),
        withdrawn: s.withdrawn,
    }
}

/// The mask paths of UpdateStory.
const STORY_PATHS: [&str; 7] = [
    "title",
    "description",
    "results",
    "lessons_learned",
    "licences",
    "keywords",
    "shared",
];

/// Refuses changes to a mirror (another deployment's story).
fn local_story(story: &StoryRow, name: &str) -> Result<()> {
    match &story.origin {
        Some(origin) => Err(Error::Precondition(format!(
            "{name} is a mirror of {}'s story and read-only here",
            if origin.deployment_name.is_empty() {
                &origin.deployment
            } else {
                &origin.deployment_name
            }
        ))),
        None => Ok(()),
    }
}

/// Checks the fields of a story; the stored form.
pub(crate) fn story_fields(
    input: &pb::Story,
    out: &mut Vec<Violation>,
) -> (String, String, String, String, Vec<String>, Vec<String>) {
    let title = interlink_runtime::validation::check_line(
        "story.title",
        &input.title,
        true,
        MAX_STORY_TITLE_CHARS,
        out,
    );
    let text = |field: &str, value: &str, out: &mut Vec<Violation>| {
        interlink_runtime::validation::check_paragraphs(
            &format!("story.{field}"),
            value,
            MAX_STORY_TEXT_CHARS,
            out,
        )
    };
    let description = text("description", &input.description, out);
    let results = text("results", &input.results, out);
    let lessons = text("lessons_learned", &input.lessons_learned, out);
    let words = |field: &str, values: &[String], out: &mut Vec<Violation>| {
        if values.len() > MAX_WORDS {
            out.push(Violation::new(
                format!("story.{field}"),
                format!("has more than {MAX_WORDS} entries"),
            ));
        }
        for (i, v) in values.iter().enumerate() {
            let v = v.trim();
            if v.is_empty() || v.chars().count() > MAX_WORD_CHARS {
                out.push(Violation::new(
                    format!("story.{field}[{i}]"),
                    format!("must be 1 to {MAX_WORD_CHARS} characters"),
                ));
            } else if let Some(problem) = interlink_runtime::text::text_problem(v, false) {
                out.push(Violation::new(format!("story.{field}[{i}]"), problem));
            }
        }
        values
            .iter()
            .map(|v| v.trim().to_owned())
            .collect::<Vec<_>>()
    };
    let licences = words("licences", &input.licences, out);
    let keywords = words("keywords", &input.keywords, out);
    if let (Some(start), Some(end)) = (&input.start_time, &input.end_time)
        && millis(end) < millis(start)
    {
        out.push(Violation::new("story.end_time", "is before the start"));
    }
    (title, description, results, lessons, licences, keywords)
}

impl CoproductionApi {
    pub(crate) async fn create_claim_(
        &self,
        request: Request<pb::CreateClaimRequest>,
    ) -> Result<pb::Claim> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?.clone();
        let r = request.get_ref();
        let mut violations = Vec::new();
        let process_id = parse_name("parent", "processes", &r.parent)
            .map_err(|v| violations.push(v))
            .ok()
            .map(str::to_owned);
        let input = r.claim.clone().unwrap_or_default();
        if r.claim.is_none() {
            violations.push(Violation::new("claim", "is required"));
        }
        let target = work_target(
            "claim.target",
            &input.target,
            r.claim.is_some(),
            &mut violations,
        )?;
        let claim_type = CLAIM_TYPES
            .iter()
            .find(|(t, _)| *t as i32 == input.r#type)
            .map(|(_, name)| *name);
        if r.claim.is_some() && claim_type.is_none() {
            violations.push(Violation::new(
                "claim.type",
                "must be management, development or exploitation",
            ));
        }
        let description = interlink_runtime::validation::check_paragraphs(
            "claim.description",
            &input.description,
            MAX_DESCRIPTION_CHARS,
            &mut violations,
        );
        Error::check(violations)?;
        let process_id = process_id.unwrap_or_default();
        let (task_id, asset_id) = target.unwrap_or_default();
        let (process, task_id, asset_id) = self
            .work_task(
                &request,
                "claim.target",
                (&input.target, &r.parent),
                &process_id,
                (task_id, asset_id),
                "claiming work on",
            )
            .await?;
        let claim = ClaimRow {
            id: uuid::Uuid::now_v7().to_string(),
            process_id: process_id.clone(),
            task_id,
            asset_id,
            claim_type: claim_type.unwrap_or_default().to_owned(),
            description,
            claimant: caller.subject.clone(),
            state: "pending".into(),
            decided_by: String::new(),
            created_at: now_ms(),
            decided_at: None,
        };
        let txn = begin_write(&self.db).await?;
        store::save_claim(&txn, &claim).await?;
        let proto = claim_to(&claim);
        let event = self.event(
            CLAIM_SUBMITTED,
            &caller.subject,
            &process,
            &claim.id,
            1,
            &pb::ClaimSubmitted {
                claim: Some(proto.clone()),
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(proto)
    }

    pub(crate) async fn ask_for_contribution_(
        &self,
        request: Request<pb::AskForContributionRequest>,
    ) -> Result<pb::ContributionRequest> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?.clone();
        let r = request.get_ref();
        let mut violations = Vec::new();
        let process_id = parse_name("parent", "processes", &r.parent)
            .map_err(|v| violations.push(v))
            .ok()
            .map(str::to_owned);
        let input = r.contribution_request.clone().unwrap_or_default();
        if r.contribution_request.is_none() {
            violations.push(Violation::new("contribution_request", "is required"));
        }
        let field = "contribution_request.target";
        let target = work_target(
            field,
            &input.target,
            r.contribution_request.is_some(),
            &mut violations,
        )?;
        let users = distinct_ids(
            "contribution_request.users",
            "users",
            &input.users,
            &mut violations,
        );
        let teams = distinct_ids(
            "contribution_request.teams",
            "teams",
            &input.teams,
            &mut violations,
        );
        if users.len() > 50 {
            violations.push(Violation::new(
                "contribution_request.users",
                "must have at most 50 items",
            ));
        }
        if teams.len() > 20 {
            violations.push(Violation::new(
                "contribution_request.teams",
                "must have at most 20 items",
            ));
        }
        if r.contribution_request.is_some() && input.users.is_empty() && input.teams.is_empty() {
            violations.push(Violation::new(
                "contribution_request.users",
                "is required: name the users or the teams asked",
            ));
        }
        let message = interlink_runtime::validation::check_paragraphs(
            "contribution_request.message",
            &input.message,
            MAX_DESCRIPTION_CHARS,
            &mut violations,
        );
        Error::check(violations)?;
        let process_id = process_id.unwrap_or_default();
        let (task_id, asset_id) = target.unwrap_or_default();
        let (process, task_id, _) = self
            .work_task(
                &request,
                field,
                (&input.target, &r.parent),
                &process_id,
                (task_id, asset_id),
                "asking for contributions to",
            )
            .await?;
        for (i, user) in users.iter().enumerate() {
            if store::user_subject(&self.db, user).await?.is_none() {
                return Err(Error::invalid(
                    format!("contribution_request.users[{i}]"),
                    format!("users/{user} is not a known user"),
                ));
            }
        }
        for (i, team) in teams.iter().enumerate() {
            if store::team_organization(&self.db, team).await?.is_none() {
                return Err(Error::invalid(
                    format!("contribution_request.teams[{i}]"),
                    format!("teams/{team} is not a known team"),
                ));
            }
        }
        let id = uuid::Uuid::now_v7().to_string();
        let asked = pb::ContributionRequest {
            name: format!("processes/{process_id}/contributionRequests/{id}"),
            target: input.target.clone(),
            users: users.iter().map(|u| format!("users/{u}")).collect(),
            teams: teams.iter().map(|t| format!("teams/{t}")).collect(),
            message,
            requester: interlink_runtime::api::user_name(&caller.subject),
            create_time: Some(timestamp(now_ms())),
        };
        let txn = begin_write(&self.db).await?;
        let event = self.event(
            CONTRIBUTION_REQUESTED,
            &caller.subject,
            &process,
            &id,
            1,
            &pb::ContributionRequested {
                request: Some(asked.clone()),
                task: format!("tasks/{task_id}"),
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(asked)
    }

    pub(crate) async fn list_claims_(
        &self,
        request: Request<pb::ListClaimsRequest>,
    ) -> Result<pb::ListClaimsResponse> {
        let id = parse_name("parent", "processes", &request.get_ref().parent)?.to_owned();
        self.visible(&request, &id).await?;
        let claims = store::claims(&self.db, &id).await?;
        Ok(pb::ListClaimsResponse {
            claims: claims.iter().map(claim_to).collect(),
        })
    }

    pub(crate) async fn decide_claim_(
        &self,
        request: Request<pb::DecideClaimRequest>,
    ) -> Result<pb::Claim> {
        let r = request.get_ref();
        let bad = || {
            Error::invalid(
                "name",
                "must be a resource name `processes/{id}/claims/{id}`",
            )
        };
        let (process, claim) = r.name.split_once("/claims/").ok_or_else(bad)?;
        let process_id = parse_name("name", "processes", process)
            .map_err(|_| bad())?
            .to_owned();
        if !is_canonical_uuid(claim) {
            return Err(bad());
        }
        let txn = begin_write(&self.db).await?;
        let (row, subject) = self.administered(&txn, &request, &process_id).await?;
        let mut found = store::claims(&txn, &process_id)
            .await?
            .into_iter()
            .find(|c| c.id == claim)
            .ok_or_else(|| Error::NotFound(r.name.clone()))?;
        if found.state != "pending" {
            return Err(Error::Precondition(format!(
                "{} was {} already",
                r.name, found.state
            )));
        }
        found.state = if r.accept { "accepted" } else { "rejected" }.into();
        found.decided_by = subject.clone();
        found.decided_at = Some(now_ms());
        store::save_claim(&txn, &found).await?;
        let proto = claim_to(&found);
        let event = self.event(
            CLAIM_DECIDED,
            &subject,
            &row,
            &found.id,
            2,
            &pb::ClaimDecided {
                claim: Some(proto.clone()),
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(proto)
    }

    pub(crate) async fn create_story_(
        &self,
        request: Request<pb::CreateStoryRequest>,
    ) -> Result<pb::Story> {
        let r = request.get_ref();
        let mut violations = Vec::new();
        let process_id = parse_name("parent", "processes", &r.parent)
            .map_err(|v| violations.push(v))
            .ok()
            .map(str::to_owned);
        let input = r.story.clone().unwrap_or_default();
        if r.story.is_none() {
            violations.push(Violation::new("story", "is required"));
        }
        let (title, description, results, lessons_learned, licences, keywords) =
            story_fields(&input, &mut violations);
        Error::check(violations)?;
        let process_id = process_id.unwrap_or_default();
        let txn = begin_write(&self.db).await?;
        let (process, subject) = self.administered(&txn, &request, &process_id).await?;
        if process.status == Status::Awaiting {
            return Err(Error::Precondition(format!(
                "{} has not started: a story tells of a process in progress or finished",
                process_name(&process_id)
            )));
        }
        let story = StoryRow {
            id: uuid::Uuid::now_v7().to_string(),
            process_id,
            title,
            description,
            results,
            lessons_learned,
            licences,
            keywords,
            start_at: input.start_time.as_ref().map(millis),
            end_at: input.end_time.as_ref().map(millis),
            author: subject.clone(),
            rating_sum: 0,
            rating_count: 0,
            published_at: now_ms(),
            shared: input.shared,
            origin: None,
            withdrawn: false,
        };
        store::save_story(&txn, &story).await?;
        let proto = story_to(&story);
        let mut events = vec![self.event(
            STORY_PUBLISHED,
            &subject,
            &process,
            &story.id,
            1,
            &pb::StoryPublished {
                story: Some(proto.clone()),
            },
        )?];
        if story.shared {
            events.push(
                self.sharing_event(&txn, &subject, &process, &proto, 1)
                    .await?,
            );
        }
        self.commit(txn, &events).await?;
        Ok(proto)
    }

    /// The event telling the federation service of `story`'s sharing, with
    /// its process's document (without personal data) while shared.
    async fn sharing_event(
        &self,
        txn: &impl sea_orm::ConnectionTrait,
        subject: &str,
        process: &store::ProcessRow,
        story: &pb::Story,
        version: i64,
    ) -> Result<interlink_proto::events::v1::Event> {
        let process_document = if story.shared {
            self.shared_document(txn, process).await?
        } else {
            String::new()
        };
        self.event(
            STORY_SHARING_CHANGED,
            subject,
            process,
            story.name.trim_start_matches("stories/"),
            version,
            &pb::StorySharingChanged {
                story: Some(story.clone()),
                process_document,
            },
        )
    }

    pub(crate) async fn update_story_(
        &self,
        request: Request<pb::UpdateStoryRequest>,
    ) -> Result<pb::Story> {
        let r = request.get_ref();
        let mut violations = Vec::new();
        let input = r.story.clone().unwrap_or_default();
        if r.story.is_none() {
            violations.push(Violation::new("story", "is required"));
        }
        let id = parse_name("story.name", "stories", &input.name)
            .map_err(|v| violations.push(v))
            .ok()
            .map(str::to_owned);
        // An empty mask changes every field (AIP-134).
        let paths = match interlink_runtime::api::mask_paths(&r.update_mask, &STORY_PATHS) {
            Ok(paths) => paths,
            Err(mask_violations) => {
                violations.extend(mask_violations);
                Vec::new()
            }
        };
        // Every field is checked; only the masked ones are taken.
        let mut checked = Vec::new();
        let (title, description, results, lessons_learned, licences, keywords) =
            story_fields(&input, &mut checked);
        violations.extend(checked.into_iter().filter(|v| {
            paths.iter().any(|p| {
                v.field == format!("story.{p}") || v.field.starts_with(&format!("story.{p}["))
            })
        }));
        Error::check(violations)?;
        let id = id.unwrap_or_default();
        let name = format!("stories/{id}");
        let txn = begin_write(&self.db).await?;
        let mut story = store::story(&txn, &id)
            .await?
            .ok_or_else(|| Error::NotFound(name.clone()))?;
        local_story(&story, &name)?;
        let (process, subject) = match self.administered(&txn, &request, &story.process_id).await {
            // Hidden the same way as its process.
            Err(Error::NotFound(_)) => return Err(Error::NotFound(name)),
            other => other?,
        };
        let was_shared = story.shared;
        for path in &paths {
            match path.as_str() {
                "title" => story.title = title.clone(),
                "description" => story.description = description.clone(),
                "results" => story.results = results.clone(),
                "lessons_learned" => story.lessons_learned = lessons_learned.clone(),
                "licences" => story.licences = licences.clone(),
                "keywords" => story.keywords = keywords.clone(),
                "shared" => story.shared = input.shared,
                _ => {}
            }
        }
        store::save_story(&txn, &story).await?;
        let proto = story_to(&story);
        let mut events = Vec::new();
        if story.shared || was_shared {
            events.push(
                self.sharing_event(&txn, &subject, &process, &proto, now_ms())
                    .await?,
            );
        }
        self.commit(txn, &events).await?;
        Ok(proto)
    }

    pub(crate) async fn get_story_(
        &self,
        request: Request<pb::GetStoryRequest>,
    ) -> Result<pb::Story> {
        let name = &request.get_ref().name;
        let id = parse_name("name", "stories", name)?;
        let story = store::story(&self.db, id)
            .await?
            .ok_or_else(|| Error::NotFound(name.clone()))?;
        // Mirrors were shared by their origin: everyone's.
        if story.origin.is_some() {
            return Ok(story_to(&story));
        }
        // A story is as visible as its process, and hidden the same way.
        match self.visible(&request, &story.process_id).await {
            Err(Error::NotFound(_)) => return Err(Error::NotFound(name.clone())),
            other => other?,
        };
        Ok(story_to(&story))
    }

    pub(crate) async fn list_stories_(
        &self,
        request: Request<pb::ListStoriesRequest>,
    ) -> Result<pb::ListStoriesResponse> {
        let r = request.get_ref();
        let limit = page_size(r.page_size, 50, 500)?;
        let before = uuid_page_token(&r.page_token)?;
        let viewer = identity(&request).map(|caller| store::Viewer {
            subject: caller.subject.clone(),
            platform_admin: caller.platform_admin,
        });
        let mut origins = if r.origins.is_empty() {
            store::StoryOrigins::all()
        } else {
            store::StoryOrigins::default()
        };
        for origin in &r.origins {
            if origin == "local" {
                origins.local = true;
            } else {
                origins.deployments.push(origin.clone());
            }
        }
        let mut rows = store::list_stories_from(
            &self.db,
            None,
            Some(&viewer.unwrap_or_default()),
            before.as_deref(),
            limit + 1,
            &origins,
        )
        .await?;
        let next_page_token = take_page(&mut rows, limit, |s| s.id.clone());
        let origins = store::mirrored_story_origins(&self.db)
            .await?
            .into_iter()
            .map(|(origin, count)| pb::StoryOrigin {
                deployment: origin.deployment,
                deployment_name: origin.deployment_name,
                count,
            })
            .collect();
        Ok(pb::ListStoriesResponse {
            stories: rows.iter().map(story_to).collect(),
            next_page_token,
            origins,
        })
    }

    pub(crate) async fn rate_story_(
        &self,
        request: Request<pb::RateStoryRequest>,
    ) -> Result<pb::Story> {
        let rater = identity(&request)
            .ok_or(Error::Unauthenticated)?
            .subject
            .clone();
        let r = request.get_ref();
        let mut violations = Vec::new();
        let id = parse_name("story", "stories", &r.story)
            .map_err(|v| violations.push(v))
            .ok()
            .map(str::to_owned);
        if !(1..=5).contains(&r.value) {
            violations.push(Violation::new("value", "must be between 1 and 5"));
        }
        Error::check(violations)?;
        let id = id.unwrap_or_default();
        let txn = begin_write(&self.db).await?;
        let mut story = store::story(&txn, &id)
            .await?
            .ok_or_else(|| Error::NotFound(r.story.clone()))?;
        if story.origin.is_some() {
            return Err(Error::Precondition(format!(
                "{} is a mirror of another deployment's story: it is rated where it was written",
                r.story
            )));
        }
        // Only those who may see the story's process may rate it.
        match self.visible(&request, &story.process_id).await {
            Err(Error::NotFound(_)) => return Err(Error::NotFound(r.story.clone())),
            other => other?,
        };
        match store::story_rating(&txn, &id, &rater).await? {
            Some(previous) => story.rating_sum += i64::from(r.value - previous),
            None => {
                story.rating_sum += i64::from(r.value);
                story.rating_count += 1;
            }
        }
        store::set_story_rating(&txn, &id, &rater, r.value, now_ms()).await?;
        store::save_story(&txn, &story).await?;
        let process = store::process(&txn, &story.process_id)
            .await?
            .ok_or_else(|| Error::NotFound(process_name(&story.process_id)))?;
        let proto = story_to(&story);
        let event = self.event(
            STORY_RATED,
            &rater,
            &process,
            &story.id,
            story.rating_count,
            &pb::StoryRated {
                story: Some(proto.clone()),
                rater: interlink_runtime::api::user_name(&rater),
                value: r.value,
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(proto)
    }
}

/// What a claim or a request for contributions is about: `tasks/{id}`
/// (the task) or `assets/{id}` (the asset), in `field`; `None` with a
/// violation when it is neither (said only when the message was `given`).
type WorkTarget = (Option<String>, Option<String>);

fn work_target(
    field: &str,
    target: &str,
    given: bool,
    violations: &mut Vec<Violation>,
) -> Result<Option<WorkTarget>> {
    if target.starts_with("assets/") {
        return Ok(parse_name(field, "assets", target)
            .map(|id| (None, Some(id.to_owned())))
            .map_err(|v| violations.push(v))
            .ok());
    }
    match parse_item_name(field, target, &[Kind::Task]) {
        Ok((_, id)) => Ok(Some((Some(id), None))),
        Err(Error::Invalid(_)) => {
            if given {
                violations.push(Violation::new(
                    field,
                    "must be a resource name `tasks/{id}` or `assets/{id}`",
                ));
            }
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The ids of `names` (`{collection}/{id}` each, in `field[i]`), each once.
fn distinct_ids(
    field: &str,
    collection: &str,
    names: &[String],
    violations: &mut Vec<Violation>,
) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let field = format!("{field}[{i}]");
        match parse_name(&field, collection, name) {
            Ok(id) if ids.iter().any(|known| known == id) => {
                violations.push(Violation::new(field, "is listed twice"));
            }
            Ok(id) => ids.push(id.to_owned()),
            Err(v) => violations.push(v),
        }
    }
    ids
}

impl CoproductionApi {
    /// The visible process `process_id` and the task a work target of it
    /// is (an asset's task), with the asset's id ('' for a task), once the
    /// caller may work on that task (an administrator, or a permission on
    /// it; else refused as `doing` the target). A target that is not a
    /// task or an asset of the process is refused by `field` (`named`: the
    /// target and the process as asked).
    async fn work_task<T>(
        &self,
        request: &Request<T>,
        field: &str,
        named: (&str, &str),
        process_id: &str,
        target: WorkTarget,
        doing: &str,
    ) -> Result<(store::ProcessRow, String, String)> {
        let (target_name, parent) = named;
        let process = self.visible(request, process_id).await?;
        let items = store::items(&self.db, process_id).await?;
        let (task_id, asset_id) = match target {
            (Some(task), _) => (task, String::new()),
            (None, Some(asset)) => {
                let row = store::asset(&self.db, &asset)
                    .await?
                    .filter(|a| a.process_id == process_id)
                    .ok_or_else(|| {
                        Error::invalid(field, format!("{target_name} is not an asset of {parent}"))
                    })?;
                (row.task_id, asset)
            }
            (None, None) => return Err(Error::invalid(field, "is required")),
        };
        if !items
            .iter()
            .any(|i| i.id == task_id && i.kind == Kind::Task)
        {
            return Err(Error::invalid(
                field,
                format!("{target_name} is not a task of {parent}"),
            ));
        }
        let (administrator, perms) = self
            .permissions(identity(request), &process, &items, Some(&task_id))
            .await?;
        if !administrator && perms.is_empty() {
            return Err(Error::Denied(format!(
                "{doing} {target_name} needs a permission on its task"
            )));
        }
        Ok((process, task_id, asset_id))
    }
}
