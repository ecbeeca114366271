//! Helpers every gRPC adapter shares: resource names, paging, times.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::validation::Violation;

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// A protobuf timestamp of Unix milliseconds.
pub fn timestamp(ms: i64) -> prost_types::Timestamp {
    prost_types::Timestamp::from(UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64))
}

/// The namespace of user ids: a user's id is the UUIDv5 of their OIDC
/// subject in it, so every service names a person the same way
/// (`users/{id}`) from the subject a token or an event carries.
const USER_ID_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x6f1c_2a3e_8b4d_5e6f_9a0b_1c2d_3e4f_5a6b);

/// The id of the user whose OIDC subject is `subject`.
pub fn user_id(subject: &str) -> String {
    uuid::Uuid::new_v5(&USER_ID_NAMESPACE, subject.as_bytes()).to_string()
}

/// The resource name (`users/{id}`) of the user whose OIDC subject is
/// `subject`; empty for an empty subject (an erased or unknown person).
pub fn user_name(subject: &str) -> String {
    if subject.is_empty() {
        String::new()
    } else {
        format!("users/{}", user_id(subject))
    }
}

/// Whether `s` is a UUID in its canonical (lower-case, hyphenated) form:
/// ids are compared as text, so no other spelling is accepted.
pub fn is_canonical_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok_and(|u| u.hyphenated().to_string() == s)
}

/// The id in `collection/{id}` when it satisfies `valid_id`, or a
/// violation naming `field`.
pub fn parse_name_with<'a>(
    field: &str,
    collection: &str,
    name: &'a str,
    valid_id: impl Fn(&str) -> bool,
) -> Result<&'a str, Violation> {
    match name
        .strip_prefix(collection)
        .and_then(|r| r.strip_prefix('/'))
    {
        Some(id) if valid_id(id) => Ok(id),
        _ => Err(Violation::new(
            field,
            format!("must be a resource name `{collection}/{{id}}`"),
        )),
    }
}

/// The UUID in `collection/{uuid}`, or a violation naming `field`.
pub fn parse_name<'a>(field: &str, collection: &str, name: &'a str) -> Result<&'a str, Violation> {
    parse_name_with(field, collection, name, is_canonical_uuid)
}

/// The page size asked for: `default` for 0, at most `max`.
pub fn page_size(size: i32, default: u64, max: u64) -> Result<u64, Violation> {
    match size {
        0 => Ok(default),
        s if s < 0 => Err(Violation::new("page_size", "must not be negative")),
        s => Ok((s as u64).min(max)),
    }
}

/// What every page token starts with once decoded: the format's version.
const PAGE_TOKEN_PREFIX: &str = "interlink.page/1:";

/// A list's page token for `cursor` (the key of the last row served): opaque
/// (base64url), so a client passes it back as it came and never builds one.
pub fn page_token(cursor: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{PAGE_TOKEN_PREFIX}{cursor}"))
}

/// The cursor of a page token from a previous response, checked by `parse`
/// (the shape of the list's keys); none for the first page. Every list
/// refuses anything else the same way.
pub fn page_cursor<T>(
    token: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<Option<T>, Violation> {
    use base64::Engine;
    if token.is_empty() {
        return Ok(None);
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(PAGE_TOKEN_PREFIX).and_then(parse))
        .map(Some)
        .ok_or_else(|| Violation::new("page_token", "is not a token from a previous response"))
}

/// The cursor of a page token whose keys are UUIDs (row ids), or none.
pub fn uuid_page_token(token: &str) -> Result<Option<String>, Violation> {
    page_cursor(token, |cursor| {
        is_canonical_uuid(cursor).then(|| cursor.to_owned())
    })
}

/// Keeps the first `limit` of `rows` (fetched with one extra) and returns
/// the next page's token: the last kept key, or empty on the last page.
pub fn take_page<T>(rows: &mut Vec<T>, limit: u64, key: impl Fn(&T) -> String) -> String {
    if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last()
            .map(|row| page_token(&key(row)))
            .unwrap_or_default()
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_named_from_their_subject() {
        let ana = user_name("ana");
        assert_eq!(ana, user_name("ana"));
        assert_ne!(ana, user_name("bea"));
        assert!(ana.strip_prefix("users/").is_some_and(is_canonical_uuid));
        assert_eq!(user_name(""), "");
    }

    #[test]
    fn page_tokens_are_opaque_and_checked_alike() {
        let id = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10";
        let token = page_token(id);
        assert!(!token.contains(id));
        assert_eq!(uuid_page_token(&token), Ok(Some(id.to_owned())));
        assert_eq!(uuid_page_token(""), Ok(None));
        for garbage in [id, "garbage", "!!", &page_token("not-a-uuid")] {
            assert_eq!(
                uuid_page_token(garbage).map_err(|v| v.field),
                Err("page_token".to_owned()),
                "{garbage}"
            );
        }
        let mut rows = vec![1, 2, 3];
        let next = take_page(&mut rows, 2, |n| n.to_string());
        assert_eq!(rows, [1, 2]);
        assert_eq!(page_cursor(&next, |c| c.parse::<i32>().ok()), Ok(Some(2)));
    }

    #[test]
    fn names_and_pages() {
        let id = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10";
        assert_eq!(parse_name("n", "teams", &format!("teams/{id}")), Ok(id));
        assert!(parse_name("n", "teams", &format!("teams/{}", id.to_uppercase())).is_err());
        assert!(parse_name("n", "teams", &format!("users/{id}")).is_err());
        assert_eq!(page_size(0, 50, 500), Ok(50));
        assert_eq!(page_size(900, 50, 500), Ok(500));
        assert!(page_size(-1, 50, 500).is_err());
        assert_eq!(uuid_page_token(""), Ok(None));
        assert!(uuid_page_token("x").is_err());
        let mut rows = vec![1, 2, 3];
        assert_eq!(take_page(&mut rows, 2, |r| r.to_string()), page_token("2"));
        assert_eq!(rows, [1, 2]);
    }
}

/// The paths of an update `mask`; all of `allowed` when it is absent or
/// empty (AIP-134: a full replacement of the writable fields). Each path
/// must be one of `allowed`; the violations name `update_mask.paths[i]`.
pub fn mask_paths(
    mask: &Option<prost_types::FieldMask>,
    allowed: &[&str],
) -> Result<Vec<String>, Vec<Violation>> {
    let paths: Vec<String> = match mask {
        Some(mask) if !mask.paths.is_empty() => mask.paths.clone(),
        _ => allowed.iter().map(|p| (*p).to_owned()).collect(),
    };
    let violations: Vec<Violation> = paths
        .iter()
        .enumerate()
        .filter(|(_, p)| !allowed.contains(&p.as_str()))
        .map(|(i, p)| {
            Violation::new(
                format!("update_mask.paths[{i}]"),
                format!("`{p}` is not one of {}", allowed.join(", ")),
            )
        })
        .collect();
    if violations.is_empty() {
        Ok(paths)
    } else {
        Err(violations)
    }
}

/// The id in a resource name `collection/{id}` as another service wrote
/// it (events): the name itself when it has another shape.
pub fn id_in<'a>(name: &'a str, collection: &str) -> &'a str {
    name.strip_prefix(collection)
        .and_then(|r| r.strip_prefix('/'))
        .unwrap_or(name)
}

#[cfg(test)]
mod mask_tests {
    use super::*;

    #[test]
    fn masks_default_to_everything_and_name_bad_paths() {
        assert_eq!(
            mask_paths(&None, &["a", "b"]),
            Ok(vec!["a".into(), "b".into()])
        );
        let mask = Some(prost_types::FieldMask {
            paths: vec!["b".into(), "c".into()],
        });
        let refused = mask_paths(&mask, &["a", "b"]).expect_err("c");
        assert_eq!(refused[0].field, "update_mask.paths[1]");
        assert_eq!(id_in("teams/x", "teams"), "x");
        assert_eq!(id_in("x", "teams"), "x");
    }
}

/// The id of a first-party interlinker's genesis asset for the seed entry
/// `key` in `language`: the same in the catalogue's seed (which links it)
/// and in the interlinker (which holds it), with nothing exchanged.
pub fn genesis_asset_id(key: &str, language: &str) -> uuid::Uuid {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x7d1f_4c8e_2b6a_4f0e_9c3d_5a8b_1e2f_3a4b);
    uuid::Uuid::new_v5(
        &NAMESPACE,
        format!("interlink-genesis:{key}:{language}").as_bytes(),
    )
}

/// The id, in this deployment, of the mirror of the entry `name` shared
/// by the deployment `issuer`: the same in every service (the federation
/// service that reads it, the catalogue that keeps it) and on every read,
/// with nothing exchanged.
pub fn mirror_id(issuer: &str, name: &str) -> String {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x3c9e_51a2_8d4f_4b7e_a6c1_0f2d_9e8b_7a65);
    uuid::Uuid::new_v5(
        &NAMESPACE,
        format!("interlink-mirror:{issuer}#{name}").as_bytes(),
    )
    .to_string()
}
