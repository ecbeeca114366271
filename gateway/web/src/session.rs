//! The visitor's session: one cookie, encrypted and authenticated with the
//! deployment's key (AES-256-GCM through the `cookie` crate's private jar),
//! so any gateway replica with the same key serves it and no server keeps
//! state. It holds a session id, the token every changing form must carry
//! (CSRF), and, once signed in, who the visitor is with their bearer token.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, CookieJar, Key, SameSite};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "interlink_session";

/// Tokens this close to their end count as ended, so a page's calls do
/// not fail half-way through.
const EXPIRY_MARGIN_SECS: u64 = 30;

/// What the session cookie holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Session {
    /// Random, new at each sign-in (so a session fixed before it is void).
    pub(crate) id: String,
    /// The token every changing form carries, compared in constant time.
    pub(crate) csrf: String,
    /// The signed-in person, if any.
    pub(crate) user: Option<SignedIn>,
}

/// A signed-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SignedIn {
    /// The token's subject: the user id every service knows.
    pub(crate) subject: String,
    /// `users/{id}`, as the services name people (empty when community
    /// did not answer at sign-in).
    #[serde(default)]
    pub(crate) user_name: String,
    /// The name shown in the page's header.
    pub(crate) name: String,
    /// A platform administrator.
    pub(crate) admin: bool,
    /// The bearer token the pages call the services with.
    pub(crate) token: String,
    /// When the token ends (seconds since the Unix epoch).
    pub(crate) expires_at: u64,
}

impl Session {
    /// A fresh session with new random id and CSRF token.
    pub(crate) fn new(user: Option<SignedIn>) -> Self {
        Self {
            id: random_hex(),
            csrf: random_hex(),
            user,
        }
    }

    /// Whether `token` is this session's CSRF token.
    pub(crate) fn csrf_matches(&self, token: &str) -> bool {
        !token.is_empty() && bool::from(self.csrf.as_bytes().ct_eq(token.as_bytes()))
    }
}

/// 128 random bits as hex, from the thread's cryptographic generator.
fn random_hex() -> String {
    rand::random::<[u8; 16]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Seconds since the Unix epoch.
pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What a request's cookie said.
#[derive(Debug)]
pub(crate) enum Found {
    /// No session cookie, or one this key did not make (tampered, or from
    /// before a key change): the visitor is anonymous.
    None,
    /// A valid session.
    Valid(Session),
    /// A signed-in session whose token ended: kept, without the person.
    Ended(Session),
}

/// Reads and writes session cookies with the deployment's key.
pub(crate) struct Sessions {
    key: Key,
    secure: bool,
}

impl Sessions {
    /// Sessions sealed with a key derived from `secret` (at least 32
    /// bytes; a shorter one, which configuration refuses, gives a random
    /// key), with `Secure` cookies when the site is served over https.
    pub(crate) fn new(secret: &[u8], secure: bool) -> Self {
        let key = if secret.len() >= 32 {
            Key::derive_from(secret)
        } else {
            tracing::warn!("no session key of 32 bytes: sessions end when this process stops");
            Key::generate()
        };
        Self { key, secure }
    }

    /// The session of a request.
    pub(crate) fn read(&self, headers: &HeaderMap) -> Found {
        let sealed = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|pair| {
                let (name, value) = pair.trim().split_once('=')?;
                (name == SESSION_COOKIE).then_some(value)
            });
        let Some(sealed) = sealed else {
            return Found::None;
        };
        let jar = CookieJar::new();
        let Some(opened) = jar
            .private(&self.key)
            .decrypt(Cookie::new(SESSION_COOKIE, sealed.to_owned()))
        else {
            return Found::None;
        };
        let Ok(mut session) = serde_json::from_str::<Session>(opened.value()) else {
            return Found::None;
        };
        match &session.user {
            Some(user) if user.expires_at <= now_secs() + EXPIRY_MARGIN_SECS => {
                session.user = None;
                Found::Ended(session)
            }
            _ => Found::Valid(session),
        }
    }

    /// The `Set-Cookie` value that keeps `session` until the browser
    /// closes (the token's own end signs the person out sooner).
    pub(crate) fn write(&self, session: &Session) -> Option<HeaderValue> {
        let json = serde_json::to_string(session).ok()?;
        let mut jar = CookieJar::new();
        jar.private_mut(&self.key).add(
            Cookie::build((SESSION_COOKIE, json))
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(self.secure)
                .path("/"),
        );
        let sealed = jar.get(SESSION_COOKIE)?;
        HeaderValue::from_str(&sealed.to_string()).ok()
    }

    /// The `Set-Cookie` value that removes the session.
    pub(crate) fn clear(&self) -> HeaderValue {
        let mut cookie = Cookie::build((SESSION_COOKIE, ""))
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .path("/")
            .build();
        cookie.make_removal();
        HeaderValue::from_str(&cookie.to_string())
            .unwrap_or_else(|_| HeaderValue::from_static("interlink_session=; Path=/; Max-Age=0"))
    }
}

/// Whether a form's request came from this site: its `Origin`, when the
/// browser sent one, is `public_url`, or (none configured) names the host
/// the request came to. Browsers send `Origin` on every cross-site POST, so
/// this stops a foreign page from posting even before the CSRF token does.
pub(crate) fn same_origin(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site == "cross-site")
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    match public_url {
        Some(public) => origin == public,
        None => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            let origin_host = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"));
            matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed_in(expires_at: u64) -> Session {
        Session::new(Some(SignedIn {
            subject: "ana".into(),
            user_name: "users/ana-id".into(),
            name: "Ana".into(),
            admin: false,
            token: "eyJ.token".into(),
            expires_at,
        }))
    }

    fn request_with(set_cookie: &HeaderValue) -> HeaderMap {
        let pair = set_cookie
            .to_str()
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; {pair}")).expect("a header"),
        );
        headers
    }

    #[test]
    fn a_session_comes_back_only_to_the_key_that_sealed_it() {
        let sessions = Sessions::new(&[7; 32], false);
        let session = signed_in(now_secs() + 3600);
        let cookie = sessions.write(&session).expect("a cookie");
        let text = cookie.to_str().unwrap_or_default();
        assert!(
            text.contains("HttpOnly") && text.contains("SameSite=Lax"),
            "{text}"
        );
        assert!(
            text.contains("Path=/") && !text.contains("Secure"),
            "{text}"
        );
        assert!(
            !text.contains("eyJ.token") && !text.contains("Ana"),
            "{text}"
        );
        let headers = request_with(&cookie);
        assert!(matches!(sessions.read(&headers), Found::Valid(s) if s == session));
        // Another deployment's key, or a changed byte, opens nothing.
        let other = Sessions::new(&[8; 32], false);
        assert!(matches!(other.read(&headers), Found::None));
        let tampered = text.replacen("interlink_session=", "interlink_session=A", 1);
        let headers = request_with(&HeaderValue::from_str(&tampered).expect("a header"));
        assert!(matches!(sessions.read(&headers), Found::None));
        assert!(matches!(sessions.read(&HeaderMap::new()), Found::None));
    }

    #[test]
    fn an_ended_token_leaves_an_anonymous_session() {
        let sessions = Sessions::new(&[7; 32], true);
        let session = signed_in(now_secs() + 5);
        let cookie = sessions.write(&session).expect("a cookie");
        assert!(cookie.to_str().unwrap_or_default().contains("Secure"));
        match sessions.read(&request_with(&cookie)) {
            Found::Ended(kept) => {
                assert_eq!(kept.user, None);
                assert_eq!(kept.csrf, session.csrf);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            sessions
                .clear()
                .to_str()
                .unwrap_or_default()
                .contains("Max-Age=0")
        );
    }

    #[test]
    fn csrf_tokens_are_random_and_compared_whole() {
        let a = Session::new(None);
        let b = Session::new(None);
        assert_ne!(a.csrf, b.csrf);
        assert_ne!(a.id, b.id);
        assert_eq!(a.csrf.len(), 32);
        assert!(a.csrf_matches(&a.csrf.clone()));
        assert!(!a.csrf_matches(&b.csrf));
        assert!(!a.csrf_matches(&a.csrf[..31]));
        assert!(!a.csrf_matches(""));
    }

    #[test]
    fn forms_are_taken_only_from_this_site() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, HeaderValue::from_static(value));
            }
            map
        };
        let host = ("host", "127.0.0.1:8080");
        assert!(same_origin(&headers(&[host]), None));
        assert!(same_origin(
            &headers(&[host, ("origin", "http://127.0.0.1:8080")]),
            None
        ));
        assert!(!same_origin(
            &headers(&[host, ("origin", "http://evil.example")]),
            None
        ));
        assert!(!same_origin(&headers(&[host, ("origin", "null")]), None));
        assert!(!same_origin(
            &headers(&[host, ("sec-fetch-site", "cross-site")]),
            None
        ));
        let public = Some("https://participa.example.org");
        assert!(same_origin(
            &headers(&[host, ("origin", "https://participa.example.org")]),
            public
        ));
        assert!(!same_origin(
            &headers(&[host, ("origin", "http://127.0.0.1:8080")]),
            public
        ));
    }
}
