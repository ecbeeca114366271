//! Bearer-token verification: what is accepted, and everything that must be
//! refused as UNAUTHENTICATED without a panic.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use interlink_runtime::auth::{AuthError, Authenticator, DevSigner, DevTokenRequest};
use interlink_runtime::config::AuthConfig;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

const ISSUER: &str = "https://idp.example.test/realms/zaragoza";
const RSA_PRIVATE: &str = include_str!("fixtures/rsa_private.pem");
const RSA_PUBLIC: &str = include_str!("fixtures/rsa_public.pem");
const RSA_JWK: &str = include_str!("fixtures/rsa_public.jwk.json");

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn claims() -> serde_json::Value {
    json!({
        "iss": ISSUER,
        "aud": "interlink",
        "sub": "user-42",
        "name": "Ana García",
        "email": "ana@zaragoza.example",
        "iat": now(),
        "exp": now() + 600,
        "interlink_admin": true,
    })
}

fn rsa_token(claims: &serde_json::Value, kid: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap(),
    )
    .unwrap()
}

/// A JWKS served over HTTP, whose keys the test can change.
struct JwksServer {
    url: String,
    keys: Arc<RwLock<JwkSet>>,
    fetches: Arc<std::sync::atomic::AtomicUsize>,
    failing: Arc<std::sync::atomic::AtomicBool>,
}

async fn jwks_server(keys: Vec<Jwk>) -> JwksServer {
    let keys = Arc::new(RwLock::new(JwkSet { keys }));
    let fetches = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let failing = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let app = axum::Router::new().route(
        "/jwks.json",
        axum::routing::get({
            let keys = Arc::clone(&keys);
            let fetches = Arc::clone(&fetches);
            let failing = Arc::clone(&failing);
            move || {
                fetches.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let set = keys.read().unwrap().clone();
                let fail = failing.load(std::sync::atomic::Ordering::SeqCst);
                async move {
                    if fail {
                        Err(axum::http::StatusCode::SERVICE_UNAVAILABLE)
                    } else {
                        Ok(axum::Json(set))
                    }
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    JwksServer {
        url,
        keys,
        fetches,
        failing,
    }
}

fn config(jwks_url: &str) -> AuthConfig {
    AuthConfig {
        issuer: ISSUER.into(),
        jwks_url: jwks_url.into(),
        jwks_min_refetch_ms: 0,
        ..AuthConfig::default()
    }
}

fn rsa_jwk() -> Jwk {
    serde_json::from_str(RSA_JWK).unwrap()
}

/// The plain reasons a refused token is given (never the JWT library's
/// parse errors).
const PLAIN_REASONS: &[&str] = &[
    "malformed token",
    "unsupported algorithm",
    "token has no key id",
    "unknown signing key",
    "bad signature",
    "token expired",
    "token not valid yet",
    "token from another issuer",
    "token for another audience",
    "token has no `exp` claim",
    "token has an empty subject",
];

fn assert_invalid(result: Result<interlink_runtime::auth::Identity, AuthError>, what: &str) {
    match result {
        Err(AuthError::InvalidToken(reason)) => {
            assert!(
                PLAIN_REASONS.contains(&reason.as_str()),
                "{what}: {reason:?} is not a plain reason"
            );
            let status = tonic::Status::from(AuthError::InvalidToken(reason.clone()));
            assert_eq!(status.code(), tonic::Code::Unauthenticated, "{what}");
            assert_eq!(status.message(), reason, "{what}");
        }
        other => panic!("{what}: expected an invalid token, got {other:?}"),
    }
}

fn assert_reason(result: Result<interlink_runtime::auth::Identity, AuthError>, expected: &str) {
    match result {
        Err(AuthError::InvalidToken(reason)) => assert_eq!(reason, expected),
        other => panic!("expected {expected:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn valid_rs256_and_es256_tokens_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let es = DevSigner::load_or_create(dir.path()).unwrap();
    let es_jwk = es.jwks().keys.remove(0);
    let server = jwks_server(vec![rsa_jwk(), es_jwk.clone()]).await;
    let auth = Authenticator::remote(&config(&server.url)).unwrap();

    let identity = auth
        .authenticate(&rsa_token(&claims(), "test-rsa"))
        .await
        .unwrap();
    assert_eq!(identity.subject, "user-42");
    assert_eq!(identity.name.as_deref(), Some("Ana García"));
    assert_eq!(identity.email.as_deref(), Some("ana@zaragoza.example"));
    assert!(identity.platform_admin);

    // An ES256 token signed for this issuer by the EC key of the set.
    let pem = std::fs::read(dir.path().join(interlink_runtime::auth::DEV_KEY_FILE)).unwrap();
    let mut header = Header::new(Algorithm::ES256);
    header.kid = es_jwk.common.key_id.clone();
    let mut c = claims();
    c["interlink_admin"] = json!(false);
    let token =
        jsonwebtoken::encode(&header, &c, &EncodingKey::from_ec_pem(&pem).unwrap()).unwrap();
    let identity = auth.authenticate(&token).await.unwrap();
    assert_eq!(identity.subject, "user-42");
    assert!(!identity.platform_admin);
    // Both verified with one fetch of the key set.
    assert_eq!(server.fetches.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn refused_tokens_are_unauthenticated() {
    let server = jwks_server(vec![rsa_jwk()]).await;
    let auth = Authenticator::remote(&config(&server.url)).unwrap();
    let b64 = |v: serde_json::Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };

    // alg: none
    let none = format!(
        "{}.{}.",
        b64(json!({"alg": "none", "typ": "JWT", "kid": "test-rsa"})),
        b64(claims())
    );
    assert_invalid(auth.authenticate(&none).await, "alg none");
    assert_reason(auth.authenticate(&none).await, "unsupported algorithm");

    // HS256 "signed" with the RSA public key as the HMAC secret.
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("test-rsa".into());
    let hs = jsonwebtoken::encode(
        &header,
        &claims(),
        &EncodingKey::from_secret(RSA_PUBLIC.as_bytes()),
    )
    .unwrap();
    assert_invalid(auth.authenticate(&hs).await, "HS256 with the public key");
    assert_reason(auth.authenticate(&hs).await, "unsupported algorithm");

    let mut c = claims();
    c["aud"] = json!("another-platform");
    assert_invalid(
        auth.authenticate(&rsa_token(&c, "test-rsa")).await,
        "wrong aud",
    );

    let mut c = claims();
    c["iss"] = json!("https://evil.example.test");
    assert_invalid(
        auth.authenticate(&rsa_token(&c, "test-rsa")).await,
        "wrong iss",
    );

    let mut c = claims();
    c["exp"] = json!(now() - 120);
    assert_invalid(
        auth.authenticate(&rsa_token(&c, "test-rsa")).await,
        "expired",
    );
    assert_reason(
        auth.authenticate(&rsa_token(&c, "test-rsa")).await,
        "token expired",
    );

    let mut c = claims();
    c["nbf"] = json!(now() + 120);
    assert_invalid(
        auth.authenticate(&rsa_token(&c, "test-rsa")).await,
        "not yet valid",
    );

    let mut c = claims();
    c.as_object_mut().unwrap().remove("exp");
    assert_invalid(
        auth.authenticate(&rsa_token(&c, "test-rsa")).await,
        "no exp",
    );

    assert_invalid(
        auth.authenticate(&rsa_token(&claims(), "unknown-kid"))
            .await,
        "unknown kid",
    );

    // Signed by another key under the known kid.
    let dir = tempfile::tempdir().unwrap();
    let other = DevSigner::load_or_create(dir.path()).unwrap();
    let forged = other
        .mint(
            &DevTokenRequest {
                subject: "user-42".into(),
                name: None,
                email: None,
                admin: true,
                ttl: Duration::from_secs(60),
            },
            "interlink",
            "interlink_admin",
        )
        .unwrap();
    assert_invalid(auth.authenticate(&forged).await, "foreign signer");
    let (head, rest) = rsa_token(&claims(), "test-rsa")
        .split_once('.')
        .map(|(h, r)| (h.to_owned(), r.to_owned()))
        .unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let mut tampered_claims = claims();
    tampered_claims["sub"] = json!("someone-else");
    let tampered = format!("{head}.{}.{signature}", b64(tampered_claims));
    assert_invalid(auth.authenticate(&tampered).await, "tampered claims");

    for garbage in [
        "",
        "garbage",
        "a.b.c",
        "....",
        "eyJhbGciOiJSUzI1NiJ9.e30.",
        "\u{0}\u{1}",
    ] {
        assert_invalid(
            auth.authenticate(garbage).await,
            &format!("garbage {garbage:?}"),
        );
        if !garbage.starts_with("eyJ") {
            assert_reason(auth.authenticate(garbage).await, "malformed token");
        }
    }
}

#[tokio::test]
async fn an_unknown_kid_fetches_the_rotated_key_set() {
    let server = jwks_server(vec![]).await;
    let auth = Authenticator::remote(&config(&server.url)).unwrap();
    let token = rsa_token(&claims(), "test-rsa");
    assert_invalid(auth.authenticate(&token).await, "key not published yet");
    // The issuer rotates its keys in.
    server.keys.write().unwrap().keys.push(rsa_jwk());
    assert_eq!(auth.authenticate(&token).await.unwrap().subject, "user-42");
}

#[tokio::test]
async fn unknown_kids_do_not_hammer_the_issuer() {
    let server = jwks_server(vec![rsa_jwk()]).await;
    let auth = Authenticator::remote(&AuthConfig {
        jwks_min_refetch_ms: 60_000,
        ..config(&server.url)
    })
    .unwrap();
    for i in 0..20 {
        assert_invalid(
            auth.authenticate(&rsa_token(&claims(), &format!("made-up-{i}")))
                .await,
            "made-up kid",
        );
    }
    assert_eq!(server.fetches.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_unreachable_issuer_is_unavailable_not_unauthenticated() {
    let auth = Authenticator::remote(&config("http://127.0.0.1:9/jwks.json")).unwrap();
    match auth.authenticate(&rsa_token(&claims(), "test-rsa")).await {
        Err(e @ AuthError::KeysUnavailable(_)) => {
            assert_eq!(tonic::Status::from(e).code(), tonic::Code::Unavailable)
        }
        other => panic!("expected unavailable keys, got {other:?}"),
    }
}

#[tokio::test]
async fn dev_signer_tokens_verify_and_the_key_survives_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let request = DevTokenRequest {
        subject: "dev-user".into(),
        name: Some("Dev".into()),
        email: None,
        admin: false,
        ttl: Duration::from_secs(60),
    };
    let config = AuthConfig::default();
    let first = DevSigner::load_or_create(dir.path()).unwrap();
    let token = first
        .mint(&request, &config.audience, &config.admin_claim)
        .unwrap();
    let again = DevSigner::load_or_create(dir.path()).unwrap();
    let identity = again
        .authenticator(&config)
        .authenticate(&token)
        .await
        .unwrap();
    assert_eq!(identity.subject, "dev-user");
    assert!(!identity.platform_admin);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(interlink_runtime::auth::DEV_KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test]
async fn a_failing_issuer_is_not_asked_on_every_call_and_stale_keys_still_serve() {
    let server = jwks_server(vec![rsa_jwk()]).await;
    let auth = Authenticator::remote(&AuthConfig {
        jwks_refresh_secs: 1,
        jwks_min_refetch_ms: 60_000,
        ..config(&server.url)
    })
    .unwrap();
    let token = rsa_token(&claims(), "test-rsa");
    auth.authenticate(&token).await.unwrap();
    assert_eq!(server.fetches.load(std::sync::atomic::Ordering::SeqCst), 1);

    // The issuer fails and the cached set goes stale.
    server
        .failing
        .store(true, std::sync::atomic::Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    for _ in 0..10 {
        assert_eq!(auth.authenticate(&token).await.unwrap().subject, "user-42");
    }
    // One refresh attempt (failed) inside the refetch interval, not ten.
    assert_eq!(server.fetches.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn encryption_keys_never_verify_signatures() {
    let mut jwk = rsa_jwk();
    jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Encryption);
    let server = jwks_server(vec![jwk]).await;
    let auth = Authenticator::remote(&config(&server.url)).unwrap();
    assert_invalid(
        auth.authenticate(&rsa_token(&claims(), "test-rsa")).await,
        "key marked for encryption",
    );
}
