//! The OpenAPI 3 document of the REST routes, generated from the same
//! descriptors the gateway transcodes with. Resource-name variables are
//! spelled out segment by segment (`{name=interlinkers/*}` becomes
//! `/interlinkers/{interlinkerId}`), so a generated client never has to
//! send an encoded `/`.

use std::collections::BTreeMap;

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};
use serde_json::{Map, Value, json};

use crate::routes::{BodyTarget, Route, Segment};
use crate::transcode::scalar_json_message;

/// The OpenAPI path of a route and its path parameters (name, the request
/// field it fills).
pub fn path_of(route: &Route) -> (String, Vec<String>) {
    let (path, params) = path_with_collections(route);
    (path, params.into_iter().map(|(name, _)| name).collect())
}

/// The pattern of the ids of a collection, as the services check them:
/// slugs for schemas, codes for problem profiles, a number (or `latest`)
/// for schema versions, OIDC subjects for catalogue editors, `me` beside
/// user ids, `-` (the platform) beside organisation ids in a KPI scope, and
/// canonical UUIDs for everything else.
fn id_pattern(collection: &str, route: &Route) -> &'static str {
    const UUID: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
    match collection {
        "schemas" => "^[a-z][a-z0-9-]{0,63}$",
        "problemProfiles" => "^[a-z][a-z0-9-]{0,31}$",
        "versions" => "^([1-9][0-9]{0,8}|latest)$",
        "catalogueEditors" | "subject" => "^[^/\\s\\x00-\\x1f]{1,255}$",
        "users" => "^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|me)$",
        "organizations"
            if route.method.name() == "GetKpis" || route.method.name() == "VerifyChain" =>
        {
            "^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|-)$"
        }
        _ => UUID,
    }
}

/// [`path_of`], each parameter with the collection its id belongs to.
fn path_with_collections(route: &Route) -> (String, Vec<(String, String)>) {
    let template = &route.template;
    let mut path = String::new();
    let mut params: Vec<(String, String)> = Vec::new();
    let mut previous = String::new();
    for (i, segment) in template.segments.iter().enumerate() {
        path.push('/');
        let in_variable = template
            .variables
            .iter()
            .find(|v| v.start <= i && i < v.end);
        match segment {
            Segment::Literal(literal) => {
                path.push_str(literal);
                previous = literal.clone();
            }
            Segment::Any | Segment::Rest => {
                let base = match in_variable {
                    Some(v) if v.end - v.start == 1 => v.field.replace('.', "_"),
                    _ => format!("{}Id", singular(&previous)),
                };
                let mut name = base.clone();
                let mut n = 2;
                while params.iter().any(|(p, _)| *p == name) {
                    name = format!("{base}{n}");
                    n += 1;
                }
                path.push('{');
                path.push_str(&name);
                path.push('}');
                // A whole field in one segment is named by the field.
                let collection = match in_variable {
                    Some(v) if v.end - v.start == 1 => v.field.clone(),
                    _ => previous.clone(),
                };
                params.push((name, collection));
            }
        }
    }
    if let Some(verb) = &template.verb {
        path.push(':');
        path.push_str(verb);
    }
    (path, params)
}

fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = word.strip_suffix("sses") {
        format!("{stem}ss")
    } else if let Some(stem) = word.strip_suffix('s') {
        stem.to_owned()
    } else if word.is_empty() {
        "resource".to_owned()
    } else {
        word.to_owned()
    }
}

/// The operation id of a route's method (`CatalogueService_GetInterlinker`),
/// suffixed for additional bindings.
fn operation_id(route: &Route, seen: &mut BTreeMap<String, usize>) -> String {
    let base = format!(
        "{}_{}",
        route.method.parent_service().name(),
        route.method.name()
    );
    let n = seen.entry(base.clone()).or_default();
    *n += 1;
    if *n == 1 { base } else { format!("{base}{n}") }
}

/// The whole document.
pub fn document(routes: &[Route]) -> Value {
    let mut schemas = BTreeMap::new();
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut seen = BTreeMap::new();
    schemas.insert("google.rpc.Status".to_owned(), status_schema());
    for route in routes {
        let (path, params) = path_with_collections(route);
        let input = route.method.input();
        let mut parameters: Vec<Value> = params
            .iter()
            .map(|(name, collection)| {
                json!({
                    "name": name, "in": "path", "required": true,
                    "schema": {"type": "string", "pattern": id_pattern(collection, route)},
                })
            })
            .collect();
        let bound: Vec<String> = route
            .template
            .variables
            .iter()
            .map(|v| v.field.clone())
            .collect();
        match &route.body {
            BodyTarget::Whole => {}
            BodyTarget::Field(body) => {
                let mut skip = bound.clone();
                skip.push(body.clone());
                query_parameters(&input, ("", ""), &skip, 0, &mut parameters, &mut schemas);
            }
            BodyTarget::None => {
                query_parameters(&input, ("", ""), &bound, 0, &mut parameters, &mut schemas);
            }
        }
        if route.http_method == http::Method::GET {
            parameters.push(json!({
                "name": "$languages",
                "in": "query",
                "required": false,
                "description": "Language tags, most wanted first: each translatable text of the answer keeps only the first of them it has (all of its languages when it has none).",
                "schema": {
                    "type": "string",
                    "pattern": crate::rest::LANGUAGES_PATTERN,
                },
            }));
        }
        let mut operation = json!({
            "operationId": operation_id(route, &mut seen),
            "tags": [route.method.parent_service().name()],
            "parameters": parameters,
            "responses": {
                "200": response(route, &mut schemas),
                "default": {
                    "description": "An error: the JSON form of google.rpc.Status",
                    "content": {"application/json": {"schema": reference("google.rpc.Status")}},
                },
            },
        });
        // A method that needs a token says so, and that it answers 401
        // without one; the others take a token when there is one.
        if route.needs_token
            && let Some(object) = operation.as_object_mut()
        {
            object.insert("security".into(), json!([{"bearer": []}]));
            if let Some(responses) = object.get_mut("responses").and_then(Value::as_object_mut) {
                responses.insert(
                    "401".into(),
                    json!({
                        "description": "No bearer token, or one that is not valid",
                        "content": {"application/json": {"schema": reference("google.rpc.Status")}},
                    }),
                );
            }
        }
        let body_schema = match &route.body {
            BodyTarget::None => None,
            BodyTarget::Whole => Some(message_schema(&input, &mut schemas)),
            BodyTarget::Field(name) => input
                .get_field_by_name(name)
                .map(|f| field_schema(&f, &mut schemas)),
        };
        if let (Some(schema), Some(object)) = (body_schema, operation.as_object_mut()) {
            // A body that is the whole request may be left out (it is then
            // `{}`); one that fills a field is that field, which the
            // services require.
            let required = matches!(route.body, BodyTarget::Field(_));
            object.insert(
                "requestBody".into(),
                json!({"required": required, "content": {"application/json": {"schema": schema}}}),
            );
        }
        paths
            .entry(path)
            .or_default()
            .insert(route.http_method.as_str().to_ascii_lowercase(), operation);
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Interlink API",
            "version": "v1",
            "description": "REST/JSON mapping of Interlink's gRPC services (proto3 JSON: lowerCamel fields, enums by name, 64-bit integers as strings).",
        },
        "security": [{}, {"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": schemas,
        },
    })
}

fn response(route: &Route, schemas: &mut BTreeMap<String, Value>) -> Value {
    let output = message_schema(&route.method.output(), schemas);
    if route.method.is_server_streaming() {
        json!({
            "description": "A stream of messages, one JSON object per line",
            "content": {"application/x-ndjson": {"schema": {
                "type": "object",
                "properties": {"result": output, "error": reference("google.rpc.Status")},
            }}},
        })
    } else {
        json!({
            "description": "OK",
            "content": {"application/json": {"schema": output}},
        })
    }
}

/// Query parameters for the scalar (and repeated scalar) fields of
/// `message`, nested messages flattened with dots, except `skip` (proto
/// paths); `prefix` is the path so far, in proto and in JSON spelling.
fn query_parameters(
    message: &MessageDescriptor,
    prefix: (&str, &str),
    skip: &[String],
    depth: usize,
    out: &mut Vec<Value>,
    schemas: &mut BTreeMap<String, Value>,
) {
    let (proto_prefix, json_prefix) = prefix;
    for field in message.fields() {
        let proto_path = format!("{proto_prefix}{}", field.name());
        if skip.contains(&proto_path) || field.is_map() {
            continue;
        }
        let json_path = format!("{json_prefix}{}", field.json_name());
        match field.kind() {
            Kind::Message(m) if !scalar_json_message(m.full_name()) => {
                if !field.is_list() && depth < 3 {
                    let nested = (format!("{proto_path}."), format!("{json_path}."));
                    query_parameters(&m, (&nested.0, &nested.1), skip, depth + 1, out, schemas);
                }
            }
            _ => {
                let mut schema = field_schema(&field, schemas);
                // Every list refuses a negative page size (AIP-158).
                if field.name() == "page_size"
                    && let Some(object) = schema.as_object_mut()
                {
                    object.insert("minimum".into(), json!(0));
                }
                out.push(json!({
                    "name": json_path,
                    "in": "query",
                    "required": false,
                    "schema": schema,
                    "explode": true,
                }))
            }
        }
    }
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// A reference to `message`'s schema, adding it (and what it uses) to
/// `schemas`.
fn message_schema(message: &MessageDescriptor, schemas: &mut BTreeMap<String, Value>) -> Value {
    if let Some(inline) = well_known(message.full_name()) {
        return inline;
    }
    let name = message.full_name().to_owned();
    if !schemas.contains_key(&name) {
        // Placeholder first: messages may refer to themselves.
        schemas.insert(name.clone(), json!({}));
        let mut properties = Map::new();
        for field in message.fields() {
            let mut schema = field_schema(&field, schemas);
            if output_only(&field) {
                schema = read_only(schema);
            }
            properties.insert(field.json_name().to_owned(), schema);
        }
        schemas.insert(
            name.clone(),
            json!({"type": "object", "properties": properties, "additionalProperties": false}),
        );
    }
    reference(&name)
}

/// Whether the proto documents `field` as output only (its comment says
/// so): the services ignore it in requests.
fn output_only(field: &FieldDescriptor) -> bool {
    let file = field.parent_file();
    file.file_descriptor_proto()
        .source_code_info
        .as_ref()
        .and_then(|info| {
            info.location
                .iter()
                .find(|l| l.path.as_slice() == field.path())
        })
        .and_then(|location| location.leading_comments.as_deref())
        .is_some_and(|comment| comment.to_ascii_lowercase().contains("output only"))
}

/// `schema` marked `readOnly` (a reference is wrapped: OpenAPI 3.0 ignores
/// what sits beside `$ref`).
fn read_only(schema: Value) -> Value {
    match schema {
        Value::Object(mut object) if !object.contains_key("$ref") => {
            object.insert("readOnly".into(), json!(true));
            Value::Object(object)
        }
        other => json!({"allOf": [other], "readOnly": true}),
    }
}

fn well_known(name: &str) -> Option<Value> {
    Some(match name {
        "google.protobuf.Timestamp" => json!({"type": "string", "format": "date-time"}),
        "google.protobuf.Duration" => {
            json!({"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?s$"})
        }
        "google.protobuf.FieldMask" => {
            json!({"type": "string", "description": "Comma-separated lowerCamel field paths"})
        }
        "google.protobuf.Empty" => json!({"type": "object"}),
        "google.protobuf.Struct" => json!({"type": "object", "additionalProperties": true}),
        "google.protobuf.Value" => json!({}),
        "google.protobuf.ListValue" => json!({"type": "array", "items": {}}),
        "google.protobuf.Any" => json!({
            "type": "object",
            "properties": {"@type": {"type": "string"}},
            "additionalProperties": true,
        }),
        "google.protobuf.StringValue" => json!({"type": "string", "nullable": true}),
        "google.protobuf.BytesValue" => {
            json!({"type": "string", "format": "byte", "nullable": true})
        }
        "google.protobuf.BoolValue" => json!({"type": "boolean", "nullable": true}),
        "google.protobuf.Int32Value" | "google.protobuf.UInt32Value" => {
            json!({"type": "integer", "nullable": true})
        }
        "google.protobuf.Int64Value" | "google.protobuf.UInt64Value" => {
            json!({"type": "string", "format": "int64", "nullable": true})
        }
        "google.protobuf.FloatValue" | "google.protobuf.DoubleValue" => {
            json!({"type": "number", "nullable": true})
        }
        _ => return None,
    })
}

fn field_schema(field: &FieldDescriptor, schemas: &mut BTreeMap<String, Value>) -> Value {
    if field.is_map()
        && let Kind::Message(entry) = field.kind()
        && let Some(value) = entry.map_entry_value_field().into()
    {
        return json!({"type": "object", "additionalProperties": single_schema(&value, schemas)});
    }
    let mut item = single_schema(field, schemas);
    if field.is_list() {
        // A list of enum values names real values: `*_UNSPECIFIED` is
        // refused there (a filter of "nothing in particular" is no filter).
        if let Some(values) = item.get_mut("enum").and_then(Value::as_array_mut) {
            values.retain(|v| {
                v.as_str()
                    .is_none_or(|name| !name.ends_with("_UNSPECIFIED"))
            });
        }
        json!({"type": "array", "items": item})
    } else {
        item
    }
}

fn single_schema(field: &FieldDescriptor, schemas: &mut BTreeMap<String, Value>) -> Value {
    match field.kind() {
        Kind::Double | Kind::Float => json!({"type": "number"}),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            json!({"type": "integer", "format": "int32"})
        }
        Kind::Uint32 | Kind::Fixed32 => json!({"type": "integer", "format": "int64", "minimum": 0}),
        // 64-bit integers are JSON strings of digits (the proto3 mapping).
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
            json!({"type": "string", "format": "int64", "pattern": "^-?[0-9]{1,19}$"})
        }
        Kind::Uint64 | Kind::Fixed64 => {
            json!({"type": "string", "format": "uint64", "pattern": "^[0-9]{1,20}$"})
        }
        Kind::Bool => json!({"type": "boolean"}),
        Kind::String => json!({"type": "string"}),
        Kind::Bytes => json!({"type": "string", "format": "byte"}),
        Kind::Enum(e) => json!({
            "type": "string",
            "enum": e.values().map(|v| v.name().to_owned()).collect::<Vec<_>>(),
        }),
        Kind::Message(m) => message_schema(&m, schemas),
    }
}

/// `google.rpc.Status` as the gateway writes it.
fn status_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "code": {"type": "integer", "description": "The gRPC code"},
            "status": {"type": "string", "description": "The gRPC code's name, e.g. NOT_FOUND"},
            "message": {"type": "string"},
            "details": {"type": "array", "items": {
                "type": "object",
                "properties": {"@type": {"type": "string"}},
                "additionalProperties": true,
            }},
        },
        "required": ["code", "status", "message"],
    })
}
