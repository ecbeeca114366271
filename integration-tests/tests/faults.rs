//! The fault matrix (see `interlink_integration_tests::faults`), in the
//! short form CI runs: at least 2,000 changing calls and six faults (a
//! service killed, NATS stopped and killed, the notifications role — the
//! webhook dispatcher — killed, PostgreSQL's sessions cut and the server
//! restarted), with a webhook per load client delivering its organisation's
//! new teams and processes exactly once. `just faults` runs the full form:
//! 10,000 calls and every fault. `INTERLINK_FAULT_CALLS` and
//! `INTERLINK_FAULT_PLAN=full|short` choose.

use interlink_integration_tests::faults::{FULL, Fault, Plan, SHORT, run};
use interlink_runtime::config::TestServices;

const BIN: &str = env!("CARGO_BIN_EXE_interlink-it");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_acknowledged_is_lost_or_applied_twice_under_faults() {
    let full = std::env::var("INTERLINK_FAULT_PLAN").is_ok_and(|p| p == "full");
    let calls = std::env::var("INTERLINK_FAULT_CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if full { 10_000 } else { 2_000 });
    let plan = Plan {
        calls,
        clients: 16,
        faults: if full { FULL } else { SHORT }.to_vec(),
    };
    let nats_server = TestServices::from_env().nats_server_bin;
    let report = run(BIN.as_ref(), nats_server.as_ref(), &plan)
        .await
        .expect("the fault matrix runs");
    let table = report.table();
    println!("{table}");
    assert!(report.failures.is_empty(), "{table}");
    assert_eq!(report.unacknowledged, 0, "{table}");
    let acknowledged: usize = report.acknowledged.values().sum();
    assert!(acknowledged >= plan.calls, "{table}");
    assert_eq!(report.faults.len(), plan.faults.len(), "{table}");
    assert!(
        report
            .faults
            .iter()
            .all(|(_, at, _)| *at > 0 && *at < acknowledged),
        "every fault hit the load mid-flow: {table}"
    );
    assert_eq!((report.lost(), report.duplicated()), (0, 0), "{table}");
    // Every client subscribed its organisation, and there was something to
    // deliver.
    assert_eq!(report.webhooks, plan.clients, "{table}");
    assert!(report.webhook_events > 0, "{table}");
    // The notifications role was killed mid-batch: with an attempt of its
    // dispatcher in flight.
    if plan.faults.contains(&Fault::KillService("notifications")) {
        assert!(report.killed_in_flight.is_some_and(|n| n > 0), "{table}");
    }
    // A call's answer commits with its change: a kill cannot separate them.
    assert_eq!(report.applied_without_answer, 0, "{table}");
}
