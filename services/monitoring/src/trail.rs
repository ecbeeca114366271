//! The audit trail: every event of the mesh kept once, encoded, chained per
//! organisation by SHA-256 so a changed, removed or reordered entry shows.
//! Actors enter the hash as salted pseudonyms, so erasing a user's subject
//! from the trail leaves every chain intact.

use interlink_proto::events::v1::Event;
use interlink_runtime::db::{run, statement};
use prost::Message;
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Statement, Value};
use sha2::{Digest, Sha256};

/// One stored entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Position in the trail.
    pub seq: i64,
    /// The event's id.
    pub event_id: String,
    /// `service.model.action`.
    pub event_type: String,
    /// Unix ms.
    pub occurred_at: i64,
    /// The actor's subject; `None` once erased.
    pub actor: Option<String>,
    /// Salted hash of the actor's subject.
    pub actor_pseudonym: String,
    /// '' for platform-wide events.
    pub organization_id: String,
    /// '' when no process is concerned.
    pub process_id: String,
    /// The aggregate changed.
    pub aggregate_id: String,
    /// Its version.
    pub aggregate_version: i64,
    /// The encoded event; `None` once redacted.
    pub event: Option<Vec<u8>>,
    /// Hex SHA-256 of the encoded event as received.
    pub event_digest: String,
    /// Hex SHA-256 of this entry after its predecessor's.
    pub hash: String,
    /// Whether the stored event was scrubbed of a person's data (erasure):
    /// its digest is then that of the event as received.
    pub redacted: bool,
}

const COLUMNS: &str = "seq, event_id, type, occurred_at, actor, actor_pseudonym, \
     organization_id, process_id, aggregate_id, aggregate_version, event, event_digest, hash, \
     redacted";

fn entry(r: &QueryResult) -> Result<Entry, DbErr> {
    Ok(Entry {
        seq: r.try_get("", "seq")?,
        event_id: r.try_get("", "event_id")?,
        event_type: r.try_get("", "type")?,
        occurred_at: r.try_get("", "occurred_at")?,
        actor: r.try_get("", "actor")?,
        actor_pseudonym: r.try_get("", "actor_pseudonym")?,
        organization_id: r.try_get("", "organization_id")?,
        process_id: r.try_get("", "process_id")?,
        aggregate_id: r.try_get("", "aggregate_id")?,
        aggregate_version: r.try_get("", "aggregate_version")?,
        event: r.try_get("", "event")?,
        event_digest: r.try_get("", "event_digest")?,
        hash: r.try_get("", "hash")?,
        redacted: r.try_get("", "redacted")?,
    })
}

fn hex(bytes: impl AsRef<[u8]>) -> String {
    bytes.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash of an entry following `previous` in its chain.
pub fn chain_hash(previous: &str, e: &Entry) -> String {
    let mut h = Sha256::new();
    for part in [
        previous,
        &e.event_id,
        &e.event_type,
        &e.occurred_at.to_string(),
        &e.organization_id,
        &e.process_id,
        &e.aggregate_id,
        &e.aggregate_version.to_string(),
        &e.actor_pseudonym,
        &e.event_digest,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex(h.finalize())
}

/// The deployment's pseudonym salt.
pub async fn salt(db: &impl ConnectionTrait) -> Result<String, DbErr> {
    db.query_one_raw(statement(
        db,
        "SELECT value FROM settings WHERE name = 'pseudonym_salt'",
        [],
    ))
    .await?
    .ok_or_else(|| DbErr::RecordNotFound("pseudonym salt".into()))?
    .try_get("", "value")
}

/// The pseudonym of a subject under `salt`.
pub fn pseudonym_with(salt: &str, subject: &str) -> String {
    hex(Sha256::digest(format!("{salt}:{subject}")))
}

/// The salted pseudonym of a subject.
pub async fn pseudonym(db: &impl ConnectionTrait, subject: &str) -> Result<String, DbErr> {
    Ok(pseudonym_with(&salt(db).await?, subject))
}

/// The actor pseudonym of the user whose id is `user_id`, from community's
/// event announcing them (its actor is the user; kept after erasure).
pub async fn registered_pseudonym(
    db: &impl ConnectionTrait,
    user_id: &str,
) -> Result<Option<String>, DbErr> {
    db.query_one_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT actor_pseudonym FROM audit \
         WHERE type = 'community.user.registered' AND aggregate_id = $1",
        [user_id.into()],
    ))
    .await?
    .map(|r| r.try_get("", "actor_pseudonym"))
    .transpose()
}

/// Unix ms of an event's time.
pub fn occurred_ms(event: &Event) -> i64 {
    event
        .occurred_at
        .as_ref()
        .map(|t| t.seconds.saturating_mul(1000) + i64::from(t.nanos / 1_000_000))
        .unwrap_or_default()
}

/// What a chain check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Entries checked.
    pub entries: i64,
    /// The first entry that fails, and why.
    pub broken: Option<(i64, String)>,
}

/// Re-derives every hash of an organisation's chain ('' for platform
/// events) and checks each stored event against its digest.
pub async fn verify(
    db: &impl ConnectionTrait,
    organization_id: &str,
) -> Result<Verification, DbErr> {
    let sql = format!("SELECT {COLUMNS} FROM audit WHERE organization_id = $1 ORDER BY seq");
    let rows = db
        .query_all_raw(statement(db, &sql, [organization_id.into()]))
        .await?;
    let mut previous = String::new();
    let mut checked = 0;
    for row in &rows {
        let e = entry(row)?;
        checked += 1;
        if let Some(event) = &e.event
            && !e.redacted
            && hex(Sha256::digest(event)) != e.event_digest
        {
            return Ok(Verification {
                entries: checked,
                broken: Some((e.seq, "the stored event does not match its digest".into())),
            });
        }
        if chain_hash(&previous, &e) != e.hash {
            return Ok(Verification {
                entries: checked,
                broken: Some((
                    e.seq,
                    "the entry's hash does not follow from the entry before it".into(),
                )),
            });
        }
        previous = e.hash.clone();
    }
    let head: Option<(String, i64)> = db
        .query_one_raw(statement(
            db,
            "SELECT hash, length FROM chain_heads WHERE organization_id = $1",
            [organization_id.into()],
        ))
        .await?
        .map(|r| Ok::<_, DbErr>((r.try_get("", "hash")?, r.try_get("", "length")?)))
        .transpose()?;
    if let Some((hash, length)) = head
        && (hash != previous || length != checked)
    {
        return Ok(Verification {
            entries: checked,
            broken: Some((
                rows.last()
                    .map(|r| r.try_get("", "seq"))
                    .transpose()?
                    .unwrap_or(0),
                "entries are missing at the end of the chain".into(),
            )),
        });
    }
    Ok(Verification {
        entries: checked,
        broken: None,
    })
}

/// A filter over the trail.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this organisation's ('' platform-wide ones); `None`: all.
    pub organization_id: Option<String>,
    /// Only this process's.
    pub process_id: Option<String>,
    /// Only this actor's (pseudonym).
    pub actor_pseudonym: Option<String>,
    /// `%.model.%`-style type filters.
    pub model: Option<String>,
    /// Action.
    pub action: Option<String>,
    /// Unix ms, inclusive.
    pub start: Option<i64>,
    /// Unix ms, exclusive.
    pub end: Option<i64>,
}

/// Up to `limit` entries below `before`, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &Filter,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<Entry>, DbErr> {
    let mut values: Vec<Value> = vec![before.unwrap_or(i64::MAX).into()];
    let mut conditions = vec!["seq < $1".to_owned()];
    let mut add = |condition: &str, value: Value| {
        values.push(value);
        conditions.push(condition.replace('?', &format!("${}", values.len())));
    };
    if let Some(o) = &filter.organization_id {
        add("organization_id = ?", o.clone().into());
    }
    if let Some(p) = &filter.process_id {
        add("process_id = ?", p.clone().into());
    }
    if let Some(a) = &filter.actor_pseudonym {
        add("actor_pseudonym = ?", a.clone().into());
    }
    if let Some(m) = &filter.model {
        add("type LIKE ?", format!("%.{m}.%").into());
    }
    if let Some(a) = &filter.action {
        add("type LIKE ?", format!("%.{a}").into());
    }
    if let Some(s) = filter.start {
        add("occurred_at >= ?", s.into());
    }
    if let Some(e) = filter.end {
        add("occurred_at < ?", e.into());
    }
    values.push((limit as i64).into());
    let sql = format!(
        "SELECT {COLUMNS} FROM audit WHERE {} ORDER BY seq DESC LIMIT ${}",
        conditions.join(" AND "),
        values.len()
    );
    db.query_all_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await?
    .iter()
    .map(entry)
    .collect()
}

/// Every stored event in trail order, for a rebuild (redacted ones are
/// skipped: what they said about a person is gone).
pub async fn events_from(
    db: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> Result<Vec<(i64, Option<Event>)>, DbErr> {
    db.query_all_raw(statement(
        db,
        "SELECT seq, event FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2",
        [after.into(), (limit as i64).into()],
    ))
    .await?
    .iter()
    .map(|r| {
        let bytes: Option<Vec<u8>> = r.try_get("", "event")?;
        Ok((
            r.try_get("", "seq")?,
            bytes.and_then(|b| Event::decode(b.as_slice()).ok()),
        ))
    })
    .collect()
}

/// Up to `limit` entries after `after` in trail order, of one organisation
/// (`None`: all) and with a type starting with one of `prefixes` (all when
/// empty): the change feed.
pub async fn feed(
    db: &impl ConnectionTrait,
    organization_id: Option<&str>,
    prefixes: &[String],
    after: i64,
    limit: u64,
) -> Result<Vec<(i64, Option<Vec<u8>>)>, DbErr> {
    let mut values: Vec<Value> = vec![after.into()];
    let mut sql = "SELECT seq, event FROM audit WHERE seq > $1".to_owned();
    if let Some(o) = organization_id {
        values.push(o.into());
        sql.push_str(&format!(" AND organization_id = ${}", values.len()));
    }
    if !prefixes.is_empty() {
        let mut alternatives = Vec::new();
        for p in prefixes {
            values.push(format!("{p}%").into());
            alternatives.push(format!("type LIKE ${}", values.len()));
        }
        sql.push_str(&format!(" AND ({})", alternatives.join(" OR ")));
    }
    values.push((limit as i64).into());
    sql.push_str(&format!(" ORDER BY seq LIMIT ${}", values.len()));
    db.query_all_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await?
    .iter()
    .map(|r| Ok((r.try_get("", "seq")?, r.try_get("", "event")?)))
    .collect()
}

/// Records a parked event announced by some service's consumer.
pub async fn record_parked(
    txn: &impl ConnectionTrait,
    parked: &interlink_proto::events::v1::EventParked,
) -> Result<(), DbErr> {
    let at = parked
        .park_time
        .as_ref()
        .map(|t| t.seconds.saturating_mul(1000) + i64::from(t.nanos / 1_000_000))
        .unwrap_or_default();
    run(
        txn,
        "INSERT INTO parked (consumer, event_id, event_type, error, deliveries, parked_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (consumer, event_id) DO UPDATE SET \
         event_type = $3, error = $4, deliveries = $5, parked_at = $6",
        [
            parked.consumer.clone().into(),
            parked.event_id.clone().into(),
            parked.event_type.clone().into(),
            parked.error.clone().into(),
            (parked.deliveries as i64).into(),
            at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Erases a person from the trail (GDPR): their subject leaves every entry
/// they acted in, and the events that name them are scrubbed (their
/// subject replaced by their pseudonym, their names and e-mails removed).
/// Hashes cover pseudonyms and the digests of events as received, so every
/// chain still verifies. Returns how many entries changed.
pub async fn erase(txn: &impl ConnectionTrait, subject: &str) -> Result<u64, DbErr> {
    use interlink_proto::community::v1 as community;
    let pseudonym = pseudonym(txn, subject).await?;
    let mut changed = run(
        txn,
        "UPDATE audit SET actor = NULL WHERE actor_pseudonym = $1 AND actor IS NOT NULL",
        [pseudonym.clone().into()],
    )
    .await?;
    let rows = txn
        .query_all_raw(statement(
            txn,
            "SELECT seq, event FROM audit WHERE event IS NOT NULL \
             AND (actor_pseudonym = $1 OR type LIKE 'community.%')",
            [pseudonym.clone().into()],
        ))
        .await?;
    for row in rows {
        let seq: i64 = row.try_get("", "seq")?;
        let bytes: Vec<u8> = row.try_get("", "event")?;
        let Ok(mut event) = Event::decode(bytes.as_slice()) else {
            continue;
        };
        let mut touched = false;
        if let Some(actor) = event.actor.as_mut()
            && actor.subject == subject
        {
            actor.subject = pseudonym.clone();
            actor.user.clear();
            touched = true;
        }
        let scrub_user = |u: &mut community::User| {
            u.subject = pseudonym.clone();
            u.display_name.clear();
            u.email.clear();
            u.additional_emails.clear();
        };
        if let Some(any) = event.payload.as_mut() {
            macro_rules! rewrite {
                ($ty:ty, |$m:ident| $body:block) => {{
                    if let Ok(mut $m) = any.to_msg::<$ty>() {
                        let hit = $body;
                        if hit {
                            if let Ok(packed) = prost_types::Any::from_msg(&$m) {
                                *any = packed;
                                touched = true;
                            }
                        }
                    }
                }};
            }
            match event.r#type.as_str() {
                "community.user.registered" => rewrite!(community::UserRegistered, |m| {
                    let hit = m.user.as_ref().is_some_and(|u| u.subject == subject);
                    if let Some(u) = m.user.as_mut().filter(|_| hit) {
                        scrub_user(u);
                    }
                    hit
                }),
                "community.user.updated" => rewrite!(community::UserUpdated, |m| {
                    let hit = m.user.as_ref().is_some_and(|u| u.subject == subject);
                    if let Some(u) = m.user.as_mut().filter(|_| hit) {
                        scrub_user(u);
                    }
                    hit
                }),
                "community.team.member_added" => rewrite!(community::TeamMemberAdded, |m| {
                    let hit = m.member.as_ref().is_some_and(|x| x.subject == subject);
                    if let Some(x) = m.member.as_mut().filter(|_| hit) {
                        x.subject = pseudonym.clone();
                        x.display_name.clear();
                    }
                    hit
                }),
                "community.team.member_removed" => rewrite!(community::TeamMemberRemoved, |m| {
                    let hit = m.subject == subject;
                    if hit {
                        m.subject = pseudonym.clone();
                    }
                    hit
                }),
                "community.organization.administrator_added" => {
                    rewrite!(community::OrganizationAdministratorAdded, |m| {
                        let hit = m.subject == subject;
                        if hit {
                            m.subject = pseudonym.clone();
                        }
                        hit
                    })
                }
                "community.organization.administrator_removed" => {
                    rewrite!(community::OrganizationAdministratorRemoved, |m| {
                        let hit = m.subject == subject;
                        if hit {
                            m.subject = pseudonym.clone();
                        }
                        hit
                    })
                }
                "community.user.erased" => rewrite!(community::UserErased, |m| {
                    let hit = m.subject == subject;
                    if hit {
                        m.subject = pseudonym.clone();
                    }
                    hit
                }),
                _ => {}
            }
        }
        if touched {
            run(
                txn,
                "UPDATE audit SET event = $2, redacted = TRUE WHERE seq = $1",
                [seq.into(), event.encode_to_vec().into()],
            )
            .await?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// Appends the new ones of `events` (each with the process it concerns) to
/// their organisations' chains in a few statements: heads read once, rows
/// inserted a hundred at a time, heads written once. Events already in the
/// trail are skipped. Returns the entries written, in order.
///
/// The monitoring consumer is the trail's only writer (one leader holds its
/// lease), so reading the heads without locking them is enough.
pub async fn append_batch(
    txn: &impl ConnectionTrait,
    events: &[(&Event, String)],
    salt: &str,
) -> Result<Vec<(usize, Entry)>, DbErr> {
    use std::collections::{HashMap, HashSet};
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let in_list = |n: usize, from: usize| {
        (from..from + n)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Already stored (a replay that bypassed the inbox, or a repeat).
    let ids: Vec<Value> = events.iter().map(|(e, _)| e.id.clone().into()).collect();
    let mut stored: HashSet<String> = HashSet::new();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT event_id FROM audit WHERE event_id IN ({})",
            in_list(chunk.len(), 1)
        );
        for row in txn
            .query_all_raw(Statement::from_sql_and_values(
                txn.get_database_backend(),
                sql,
                chunk.to_vec(),
            ))
            .await?
        {
            stored.insert(row.try_get("", "event_id")?);
        }
    }
    // The heads of the chains the batch touches.
    let orgs: Vec<String> = {
        let mut seen = HashSet::new();
        events
            .iter()
            .map(|(e, _)| e.organization_id.clone())
            .filter(|o| seen.insert(o.clone()))
            .collect()
    };
    let mut heads: HashMap<String, (String, i64)> = HashMap::new();
    let sql = format!(
        "SELECT organization_id, hash, length FROM chain_heads WHERE organization_id IN ({})",
        in_list(orgs.len(), 1)
    );
    for row in txn
        .query_all_raw(Statement::from_sql_and_values(
            txn.get_database_backend(),
            sql,
            orgs.iter()
                .map(|o| o.clone().into())
                .collect::<Vec<Value>>(),
        ))
        .await?
    {
        heads.insert(
            row.try_get("", "organization_id")?,
            (row.try_get("", "hash")?, row.try_get("", "length")?),
        );
    }
    let mut entries = Vec::new();
    for (i, (event, process_id)) in events.iter().enumerate() {
        if !stored.insert(event.id.clone()) {
            continue;
        }
        let subject = event
            .actor
            .as_ref()
            .map(|a| a.subject.clone())
            .unwrap_or_default();
        let encoded = event.encode_to_vec();
        let head = heads
            .entry(event.organization_id.clone())
            .or_insert_with(|| (String::new(), 0));
        let mut e = Entry {
            seq: 0,
            event_id: event.id.clone(),
            event_type: event.r#type.clone(),
            occurred_at: occurred_ms(event),
            actor: (!subject.is_empty()).then(|| subject.clone()),
            actor_pseudonym: pseudonym_with(salt, &subject),
            organization_id: event.organization_id.clone(),
            process_id: process_id.clone(),
            aggregate_id: event.aggregate_id.clone(),
            aggregate_version: event.aggregate_version as i64,
            event_digest: hex(Sha256::digest(&encoded)),
            event: Some(encoded),
            hash: String::new(),
            redacted: false,
        };
        e.hash = chain_hash(&head.0, &e);
        *head = (e.hash.clone(), head.1 + 1);
        entries.push((i, e));
    }
    for chunk in entries.chunks(100) {
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 12);
        let rows: Vec<String> = chunk
            .iter()
            .map(|(_, e)| {
                let n = values.len();
                values.extend([
                    e.event_id.clone().into(),
                    e.event_type.clone().into(),
                    e.occurred_at.into(),
                    e.actor.clone().into(),
                    e.actor_pseudonym.clone().into(),
                    e.organization_id.clone().into(),
                    e.process_id.clone().into(),
                    e.aggregate_id.clone().into(),
                    e.aggregate_version.into(),
                    e.event.clone().into(),
                    e.event_digest.clone().into(),
                    e.hash.clone().into(),
                ]);
                format!("({})", in_list(12, n + 1))
            })
            .collect();
        txn.execute_raw(Statement::from_sql_and_values(
            txn.get_database_backend(),
            format!(
                "INSERT INTO audit (event_id, type, occurred_at, actor, actor_pseudonym, \
                 organization_id, process_id, aggregate_id, aggregate_version, event, \
                 event_digest, hash) VALUES {}",
                rows.join(", ")
            ),
            values,
        ))
        .await?;
    }
    for org in &orgs {
        if let Some((hash, length)) = heads.get(org) {
            run(
                txn,
                "INSERT INTO chain_heads (organization_id, hash, length) VALUES ($1, $2, $3) \
                 ON CONFLICT (organization_id) DO UPDATE SET hash = excluded.hash, \
                 length = excluded.length",
                [org.clone().into(), hash.clone().into(), (*length).into()],
            )
            .await?;
        }
    }
    Ok(entries)
}
