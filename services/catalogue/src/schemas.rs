//! Handlers of problem profiles, co-production schemas and their versions,
//! and the list of catalogue editors.

use interlink_proto::catalogue::v1 as pb;
use interlink_runtime::api::{now_ms, page_size, parse_name_with, take_page};
use interlink_runtime::auth::identity;
use interlink_runtime::db::begin_write;
use tonic::Request;

use crate::convert::{self, text};
use crate::domain::profile::{self, Profile};
use crate::domain::schema::{self, MAX_KEY_CHARS};
use crate::domain::{Violation, check_text};
use crate::error::{Error, Result};
use crate::events::{SCHEMA_ADOPTED, SCHEMA_SHARING_CHANGED, SCHEMA_VERSION_PUBLISHED};
use crate::grpc::CatalogueApi;
use crate::interlinkers::{is_subject, parse_editor_name};
use crate::store::{self, EditorRow, ProfileRow, SchemaRow, VersionRow};

/// Longest schema title, per language.
const MAX_SCHEMA_TITLE_CHARS: usize = 200;
/// Longest schema description, per language.
const MAX_SCHEMA_DESCRIPTION_CHARS: usize = 5_000;

/// Whether `id` is a schema id: starts with a letter; lower-case letters,
/// digits and `-`.
fn is_schema_id(id: &str) -> bool {
    id.len() <= MAX_KEY_CHARS
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn parse_schema_name<'a>(field: &str, name: &'a str) -> Result<&'a str> {
    Ok(parse_name_with(field, "schemas", name, is_schema_id)?)
}

fn parse_profile_name<'a>(field: &str, name: &'a str) -> Result<&'a str> {
    Ok(parse_name_with(
        field,
        "problemProfiles",
        name,
        profile::is_code,
    )?)
}

/// Refuses changes to a mirror (another deployment's schema, read-only).
fn local_schema(row: &SchemaRow) -> Result<()> {
    match &row.origin {
        Some(origin) => Err(Error::Precondition(format!(
            "schemas/{} is a mirror of {}'s schema and read-only here",
            row.id,
            if origin.deployment_name.is_empty() {
                &origin.deployment
            } else {
                &origin.deployment_name
            }
        ))),
        None => Ok(()),
    }
}

/// The version in a page token of schema versions.
fn version_token(token: &str) -> Result<Option<i32>> {
    Ok(interlink_runtime::api::page_cursor(token, |cursor| {
        cursor.parse::<i32>().ok().filter(|v| *v > 0)
    })?)
}

impl CatalogueApi {
    pub(crate) async fn create_problem_profile_(
        &self,
        request: Request<pb::CreateProblemProfileRequest>,
    ) -> Result<pb::ProblemProfile> {
        self.require_editor(&request).await?;
        let r = request.get_ref();
        let mut violations = Vec::new();
        if !profile::is_code(&r.problem_profile_id) {
            violations.push(Violation::new(
                "problem_profile_id",
                "must be a code of lower-case letters, digits and `-`, starting with a letter",
            ));
        }
        let input = r
            .problem_profile
            .as_ref()
            .ok_or_else(|| Error::invalid("problem_profile", "is required"))?;
        let profile = Profile {
            code: r.problem_profile_id.clone(),
            family: input.family.clone(),
            title: text(&input.title),
            description: text(&input.description),
        };
        violations.extend(profile::check("problem_profile", &profile));
        Error::check(violations)?;
        let now = now_ms();
        let row = ProfileRow {
            profile,
            created_at: now,
            updated_at: now,
        };
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        if !store::insert_profile(&txn, &row).await? {
            return Err(Error::AlreadyExists(format!(
                "problemProfiles/{} exists already",
                row.profile.code
            )));
        }
        interlink_runtime::idempotency::commit(txn).await?;
        Ok(convert::profile_to(&row))
    }

    pub(crate) async fn get_problem_profile_(
        &self,
        request: Request<pb::GetProblemProfileRequest>,
    ) -> Result<pb::ProblemProfile> {
        let name = &request.get_ref().name;
        let code = parse_profile_name("name", name)?;
        let row = store::profile(&self.db, code)
            .await?
            .ok_or_else(|| Error::NotFound(name.clone()))?;
        Ok(convert::profile_to(&row))
    }

    pub(crate) async fn list_problem_profiles_(
        &self,
        request: Request<pb::ListProblemProfilesRequest>,
    ) -> Result<pb::ListProblemProfilesResponse> {
        let family = request.get_ref().family.as_str();
        if !family.is_empty() && !profile::is_family(family) {
            return Err(Error::invalid(
                "family",
                "must be a family name of lower-case letters, `_` and `-` (`organisational`)",
            ));
        }
        let rows = store::list_profiles(&self.db, (!family.is_empty()).then_some(family)).await?;
        Ok(pb::ListProblemProfilesResponse {
            problem_profiles: rows.iter().map(convert::profile_to).collect(),
        })
    }

    pub(crate) async fn update_problem_profile_(
        &self,
        request: Request<pb::UpdateProblemProfileRequest>,
    ) -> Result<pb::ProblemProfile> {
        self.require_editor(&request).await?;
        let r = request.get_ref();
        let input = r
            .problem_profile
            .as_ref()
            .ok_or_else(|| Error::invalid("problem_profile", "is required"))?;
        let code = parse_profile_name("problem_profile.name", &input.name)?.to_owned();
        let paths = mask_paths(&r.update_mask, &["family", "title", "description"])?;
        let txn = begin_write(&self.db).await?;
        let mut row = store::profile(&txn, &code)
            .await?
            .ok_or_else(|| Error::NotFound(input.name.clone()))?;
        for path in &paths {
            match path.as_str() {
                "family" => row.profile.family = input.family.clone(),
                "title" => row.profile.title = text(&input.title),
                _ => row.profile.description = text(&input.description),
            }
        }
        Error::check(profile::check("problem_profile", &row.profile))?;
        row.updated_at = now_ms();
        store::update_profile(&txn, &row).await?;
        interlink_runtime::idempotency::commit(txn).await?;
        Ok(convert::profile_to(&row))
    }

    /// The draft tree of `input`, checked, in tree order.
    async fn checked_items(&self, input: &pb::Schema) -> Result<Vec<schema::Item>> {
        let mut violations = Vec::new();
        let items = convert::items_from(&input.items, &mut violations);
        Error::check(violations)?;
        let codes = store::profile_codes(&self.db).await?;
        schema::validate(&items, &codes)
            .map(|tree| tree.items)
            .map_err(Error::Invalid)
    }

    pub(crate) async fn create_schema_(
        &self,
        request: Request<pb::CreateSchemaRequest>,
    ) -> Result<pb::Schema> {
        self.require_editor(&request).await?;
        let r = request.get_ref();
        let mut violations = Vec::new();
        if !is_schema_id(&r.schema_id) {
            violations.push(Violation::new(
                "schema_id",
                format!(
                    "must be 1 to {MAX_KEY_CHARS} lower-case letters, digits and `-`, starting with a letter"
                ),
            ));
        }
        let input = r
            .schema
            .as_ref()
            .ok_or_else(|| Error::invalid("schema", "is required"))?;
        let title = text(&input.title);
        let description = text(&input.description);
        check_text(
            "schema.title",
            &title,
            true,
            MAX_SCHEMA_TITLE_CHARS,
            &mut violations,
        );
        check_text(
            "schema.description",
            &description,
            false,
            MAX_SCHEMA_DESCRIPTION_CHARS,
            &mut violations,
        );
        Error::check(violations)?;
        let items = self.checked_items(input).await?;
        let now = now_ms();
        let row = SchemaRow {
            id: r.schema_id.clone(),
            title,
            description,
            items,
            latest_version: 0,
            draft_changed: true,
            created_at: now,
            updated_at: now,
            shared: false,
            origin: None,
            withdrawn: false,
            adopted_from: None,
        };
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        if !store::insert_schema(&txn, &row).await? {
            return Err(Error::AlreadyExists(format!(
                "schemas/{} exists already",
                row.id
            )));
        }
        interlink_runtime::idempotency::commit(txn).await?;
        Ok(convert::schema_to(&row, true))
    }

    /// The schema `id` as the caller may see it: unpublished ones for
    /// editors only; the draft tree for editors only.
    async fn visible_schema<T>(&self, request: &Request<T>, id: &str) -> Result<(SchemaRow, bool)> {
        let editor = self.is_editor(identity(request)).await?;
        match store::schema(&self.db, id).await? {
            Some(row) if editor || row.latest_version > 0 => Ok((row, editor)),
            _ => Err(Error::NotFound(format!("schemas/{id}"))),
        }
    }

    pub(crate) async fn get_schema_(
        &self,
        request: Request<pb::GetSchemaRequest>,
    ) -> Result<pb::Schema> {
        let id = parse_schema_name("name", &request.get_ref().name)?.to_owned();
        let (row, editor) = self.visible_schema(&request, &id).await?;
        Ok(convert::schema_to(&row, editor))
    }

    pub(crate) async fn list_schemas_(
        &self,
        request: Request<pb::ListSchemasRequest>,
    ) -> Result<pb::ListSchemasResponse> {
        let r = request.get_ref();
        let limit = page_size(r.page_size, 50, 500)?;
        let after = interlink_runtime::api::page_cursor(&r.page_token, |cursor| {
            is_schema_id(cursor).then(|| cursor.to_owned())
        })?;
        let full = match pb::SchemaView::try_from(r.view) {
            Ok(pb::SchemaView::Full) => true,
            Ok(_) => false,
            Err(_) => return Err(Error::invalid("view", "is not a schema view")),
        };
        let editor = self.is_editor(identity(&request)).await?;
        let mut rows = store::list_schemas(&self.db, after.as_deref(), !editor, limit + 1).await?;
        let next_page_token = take_page(&mut rows, limit, |r| r.id.clone());
        let mut schemas = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut schema = convert::schema_to(row, editor);
            if full && row.latest_version > 0 {
                schema.latest = store::version(&self.db, &row.id, row.latest_version)
                    .await?
                    .map(|v| convert::version_to(&v));
            }
            schemas.push(schema);
        }
        Ok(pb::ListSchemasResponse {
            schemas,
            next_page_token,
        })
    }

    pub(crate) async fn update_schema_(
        &self,
        request: Request<pb::UpdateSchemaRequest>,
    ) -> Result<pb::Schema> {
        let editor = self.require_editor(&request).await?;
        let r = request.get_ref();
        let input = r
            .schema
            .as_ref()
            .ok_or_else(|| Error::invalid("schema", "is required"))?;
        let id = parse_schema_name("schema.name", &input.name)?.to_owned();
        let paths = mask_paths(&r.update_mask, &["title", "description", "items", "shared"])?;
        let mut violations = Vec::new();
        let title = text(&input.title);
        let description = text(&input.description);
        if paths.iter().any(|p| p == "title") {
            check_text(
                "schema.title",
                &title,
                true,
                MAX_SCHEMA_TITLE_CHARS,
                &mut violations,
            );
        }
        if paths.iter().any(|p| p == "description") {
            check_text(
                "schema.description",
                &description,
                false,
                MAX_SCHEMA_DESCRIPTION_CHARS,
                &mut violations,
            );
        }
        Error::check(violations)?;
        let items = if paths.iter().any(|p| p == "items") {
            Some(self.checked_items(input).await?)
        } else {
            None
        };
        let txn = begin_write(&self.db).await?;
        let mut row = store::schema(&txn, &id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("schemas/{id}")))?;
        local_schema(&row)?;
        let was_shared = row.shared;
        for path in &paths {
            match path.as_str() {
                "title" => row.title = title.clone(),
                "description" => row.description = description.clone(),
                "shared" => row.shared = input.shared,
                _ => {}
            }
        }
        if let Some(items) = items {
            row.items = items;
        }
        row.draft_changed = match store::version(&txn, &id, row.latest_version).await? {
            Some(latest) => {
                latest.items != row.items
                    || latest.title != row.title
                    || latest.description != row.description
            }
            None => true,
        };
        row.updated_at = now_ms();
        store::update_schema(&txn, &row).await?;
        let mut events = Vec::new();
        if row.shared != was_shared {
            let mut schema = convert::schema_to(&row, false);
            schema.latest = store::version(&txn, &id, row.latest_version)
                .await?
                .map(|v| convert::version_to(&v));
            events.push(self.event(
                SCHEMA_SHARING_CHANGED,
                &editor,
                &id,
                row.updated_at,
                &pb::SchemaSharingChanged {
                    schema: Some(schema),
                },
            )?);
        }
        self.commit(txn, &events).await?;
        Ok(convert::schema_to(&row, true))
    }

    pub(crate) async fn publish_schema_(
        &self,
        request: Request<pb::PublishSchemaRequest>,
    ) -> Result<pb::SchemaVersion> {
        let publisher = self.require_editor(&request).await?;
        let id = parse_schema_name("name", &request.get_ref().name)?.to_owned();
        let codes = store::profile_codes(&self.db).await?;
        let txn = begin_write(&self.db).await?;
        let mut row = store::schema(&txn, &id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("schemas/{id}")))?;
        local_schema(&row)?;
        if !row.draft_changed {
            return Err(Error::Precondition(format!(
                "schemas/{id}: the draft is version {} unchanged; edit it before publishing",
                row.latest_version
            )));
        }
        // The rules may have tightened since the draft was written.
        schema::validate(&row.items, &codes).map_err(Error::Invalid)?;
        let now = now_ms();
        let version = VersionRow {
            schema_id: id.clone(),
            version: row.latest_version + 1,
            title: row.title.clone(),
            description: row.description.clone(),
            items: row.items.clone(),
            publisher: publisher.clone(),
            published_at: now,
            origin: None,
        };
        row.latest_version = version.version;
        row.draft_changed = false;
        row.updated_at = now;
        store::update_schema(&txn, &row).await?;
        store::insert_version(&txn, &version).await?;
        let published = convert::version_to(&version);
        let event = self.event(
            SCHEMA_VERSION_PUBLISHED,
            &publisher,
            &id,
            i64::from(version.version),
            &pb::SchemaVersionPublished {
                version: Some(published.clone()),
                shared: row.shared,
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(published)
    }

    pub(crate) async fn adopt_schema_(
        &self,
        request: Request<pb::AdoptSchemaRequest>,
    ) -> Result<pb::Schema> {
        let editor = self.require_editor(&request).await?;
        let r = request.get_ref();
        let mut violations = Vec::new();
        let source = match parse_schema_name("name", &r.name) {
            Ok(id) => Some(id.to_owned()),
            Err(Error::Invalid(v)) => {
                violations.extend(v);
                None
            }
            Err(e) => return Err(e),
        };
        if !is_schema_id(&r.schema_id) {
            violations.push(Violation::new(
                "schema_id",
                format!(
                    "must be 1 to {MAX_KEY_CHARS} lower-case letters, digits and `-`, starting with a letter"
                ),
            ));
        }
        Error::check(violations)?;
        let source = source.unwrap_or_default();
        let codes = store::profile_codes(&self.db).await?;
        let txn = begin_write(&self.db).await?;
        let mirror = store::schema(&txn, &source)
            .await?
            .ok_or_else(|| Error::NotFound(format!("schemas/{source}")))?;
        let Some(origin) = mirror.origin.clone() else {
            return Err(Error::Precondition(format!(
                "schemas/{source} is this deployment's own: edit it instead of adopting it"
            )));
        };
        let latest = store::version(&txn, &source, mirror.latest_version)
            .await?
            .ok_or_else(|| Error::Precondition(format!("schemas/{source} has no version")))?;
        let mut items = latest.items.clone();
        // What names problem profiles this deployment lacks is left for
        // the editor, so the draft passes the local rules.
        for item in &mut items {
            item.problem_profiles.retain(|code| codes.contains(code));
        }
        let now = now_ms();
        let row = SchemaRow {
            id: r.schema_id.clone(),
            title: latest.title.clone(),
            description: latest.description.clone(),
            items,
            latest_version: 0,
            draft_changed: true,
            created_at: now,
            updated_at: now,
            shared: false,
            origin: None,
            withdrawn: false,
            adopted_from: Some(origin),
        };
        if !store::insert_schema(&txn, &row).await? {
            return Err(Error::AlreadyExists(format!(
                "schemas/{} exists already",
                row.id
            )));
        }
        let adopted = convert::schema_to(&row, true);
        let event = self.event(
            SCHEMA_ADOPTED,
            &editor,
            &row.id,
            now,
            &pb::SchemaAdopted {
                schema: Some(adopted.clone()),
                source: format!("schemas/{source}"),
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(adopted)
    }

    pub(crate) async fn get_schema_version_(
        &self,
        request: Request<pb::GetSchemaVersionRequest>,
    ) -> Result<pb::SchemaVersion> {
        let name = &request.get_ref().name;
        let bad = || {
            Error::invalid(
                "name",
                "must be a resource name `schemas/{id}/versions/{n}` or `…/versions/latest`",
            )
        };
        let (schema_name, version) = name.split_once("/versions/").ok_or_else(bad)?;
        let id = parse_schema_name("name", schema_name)
            .map_err(|_| bad())?
            .to_owned();
        let asked = match version {
            "latest" => None,
            n => match n.parse::<i32>() {
                Ok(n) if n > 0 && n.to_string() == version => Some(n),
                _ => return Err(bad()),
            },
        };
        let (row, _) = self.visible_schema(&request, &id).await?;
        let number = asked.unwrap_or(row.latest_version);
        let version = store::version(&self.db, &id, number)
            .await?
            .ok_or_else(|| Error::NotFound(name.clone()))?;
        Ok(convert::version_to(&version))
    }

    pub(crate) async fn list_schema_versions_(
        &self,
        request: Request<pb::ListSchemaVersionsRequest>,
    ) -> Result<pb::ListSchemaVersionsResponse> {
        let r = request.get_ref();
        let id = parse_schema_name("parent", &r.parent)?.to_owned();
        let limit = page_size(r.page_size, 50, 500)?;
        let before = version_token(&r.page_token)?;
        self.visible_schema(&request, &id).await?;
        let mut rows = store::list_versions(&self.db, &id, before, limit + 1).await?;
        let next_page_token = take_page(&mut rows, limit, |r| r.version.to_string());
        Ok(pb::ListSchemaVersionsResponse {
            versions: rows.iter().map(convert::version_to).collect(),
            next_page_token,
        })
    }

    /// The calling platform administrator's subject.
    fn require_platform_admin<T>(request: &Request<T>) -> Result<String> {
        let caller = identity(request).ok_or(Error::Unauthenticated)?;
        if caller.platform_admin {
            Ok(caller.subject.clone())
        } else {
            Err(Error::Denied(
                "only platform administrators manage catalogue editors".into(),
            ))
        }
    }

    pub(crate) async fn list_catalogue_editors_(
        &self,
        request: Request<pb::ListCatalogueEditorsRequest>,
    ) -> Result<pb::ListCatalogueEditorsResponse> {
        Self::require_platform_admin(&request)?;
        let rows = store::list_editors(&self.db).await?;
        Ok(pb::ListCatalogueEditorsResponse {
            editors: rows.iter().map(convert::editor_to).collect(),
        })
    }

    pub(crate) async fn add_catalogue_editor_(
        &self,
        request: Request<pb::AddCatalogueEditorRequest>,
    ) -> Result<pb::CatalogueEditor> {
        let admin = Self::require_platform_admin(&request)?;
        let subject = request.get_ref().subject.as_str();
        if !is_subject(subject) {
            return Err(Error::invalid(
                "subject",
                "must be an OIDC subject: 1 to 255 visible characters without `/`",
            ));
        }
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        store::add_editor(
            &txn,
            &EditorRow {
                subject: subject.to_owned(),
                added_by: admin,
                added_at: now_ms(),
            },
        )
        .await?;
        // Read in the transaction: a keyed call's commit comes after this
        // handler returns.
        let row = store::editor(&txn, subject)
            .await?
            .ok_or_else(|| Error::NotFound(format!("catalogueEditors/{subject}")))?;
        interlink_runtime::idempotency::commit(txn).await?;
        Ok(convert::editor_to(&row))
    }

    pub(crate) async fn remove_catalogue_editor_(
        &self,
        request: Request<pb::RemoveCatalogueEditorRequest>,
    ) -> Result<()> {
        Self::require_platform_admin(&request)?;
        let name = &request.get_ref().name;
        let subject = parse_editor_name(name)?;
        let txn = interlink_runtime::db::begin_write(&self.db).await?;
        if store::remove_editor(&txn, subject).await? {
            interlink_runtime::idempotency::commit(txn).await?;
            Ok(())
        } else {
            Err(Error::NotFound(name.clone()))
        }
    }
}

/// The paths of `mask` (all of `allowed` when absent or empty), each one
/// of `allowed`.
fn mask_paths(mask: &Option<prost_types::FieldMask>, allowed: &[&str]) -> Result<Vec<String>> {
    interlink_runtime::api::mask_paths(mask, allowed).map_err(Error::Invalid)
}
