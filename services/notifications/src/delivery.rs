//! How each kind of notification reaches a person by e-mail (their
//! preference, or the kind's default), and the signed token of a one-click
//! unsubscribe link. Pure: no storage, no transport.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::rules::Kind;

/// When a kind is e-mailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// One e-mail per notification, as it comes.
    Immediate,
    /// Gathered in one e-mail a day.
    Daily,
    /// Only in the inbox.
    Never,
}

impl Delivery {
    /// Every choice, in the order the API numbers them.
    pub const ALL: [Delivery; 3] = [Delivery::Immediate, Delivery::Daily, Delivery::Never];

    /// Its stored code.
    pub fn code(self) -> &'static str {
        match self {
            Delivery::Immediate => "immediate",
            Delivery::Daily => "daily",
            Delivery::Never => "never",
        }
    }

    /// The choice of a stored code.
    pub fn from_code(code: &str) -> Option<Delivery> {
        Delivery::ALL.into_iter().find(|d| d.code() == code)
    }

    /// Its number in the API (`EmailDelivery`).
    pub fn number(self) -> i32 {
        match self {
            Delivery::Immediate => 1,
            Delivery::Daily => 2,
            Delivery::Never => 3,
        }
    }

    /// The choice of an API number.
    pub fn from_number(number: i32) -> Option<Delivery> {
        Delivery::ALL.into_iter().find(|d| d.number() == number)
    }

    /// A kind's delivery until its person chooses: at once for what asks
    /// something of them or answers them (applications, invitations,
    /// claims, their memberships), daily for the news of their processes.
    pub fn default_for(kind: Kind) -> Delivery {
        match kind {
            Kind::TeamMemberAdded
            | Kind::TeamMemberRemoved
            | Kind::ApplicationSubmitted
            | Kind::ApplicationDecided
            | Kind::Invitation
            | Kind::ClaimSubmitted
            | Kind::ClaimDecided
            | Kind::WebhookDisabled
            | Kind::ContributionRequested => Delivery::Immediate,
            Kind::TeamGranted
            | Kind::TaskStartable
            | Kind::ProcessFinished
            | Kind::StoryPublished => Delivery::Daily,
        }
    }
}

/// What an unsubscribe link stops: one kind, or every e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One kind.
    Kind(Kind),
    /// Every kind (a digest's link).
    All,
}

impl Scope {
    fn code(self) -> &'static str {
        match self {
            Scope::Kind(kind) => kind.code(),
            Scope::All => "all",
        }
    }

    fn from_code(code: &str) -> Option<Scope> {
        if code == "all" {
            Some(Scope::All)
        } else {
            Kind::from_code(code).map(Scope::Kind)
        }
    }
}

fn mac(secret: &[u8], payload: &str) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(b"interlink.unsubscribe/1:");
    mac.update(payload.as_bytes());
    Some(mac)
}

/// The token of an unsubscribe link for `user` and `scope`, signed with
/// the service's secret: `{user}.{scope}.{hex HMAC-SHA256}`. It does not
/// expire: a mail's link works for as long as the mail is kept.
pub fn unsubscribe_token(secret: &[u8], user: &str, scope: Scope) -> String {
    let payload = format!("{user}.{}", scope.code());
    let signature = mac(secret, &payload)
        .map(|m| hex(&m.finalize().into_bytes()))
        .unwrap_or_default();
    format!("{payload}.{signature}")
}

/// The user and scope of a token this service signed, or `None`.
pub fn verify_unsubscribe(secret: &[u8], token: &str) -> Option<(String, Scope)> {
    let (payload, signature) = token.rsplit_once('.')?;
    let (user, scope) = payload.split_once('.')?;
    let scope = Scope::from_code(scope)?;
    let signature = unhex(signature)?;
    mac(secret, payload)?.verify_slice(&signature).ok()?;
    Some((user.to_owned(), scope))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_as_signed() {
        let secret = b"a secret of the service";
        let token = unsubscribe_token(secret, "u-1", Scope::Kind(Kind::Invitation));
        assert_eq!(
            verify_unsubscribe(secret, &token),
            Some(("u-1".into(), Scope::Kind(Kind::Invitation)))
        );
        let all = unsubscribe_token(secret, "u-1", Scope::All);
        assert_eq!(
            verify_unsubscribe(secret, &all),
            Some(("u-1".into(), Scope::All))
        );
        // Another secret, another person, another kind, or garbage: no.
        assert_eq!(verify_unsubscribe(b"another", &token), None);
        let forged = token.replacen("u-1", "u-2", 1);
        assert_eq!(verify_unsubscribe(secret, &forged), None);
        let widened = token.replacen("invitation", "all", 1);
        assert_eq!(verify_unsubscribe(secret, &widened), None);
        for garbage in ["", ".", "u-1.all.zz", "u-1.nothing.00", "u-1"] {
            assert_eq!(verify_unsubscribe(secret, garbage), None, "{garbage}");
        }
    }

    #[test]
    fn every_delivery_round_trips_and_every_kind_has_a_default() {
        for delivery in Delivery::ALL {
            assert_eq!(Delivery::from_code(delivery.code()), Some(delivery));
            assert_eq!(Delivery::from_number(delivery.number()), Some(delivery));
        }
        assert_eq!(Delivery::from_number(0), None);
        assert_eq!(Delivery::default_for(Kind::Invitation), Delivery::Immediate);
        assert_eq!(Delivery::default_for(Kind::StoryPublished), Delivery::Daily);
    }
}
