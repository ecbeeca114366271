//! Hostile input on the JSON → protobuf path: whatever arrives, every route
//! answers a clear error or a valid message, and never panics. Errors name
//! the field by its path in the request message (a body bound to
//! `organization` reports `organization.public`).

use interlink_gateway::routes::{Resolved, Route, resolve, routes};
use interlink_gateway::transcode::{BadRequest, request};
use proptest::prelude::*;
use serde_json::Value;

fn all_routes() -> Vec<Route> {
    let pool = interlink_gateway::descriptor_pool().expect("descriptors");
    routes(&pool, |_| true).expect("routes")
}

fn route<'a>(routes: &'a [Route], method: &str, path: &str) -> (&'a Route, Vec<(String, String)>) {
    match resolve(routes, &method.parse().expect("method"), path) {
        Resolved::Route(route, variables) => (route, variables),
        _ => panic!("no route for {method} {path}"),
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("organization".to_owned()),
                    Just("displayName".to_owned()),
                    Just("values".to_owned()),
                    Just("public".to_owned()),
                    Just("pageSize".to_owned()),
                    Just("defaultTeamType".to_owned()),
                    Just("interlinker".to_owned()),
                    Just("updateMask".to_owned()),
                    "[a-zA-Z_]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any JSON body, on every route that takes one, transcodes or is refused.
    #[test]
    fn any_json_body_is_transcoded_or_refused(value in json_value(), index in any::<prop::sample::Index>()) {
        let routes = all_routes();
        let with_body: Vec<&Route> = routes
            .iter()
            .filter(|r| r.body != interlink_gateway::routes::BodyTarget::None)
            .collect();
        let route = index.get(&with_body);
        let body = serde_json::to_vec(&value).expect("encode");
        let _ = request(route, Vec::new(), None, &body);
    }

    /// Any bytes as a body, any query string.
    #[test]
    fn any_bytes_and_queries_are_transcoded_or_refused(
        body in prop::collection::vec(any::<u8>(), 0..256),
        query in "[a-zA-Z.=&%0-9_+-]{0,64}",
        index in any::<prop::sample::Index>(),
    ) {
        let routes = all_routes();
        let route = index.get(&routes);
        let _ = request(route, Vec::new(), Some(&query), &body);
    }

    /// Any path resolves to a route, a clear refusal, or nothing.
    #[test]
    fn any_path_resolves_or_is_refused(path in "/v1/[a-zA-Z0-9%./:_-]{0,48}") {
        let routes = all_routes();
        for method in ["GET", "POST", "PATCH", "DELETE"] {
            let _ = resolve(&routes, &method.parse().expect("method"), &path);
        }
    }
}

fn refused(result: Result<impl std::fmt::Debug, BadRequest>) -> BadRequest {
    result.expect_err("refused")
}

#[test]
fn unknown_fields_and_wrong_types_are_refused_naming_the_field() {
    let routes = all_routes();
    let (create, _) = route(&routes, "POST", "/v1/organizations");

    let e = refused(request(create, Vec::new(), None, br#"{"displayNme": {}}"#));
    assert!(e.message.contains("displayNme"), "{e:?}");

    let e = refused(request(create, Vec::new(), None, br#"{"public": "yes"}"#));
    assert_eq!(e.field, "organization.public", "{e:?}");

    let e = refused(request(
        create,
        Vec::new(),
        None,
        br#"{"displayName": {"values": {"es": 7}}}"#,
    ));
    assert_eq!(e.field, "organization.displayName.values.es", "{e:?}");

    let e = refused(request(
        create,
        Vec::new(),
        None,
        br#"{"defaultTeamType": "NO_SUCH"}"#,
    ));
    assert_eq!(e.field, "organization.defaultTeamType", "{e:?}");
}

#[test]
fn malformed_deep_huge_and_non_utf8_bodies_are_refused() {
    let routes = all_routes();
    let (create, _) = route(&routes, "POST", "/v1/organizations");
    for body in [
        b"{".to_vec(),
        b"[1, 2".to_vec(),
        b"\xff\xfe{}".to_vec(),
        b"{\"displayName\": \"\xc3\x28\"}".to_vec(),
        "[".repeat(100_000).into_bytes(),
        format!("{}{}", "{\"a\":".repeat(10_000), "}".repeat(10_000)).into_bytes(),
        b"\"just a string\"".to_vec(),
    ] {
        let _ = refused(request(create, Vec::new(), None, &body));
    }

    let (list, _) = route(&routes, "GET", "/v1/organizations");
    for query in [
        "pageSize=99999999999999999999",
        "pageSize=1e400",
        "pageSize=abc",
        "pageSize=1&pageSize=2",
        "noSuchField=1",
        "pageToken.x=1",
    ] {
        let e = refused(request(list, Vec::new(), Some(query), b""));
        assert!(!e.message.is_empty(), "{query}");
    }
    let ok = request(list, Vec::new(), Some("pageSize=10&page_token=abc"), b"").expect("valid");
    assert_eq!(
        ok.get_field_by_name("page_size").and_then(|v| v.as_i32()),
        Some(10)
    );
}

#[test]
fn path_traversal_in_ids_is_refused() {
    let routes = all_routes();
    for path in [
        "/v1/organizations/..",
        "/v1/organizations/%2e%2e",
        "/v1/organizations/a%2Fb",
        "/v1/organizations/%00",
    ] {
        assert!(
            matches!(
                resolve(&routes, &http::Method::GET, path),
                Resolved::BadPath(_)
            ),
            "{path}"
        );
    }
}
