//! REST/JSON requests: resolved to a route, transcoded to the gRPC request,
//! sent to the owning service with the caller's token, request id, trace
//! context and deadline, and the answer transcoded back (server streams as
//! newline-delimited JSON, one `{"result": …}` per message).

use std::str::FromStr;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::StreamExt;
use tracing::Span;

use crate::routes::{Resolved, Route};
use crate::upstream::RawCodec;
use crate::{GatewayError, Shared, large_answers, transcode};

/// Answers one REST request, resolved to `resolved`, whose body has been
/// read.
pub(crate) async fn handle(
    shared: &Shared,
    parts: http::request::Parts,
    body: Bytes,
    resolved: Resolved<'_>,
) -> Response {
    let mut route = None;
    let mut response = match call(shared, parts, body, resolved, &mut route).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    };
    if let Some(route) = route {
        response
            .extensions_mut()
            .insert(crate::admission::MatchedRoute(route));
    }
    response
}

/// Whether `resolved` is a route whose answer is a server stream.
pub(crate) fn streams(resolved: &Resolved<'_>) -> bool {
    matches!(resolved, Resolved::Route(route, _) if route.method.is_server_streaming())
}

async fn call(
    shared: &Shared,
    parts: http::request::Parts,
    body: Bytes,
    resolved: Resolved<'_>,
    matched: &mut Option<String>,
) -> Result<Response, GatewayError> {
    let path = parts.uri.path();
    let (route, variables) = match resolved {
        Resolved::Route(route, variables) => (route, variables),
        Resolved::BadPath(message) => {
            return Err(GatewayError::BadRequest(transcode::BadRequest {
                field: String::new(),
                message,
            }));
        }
        Resolved::MethodNotAllowed(allowed) => {
            return Err(GatewayError::MethodNotAllowed {
                method: parts.method.clone(),
                allowed: allowed
                    .iter()
                    .map(http::Method::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        Resolved::NotFound => {
            return Err(GatewayError::NoRoute {
                method: parts.method.clone(),
                path: path.to_owned(),
            });
        }
    };
    *matched = Some(route.template.text.clone());
    let span = Span::current();
    span.record("http.route", route.template.text.as_str());
    span.record("rpc.system", "grpc");
    span.record("rpc.service", route.method.parent_service().full_name());
    span.record("rpc.method", route.method.name());

    // `$languages=es,en`: each translatable text of the answer in the first
    // of these it has; a gateway parameter, not the request's.
    let (query, languages) = languages_parameter(parts.uri.query())?;
    let message = transcode::request(route, variables, query.as_deref(), &body)?;

    let upstream = shared
        .upstreams
        .get(route.method.parent_service().full_name())
        .ok_or_else(|| {
            GatewayError::NotServed(route.method.parent_service().full_name().to_owned())
        })?;
    let mut grpc = tonic::client::Grpc::new(upstream.service.clone());
    let mut outgoing = tonic::Request::new(transcode::encode(&message));
    forward_metadata(&parts.headers, outgoing.metadata_mut());
    outgoing.set_timeout(shared.timeout);
    let grpc_path = http::uri::PathAndQuery::from_str(&route.grpc_path())
        .map_err(|e| GatewayError::Internal(e.to_string()))?;

    let deadline = shared.timeout;
    let answer = async {
        grpc.ready()
            .await
            .map_err(|e| GatewayError::Upstream(tonic::Status::unavailable(e.to_string())))?;
        if route.method.is_server_streaming() {
            let response = grpc
                .server_streaming(outgoing, grpc_path, RawCodec)
                .await
                .map_err(GatewayError::Upstream)?;
            Ok(stream_response(route, response.into_inner()))
        } else {
            let response = grpc
                .unary(outgoing, grpc_path, RawCodec)
                .await
                .map_err(GatewayError::Upstream)?;
            let answer = response.into_inner();
            let output = route.method.output();
            let transcoded = || {
                transcode::response_json_in(&output, &answer, &languages).map_err(|e| {
                    GatewayError::Internal(format!("response of {}: {e}", route.grpc_path()))
                })
            };
            if parts.method != http::Method::GET {
                return Ok(json_response(transcoded()?));
            }
            let tagged = || transcoded().map(|json| tagged_json(json.into()));
            let json = if answer.len() >= large_answers::MIN_BYTES {
                shared
                    .large_answers
                    .json(output.full_name(), &languages, &answer, tagged)
                    .await?
            } else {
                tagged()?
            };
            Ok(conditional_json_response(&parts.headers, json))
        }
    };
    match tokio::time::timeout(deadline, answer).await {
        Ok(result) => result,
        Err(_) => Err(GatewayError::Timeout(deadline)),
    }
}

/// What `$languages` may be: empty (no cut), or up to 10 comma-separated
/// language tags of a 2–3 letter language and up to 3 subtags. The check
/// below is this pattern, spelled out.
pub(crate) const LANGUAGES_PATTERN: &str =
    "^([a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}(,[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}){0,9})?$";

/// Whether `tag` is one tag of [`LANGUAGES_PATTERN`].
fn is_listed_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or_default();
    let subtags: Vec<&str> = parts.collect();
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_lowercase())
        && subtags.len() <= 3
        && subtags
            .iter()
            .all(|s| (2..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The query without the gateway's `$languages` parameter, and the language
/// tags it lists (see [`LANGUAGES_PATTERN`]).
fn languages_parameter(query: Option<&str>) -> Result<(Option<String>, Vec<String>), GatewayError> {
    const NAME: &str = "$languages";
    let Some(query) = query else {
        return Ok((None, Vec::new()));
    };
    if !query.contains("%24languages") && !query.contains(NAME) {
        return Ok((Some(query.to_owned()), Vec::new()));
    }
    let bad = |message: String| {
        GatewayError::BadRequest(transcode::BadRequest {
            field: NAME.to_owned(),
            message,
        })
    };
    let mut rest = form_urlencoded::Serializer::new(String::new());
    let mut languages = Vec::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if name == NAME {
            if value.is_empty() {
                continue;
            }
            for tag in value.split(',') {
                if !is_listed_tag(tag) {
                    return Err(bad(format!(
                        "`{tag}` is not a language tag such as en, es, it or lv"
                    )));
                }
                languages.push(tag.to_owned());
            }
        } else {
            rest.append_pair(&name, &value);
        }
    }
    if languages.len() > 10 {
        return Err(bad("lists at most 10 languages".into()));
    }
    let rest = rest.finish();
    Ok(((!rest.is_empty()).then_some(rest), languages))
}

fn json_response(json: Vec<u8>) -> Response {
    (
        [(http::header::CONTENT_TYPE, "application/json")],
        Body::from(json),
    )
        .into_response()
}

/// `json` with its strong `ETag`: a digest of the bytes.
fn tagged_json(json: Bytes) -> large_answers::Json {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(&json);
    let etag = format!(
        "\"{}\"",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..18])
    );
    large_answers::Json { body: json, etag }
}

/// The answer to a GET: the JSON with its `ETag`, or `304 Not Modified`
/// when the request's `If-None-Match` names it already, so a poller (a
/// federated peer reading the feed) pays no transfer for an unchanged page.
fn conditional_json_response(headers: &http::HeaderMap, json: large_answers::Json) -> Response {
    let tag = json.etag.as_str();
    let matches = headers
        .get_all(http::header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == tag);
    let etag = http::HeaderValue::from_str(tag).ok();
    let mut response = if matches {
        http::StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(http::header::CONTENT_TYPE, "application/json")],
            Body::from(json.body),
        )
            .into_response()
    };
    if let Some(etag) = etag {
        response.headers_mut().insert(http::header::ETAG, etag);
    }
    response
}

/// A server stream as newline-delimited JSON: `{"result": …}` per message,
/// `{"error": …}` if the stream fails.
fn stream_response(route: &Route, stream: tonic::Streaming<Bytes>) -> Response {
    let output = route.method.output();
    let lines = stream.map(move |item| {
        let line = match item {
            Ok(bytes) => match transcode::response_json(&output, &bytes) {
                Ok(json) => {
                    let mut line = Vec::with_capacity(json.len() + 12);
                    line.extend_from_slice(b"{\"result\":");
                    line.extend_from_slice(&json);
                    line.extend_from_slice(b"}\n");
                    line
                }
                Err(e) => error_line(&tonic::Status::internal(e.to_string())),
            },
            Err(status) => error_line(&status),
        };
        Ok::<_, std::convert::Infallible>(Bytes::from(line))
    });
    (
        [(http::header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(lines),
    )
        .into_response()
}

fn error_line(status: &tonic::Status) -> Vec<u8> {
    let mut line = serde_json::to_vec(&serde_json::json!({
        "error": crate::error::status_json(status)
    }))
    .unwrap_or_default();
    line.push(b'\n');
    line
}

/// Copies what the service needs from the HTTP request: the token, the
/// request id, the idempotency key, and the trace context (the gateway's
/// span as parent).
pub(crate) fn forward_metadata(
    headers: &http::HeaderMap,
    metadata: &mut tonic::metadata::MetadataMap,
) {
    for name in ["authorization", "x-request-id", "idempotency-key"] {
        if let Some(value) = headers.get(name)
            && let Ok(value) = tonic::metadata::MetadataValue::try_from(value.as_bytes())
        {
            metadata.insert(name, value);
        }
    }
    let traceparent = interlink_runtime::telemetry::current_traceparent().or_else(|| {
        headers
            .get("traceparent")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    });
    if let Some(traceparent) = traceparent
        && let Ok(value) = traceparent.parse()
    {
        metadata.insert("traceparent", value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_a_gateway_parameter_checked_as_documented() {
        let (query, languages) =
            languages_parameter(Some("pageSize=5&%24languages=es,pt-BR&x=a%20b")).expect("ok");
        assert_eq!(languages, ["es", "pt-BR"]);
        assert_eq!(query.as_deref(), Some("pageSize=5&x=a+b"));
        // Empty: no cut, as the pattern allows.
        let (query, languages) = languages_parameter(Some("%24languages=")).expect("ok");
        assert!(languages.is_empty() && query.is_none());
        // Absent: the query as it came.
        let (query, _) = languages_parameter(Some("pageSize=5")).expect("ok");
        assert_eq!(query.as_deref(), Some("pageSize=5"));
        for bad in [
            "Spanish",
            "es,",
            "e",
            "es-a",
            "sr-Latn-RS-x1-x2",
            "es,en,it,lv,de,fr,pt,nl,pl,sv,fi",
        ] {
            let query = format!("%24languages={bad}");
            assert!(languages_parameter(Some(&query)).is_err(), "{bad}");
        }
        assert!(languages_parameter(Some("%24languages=sr-Latn-RS")).is_ok());
    }
}
