//! The descriptors of every Interlink service, read once: for canonical
//! request digests and for who may call what.

use std::collections::HashSet;
use std::sync::LazyLock;

use prost_reflect::{DescriptorPool, MethodDescriptor};

static POOL: LazyLock<Option<DescriptorPool>> =
    LazyLock::new(|| DescriptorPool::decode(interlink_proto::FILE_DESCRIPTOR_SET).ok());

/// The descriptors of every Interlink proto (none if they fail to decode,
/// which a test of this crate rules out).
pub fn pool() -> Option<&'static DescriptorPool> {
    POOL.as_ref()
}

/// The path of a gRPC method: `/package.Service/Method`.
pub fn method_path(method: &MethodDescriptor) -> String {
    format!("/{}/{}", method.parent_service().full_name(), method.name())
}

/// The paths (`/package.Service/Method`) of the Interlink methods that need
/// a bearer token: every one without the `interlink.common.v1.anonymous`
/// option.
static TOKEN_METHODS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let Some(pool) = pool() else {
        return HashSet::new();
    };
    let anonymous = pool.get_extension_by_name("interlink.common.v1.anonymous");
    pool.services()
        .flat_map(|service| service.methods().collect::<Vec<_>>())
        .filter(|method| {
            let options = method.options();
            !anonymous.as_ref().is_some_and(|option| {
                options.has_extension(option)
                    && options.get_extension(option).as_bool() == Some(true)
            })
        })
        .map(|method| method_path(&method))
        .collect()
});

/// Whether calls to `path` (`/package.Service/Method`) need a bearer token:
/// Interlink methods not marked anonymous. Others (health, reflection) do
/// not.
pub fn needs_token(path: &str) -> bool {
    TOKEN_METHODS.contains(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_anonymous_option_decides() {
        assert!(pool().is_some());
        assert!(needs_token(
            "/interlink.community.v1.CommunityService/CreateOrganization"
        ));
        assert!(!needs_token(
            "/interlink.catalogue.v1.CatalogueService/ListInterlinkers"
        ));
        assert!(!needs_token("/interlink.echo.v1.EchoService/Echo"));
        assert!(!needs_token("/grpc.health.v1.Health/Check"));
    }
}
