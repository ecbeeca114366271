//! Webhooks' pure parts: which event types an endpoint may hear, which
//! URLs and addresses it may have (a server-side request forgery guard),
//! its secrets, the body of a delivery and its Standard Webhooks
//! signature, and the retry schedule.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use interlink_proto::events::v1::Event;
use prost::Message;
use rand::RngCore;
use sha2::Sha256;

/// The event types an endpoint may subscribe to: those that belong to an
/// organisation (catalogue and user events are platform-wide).
pub const EVENT_TYPES: &[&str] = &[
    "community.organization.updated",
    "community.organization.deleted",
    "community.organization.administrator_added",
    "community.organization.administrator_removed",
    "community.team.created",
    "community.team.updated",
    "community.team.deleted",
    "community.team.member_added",
    "community.team.member_removed",
    "community.team_application.submitted",
    "community.team_application.accepted",
    "community.team_application.rejected",
    "community.team_application.withdrawn",
    "community.invitation.created",
    "community.invitation.accepted",
    "community.invitation.revoked",
    "coproduction.process.created",
    "coproduction.process.updated",
    "coproduction.process.deleted",
    "coproduction.process.schema_set",
    "coproduction.process.schema_cleared",
    "coproduction.process.cloned",
    "coproduction.process.imported",
    "coproduction.item.added",
    "coproduction.item.updated",
    "coproduction.item.disabled",
    "coproduction.item.copied",
    "coproduction.task.status_changed",
    "coproduction.grant.added",
    "coproduction.grant.removed",
    "coproduction.asset.added",
    "coproduction.asset.removed",
    "coproduction.claim.submitted",
    "coproduction.claim.decided",
    "coproduction.contribution.requested",
    "coproduction.story.published",
    "coproduction.story.rated",
    "coproduction.story.sharing_changed",
    "coproduction.story.adopted",
];

/// Whether an endpoint may subscribe to `event_type`.
pub fn is_event_type(event_type: &str) -> bool {
    EVENT_TYPES.contains(&event_type)
}

/// What a deployment lets endpoints be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UrlPolicy {
    /// `http://` URLs too.
    pub allow_http: bool,
    /// Loopback, private, link-local and other non-public addresses too.
    pub allow_private: bool,
}

/// Why a URL may not be an endpoint (`None`: it may). Host names are
/// checked again on each delivery, against the addresses they resolve to.
pub fn url_problem(url: &str, policy: UrlPolicy) -> Option<String> {
    let parsed = match reqwest::Url::parse(url) {
        Ok(parsed) => parsed,
        Err(e) => return Some(format!("is not a URL: {e}")),
    };
    match parsed.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        "http" => return Some("must be an https:// URL".into()),
        _ => return Some("must be an https:// URL".into()),
    }
    if policy.allow_private {
        return None;
    }
    match parsed.host() {
        None => Some("must name a host".into()),
        Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => {
            Some("may not be a private, loopback or other non-public address".into())
        }
        Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => {
            Some("may not be a private, loopback or other non-public address".into())
        }
        Some(url::Host::Domain(name))
            if name.eq_ignore_ascii_case("localhost")
                || name.to_ascii_lowercase().ends_with(".localhost") =>
        {
            Some("may not be a private, loopback or other non-public address".into())
        }
        Some(_) => None,
    }
}

/// Whether `ip` is a public unicast address: not loopback, private
/// (RFC 1918, unique local), link-local, shared (CGNAT), documentation,
/// benchmarking, multicast, broadcast, reserved or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => {
            if let Some(v4) = ip.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let first = ip.segments()[0];
            !(ip.is_loopback()
                || ip.is_unspecified()
                || ip.is_multicast()
                // Unique local fc00::/7, link-local fe80::/10.
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                // Documentation 2001:db8::/32.
                || (first == 0x2001 && ip.segments()[1] == 0x0db8)
                // NAT64 64:ff9b::/96 and IPv4-compatible ::/96 reach IPv4.
                || (first == 0x0064 && ip.segments()[1] == 0xff9b)
                || ip.segments()[..6] == [0; 6]
                || ip == Ipv6Addr::UNSPECIFIED)
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || ip.is_multicast()
        || a == 0
        // Shared address space (CGNAT) 100.64.0.0/10.
        || (a == 100 && (b & 0xc0) == 64)
        // IETF protocol assignments 192.0.0.0/24.
        || (a == 192 && b == 0 && c == 0)
        // Benchmarking 198.18.0.0/15.
        || (a == 198 && (b & 0xfe) == 18)
        // Reserved 240.0.0.0/4.
        || a >= 240)
}

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("whsec_{}", BASE64.encode(bytes))
}

/// The `webhook-signature` header of a delivery: one `v1,` signature per
/// secret (the current one first, then the previous one during a
/// rotation), separated by spaces.
pub fn signature(secrets: &[&str], id: &str, timestamp: i64, body: &str) -> String {
    secrets
        .iter()
        .filter_map(|secret| {
            let key = BASE64
                .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
                .ok()?;
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
            mac.update(format!("{id}.{timestamp}.").as_bytes());
            mac.update(body.as_bytes());
            Some(format!("v1,{}", BASE64.encode(mac.finalize().into_bytes())))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The body of `event`'s delivery: its type, when it happened, and the
/// event as the REST API's JSON without the actor's OIDC subject (the
/// actor stays named as `users/{id}`).
pub fn body(event: &Event) -> Option<String> {
    let pool = interlink_runtime::descriptors::pool()?;
    let descriptor = pool.get_message_by_name("interlink.events.v1.Event")?;
    let message =
        prost_reflect::DynamicMessage::decode(descriptor, event.encode_to_vec().as_slice()).ok()?;
    let mut data = serde_json::to_value(&message).ok()?;
    if let Some(actor) = data.get_mut("actor").and_then(|a| a.as_object_mut()) {
        actor.remove("subject");
    }
    let timestamp = data
        .get("occurredAt")
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    Some(
        serde_json::json!({
            "type": event.r#type,
            "timestamp": timestamp,
            "data": data,
        })
        .to_string(),
    )
}

/// How deliveries are retried.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// The delay after the first failed attempt; each next one doubles.
    pub initial: Duration,
    /// The longest delay between attempts.
    pub max: Duration,
    /// How long a delivery is tried, and an endpoint may fail before it
    /// is disabled.
    pub window: Duration,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(5),
            max: Duration::from_secs(3_600),
            window: Duration::from_secs(86_400),
        }
    }
}

impl Schedule {
    /// The delay after `attempts` failed attempts.
    pub fn delay(&self, attempts: i64) -> Duration {
        let doublings = attempts.saturating_sub(1).clamp(0, 30) as u32;
        self.initial
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_are_the_organisations_events_the_protos_document() {
        let mut documented = Vec::new();
        for file in ["community", "coproduction"] {
            let path = format!(
                "{}/../../proto/interlink/{file}/v1/events.proto",
                env!("CARGO_MANIFEST_DIR")
            );
            let text = std::fs::read_to_string(path).expect("the events proto");
            for line in text.lines() {
                let Some(comment) = line.strip_prefix("// `") else {
                    continue;
                };
                let Some((first, rest)) = comment.split_once('`') else {
                    continue;
                };
                if !first.starts_with(&format!("{file}.")) {
                    continue;
                }
                documented.push(first.to_owned());
                let stem = first.rsplit_once('.').map_or("", |(stem, _)| stem);
                // "`a.b.c`, `.d` or `.e`" names siblings by their verb.
                for part in rest.split('`').skip(1).step_by(2) {
                    if let Some(verb) = part.strip_prefix('.') {
                        documented.push(format!("{stem}.{verb}"));
                    }
                }
            }
        }
        for event_type in EVENT_TYPES {
            assert!(
                documented.iter().any(|d| d == event_type),
                "{event_type} is not an event type of the protos"
            );
        }
        let platform_wide = [
            "community.user.registered",
            "community.user.updated",
            "community.user.erased",
            "community.organization.created",
        ];
        for event_type in &documented {
            assert!(
                is_event_type(event_type) || platform_wide.contains(&event_type.as_str()),
                "{event_type} belongs to an organisation but is not offered"
            );
        }
    }

    #[test]
    fn the_api_offers_the_same_event_types() {
        let path = format!(
            "{}/../../proto/interlink/notifications/v1/webhooks.proto",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).expect("the webhooks proto");
        let line = text
            .lines()
            .find(|l| l.contains("repeated string event_types = 5"))
            .expect("the event types field");
        let values = line.split("values: [").nth(1).expect("its values");
        let listed: Vec<&str> = values
            .split(']')
            .next()
            .unwrap_or_default()
            .split(',')
            .map(|v| v.trim().trim_matches('"'))
            .collect();
        assert_eq!(listed, EVENT_TYPES);
    }

    #[test]
    fn only_public_https_urls_unless_allowed() {
        let strict = UrlPolicy::default();
        assert_eq!(url_problem("https://hooks.example.org/in", strict), None);
        for refused in [
            "http://hooks.example.org/in",
            "ftp://hooks.example.org/in",
            "https://127.0.0.1/in",
            "https://10.1.2.3/in",
            "https://192.168.0.7/in",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/",
            "https://[::1]/in",
            "https://[fd00::1]/in",
            "https://[::ffff:10.0.0.1]/in",
            "https://localhost:8443/in",
            "not a url",
        ] {
            assert!(url_problem(refused, strict).is_some(), "{refused} passed");
        }
        let open = UrlPolicy {
            allow_http: true,
            allow_private: true,
        };
        assert_eq!(url_problem("http://127.0.0.1:9000/in", open), None);
        assert!(is_public("8.8.8.8".parse().expect("an address")));
        assert!(is_public("2a00:1450::1".parse().expect("an address")));
        assert!(!is_public("0.1.2.3".parse().expect("an address")));
    }

    #[test]
    fn signatures_follow_the_specification() {
        // The Standard Webhooks specification's own example.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&[secret], id, 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        let two = signature(&[secret, &new_secret()], id, 1614265330, body);
        assert_eq!(two.split(' ').count(), 2);
        assert!(two.starts_with("v1,g0hM9SsE"));
    }

    #[test]
    fn retries_double_up_to_an_hour() {
        let schedule = Schedule::default();
        assert_eq!(schedule.delay(1), Duration::from_secs(5));
        assert_eq!(schedule.delay(2), Duration::from_secs(10));
        assert_eq!(schedule.delay(40), Duration::from_secs(3_600));
    }
}
