//! E-mail over SMTP (lettre): each new notification is told by e-mail as
//! its person prefers for its kind — at once, in a daily digest, or never
//! ([`Delivery`]). The e-mail is planned in the transaction that keeps the
//! notification (a durable job, rule 10), and sent by the runtime's job
//! worker through [`SmtpMailer`], retried with backoff while the server is
//! down. Each e-mail carries a Message-ID made of its job's idempotency
//! key (the notification, or the person and the digest's hour), an HTML
//! and a plain-text part, and a one-click unsubscribe link (RFC 8058).

use std::collections::BTreeSet;

use interlink_runtime::api::now_ms;
use interlink_runtime::db::{run, statement};
use interlink_runtime::jobs::{self, Job, JobHandler, NewJob, Outcome, Transport};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr};

use crate::delivery::{self, Delivery, Scope};
use crate::rules::Kind;
use crate::store;
use crate::texts::{self, Lang};

/// The job kind of one notification's e-mail.
pub const MAIL_ONE: &str = "mail.notification";
/// The job kind of a person's daily digest.
pub const MAIL_DIGEST: &str = "mail.digest";

const DAY_MS: i64 = 86_400_000;

/// Where and how e-mail is sent.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// The SMTP server (`smtp://host:port`, `smtps://…`, with
    /// `?tls=required` for STARTTLS, credentials in the URL).
    pub smtp_url: String,
    /// Who the e-mails are from (`Name <address>`).
    pub from: String,
    /// The web front end's address, for the links (no trailing `/`).
    pub public_url: String,
    /// The hour of the day (UTC) digests are sent.
    pub digest_hour: u32,
}

/// The next time digests go out after `now` (ms), at `hour` UTC.
pub fn next_digest(now: i64, hour: u32) -> i64 {
    let day_start = now - now.rem_euclid(DAY_MS);
    let at = day_start + i64::from(hour.min(23)) * 3_600_000;
    if at > now { at } else { at + DAY_MS }
}

/// Plans the e-mail of a new notification (`id`, of `kind`, for `user`),
/// in the transaction that keeps it: a job at once, or a place in the
/// person's next digest, or nothing (their choice, or no address).
/// Returns whether a job was written.
pub async fn plan(
    txn: &impl ConnectionTrait,
    user: &str,
    id: &str,
    kind: Kind,
    digest_hour: u32,
) -> Result<bool, DbErr> {
    let delivery = store::delivery(txn, user, kind).await?;
    if delivery == Delivery::Never || store::address(txn, user).await?.is_none() {
        return Ok(false);
    }
    if delivery == Delivery::Immediate {
        jobs::enqueue(
            txn,
            &NewJob {
                kind: MAIL_ONE.into(),
                reference: user.into(),
                method: "SMTP".into(),
                url: String::new(),
                body: Some(serde_json::json!({ "user": user, "notification": id }).to_string()),
                idempotency_key: format!("notification-{id}"),
                subject: String::new(),
                audience: String::new(),
            },
        )
        .await?;
        return Ok(true);
    }
    run(
        txn,
        "UPDATE notifications SET digest = 'pending' WHERE id = $1",
        [id.into()],
    )
    .await?;
    let due = next_digest(now_ms(), digest_hour);
    let first = run(
        txn,
        "INSERT INTO digests (user_id, due_at) VALUES ($1, $2) \
         ON CONFLICT (user_id, due_at) DO NOTHING",
        [user.into(), due.into()],
    )
    .await?;
    if first == 0 {
        return Ok(false);
    }
    jobs::enqueue_at(
        txn,
        &NewJob {
            kind: MAIL_DIGEST.into(),
            reference: user.into(),
            method: "SMTP".into(),
            url: String::new(),
            body: Some(serde_json::json!({ "user": user, "due": due }).to_string()),
            idempotency_key: format!("digest-{user}-{due}"),
            subject: String::new(),
            audience: String::new(),
        },
        due,
    )
    .await?;
    Ok(true)
}

/// An e-mail's words: its subject, plain text and HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// One notification as an e-mail tells it: its text and its page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Told {
    /// What happened.
    pub title: String,
    /// Its page (an absolute URL).
    pub link: String,
}

/// The HTML part (askama escapes every text and link).
#[derive(askama::Template)]
#[template(path = "mail.html")]
struct MailHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    intro: Option<&'a str>,
    told: &'a [Told],
    open: &'a str,
    why: &'a str,
    change: &'a str,
    preferences: &'a str,
    stop: &'a str,
    unsubscribe: &'a str,
}

/// The words of an e-mail telling `told` (one notification, or a digest
/// of several) in `lang`, with the links to the preferences and to stop
/// these e-mails.
pub fn letter(
    lang: Lang,
    told: &[Told],
    digest: bool,
    preferences: &str,
    unsubscribe: &str,
) -> Letter {
    let count = told.len() as i64;
    let subject = if digest {
        lang.message_with("mail-digest-subject", &[("count", count.into())])
    } else {
        told.first().map(|t| t.title.clone()).unwrap_or_default()
    };
    let intro = digest.then(|| lang.message_with("mail-digest-intro", &[("count", count.into())]));
    let open = lang.message_with("mail-open", &[]);
    let why = lang.message_with("mail-why", &[]);
    let change = lang.message_with("mail-preferences", &[]);
    let stop = lang.message_with(
        if digest {
            "mail-unsubscribe-all"
        } else {
            "mail-unsubscribe-kind"
        },
        &[],
    );
    let mut text = String::new();
    if let Some(intro) = &intro {
        text.push_str(intro);
        text.push_str("\n\n");
    }
    for t in told {
        text.push_str(&format!("- {}\n  {open}: {}\n", t.title, t.link));
    }
    text.push_str(&format!(
        "\n--\n{why}\n{change}: {preferences}\n{stop}: {unsubscribe}\n"
    ));
    let html = askama::Template::render(&MailHtml {
        lang: lang.tag(),
        subject: &subject,
        intro: intro.as_deref(),
        told,
        open: &open,
        why: &why,
        change: &change,
        preferences,
        stop: &stop,
        unsubscribe,
    })
    .unwrap_or_else(|e| {
        tracing::error!(error = %e, "an e-mail's HTML did not render");
        String::new()
    });
    Letter {
        subject,
        text,
        html,
    }
}

/// What a mail job is about (its JSON body).
#[derive(Debug, serde::Deserialize)]
struct MailJob {
    user: String,
    #[serde(default)]
    notification: String,
}

/// Sends the mail jobs over SMTP, each composed when it is sent (with the
/// names and the person's language and address of that moment; nothing
/// is sent to a person since erased).
pub struct SmtpMailer {
    db: DatabaseConnection,
    mailer: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    settings: MailSettings,
    secret: Vec<u8>,
    host: String,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for `db`'s mail jobs, as `settings` say, signing its
    /// unsubscribe links with `secret`.
    pub fn new(
        db: DatabaseConnection,
        settings: MailSettings,
        secret: Vec<u8>,
        timeout: std::time::Duration,
    ) -> anyhow::Result<Self> {
        let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .map_err(|e| anyhow::anyhow!("notifications.smtp_url: {e}"))?
            .timeout(Some(timeout))
            .build();
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("notifications.mail_from: {e}"))?;
        let host = settings
            .public_url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', ':']).next())
            .filter(|h| !h.is_empty())
            .unwrap_or("interlink.invalid")
            .to_owned();
        Ok(Self {
            db,
            mailer,
            from,
            settings,
            secret,
            host,
        })
    }

    /// The message of `job`, with the notifications' seqs it tells, or
    /// `None` when there is nothing (left) to send.
    async fn compose(&self, job: &Job) -> anyhow::Result<Option<(Message, Vec<i64>)>> {
        let about: MailJob = serde_json::from_str(job.call.body.as_deref().unwrap_or("{}"))?;
        let Some((address, name, locale)) = store::address(&self.db, &about.user).await? else {
            return Ok(None);
        };
        let digest = job.call.kind == MAIL_DIGEST;
        let rows = if digest {
            store::digest_pending(&self.db, &about.user).await?
        } else {
            store::get(&self.db, &about.user, &about.notification)
                .await?
                .into_iter()
                .collect()
        };
        if rows.is_empty() {
            return Ok(None);
        }
        let lang = Lang::from_tag(&locale).unwrap_or(Lang::En);
        let names = store::names(&self.db, &rows).await?;
        let base = self.settings.public_url.trim_end_matches('/');
        let told: Vec<Told> = rows
            .iter()
            .map(|row| Told {
                title: texts::title(lang, row, &names),
                link: format!("{base}{}", row.link),
            })
            .collect();
        let scope = match (digest, rows.first().and_then(|r| Kind::from_code(&r.kind))) {
            (false, Some(kind)) => Scope::Kind(kind),
            _ => Scope::All,
        };
        let unsubscribe = format!(
            "{base}/unsubscribe?token={}",
            delivery::unsubscribe_token(&self.secret, &about.user, scope)
        );
        let preferences = format!("{base}/notifications/preferences");
        let words = letter(lang, &told, digest, &preferences, &unsubscribe);
        let to = Mailbox::new(
            (!name.is_empty()).then_some(name),
            address
                .parse()
                .map_err(|e| anyhow::anyhow!("the address on file does not parse: {e}"))?,
        );
        let header = |name: &'static str, value: String| {
            HeaderName::new_from_ascii(name.to_owned())
                .map(|name| HeaderValue::new(name, value))
                .map_err(|e| anyhow::anyhow!("header {name}: {e}"))
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(words.subject)
            .message_id(Some(format!(
                "<{}@{}>",
                job.call.idempotency_key, self.host
            )))
            .raw_header(header("List-Unsubscribe", format!("<{unsubscribe}>"))?)
            .raw_header(header(
                "List-Unsubscribe-Post",
                "List-Unsubscribe=One-Click".into(),
            )?)
            .raw_header(header("Auto-Submitted", "auto-generated".into())?)
            .multipart(MultiPart::alternative_plain_html(words.text, words.html))?;
        Ok(Some((message, rows.iter().map(|r| r.seq).collect())))
    }
}

impl Transport for SmtpMailer {
    async fn call(&self, job: &Job) -> Outcome {
        let (message, told) = match self.compose(job).await {
            Ok(Some(composed)) => composed,
            Ok(None) => return Outcome::Succeeded(204, String::new()),
            Err(e) => return Outcome::Transient(None, format!("composing the e-mail: {e:#}")),
        };
        let told = serde_json::to_string(&told).unwrap_or_default();
        match self.mailer.send(message).await {
            Ok(_) => Outcome::Succeeded(250, told),
            Err(e) => {
                let code = e.status().and_then(|c| c.to_string().parse::<u16>().ok());
                if e.is_permanent() {
                    Outcome::Refused(code.unwrap_or(550), format!("the SMTP server refused: {e}"))
                } else {
                    Outcome::Transient(code, format!("SMTP: {e}"))
                }
            }
        }
    }
}

/// What the end of a mail job changes: a sent digest's notifications are
/// no longer pending (exactly those it told).
#[derive(Debug, Default)]
pub struct MailJobs;

impl JobHandler for MailJobs {
    async fn succeeded(
        &self,
        txn: &DatabaseTransaction,
        job: &Job,
        _status: u16,
        body: &str,
    ) -> anyhow::Result<()> {
        if job.call.kind != MAIL_DIGEST {
            return Ok(());
        }
        let told: BTreeSet<i64> = serde_json::from_str(body).unwrap_or_default();
        for seq in told {
            run(
                txn,
                "UPDATE notifications SET digest = 'sent' WHERE seq = $1",
                [seq.into()],
            )
            .await?;
        }
        let about: MailJob = serde_json::from_str(job.call.body.as_deref().unwrap_or("{}"))?;
        let due: i64 = serde_json::from_str::<serde_json::Value>(
            job.call.body.as_deref().unwrap_or("{}"),
        )?["due"]
            .as_i64()
            .unwrap_or_default();
        txn.execute_raw(statement(
            txn,
            "DELETE FROM digests WHERE user_id = $1 AND due_at = $2",
            [about.user.into(), due.into()],
        ))
        .await?;
        Ok(())
    }

    async fn failed(
        &self,
        _txn: &DatabaseTransaction,
        job: &Job,
        reason: &str,
    ) -> anyhow::Result<()> {
        tracing::warn!(job = %job.id, kind = %job.call.kind, reason, "an e-mail could not be sent");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_go_out_at_the_next_hour_of_the_day() {
        let day = 20_000 * DAY_MS;
        assert_eq!(next_digest(day, 7), day + 7 * 3_600_000);
        assert_eq!(
            next_digest(day + 7 * 3_600_000, 7),
            day + DAY_MS + 7 * 3_600_000
        );
        assert_eq!(
            next_digest(day + 8 * 3_600_000, 7),
            day + DAY_MS + 7 * 3_600_000
        );
    }

    #[test]
    fn letters_escape_what_they_tell_and_link_out() {
        let told = [Told {
            title: "Ana <script> added you".into(),
            link: "https://pa.example/teams/1?a=1&b=2".into(),
        }];
        let one = letter(
            Lang::En,
            &told,
            false,
            "https://pa.example/p",
            "https://pa.example/u?t=x",
        );
        assert_eq!(one.subject, "Ana <script> added you");
        assert!(one.text.contains("https://pa.example/teams/1?a=1&b=2"));
        assert!(
            one.html.contains("Ana &#60;script&#62; added you"),
            "{}",
            one.html
        );
        assert!(
            one.html
                .contains("href=\"https://pa.example/teams/1?a=1&#38;b=2\""),
            "{}",
            one.html
        );
        assert!(!one.html.contains("<script>"));
        assert!(one.text.contains("https://pa.example/u?t=x"));
        let digest = letter(
            Lang::Es,
            &[told[0].clone(), told[0].clone()],
            true,
            "p",
            "u",
        );
        assert!(digest.subject.contains('2'), "{}", digest.subject);
        assert!(
            digest
                .html
                .starts_with("<!DOCTYPE html>\n<html lang=\"es\">")
        );
    }
}
