//! Interlink's protobuf contract. Each package `interlink.<area>.v1` is a
//! module here; the encoded file descriptor set of all of them is
//! [`FILE_DESCRIPTOR_SET`], for gRPC reflection and the gateway.

pub mod codec;

/// The encoded `google.protobuf.FileDescriptorSet` of every Interlink proto
/// (and the Google types they import).
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/interlink_descriptor.bin"));

/// `interlink.catalogue.v1`: interlinkers, problem profiles, schemas, ratings.
pub mod catalogue {
    /// Version 1.
    pub mod v1 {
        #![allow(unreachable_pub, clippy::all)]
        include!(concat!(env!("OUT_DIR"), "/interlink.catalogue.v1.rs"));
    }
}

/// `interlink.coproduction.v1`: processes, their trees, permissions and assets.
pub mod coproduction {
    /// Version 1.
    pub mod v1 {
        #![allow(unreachable_pub, clippy::all)]
        include!(concat!(env!("OUT_DIR"), "/interlink.coproduction.v1.rs"));
    }
}

/// `interlink.monitoring.v1`: the audit trail and the adoption KPIs.
pub mod monitoring {
    /// Version 1.
    pub mod v1 {
        #![allow(unreachable_pub, clippy::all)]
        include!(concat!(env!("OUT_DIR"), "/interlink.monitoring.v1.rs"));
    }
}

/// `interlink.notifications.v1`: the in-app inbox of each person.
pub mod notifications {
    /// Version 1.
    pub mod v1 {
        #![allow(unreachable_pub, clippy::all)]
        include!(concat!(env!("OUT_DIR"), "/interlink.notifications.v1.rs"));
    }
}

/// `interlink.federation.v1`: what deployments share with one another.
pub mod federation {
    /// Version 1.
    pub mod v1 {
        #![allow(unreachable_pub, clippy::all)]
        include!(concat!(env!("OUT_DIR"), "/interlink.federation.v1.rs"));
    }
}

/// `interlink.common.v1`: messages shared by every service.
pub mod common {
    /// Version 1.
    pub mod v1 {
        #![allow(unreachable_pub, clippy::all)]
        include!(concat!(env!("OUT_DIR"), "/interlink.common.v1.rs"));
    }
}

/// `interlink.community.v1`: users, organisations, teams and memberships.
pub mod community {
    /// Version 1.
    pub mod v1 {
        #![allow(unreachable_pub, clippy::all)]
        include!(concat!(env!("OUT_DIR"), "/interlink.community.v1.rs"));
    }
}

/// `interlink.echo.v1`: the baseline service of benchmarks and serving tests.
pub mod echo {
    /// Version 1.
    pub mod v1 {
        #![allow(unreachable_pub, clippy::all)]
        include!(concat!(env!("OUT_DIR"), "/interlink.echo.v1.rs"));
    }
}

/// `interlink.events.v1`: the envelope of every event on the bus.
pub mod events {
    /// Version 1.
    pub mod v1 {
        #![allow(unreachable_pub, clippy::all)]
        include!(concat!(env!("OUT_DIR"), "/interlink.events.v1.rs"));
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;

    #[test]
    fn descriptor_set_lists_every_package() {
        let set = prost_types::FileDescriptorSet::decode(FILE_DESCRIPTOR_SET)
            .expect("descriptor set decodes");
        let packages: Vec<_> = set.file.iter().filter_map(|f| f.package.clone()).collect();
        assert!(packages.iter().any(|p| p == "interlink.events.v1"));
        assert!(packages.iter().any(|p| p == "interlink.common.v1"));
        assert!(packages.iter().any(|p| p == "interlink.community.v1"));
        assert!(packages.iter().any(|p| p == "interlink.catalogue.v1"));
        // The HTTP annotations travel with the descriptors, for the gateway.
        assert!(packages.iter().any(|p| p == "google.api"));
    }

    #[test]
    fn event_round_trips() {
        let event = events::v1::Event {
            id: "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10".into(),
            r#type: "community.team.created".into(),
            aggregate_version: 3,
            payload: Some(prost_types::Any {
                type_url: "type.googleapis.com/interlink.common.v1.TranslatableText".into(),
                value: vec![1, 2, 3],
            }),
            ..Default::default()
        };
        let decoded =
            events::v1::Event::decode(event.encode_to_vec().as_slice()).expect("event decodes");
        assert_eq!(decoded, event);
    }
}
