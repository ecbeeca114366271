//! The visitor's session: a cookie encrypted and authenticated with the
//! deployment's key (AES-256-GCM through the `cookie` crate's private jar),
//! so any gateway replica with the same key serves it and no server keeps
//! state. It holds a session id, the token every changing form must carry
//! (CSRF), and, once signed in, who the visitor is with their bearer token
//! (and the issuer's refresh token). An issuer's tokens can outgrow the
//! 4 KB browsers keep per cookie, so a long session is cut into a few
//! cookies (`interlink_session`, `interlink_session.1`, …) read back whole:
//! one changed or missing piece and nothing opens.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, CookieJar, Key, SameSite};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

/// The session cookie's name (its first piece's).
pub(crate) const SESSION_COOKIE: &str = "interlink_session";

/// The most cookies a session is cut into.
const MAX_PIECES: usize = 4;

/// The longest piece: under the 4096 bytes browsers keep for a cookie's
/// name, value and attributes.
const PIECE_BYTES: usize = 3800;

/// Tokens this close to their end count as ended, so a page's calls do
/// not fail half-way through.
pub(crate) const EXPIRY_MARGIN_SECS: u64 = 30;

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
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The issuer's refresh token (OpenID Connect sign-in), which gets a
    /// new bearer token when this one ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) refresh_token: Option<String>,
    /// The issuer's ID token: the hint its sign-out is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id_token: Option<String>,
}

impl std::fmt::Debug for SignedIn {
    // The tokens stay out of any log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("subject", &self.subject)
            .field("user_name", &self.user_name)
            .field("admin", &self.admin)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
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
    /// A signed-in session whose token ended: the session kept without
    /// the person, and who they were (for a refresh).
    Ended(Session, SignedIn),
}

/// The `Set-Cookie` values of one answer, and the session's pieces as a
/// browser will send them back (removals are not among them).
#[derive(Debug, Clone, Default)]
pub(crate) struct SetCookies {
    values: Vec<HeaderValue>,
    kept: Vec<String>,
}

impl SetCookies {
    /// One cookie.
    pub(crate) fn one(value: HeaderValue) -> Self {
        Self {
            values: vec![value],
            kept: Vec::new(),
        }
    }

    /// Adds these cookies to an answer's headers.
    pub(crate) fn apply(&self, headers: &mut HeaderMap) {
        for value in &self.values {
            headers.append(header::SET_COOKIE, value.clone());
        }
    }

    /// Adds `other`'s cookies after these (the browser keeps the last).
    pub(crate) fn and(mut self, other: SetCookies) -> Self {
        self.values.extend(other.values);
        self.kept.extend(other.kept);
        self
    }

    /// The session's pieces as `name=value` pairs, as the browser sends
    /// them back.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = &str> {
        self.kept.iter().map(String::as_str)
    }
}

/// The value of the cookie `name` in a request, if it sent one.
pub(crate) fn cookie_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then_some(value)
        })
}

/// Reads and writes session cookies with the deployment's key. Under
/// https the cookies' names carry the `__Host-` prefix, so no other site
/// (a sibling subdomain included) can set them for this one.
pub(crate) struct Sessions {
    key: Key,
    secure: bool,
    prefix: &'static str,
}

impl Sessions {
    /// Sessions sealed with a key derived from `secret` (at least 32
    /// bytes; a shorter one, which configuration refuses, gives a random
    /// key), with `Secure`, `__Host-` cookies when the site is served over
    /// https.
    pub(crate) fn new(secret: &[u8], secure: bool) -> Self {
        let key = if secret.len() >= 32 {
            Key::derive_from(secret)
        } else {
            tracing::warn!("no session key of 32 bytes: sessions end when this process stops");
            Key::generate()
        };
        Self {
            key,
            secure,
            prefix: if secure { "__Host-" } else { "" },
        }
    }

    /// The name of a session's piece `index` (the first has the plain name).
    fn piece_name(&self, index: usize) -> String {
        if index == 0 {
            format!("{}{SESSION_COOKIE}", self.prefix)
        } else {
            format!("{}{SESSION_COOKIE}.{index}", self.prefix)
        }
    }

    /// Whether a cookie named `name` is a piece of a session.
    pub(crate) fn is_session_cookie(&self, name: &str) -> bool {
        (0..MAX_PIECES).any(|index| self.piece_name(index) == name)
    }

    /// The session of a request.
    pub(crate) fn read(&self, headers: &HeaderMap) -> Found {
        let mut sealed = String::new();
        for index in 0..MAX_PIECES {
            match cookie_value(headers, &self.piece_name(index)) {
                Some(piece) => sealed.push_str(piece),
                None => break,
            }
        }
        let Some(opened) = self.open(SESSION_COOKIE, &sealed) else {
            return Found::None;
        };
        let Ok(mut session) = serde_json::from_str::<Session>(&opened) else {
            return Found::None;
        };
        match session.user.take() {
            Some(user) if user.expires_at <= now_secs() + EXPIRY_MARGIN_SECS => {
                Found::Ended(session, user)
            }
            user => {
                session.user = user;
                Found::Valid(session)
            }
        }
    }

    /// The person a request's session names, whether their token is
    /// still good or has ended.
    pub(crate) fn signed_in_anyway(&self, headers: &HeaderMap) -> Option<SignedIn> {
        match self.read(headers) {
            Found::Valid(session) => session.user,
            Found::Ended(_, user) => Some(user),
            Found::None => None,
        }
    }

    /// `sealed`, opened with this deployment's key, if it sealed it as the
    /// cookie `name`.
    fn open(&self, name: &str, sealed: &str) -> Option<String> {
        if sealed.is_empty() {
            return None;
        }
        let jar = CookieJar::new();
        jar.private(&self.key)
            .decrypt(Cookie::new(name.to_owned(), sealed.to_owned()))
            .map(|opened| opened.value().to_owned())
    }

    /// `value` sealed with this deployment's key as the cookie `name`.
    fn seal(&self, name: &str, value: String) -> Option<String> {
        let mut jar = CookieJar::new();
        jar.private_mut(&self.key)
            .add(Cookie::new(name.to_owned(), value));
        jar.get(name).map(|sealed| sealed.value().to_owned())
    }

    /// An HttpOnly cookie for the whole site (`Secure` under https).
    fn cookie(&self, name: String, value: String) -> Cookie<'static> {
        Cookie::build((name, value))
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .path("/")
            .build()
    }

    /// The `Set-Cookie` value of a short-lived cookie `name` holding
    /// `value`, sealed (read back with [`Sessions::read_sealed`]).
    pub(crate) fn sealed_cookie(
        &self,
        name: &str,
        value: String,
        max_age_secs: i64,
    ) -> Option<HeaderValue> {
        let sealed = self.seal(name, value)?;
        let mut cookie = self.cookie(format!("{}{name}", self.prefix), sealed);
        cookie.set_max_age(cookie::time::Duration::seconds(max_age_secs));
        HeaderValue::from_str(&cookie.to_string()).ok()
    }

    /// What the sealed cookie `name` of a request holds, if this
    /// deployment sealed it.
    pub(crate) fn read_sealed(&self, headers: &HeaderMap, name: &str) -> Option<String> {
        let sealed = cookie_value(headers, &format!("{}{name}", self.prefix))?;
        self.open(name, sealed)
    }

    /// The `Set-Cookie` value removing the sealed cookie `name`.
    pub(crate) fn sealed_removal(&self, name: &str) -> HeaderValue {
        self.removal(&format!("{}{name}", self.prefix))
    }

    /// The `Set-Cookie` value removing the cookie `name`.
    fn removal(&self, name: &str) -> HeaderValue {
        let mut cookie = self.cookie(name.to_owned(), String::new());
        cookie.make_removal();
        HeaderValue::from_str(&cookie.to_string())
            .unwrap_or_else(|_| HeaderValue::from_static("interlink_session=; Path=/; Max-Age=0"))
    }

    /// The `Set-Cookie` values that keep `session` until the browser
    /// closes (the token's own end signs the person out sooner): its
    /// pieces, and the removal of pieces a longer session left. `None` if
    /// it cannot be sealed or is too long even in pieces.
    pub(crate) fn write(&self, session: &Session) -> Option<SetCookies> {
        let json = serde_json::to_string(session).ok()?;
        let sealed = self.seal(SESSION_COOKIE, json)?;
        // Base64: every byte is a character, so cutting anywhere is safe.
        let pieces: Vec<&str> = sealed
            .as_bytes()
            .chunks(PIECE_BYTES)
            .filter_map(|piece| std::str::from_utf8(piece).ok())
            .collect();
        if pieces.len() > MAX_PIECES {
            tracing::error!(
                bytes = sealed.len(),
                "a session is too long for its cookies"
            );
            return None;
        }
        let mut cookies = SetCookies::default();
        for (index, piece) in pieces.iter().enumerate() {
            let name = self.piece_name(index);
            cookies.kept.push(format!("{name}={piece}"));
            let cookie = self.cookie(name, (*piece).to_owned());
            cookies
                .values
                .push(HeaderValue::from_str(&cookie.to_string()).ok()?);
        }
        for index in pieces.len().max(1)..MAX_PIECES {
            cookies.values.push(self.removal(&self.piece_name(index)));
        }
        Some(cookies)
    }

    /// The `Set-Cookie` values that remove the session (every piece).
    pub(crate) fn clear(&self) -> SetCookies {
        SetCookies {
            values: (0..MAX_PIECES)
                .map(|index| self.removal(&self.piece_name(index)))
                .collect(),
            kept: Vec::new(),
        }
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
            refresh_token: None,
            id_token: None,
        }))
    }

    /// The request a browser sends back after `cookies`.
    fn request_with(cookies: &SetCookies) -> HeaderMap {
        let pairs: Vec<&str> = cookies.pairs().collect();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; {}", pairs.join("; "))).expect("a header"),
        );
        headers
    }

    /// A request sending `pairs` (`name=value`) as cookies.
    fn request_of(pairs: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&pairs.join("; ")).expect("a header"),
        );
        headers
    }

    /// The `Set-Cookie` values as text.
    fn texts(cookies: &SetCookies) -> Vec<String> {
        cookies
            .values
            .iter()
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .collect()
    }

    #[test]
    fn a_session_comes_back_only_to_the_key_that_sealed_it() {
        let sessions = Sessions::new(&[7; 32], false);
        let session = signed_in(now_secs() + 3600);
        let cookie = sessions.write(&session).expect("a cookie");
        let all = texts(&cookie);
        let text = all[0].as_str();
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
        let headers = request_of(&[tampered.split(';').next().unwrap_or_default()]);
        assert!(matches!(sessions.read(&headers), Found::None));
        assert!(matches!(sessions.read(&HeaderMap::new()), Found::None));
    }

    #[test]
    fn an_ended_token_leaves_an_anonymous_session() {
        let sessions = Sessions::new(&[7; 32], true);
        let session = signed_in(now_secs() + 5);
        let cookie = sessions.write(&session).expect("a cookie");
        assert!(texts(&cookie)[0].contains("Secure"));
        match sessions.read(&request_with(&cookie)) {
            Found::Ended(kept, ended) => {
                assert_eq!(kept.user, None);
                assert_eq!(kept.csrf, session.csrf);
                assert_eq!(Some(ended), session.user);
            }
            other => panic!("{other:?}"),
        }
        let cleared = texts(&sessions.clear());
        assert_eq!(cleared.len(), MAX_PIECES);
        assert!(
            cleared.iter().all(|c| c.contains("Max-Age=0")),
            "{cleared:?}"
        );
    }

    #[test]
    fn a_provider_sized_session_is_cut_into_cookies_a_browser_keeps_and_read_back_whole() {
        let sessions = Sessions::new(&[7; 32], true);
        // Keycloak's tokens with a few roles: about 2 KB and 1 KB; lengths
        // one apart, so the sealed text ends with and without base64 padding.
        for extra in 0..3 {
            let mut session = signed_in(now_secs() + 3600);
            if let Some(user) = session.user.as_mut() {
                user.token = format!("eyJ.{}", "a".repeat(2400 + extra));
                user.refresh_token = Some(format!("eyJ.{}", "r".repeat(1200)));
            }
            let cookies = sessions.write(&session).expect("cookies");
            let all = texts(&cookies);
            assert_eq!(all.len(), MAX_PIECES, "pieces and removals: {all:?}");
            let kept: Vec<&String> = all.iter().filter(|c| !c.contains("Max-Age=0")).collect();
            assert_eq!(kept.len(), 2, "{all:?}");
            assert_eq!(cookies.pairs().count(), 2);
            assert!(all.iter().all(|c| c.len() < 4096), "{all:?}");
            // Under https: `__Host-` names, Secure, the whole site.
            assert!(
                kept[0].starts_with("__Host-interlink_session=")
                    && kept[1].starts_with("__Host-interlink_session.1="),
                "{kept:?}"
            );
            assert!(
                kept.iter()
                    .all(|c| c.contains("Secure") && c.contains("Path=/"))
            );
            let headers = request_with(&cookies);
            assert!(matches!(sessions.read(&headers), Found::Valid(s) if s == session));

            // A piece missing, or pieces from two sessions, open nothing.
            let pieces: Vec<&str> = cookies.pairs().collect();
            assert!(matches!(
                sessions.read(&request_of(&pieces[..1])),
                Found::None
            ));
            let other = sessions.write(&session).expect("cookies");
            let others: Vec<&str> = other.pairs().collect();
            assert!(matches!(
                sessions.read(&request_of(&[pieces[0], others[1]])),
                Found::None
            ));
            // Cookies without the prefix (set by another site) are not read.
            let unprefixed: Vec<String> = pieces
                .iter()
                .map(|p| p.trim_start_matches("__Host-").to_owned())
                .collect();
            let unprefixed: Vec<&str> = unprefixed.iter().map(String::as_str).collect();
            assert!(matches!(
                sessions.read(&request_of(&unprefixed)),
                Found::None
            ));
            assert!(sessions.is_session_cookie("__Host-interlink_session.1"));
            assert!(!sessions.is_session_cookie("interlink_session"));
        }

        // A session far too long for its cookies is not written.
        let mut session = signed_in(now_secs() + 3600);
        if let Some(user) = session.user.as_mut() {
            user.token = "a".repeat(20_000);
        }
        assert!(sessions.write(&session).is_none());
    }

    #[test]
    fn a_sealed_cookie_opens_only_under_its_own_name_and_key() {
        let sessions = Sessions::new(&[7; 32], false);
        let cookie = sessions
            .sealed_cookie("interlink_sign_in", "{\"state\":\"s\"}".into(), 600)
            .expect("a cookie");
        let text = cookie.to_str().unwrap_or_default();
        assert!(
            text.contains("Path=/") && text.contains("Max-Age=600"),
            "{text}"
        );
        let pair = text.split(';').next().unwrap_or_default();
        assert_eq!(
            sessions
                .read_sealed(&request_of(&[pair]), "interlink_sign_in")
                .as_deref(),
            Some("{\"state\":\"s\"}")
        );
        // Under another name, or another key, it opens nothing.
        let renamed = pair.replacen("interlink_sign_in=", "interlink_session=", 1);
        assert!(matches!(
            sessions.read(&request_of(&[&renamed])),
            Found::None
        ));
        let other = Sessions::new(&[8; 32], false);
        assert_eq!(
            other.read_sealed(&request_of(&[pair]), "interlink_sign_in"),
            None
        );
        assert!(
            sessions
                .sealed_removal("interlink_sign_in")
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
