//! The roles this binary can run. Each service of the mesh adds itself here.

use interlink_catalogue::CatalogueRole;
use interlink_community::CommunityRole;
use interlink_coproduction::CoproductionRole;
use interlink_documents::DocumentsRole;
use interlink_federation::FederationRole;
use interlink_monitoring::MonitoringRole;
use interlink_notifications::NotificationsRole;
use interlink_runtime::echo::EchoRole;
use interlink_runtime::host::Role;
use interlink_surveys::SurveysRole;

/// The front door: not a service role (no database, no events), served by
/// `serve gateway` in front of the others.
pub(crate) const GATEWAY: &str = "gateway";

/// Every service role, in start-up order.
pub(crate) fn all() -> Vec<Box<dyn Role>> {
    vec![
        Box::new(CommunityRole),
        Box::new(CatalogueRole),
        Box::new(CoproductionRole),
        Box::new(MonitoringRole),
        Box::new(NotificationsRole),
        Box::new(FederationRole),
        Box::new(DocumentsRole),
        Box::new(SurveysRole),
        Box::new(EchoRole),
    ]
}

/// The role named `name`, or an error listing the known ones.
pub(crate) fn find(name: &str) -> anyhow::Result<Box<dyn Role>> {
    let roles = all();
    let names: Vec<&'static str> = roles.iter().map(|r| r.name()).collect();
    roles.into_iter().find(|r| r.name() == name).ok_or_else(|| {
        anyhow::anyhow!(
            "unknown role `{name}`; roles are: {}, {GATEWAY}",
            names.join(", ")
        )
    })
}

/// The SQLite URL of `role` in embedded mode.
pub(crate) fn embedded_database_url(config: &interlink_runtime::Config, role: &str) -> String {
    format!(
        "sqlite://{}",
        config.data_dir.join(format!("{role}.db")).display()
    )
}
