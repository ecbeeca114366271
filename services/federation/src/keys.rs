//! The deployment's signing keys (ES256, P-256) and the JWS it makes and
//! checks with them.
//!
//! A key's id is its RFC 7638 SHA-256 thumbprint, so a peer pins exactly
//! the key material, and a `kid` that does not match its key is refused.
//! Each key after the first carries an endorsement: a JWS by the key
//! before it naming the new one, so a subscriber that pinned any earlier
//! key can follow the chain to the current one.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The media type in the header of every entry.
pub const ENTRY_TYPE: &str = "interlink-feed-entry+jwt";
/// The media type in the header of every endorsement.
pub const ENDORSEMENT_TYPE: &str = "interlink-key-endorsement+jwt";

/// The public half of a key, as its JWK's members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKey {
    /// The x coordinate, base64url.
    pub x: String,
    /// The y coordinate, base64url.
    pub y: String,
}

impl PublicKey {
    /// The RFC 7638 SHA-256 thumbprint, base64url: the key's id.
    pub fn thumbprint(&self) -> String {
        // The required members in lexicographic order, no whitespace.
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            self.x, self.y
        );
        URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
    }

    fn decoding_key(&self) -> Result<DecodingKey, JwsError> {
        DecodingKey::from_ec_components(&self.x, &self.y)
            .map_err(|e| JwsError::BadKey(e.to_string()))
    }
}

/// A private key with its id, able to sign.
pub struct SigningKey {
    kid: String,
    public: PublicKey,
    pem: String,
    encoding: EncodingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A new random key.
    pub fn generate() -> Result<Self, JwsError> {
        let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let pem = secret
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| JwsError::BadKey(e.to_string()))?;
        Self::from_pem(&pem)
    }

    /// The key of a PKCS#8 PEM document.
    pub fn from_pem(pem: &str) -> Result<Self, JwsError> {
        use p256::pkcs8::DecodePrivateKey;
        let secret =
            p256::SecretKey::from_pkcs8_pem(pem).map_err(|e| JwsError::BadKey(e.to_string()))?;
        let point = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
            &secret.public_key(),
            false,
        );
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err(JwsError::BadKey("the public point is at infinity".into()));
        };
        let public = PublicKey {
            x: URL_SAFE_NO_PAD.encode(x),
            y: URL_SAFE_NO_PAD.encode(y),
        };
        let encoding = EncodingKey::from_ec_pem(pem.as_bytes())
            .map_err(|e| JwsError::BadKey(e.to_string()))?;
        Ok(Self {
            kid: public.thumbprint(),
            public,
            pem: pem.to_owned(),
            encoding,
        })
    }

    /// The key of the PKCS#8 PEM file at `path` (as `openssl genpkey
    /// -algorithm EC -pkeyopt ec_paramgen_curve:P-256` writes it).
    pub fn from_pem_file(path: &Path) -> Result<Self, KeyFileError> {
        let pem = std::fs::read_to_string(path).map_err(|e| KeyFileError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::from_pem(&pem).map_err(|e| KeyFileError::NotAKey {
            path: path.display().to_string(),
            reason: match e {
                JwsError::BadKey(reason) => reason,
                other => other.to_string(),
            },
        })
    }

    /// Its id (thumbprint).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Its public half.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The PKCS#8 PEM of the private key (kept in the service's database).
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// `claims` as a compact JWS of media type `typ`.
    pub fn sign<T: Serialize>(&self, typ: &str, claims: &T) -> Result<String, JwsError> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        header.typ = Some(typ.to_owned());
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| JwsError::BadKey(e.to_string()))
    }
}

/// Why a key file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFileError {
    /// The file does not read.
    #[error("cannot read {path}: {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// It is not a P-256 private key in PKCS#8 PEM.
    #[error(
        "{path} is not a P-256 private key in PKCS#8 PEM (`openssl genpkey -algorithm EC \
         -pkeyopt ec_paramgen_curve:P-256` makes one): {reason}"
    )]
    NotAKey {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Why a JWS was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    /// Not three base64url parts of a JSON header and payload.
    #[error("malformed JWS: {0}")]
    Malformed(String),
    /// Signed by a key that is not trusted.
    #[error("signed by key `{0}`, which is not pinned nor endorsed by a pinned key")]
    UntrustedKey(String),
    /// The signature does not match the content.
    #[error("the signature does not verify")]
    BadSignature,
    /// Not of the expected media type or algorithm.
    #[error("{0}")]
    WrongType(String),
    /// A key that cannot be used.
    #[error("unusable key: {0}")]
    BadKey(String),
}

/// The header of a JWS, read without verifying anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwsHeader {
    /// The signing key's id.
    pub kid: String,
    /// The media type.
    pub typ: String,
}

/// The header of `jws`, unverified.
pub fn header(jws: &str) -> Result<JwsHeader, JwsError> {
    let header =
        jsonwebtoken::decode_header(jws).map_err(|e| JwsError::Malformed(e.to_string()))?;
    if header.alg != Algorithm::ES256 {
        return Err(JwsError::WrongType(format!(
            "algorithm {:?}, not ES256",
            header.alg
        )));
    }
    Ok(JwsHeader {
        kid: header
            .kid
            .ok_or_else(|| JwsError::Malformed("no `kid` in the header".into()))?,
        typ: header.typ.unwrap_or_default(),
    })
}

/// The payload of `jws` of media type `typ`, verified with `key`.
pub fn verify<T: DeserializeOwned>(jws: &str, typ: &str, key: &PublicKey) -> Result<T, JwsError> {
    let head = header(jws)?;
    if head.typ != typ {
        return Err(JwsError::WrongType(format!(
            "media type `{}`, not `{typ}`",
            head.typ
        )));
    }
    if head.kid != key.thumbprint() {
        return Err(JwsError::UntrustedKey(head.kid));
    }
    let mut validation = Validation::new(Algorithm::ES256);
    validation.required_spec_claims = HashSet::new();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    match jsonwebtoken::decode::<T>(jws, &key.decoding_key()?, &validation) {
        Ok(data) => Ok(data.claims),
        Err(e) => match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => Err(JwsError::BadSignature),
            _ => Err(JwsError::Malformed(e.to_string())),
        },
    }
}

/// What an endorsement says: key `kid` of deployment `iss` follows the key
/// that signed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endorsement {
    /// The issuer.
    pub iss: String,
    /// The endorsed key's id.
    pub kid: String,
    /// When, in seconds since 1970.
    pub iat: i64,
}

/// A key of a published key set, as a subscriber reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedKey {
    /// Its id, as listed.
    pub kid: String,
    /// Its public half.
    pub public: PublicKey,
    /// Its endorsement by the key before it (empty for the first).
    pub endorsement: String,
}

/// The keys of `listed` a subscriber may trust given the ids it pinned:
/// the pinned ones that are listed, then every key endorsed by a trusted
/// one, until nothing changes. A key whose id is not its thumbprint is
/// never trusted.
pub fn trusted_keys(pinned: &[String], listed: &[ListedKey]) -> BTreeMap<String, PublicKey> {
    let honest: Vec<&ListedKey> = listed
        .iter()
        .filter(|key| key.kid == key.public.thumbprint())
        .collect();
    let mut trusted: BTreeMap<String, PublicKey> = honest
        .iter()
        .filter(|key| pinned.contains(&key.kid))
        .map(|key| (key.kid.clone(), key.public.clone()))
        .collect();
    loop {
        let mut grew = false;
        for key in &honest {
            if trusted.contains_key(&key.kid) || key.endorsement.is_empty() {
                continue;
            }
            let Ok(head) = header(&key.endorsement) else {
                continue;
            };
            let Some(endorser) = trusted.get(&head.kid) else {
                continue;
            };
            let endorsed = verify::<Endorsement>(&key.endorsement, ENDORSEMENT_TYPE, endorser);
            if endorsed.is_ok_and(|e| e.kid == key.kid) {
                trusted.insert(key.kid.clone(), key.public.clone());
                grew = true;
            }
        }
        if !grew {
            return trusted;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Claims {
        name: String,
        ver: i64,
    }

    fn listed(key: &SigningKey, endorsement: String) -> ListedKey {
        ListedKey {
            kid: key.kid().to_owned(),
            public: key.public().clone(),
            endorsement,
        }
    }

    fn endorse(by: &SigningKey, key: &SigningKey) -> String {
        by.sign(
            ENDORSEMENT_TYPE,
            &Endorsement {
                iss: "https://a.example".into(),
                kid: key.kid().to_owned(),
                iat: 1,
            },
        )
        .expect("sign")
    }

    #[test]
    fn a_signed_payload_verifies_with_its_key_and_no_other() {
        let key = SigningKey::generate().expect("key");
        let other = SigningKey::generate().expect("key");
        let claims = Claims {
            name: "interlinkers/x".into(),
            ver: 2,
        };
        let jws = key.sign(ENTRY_TYPE, &claims).expect("sign");
        assert_eq!(header(&jws).expect("header").kid, key.kid());
        assert_eq!(
            verify::<Claims>(&jws, ENTRY_TYPE, key.public()).expect("verifies"),
            claims
        );
        assert_eq!(
            verify::<Claims>(&jws, ENTRY_TYPE, other.public()),
            Err(JwsError::UntrustedKey(key.kid().to_owned()))
        );
        assert!(matches!(
            verify::<Claims>(&jws, ENDORSEMENT_TYPE, key.public()),
            Err(JwsError::WrongType(_))
        ));
        // The key survives its PEM.
        let again = SigningKey::from_pem(key.pem()).expect("pem");
        assert_eq!(again.kid(), key.kid());
        assert_eq!(again.public(), key.public());
    }

    #[test]
    fn a_key_file_gives_its_key_or_says_why_not() {
        use p256::pkcs8::DecodePrivateKey;
        let dir = tempfile::tempdir().expect("dir");
        let key = SigningKey::generate().expect("key");
        let path = dir.path().join("key.pem");
        std::fs::write(&path, key.pem()).expect("write");
        assert_eq!(
            SigningKey::from_pem_file(&path).expect("key file").kid(),
            key.kid()
        );
        let missing = dir.path().join("missing.pem");
        assert!(matches!(
            SigningKey::from_pem_file(&missing),
            Err(KeyFileError::Unreadable { .. })
        ));
        // A P-256 key, but in SEC1 (`openssl ecparam -genkey` writes it).
        let secret = p256::SecretKey::from_pkcs8_pem(key.pem()).expect("pkcs8");
        let sec1 = secret.to_sec1_pem(LineEnding::LF).expect("sec1");
        for (name, text) in [("sec1.pem", sec1.as_str()), ("text.pem", "not a key")] {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write");
            let err = SigningKey::from_pem_file(&path).expect_err(name);
            assert!(matches!(err, KeyFileError::NotAKey { .. }), "{name}: {err}");
            assert!(err.to_string().contains("P-256"), "{err}");
        }
    }

    #[test]
    fn a_tampered_payload_fails_its_signature() {
        let key = SigningKey::generate().expect("key");
        let jws = key
            .sign(
                ENTRY_TYPE,
                &Claims {
                    name: "a".into(),
                    ver: 1,
                },
            )
            .expect("sign");
        let parts: Vec<&str> = jws.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"name":"a","ver":9}"#);
        let tampered = format!("{}.{forged}.{}", parts[0], parts[2]);
        assert_eq!(
            verify::<Claims>(&tampered, ENTRY_TYPE, key.public()),
            Err(JwsError::BadSignature)
        );
        assert!(matches!(
            verify::<Claims>("not.a.jws", ENTRY_TYPE, key.public()),
            Err(JwsError::Malformed(_))
        ));
    }

    #[test]
    fn the_thumbprint_is_rfc_7638s() {
        // RFC 7638 section 3.1 uses an RSA key; this P-256 vector is the
        // JWK of RFC 7517 appendix A.1, thumbprint computed with Python.
        let key = PublicKey {
            x: "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4".into(),
            y: "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM".into(),
        };
        assert_eq!(
            key.thumbprint(),
            "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s"
        );
    }

    #[test]
    fn trust_follows_endorsements_from_a_pinned_key_only() {
        let first = SigningKey::generate().expect("key");
        let second = SigningKey::generate().expect("key");
        let third = SigningKey::generate().expect("key");
        let stranger = SigningKey::generate().expect("key");
        let keys = vec![
            listed(&third, endorse(&second, &third)),
            listed(&second, endorse(&first, &second)),
            listed(&first, String::new()),
            // Endorsed by a key nobody trusts.
            listed(&stranger, endorse(&stranger, &stranger)),
        ];
        let trusted = trusted_keys(&[first.kid().to_owned()], &keys);
        let ids: Vec<&String> = trusted.keys().collect();
        let mut expected = [
            first.kid().to_owned(),
            second.kid().to_owned(),
            third.kid().to_owned(),
        ];
        expected.sort();
        assert_eq!(ids, expected.iter().collect::<Vec<_>>());

        // Pinning the newest trusts it alone: endorsements point forward.
        let trusted = trusted_keys(&[third.kid().to_owned()], &keys);
        assert_eq!(trusted.len(), 1);

        // A listed key whose id is not its thumbprint is never trusted.
        let mut lying = listed(&second, endorse(&first, &second));
        lying.kid = stranger.kid().to_owned();
        let trusted = trusted_keys(
            &[first.kid().to_owned(), stranger.kid().to_owned()],
            &[listed(&first, String::new()), lying],
        );
        assert_eq!(trusted.len(), 1);

        // An endorsement naming another key endorses nothing.
        let misdirected = listed(&third, endorse(&first, &second));
        let trusted = trusted_keys(
            &[first.kid().to_owned()],
            &[listed(&first, String::new()), misdirected],
        );
        assert_eq!(trusted.len(), 1);
    }
}
