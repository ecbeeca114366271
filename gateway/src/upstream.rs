//! The services behind the gateway: a gRPC service per Interlink package,
//! reached over a channel (cluster mode: the Kubernetes Service's URL) or
//! in process (`interlink up`), and a codec that moves encoded messages
//! without knowing their types.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::time::Duration;

use bytes::{Buf, BufMut, Bytes};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tower::util::BoxCloneSyncService;
use tower::{BoxError, ServiceExt};

/// A gRPC endpoint: takes HTTP/2 gRPC requests, returns responses.
pub type GrpcService = BoxCloneSyncService<
    http::Request<tonic::body::Body>,
    http::Response<tonic::body::Body>,
    UnreachableError,
>;

/// An upstream could not be reached. (A concrete type rather than a boxed
/// error keeps the futures that call upstreams `Send` for the compiler.)
#[derive(Debug)]
pub struct UnreachableError(pub BoxError);

impl std::fmt::Display for UnreachableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for UnreachableError {}

/// Where a role's services are reached.
#[derive(Clone)]
pub struct Upstream {
    /// The role (`community`, `catalogue` …), for health and logs.
    pub role: String,
    /// The endpoint.
    pub service: GrpcService,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("role", &self.role)
            .finish()
    }
}

impl Upstream {
    /// A role reached over the network at `url` (connected lazily, so the
    /// gateway starts before its upstreams).
    pub fn connect(role: &str, url: &str) -> Result<Self, tonic::transport::Error> {
        let channel = tonic::transport::Endpoint::from_shared(url.to_owned())?
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_secs(5))
            .http2_keep_alive_interval(Duration::from_secs(30))
            .keep_alive_while_idle(true)
            .connect_lazy();
        Ok(Self {
            role: role.to_owned(),
            service: BoxCloneSyncService::new(
                channel.map_err(|e| UnreachableError(BoxError::from(e))),
            ),
        })
    }

    /// A role served by `routes` in this process.
    pub fn in_process<S>(role: &str, routes: S) -> Self
    where
        S: tower::Service<
                http::Request<tonic::body::Body>,
                Response = http::Response<tonic::body::Body>,
                Error = Infallible,
            > + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        Self {
            role: role.to_owned(),
            service: BoxCloneSyncService::new(routes.map_err(|e| match e {})),
        }
    }
}

/// The upstream of each Interlink gRPC service, by the service's full name.
#[derive(Debug, Clone, Default)]
pub struct Upstreams {
    by_service: BTreeMap<String, Upstream>,
}

impl Upstreams {
    /// Routes every service of package `interlink.<role>.v1` to `upstream`.
    pub fn add_role(&mut self, pool: &prost_reflect::DescriptorPool, upstream: Upstream) {
        let package = format!("interlink.{}.", upstream.role);
        for service in pool.services() {
            if service.full_name().starts_with(&package) {
                self.by_service
                    .insert(service.full_name().to_owned(), upstream.clone());
            }
        }
    }

    /// The upstream of the service `full_name`.
    pub fn get(&self, full_name: &str) -> Option<&Upstream> {
        self.by_service.get(full_name)
    }

    /// Whether the service `full_name` is served.
    pub fn serves(&self, full_name: &str) -> bool {
        self.by_service.contains_key(full_name)
    }

    /// One upstream per role.
    pub fn roles(&self) -> BTreeMap<String, Upstream> {
        self.by_service
            .values()
            .map(|u| (u.role.clone(), u.clone()))
            .collect()
    }

    /// The services served, with their role.
    pub fn services(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_service
            .iter()
            .map(|(name, u)| (name.as_str(), u.role.as_str()))
    }
}

/// Moves encoded messages as they are: the gateway encodes and decodes
/// them itself with the descriptors.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawCodec;

impl Codec for RawCodec {
    type Encode = Bytes;
    type Decode = Bytes;
    type Encoder = RawCodec;
    type Decoder = RawCodec;

    fn encoder(&mut self) -> Self::Encoder {
        RawCodec
    }

    fn decoder(&mut self) -> Self::Decoder {
        RawCodec
    }
}

impl Encoder for RawCodec {
    type Item = Bytes;
    type Error = tonic::Status;

    fn encode(&mut self, item: Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), Self::Error> {
        dst.put(item);
        Ok(())
    }
}

impl Decoder for RawCodec {
    type Item = Bytes;
    type Error = tonic::Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Bytes>, Self::Error> {
        Ok(Some(src.copy_to_bytes(src.remaining())))
    }
}
