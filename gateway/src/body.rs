//! Request bodies, read in full before a request takes a slot: within a
//! size and a time limit, so a client uploading slowly holds only its own
//! connection.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;

use crate::GatewayError;

/// Whether a request with `headers` carries a body (chunked, or a
/// `content-length` above 0).
pub(crate) fn declared(headers: &http::HeaderMap) -> bool {
    headers.contains_key(http::header::TRANSFER_ENCODING)
        || headers
            .get(http::header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0")
}

/// `response`, saying that its HTTP/1 connection closes: a request body left
/// unread leaves it unable to carry another request, and a client told so
/// reads the answer instead of meeting a reset.
pub(crate) fn closing(mut response: axum::response::Response) -> axum::response::Response {
    response.headers_mut().insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    );
    response
}

/// The largest gRPC or gRPC-Web body carrying one message of at most
/// `max_message` bytes (its 5-byte frame header; base64 for `-text`).
pub(crate) fn grpc_limit(content_type: &http::HeaderValue, max_message: usize) -> usize {
    let framed = max_message.saturating_add(5);
    if content_type
        .as_bytes()
        .starts_with(b"application/grpc-web-text")
    {
        framed.saturating_add(2) / 3 * 4 + 4
    } else {
        framed
    }
}

/// How much of a body over its limit is read and dropped, so the client,
/// still sending, gets the 413 rather than a broken connection.
const MAX_DRAIN_BYTES: u64 = 8 * 1024 * 1024;

/// Why a body was refused, and whether it was read to its end (else its
/// connection cannot carry another request).
#[derive(Debug)]
pub(crate) struct Refused {
    pub(crate) error: GatewayError,
    pub(crate) drained: bool,
}

/// `body`, whole, if it is at most `limit` bytes and arrives within
/// `timeout`. A larger one is refused; up to [`MAX_DRAIN_BYTES`] beyond the
/// limit are read and dropped first (a declared `content-length` beyond
/// that is refused at once).
pub(crate) async fn read(
    headers: &http::HeaderMap,
    body: axum::body::Body,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, Refused> {
    let too_large = || GatewayError::PayloadTooLarge { limit };
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64 + MAX_DRAIN_BYTES) {
        return Err(Refused {
            error: too_large(),
            drained: false,
        });
    }
    let collect = async {
        let mut body = body;
        let mut out = BytesMut::new();
        let mut over = declared.is_some_and(|length| length > limit as u64);
        let mut seen: u64 = 0;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| Refused {
                error: GatewayError::BodyBroken(e.to_string()),
                drained: false,
            })?;
            if let Ok(data) = frame.into_data() {
                seen += data.len() as u64;
                if over || out.len() + data.len() > limit {
                    over = true;
                    out.clear();
                    if seen > limit as u64 + MAX_DRAIN_BYTES {
                        return Err(Refused {
                            error: too_large(),
                            drained: false,
                        });
                    }
                    continue;
                }
                out.extend_from_slice(&data);
            }
        }
        if over {
            return Err(Refused {
                error: too_large(),
                drained: true,
            });
        }
        Ok(out.freeze())
    };
    match tokio::time::timeout(timeout, collect).await {
        Ok(result) => result,
        Err(_) => Err(Refused {
            error: GatewayError::BodyTimeout(timeout),
            drained: false,
        }),
    }
}

/// Checks the framing of a gRPC or gRPC-Web request `body` before it is
/// passed on: whole frames, a compression flag of 0 (or 1 with a
/// `grpc-encoding`), no trailers frame, no message over `max_message`
/// bytes. A bad frame is INVALID_ARGUMENT, a message too large
/// RESOURCE_EXHAUSTED, whatever the service would have said.
pub(crate) fn check_grpc_frames(
    content_type: &http::HeaderValue,
    headers: &http::HeaderMap,
    body: &Bytes,
    max_message: usize,
) -> Result<(), GatewayError> {
    let bad = |message: &str| {
        GatewayError::BadRequest(crate::transcode::BadRequest {
            field: String::new(),
            message: message.to_owned(),
        })
    };
    let decoded;
    let mut frames: &[u8] = if content_type
        .as_bytes()
        .starts_with(b"application/grpc-web-text")
    {
        use base64::Engine;
        // Chunks may each end in padding: decode quantum by quantum.
        if !body.len().is_multiple_of(4) {
            return Err(bad("the gRPC-Web text body is not base64"));
        }
        let mut out = Vec::with_capacity(body.len() / 4 * 3);
        for quantum in body.chunks(4) {
            base64::engine::general_purpose::STANDARD
                .decode_vec(quantum, &mut out)
                .map_err(|_| bad("the gRPC-Web text body is not base64"))?;
        }
        decoded = out;
        &decoded
    } else {
        body
    };
    let compressed = headers
        .get("grpc-encoding")
        .is_some_and(|v| v.as_bytes() != b"identity");
    while !frames.is_empty() {
        let Some((header, rest)) = frames.split_first_chunk::<5>() else {
            return Err(bad("the body ends inside a gRPC frame header"));
        };
        match header[0] {
            0 => {}
            1 if compressed => {}
            1 => return Err(bad("a compressed gRPC message without grpc-encoding")),
            flag => {
                return Err(bad(&format!(
                    "invalid gRPC frame flag {flag} (valid flags are 0 and 1)"
                )));
            }
        }
        let length = u32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize;
        if length > max_message {
            return Err(GatewayError::PayloadTooLarge { limit: max_message });
        }
        if rest.len() < length {
            return Err(bad("the body ends inside a gRPC message"));
        }
        frames = &rest[length..];
    }
    Ok(())
}
