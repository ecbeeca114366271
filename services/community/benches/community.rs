//! Community benchmark on PostgreSQL with 10,000 users and 1,000 teams
//! (10 members each, 20 organisations): the membership checks that every
//! authorisation makes, and `ListTeams` through the gRPC service.
//!
//! `cargo bench -p interlink-community --bench community`. Needs PostgreSQL
//! and NATS as the tests do (`scripts/services.sh`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use interlink_community::store::{self, OrganizationRow, TeamRow, UserRow};
use interlink_community::{CommunityApi, Migrator};
use interlink_proto::community::v1 as pb;
use interlink_proto::community::v1::community_service_client::CommunityServiceClient;
use interlink_proto::community::v1::community_service_server::CommunityServiceServer;
use interlink_runtime::auth::{DevSigner, DevTokenRequest};
use interlink_runtime::config::GrpcConfig;
use interlink_runtime::grpc::{ServeOptions, serve};
use interlink_runtime::testing::{Backend, TestEnv};
use rand::Rng;
use sea_orm::TransactionTrait;
use tokio_util::sync::CancellationToken;

const USERS: usize = 10_000;
const TEAMS: usize = 1_000;
const ORGANIZATIONS: usize = 20;
const MEMBERS_PER_TEAM: usize = 10;

fn id(kind: u128, n: usize) -> String {
    // Deterministic, ordered UUIDs: version 7 layout, kind in the high bits.
    uuid::Uuid::from_u128((kind << 100) | (0x7 << 76) | (0x8 << 60) | n as u128).to_string()
}

async fn seed(env: &TestEnv) {
    let db = &env.db;
    let txn = db.begin().await.expect("begin");
    for n in 0..USERS {
        store::insert_user(
            &txn,
            &UserRow {
                id: id(1, n),
                subject: format!("user-{n}"),
                display_name: format!("User {n}"),
                email: format!("user-{n}@example.org"),
                additional_emails: Vec::new(),
                locale: "es".into(),
                terms_accepted_at: None,
                platform_admin: false,
                created_at: 0,
                updated_at: 0,
                version: 1,
                erased_at: None,
            },
        )
        .await
        .expect("user");
    }
    for o in 0..ORGANIZATIONS {
        store::insert_organization(
            &txn,
            &OrganizationRow {
                id: id(2, o),
                display_name: [("es".to_owned(), format!("Organización {o}"))].into(),
                description: Default::default(),
                logo_url: String::new(),
                public: o % 2 == 0,
                default_team_type: "citizen".into(),
                team_creation_policy: "members".into(),
                created_by: id(1, o),
                created_at: 0,
                updated_at: 0,
                version: 1,
                administrators: vec![id(1, o)],
            },
        )
        .await
        .expect("organization");
    }
    let mut rng = rand::thread_rng();
    for t in 0..TEAMS {
        store::insert_team(
            &txn,
            &TeamRow {
                id: id(3, t),
                organization_id: id(2, t % ORGANIZATIONS),
                display_name: [("es".to_owned(), format!("Equipo {t}"))].into(),
                description: Default::default(),
                logo_url: String::new(),
                team_type: "citizen".into(),
                created_by: id(1, 0),
                created_at: 0,
                updated_at: 0,
                version: 1,
                member_count: 0,
            },
        )
        .await
        .expect("team");
        let mut members = std::collections::BTreeSet::new();
        while members.len() < MEMBERS_PER_TEAM {
            members.insert(rng.gen_range(0..USERS));
        }
        for (i, m) in members.into_iter().enumerate() {
            store::upsert_member(&txn, &id(3, t), &id(1, m), i == 0, 0)
                .await
                .expect("member");
        }
    }
    txn.commit().await.expect("commit");
    sea_orm::ConnectionTrait::execute_unprepared(db, "ANALYZE")
        .await
        .expect("analyze");
}

fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    (at(0.50).as_secs_f64() * 1e3, at(0.99).as_secs_f64() * 1e3)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let env = TestEnv::new::<Migrator>(Backend::Postgres, |_| {}).await;
        let started = Instant::now();
        seed(&env).await;
        println!(
            "seeded {USERS} users, {ORGANIZATIONS} organisations, {TEAMS} teams, {} memberships in {:.1} s",
            TEAMS * MEMBERS_PER_TEAM,
            started.elapsed().as_secs_f64()
        );
        let mut rng = rand::thread_rng();
        let rounds = 2_000;

        let mut org_member = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let (o, u) = (rng.gen_range(0..ORGANIZATIONS), rng.gen_range(0..USERS));
            let t = Instant::now();
            store::is_organization_member(&env.db, &id(2, o), &id(1, u))
                .await
                .expect("check");
            org_member.push(t.elapsed());
        }
        let mut team_member = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let (t_id, u) = (rng.gen_range(0..TEAMS), rng.gen_range(0..USERS));
            let t = Instant::now();
            store::member(&env.db, &id(3, t_id), &id(1, u)).await.expect("check");
            team_member.push(t.elapsed());
        }

        // ListTeams through the real service, as a member would call it.
        let dir = tempfile::tempdir().expect("dir");
        let signer = DevSigner::load_or_create(dir.path()).expect("signer");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let mut routes = tonic::service::RoutesBuilder::default();
        routes.add_service(CommunityServiceServer::new(CommunityApi::new(env.db.clone(), env.outbox())));
        let shutdown = CancellationToken::new();
        let options = ServeOptions {
            config: GrpcConfig::default(),
            authenticator: Arc::new(signer.authenticator(&env.config.auth)),
            health_services: Vec::new(),
            extra_descriptor_sets: Vec::new(),
            idempotency: Default::default(),
        };
        let server = tokio::spawn(serve(listener, routes, options, shutdown.clone()));
        let channel = tonic::transport::Channel::from_shared(url)
            .expect("url")
            .connect()
            .await
            .expect("connect");
        let mut client = CommunityServiceClient::new(channel);
        let token = signer
            .mint(
                &DevTokenRequest {
                    subject: "user-1".into(),
                    name: None,
                    email: None,
                    admin: false,
                    ttl: Duration::from_secs(3_600),
                },
                &env.config.auth.audience,
                &env.config.auth.admin_claim,
            )
            .expect("token");
        let list_rounds = 500;
        let mut list_teams = Vec::with_capacity(list_rounds);
        let mut listed = 0;
        for _ in 0..list_rounds {
            let o = rng.gen_range(0..ORGANIZATIONS / 2) * 2; // public ones
            let mut request = tonic::Request::new(pb::ListTeamsRequest {
                parent: format!("organizations/{}", id(2, o)),
                page_size: 50,
                page_token: String::new(),
            });
            request
                .metadata_mut()
                .insert("authorization", format!("Bearer {token}").parse().expect("header"));
            let t = Instant::now();
            let page = client.list_teams(request).await.expect("list").into_inner();
            list_teams.push(t.elapsed());
            listed += page.teams.len();
        }
        assert_eq!(listed, list_rounds * 50, "every page full");
        shutdown.cancel();
        server.await.expect("server").expect("serve");

        println!("{:<44} {:>10} {:>10} {:>8}", "operation (PostgreSQL)", "p50 ms", "p99 ms", "n");
        for (name, samples) in [
            ("organisation membership check", org_member),
            ("team membership check", team_member),
            ("ListTeams (gRPC, 50 per page, with auth)", list_teams),
        ] {
            let n = samples.len();
            let (p50, p99) = percentiles(samples);
            println!("{name:<44} {p50:>10.3} {p99:>10.3} {n:>8}");
        }
        env.cleanup().await;
    });
}
