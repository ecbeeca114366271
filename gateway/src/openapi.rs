//! The OpenAPI 3 document of the REST routes, generated from the same
//! descriptors the gateway transcodes with. Resource-name variables are
//! spelled out segment by segment (`{name=interlinkers/*}` becomes
//! `/interlinkers/{interlinkerId}`), so a generated client never has to
//! send an encoded `/`.

mod rules;

use std::collections::BTreeMap;

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};
use rules::Rules;
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
        // 1 to 2147483647, or `latest`.
        "versions" => {
            "^([1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7]|latest)$"
        }
        // The gateway refuses `\\` in any path field.
        "catalogueEditors" | "subject" => "^[^/\\\\\\s\\x00-\\x1f\\x7f-\\x9f]{1,255}$",
        // `users/me` names the caller where erasing themself.
        "users" if route.method.name() == "EraseUser" => {
            "^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|me)$"
        }
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
        // Fields that may not be given beside one the path fills are not
        // offered beside it.
        let mut skip = bound.clone();
        for field in &bound {
            if let Some(f) = input.get_field_by_name(field) {
                skip.extend(Rules::of(&f).exclusive);
            }
        }
        match &route.body {
            BodyTarget::Whole => {}
            BodyTarget::Field(body) => {
                let mut skip = skip.clone();
                skip.push(body.clone());
                query_parameters(&input, ("", ""), &skip, 0, &mut parameters, &mut schemas);
            }
            BodyTarget::None => {
                query_parameters(&input, ("", ""), &skip, 0, &mut parameters, &mut schemas);
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
        // The resource in an update's body needs only what its mask names:
        // its own fields are not required there.
        let update = input.get_field_by_name("update_mask").is_some();
        let body_schema = match &route.body {
            BodyTarget::None => None,
            // What the path fills is not asked of the body again.
            BodyTarget::Whole if !skip.is_empty() => {
                Some(object_schema(&input, &mut schemas, Side::Request, &skip))
            }
            BodyTarget::Whole => Some(message_schema(&input, &mut schemas, Side::Request)),
            BodyTarget::Field(name) => input.get_field_by_name(name).map(|f| match f.kind() {
                Kind::Message(m) if update => message_schema(&m, &mut schemas, Side::Update),
                _ => field_schema(&f, &mut schemas, Side::Request),
            }),
        };
        if let (Some(schema), Some(object)) = (body_schema, operation.as_object_mut()) {
            // A body that is the whole request may be left out (it is then
            // `{}`) unless it has a required field; one that fills a field
            // is that field, which the services require.
            let required = match &route.body {
                BodyTarget::Field(_) => true,
                _ => input
                    .fields()
                    .filter(|f| !skip.iter().any(|s| s == f.name()))
                    .any(|f| Rules::of(&f).required),
            };
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
        "openapi": "3.1.0",
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
    let output = message_schema(&route.method.output(), schemas, Side::Response);
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
                let schema = field_schema(&field, schemas, Side::Request);
                out.push(json!({
                    "name": json_path,
                    "in": "query",
                    "required": depth == 0 && Rules::of(&field).required,
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

/// Which way a message travels: its rules are stated for requests only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// In a request, with the fields' rules.
    Request,
    /// As an update's body: the same, but no field of its own is required
    /// (the update mask says what is changed).
    Update,
    /// In an answer: what the server writes, no rules.
    Response,
}

/// A reference to `message`'s schema on `side`, adding it (and what it
/// uses) to `schemas`: `pkg.Message` in answers, `pkg.Message.Request` and
/// `pkg.Message.Update` in requests.
fn message_schema(
    message: &MessageDescriptor,
    schemas: &mut BTreeMap<String, Value>,
    side: Side,
) -> Value {
    if let Some(inline) = well_known(message.full_name()) {
        return inline;
    }
    let name = match side {
        Side::Response => message.full_name().to_owned(),
        Side::Request => format!("{}.Request", message.full_name()),
        Side::Update => format!("{}.Update", message.full_name()),
    };
    if !schemas.contains_key(&name) {
        // Placeholder first: messages may refer to themselves.
        schemas.insert(name.clone(), json!({}));
        let schema = object_schema(message, schemas, side, &[]);
        schemas.insert(name.clone(), schema);
    }
    reference(&name)
}

/// The object schema of `message`'s fields but `skip` (proto names) on
/// `side`.
fn object_schema(
    message: &MessageDescriptor,
    schemas: &mut BTreeMap<String, Value>,
    side: Side,
    skip: &[String],
) -> Value {
    // Nested messages of an update's body are whole values.
    let nested = if side == Side::Update {
        Side::Request
    } else {
        side
    };
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut exclusive = Vec::new();
    for field in message.fields() {
        if skip.iter().any(|s| s == field.name()) {
            continue;
        }
        let mut schema = field_schema(&field, schemas, nested);
        if output_only(&field) {
            schema = read_only(schema);
        }
        let rules = match side {
            Side::Response => Rules::default(),
            _ => Rules::of(&field),
        };
        // In a request, proto3 JSON reads `null` as the field left out.
        if side != Side::Response && !(rules.required && side == Side::Request) {
            schema = nullable(schema);
        }
        if rules.required && side == Side::Request {
            required.push(json!(field.json_name()));
        }
        for other in &rules.exclusive {
            if let Some(other) = message
                .get_field_by_name(other)
                .filter(|o| !skip.iter().any(|s| s == o.name()))
            {
                exclusive.push((field.json_name().to_owned(), other.json_name().to_owned()));
            }
        }
        properties.insert(field.json_name().to_owned(), schema);
    }
    // At most one field of a oneof (proto3 JSON refuses two).
    for oneof in message.oneofs().filter(|o| !o.is_synthetic()) {
        let names: Vec<String> = oneof
            .fields()
            .filter(|f| !skip.iter().any(|s| s == f.name()))
            .map(|f| f.json_name().to_owned())
            .collect();
        for (i, a) in names.iter().enumerate() {
            for b in &names[i + 1..] {
                exclusive.push((a.clone(), b.clone()));
            }
        }
    }
    let mut schema =
        json!({"type": "object", "properties": properties, "additionalProperties": false});
    if let Some(object) = schema.as_object_mut() {
        if !required.is_empty() {
            object.insert("required".into(), Value::Array(required));
        }
        if !exclusive.is_empty() {
            let not_both: Vec<Value> = exclusive
                .iter()
                .map(|(a, b)| json!({"not": {"required": [a, b]}}))
                .collect();
            object.insert("allOf".into(), Value::Array(not_both));
        }
    }
    schema
}

/// `schema`, or `null`.
fn nullable(schema: Value) -> Value {
    match schema {
        Value::Object(mut object) if !object.contains_key("$ref") => {
            if let Some(values) = object.get_mut("enum").and_then(Value::as_array_mut) {
                values.push(Value::Null);
            }
            match object.get_mut("type") {
                Some(Value::Array(types)) => {
                    if !types.contains(&json!("null")) {
                        types.push(json!("null"));
                    }
                }
                Some(one) => {
                    let single = one.take();
                    *one = json!([single, "null"]);
                }
                None => return json!({"anyOf": [Value::Object(object), {"type": "null"}]}),
            }
            Value::Object(object)
        }
        other => json!({"anyOf": [other, {"type": "null"}]}),
    }
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
        "google.protobuf.StringValue" => json!({"type": ["string", "null"]}),
        "google.protobuf.BytesValue" => {
            json!({"type": ["string", "null"], "format": "byte"})
        }
        "google.protobuf.BoolValue" => json!({"type": ["boolean", "null"]}),
        "google.protobuf.Int32Value" | "google.protobuf.UInt32Value" => {
            json!({"type": ["integer", "null"]})
        }
        "google.protobuf.Int64Value" | "google.protobuf.UInt64Value" => {
            json!({"type": ["string", "null"], "format": "int64"})
        }
        "google.protobuf.FloatValue" | "google.protobuf.DoubleValue" => {
            json!({"type": ["number", "null"]})
        }
        _ => return None,
    })
}

fn field_schema(
    field: &FieldDescriptor,
    schemas: &mut BTreeMap<String, Value>,
    side: Side,
) -> Value {
    let rules = match side {
        Side::Response => Rules::default(),
        _ => Rules::of(field),
    };
    if field.is_map()
        && let Kind::Message(entry) = field.kind()
    {
        let value = entry.map_entry_value_field();
        let mut schema = Map::new();
        schema.insert("type".into(), json!("object"));
        schema.insert(
            "additionalProperties".into(),
            single_schema(&value, &rules.element(), schemas, side),
        );
        rules.entries(&mut schema, true);
        return Value::Object(schema);
    }
    if field.is_list() {
        let mut schema = Map::new();
        schema.insert("type".into(), json!("array"));
        schema.insert(
            "items".into(),
            single_schema(field, &rules.element(), schemas, side),
        );
        rules.entries(&mut schema, false);
        Value::Object(schema)
    } else {
        single_schema(field, &rules, schemas, side)
    }
}

fn single_schema(
    field: &FieldDescriptor,
    rules: &Rules,
    schemas: &mut BTreeMap<String, Value>,
    side: Side,
) -> Value {
    let mut schema = match field.kind() {
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
        Kind::Enum(e) => {
            // `*_UNSPECIFIED` is offered only where it is accepted; a value
            // goes by name or (proto3 JSON) by number.
            let accepted: Vec<_> = e
                .values()
                .filter(|v| {
                    let unspecified = rules.required && v.name().ends_with("_UNSPECIFIED");
                    let refused = rules.refused_values.iter().any(|r| r == v.name());
                    !unspecified && !refused
                })
                .collect();
            let names = accepted.iter().map(|v| json!(v.name()));
            let numbers = accepted.iter().map(|v| json!(v.number()));
            json!({"type": ["string", "integer"], "enum": names.chain(numbers).collect::<Vec<_>>()})
        }
        Kind::Message(m) if m.full_name() == "interlink.common.v1.TranslatableText" => {
            return match side {
                Side::Response => message_schema(&m, schemas, Side::Response),
                _ => translatable_schema(rules),
            };
        }
        Kind::Message(m)
            if m.full_name() == "google.protobuf.FieldMask" && !rules.mask_paths.is_empty() =>
        {
            return mask_schema(rules);
        }
        Kind::Message(m) => {
            let side = if side == Side::Update {
                Side::Request
            } else {
                side
            };
            return message_schema(&m, schemas, side);
        }
    };
    if let Some(object) = schema.as_object_mut() {
        // Every list refuses a negative page size (AIP-158).
        if field.name() == "page_size" && side != Side::Response {
            object.insert("minimum".into(), json!(0));
        }
        match field.kind() {
            Kind::String => rules.string(object),
            Kind::Double
            | Kind::Float
            | Kind::Int32
            | Kind::Sint32
            | Kind::Sfixed32
            | Kind::Uint32
            | Kind::Fixed32 => rules.number(object),
            _ => {}
        }
    }
    schema
}

/// An update mask naming only `rules.mask_paths` (in JSON, lowerCamel and
/// comma-separated); empty where the mask may be left out.
fn mask_schema(rules: &Rules) -> Value {
    let paths: Vec<String> = rules.mask_paths.iter().map(|p| lower_camel(p)).collect();
    let one = format!("({})", paths.join("|"));
    let mut pattern = format!("^{one}(,{one})*$");
    if !rules.required {
        pattern = format!("^$|{pattern}");
    }
    json!({
        "type": "string",
        "description": "Comma-separated lowerCamel field paths",
        "pattern": pattern,
    })
}

/// `snake_case` as `lowerCamel` (proto3 JSON names).
fn lower_camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A translatable text as the services check it: language-tag keys, at
/// most 30 languages, each text non-blank text (line breaks allowed) of at
/// most `max_len` characters; when required, at least one language.
fn translatable_schema(rules: &Rules) -> Value {
    let mut text = json!({"type": "string", "format": "text"});
    if rules.max_len > 0 {
        text["maxLength"] = json!(rules.max_len);
    }
    let mut values = json!({
        "type": "object",
        "propertyNames": {"pattern": rules::LANGUAGE_TAG, "maxLength": 35},
        "additionalProperties": text,
        "maxProperties": interlink_runtime::validation::MAX_LANGUAGES,
    });
    let mut schema = json!({
        "type": "object",
        "description": "A text in several languages: `values` maps language tags (en, es, it, lv …) to the text in that language.",
        "properties": {},
        "additionalProperties": false,
    });
    // A text in a list has a value, as a required one; an optional one
    // may be `null` (proto3 JSON: left out).
    if rules.required || rules.element {
        values["minProperties"] = json!(1);
        schema["required"] = json!(["values"]);
    } else {
        values["type"] = json!(["object", "null"]);
    }
    schema["properties"]["values"] = values;
    schema
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
