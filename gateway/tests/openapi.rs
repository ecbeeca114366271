//! The OpenAPI document covers every REST route of every service, and is
//! self-consistent: each path parameter declared, each `$ref` resolvable.

use std::sync::Arc;

use interlink_gateway::openapi::path_of;
use interlink_gateway::{Gateway, GatewayOptions, Upstream, Upstreams};
use interlink_runtime::auth::DevSigner;
use interlink_runtime::config::{AuthConfig, GatewayConfig};
use serde_json::{Value, json};

const ROLES: [&str; 5] = [
    "community",
    "catalogue",
    "coproduction",
    "monitoring",
    "echo",
];

/// A gateway in front of every role (never called: the document only).
fn gateway_of_every_role(dir: &std::path::Path) -> Gateway {
    let signer = DevSigner::load_or_create(dir).expect("dev signer");
    let pool = interlink_gateway::descriptor_pool().expect("descriptors");
    let mut upstreams = Upstreams::default();
    for role in ROLES {
        upstreams.add_role(
            &pool,
            Upstream::connect(role, "http://127.0.0.1:9").expect("lazy channel"),
        );
    }
    Gateway::new(GatewayOptions {
        config: GatewayConfig::default(),
        authenticator: Arc::new(signer.authenticator(&AuthConfig::default())),
        upstreams,
    })
    .expect("gateway")
}

fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object {
                if key == "$ref"
                    && let Some(target) = inner.as_str()
                {
                    out.push(target);
                }
                refs(inner, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn every_rest_route_is_in_the_openapi_document() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let gateway = gateway_of_every_role(dir.path());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let shutdown = tokio_util::sync::CancellationToken::new();
    tokio::spawn(interlink_gateway::serve(
        listener,
        gateway.router(),
        interlink_gateway::ConnectionLimits::of(&Default::default()),
        shutdown.clone(),
    ));
    let response = reqwest::get(format!("{base}/openapi.json"))
        .await
        .expect("openapi");
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.expect("JSON");
    assert_eq!(document["openapi"], "3.1.0");

    // Every service of every role has routes, and every route is documented.
    let routes = gateway.routes();
    for role in ROLES {
        assert!(
            routes.iter().any(|r| r
                .method
                .parent_service()
                .full_name()
                .starts_with(&format!("interlink.{role}."))),
            "no REST route for {role}"
        );
    }
    let mut operations = 0;
    for route in routes {
        let (path, params) = path_of(route);
        let method = route.http_method.as_str().to_ascii_lowercase();
        let operation = &document["paths"][&path][&method];
        assert!(
            operation["operationId"].is_string(),
            "{method} {path} ({}) is missing",
            route.template.text
        );
        operations += 1;
        let declared: Vec<&str> = operation["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .filter(|p| p["in"] == "path")
            .filter_map(|p| p["name"].as_str())
            .collect();
        for param in &params {
            assert!(declared.contains(&param.as_str()), "{path}: {param}");
            assert!(path.contains(&format!("{{{param}}}")));
        }
        assert!(operation["responses"]["200"].is_object());
        assert!(operation["responses"]["default"].is_object());
        // Who may call it, as the protos declare.
        assert_eq!(
            operation["responses"]["401"].is_object(),
            route.needs_token,
            "{method} {path}"
        );
        if route.needs_token {
            assert_eq!(operation["security"], serde_json::json!([{"bearer": []}]));
        } else {
            assert!(operation.get("security").is_none(), "{method} {path}");
        }
    }
    // Reads anyone may make, and changes that need a token.
    let needs = |method: &str, path: &str| {
        routes
            .iter()
            .find(|r| r.http_method.as_str() == method && r.template.text == path)
            .map(|r| r.needs_token)
    };
    assert_eq!(needs("GET", "/v1/interlinkers"), Some(false));
    assert_eq!(needs("POST", "/v1/interlinkers:recommend"), Some(false));
    assert_eq!(needs("POST", "/v1/organizations"), Some(true));
    assert_eq!(needs("GET", "/v1/users/me"), Some(true));
    // Ids with the shape the services check; page sizes never negative; a
    // body that is the whole request may be left out.
    let parameter = |path: &str, method: &str, name: &str| {
        document["paths"][path][method]["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name).cloned())
            .unwrap_or_else(|| panic!("{method} {path} {name}"))
    };
    let uuid = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
    assert_eq!(
        parameter("/v1/teams/{teamId}", "get", "teamId")["schema"]["pattern"],
        uuid
    );
    assert_eq!(
        parameter("/v1/schemas/{schemaId}", "get", "schemaId")["schema"]["pattern"],
        "^[a-z][a-z0-9-]{0,63}$"
    );
    assert_eq!(
        parameter("/v1/interlinkers", "get", "pageSize")["schema"]["minimum"],
        0
    );
    assert_eq!(
        document["paths"]["/v1/users/me:acceptTerms"]["post"]["requestBody"]["required"],
        false
    );
    assert_eq!(
        document["paths"]["/v1/organizations"]["post"]["requestBody"]["required"],
        true
    );
    // What the protos call output only is read-only; 64-bit integers are
    // strings of digits.
    let process = &document["components"]["schemas"]["interlink.coproduction.v1.Process"];
    assert_eq!(process["properties"]["name"]["readOnly"], true);
    assert_eq!(process["properties"]["createTime"]["readOnly"], true);
    assert!(process["properties"]["title"].get("readOnly").is_none());
    // Lists of enum values offer no `*_UNSPECIFIED` (the services refuse it).
    let natures = parameter("/v1/interlinkers:search", "get", "natures");
    let offered = natures["schema"]["items"]["enum"].as_array().expect("enum");
    assert!(!offered.is_empty());
    assert!(
        offered.iter().all(|v| v != "NATURE_UNSPECIFIED"),
        "{offered:?}"
    );
    // The fields' rules, as the protos' `interlink.common.v1.field` options
    // state them: required fields, translatable texts, lengths, formats.
    let schemas = &document["components"]["schemas"];
    let organization = &schemas["interlink.community.v1.Organization.Request"];
    // Answers carry no request rules.
    assert!(
        schemas["interlink.community.v1.Organization"]
            .get("required")
            .is_none()
    );
    assert!(
        organization["required"]
            .as_array()
            .is_some_and(|r| r.contains(&"displayName".into())),
        "{organization}"
    );
    let display_name = &organization["properties"]["displayName"];
    assert_eq!(display_name["required"], serde_json::json!(["values"]));
    assert_eq!(display_name["properties"]["values"]["minProperties"], 1);
    assert_eq!(
        display_name["properties"]["values"]["additionalProperties"]["maxLength"],
        200
    );
    // An update's body requires nothing: its mask names what changes, and
    // names only what may change.
    let update = &document["paths"]["/v1/organizations/{organizationId}"]["patch"];
    assert_eq!(
        update["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/interlink.community.v1.Organization.Update"
    );
    assert!(
        schemas["interlink.community.v1.Organization.Update"]
            .get("required")
            .is_none()
    );
    let mask = parameter("/v1/organizations/{organizationId}", "patch", "updateMask");
    let mask = regex::Regex::new(mask["schema"]["pattern"].as_str().expect("pattern"))
        .expect("a regular expression");
    assert!(mask.is_match("displayName,logoUrl"));
    assert!(!mask.is_match("name"));
    assert!(!mask.is_match(""), "community requires a mask");
    // `users/me` only where the services take it.
    assert!(
        parameter(
            "/v1/teams/{teamId}/members/users/{userId}",
            "delete",
            "userId"
        )["schema"]["pattern"]
            .as_str()
            .is_some_and(|p| !p.contains("me"))
    );
    assert_eq!(
        parameter("/v1/organizations", "get", "pageToken")["schema"]["format"],
        "page-token"
    );
    // Enums by name or by number, as proto3 JSON reads them; a required one
    // offers no `*_UNSPECIFIED`.
    let default_team_type = &organization["properties"]["defaultTeamType"]["enum"];
    for offered in [json!("TEAM_TYPE_CITIZEN"), json!(1)] {
        assert!(
            default_team_type
                .as_array()
                .is_some_and(|v| v.contains(&offered)),
            "{default_team_type}"
        );
    }
    for refused in [json!("TEAM_TYPE_UNSPECIFIED"), json!(0)] {
        assert!(
            default_team_type
                .as_array()
                .is_some_and(|v| !v.contains(&refused)),
            "{default_team_type}"
        );
    }
    let story = &document["components"]["schemas"]["interlink.coproduction.v1.Story"];
    assert_eq!(
        story["properties"]["ratingCount"]["pattern"],
        "^-?[0-9]{1,19}$"
    );
    let documented: usize = document["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|p| p.as_object().map_or(0, |m| m.len()))
        .sum();
    assert_eq!(
        documented, operations,
        "documented operations differ from routes"
    );
    assert!(operations > 100, "{operations}");

    let mut targets = Vec::new();
    refs(&document, &mut targets);
    assert!(!targets.is_empty());
    for target in targets {
        let name = target
            .strip_prefix("#/components/schemas/")
            .expect("a component reference");
        assert!(
            document["components"]["schemas"][name].is_object(),
            "unresolved {target}"
        );
    }
    // Resource names are spelled out, so clients never encode a `/`.
    assert!(
        document["paths"]["/v1/interlinkers/{interlinkerId}"]["get"]["operationId"]
            == "CatalogueService_GetInterlinker"
    );
    shutdown.cancel();
}
