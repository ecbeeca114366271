//! JSON ⇄ protobuf by the proto3 JSON mapping: a REST request (path
//! variables, query parameters, body) becomes the gRPC request message, and
//! a response message becomes JSON (lowerCamel fields, enums by name,
//! well-known types in their JSON forms).

use prost::Message;
use prost_reflect::{
    DeserializeOptions, DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, SerializeOptions,
};
use serde_json::{Map, Value};

use crate::routes::{BodyTarget, Route};

/// A request that cannot become the gRPC message; the text names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct BadRequest {
    /// The offending field, dotted, as in the proto (empty: the whole body).
    pub field: String,
    /// What is wrong, for a person.
    pub message: String,
}

impl BadRequest {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The fields along a dotted path (`interlinker.name`), by proto or JSON name.
pub fn field_path(message: &MessageDescriptor, path: &str) -> Option<Vec<FieldDescriptor>> {
    let mut fields = Vec::new();
    let mut current = message.clone();
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let field = current
            .get_field_by_name(part)
            .or_else(|| current.get_field_by_json_name(part))?;
        if parts.peek().is_some() {
            match field.kind() {
                Kind::Message(m) if !field.is_list() && !field.is_map() => current = m,
                _ => return None,
            }
        }
        fields.push(field);
    }
    Some(fields)
}

/// Well-known message types whose JSON form is a scalar, so a path or
/// query string can carry them.
pub fn scalar_json_message(name: &str) -> bool {
    matches!(
        name,
        "google.protobuf.Timestamp"
            | "google.protobuf.Duration"
            | "google.protobuf.FieldMask"
            | "google.protobuf.StringValue"
            | "google.protobuf.BytesValue"
            | "google.protobuf.Int32Value"
            | "google.protobuf.Int64Value"
            | "google.protobuf.UInt32Value"
            | "google.protobuf.UInt64Value"
            | "google.protobuf.FloatValue"
            | "google.protobuf.DoubleValue"
            | "google.protobuf.BoolValue"
    )
}

/// The JSON value of a path or query string for `field`.
fn scalar(field: &FieldDescriptor, dotted: &str, text: &str) -> Result<Value, BadRequest> {
    let bool_of = |text: &str| match text {
        "true" | "1" => Ok(Value::Bool(true)),
        "false" | "0" => Ok(Value::Bool(false)),
        _ => Err(BadRequest::new(
            dotted,
            format!("field `{dotted}`: `{text}` is not a boolean"),
        )),
    };
    match field.kind() {
        Kind::Bool => bool_of(text),
        Kind::Enum(_) => Ok(match text.parse::<i32>() {
            Ok(n) => Value::from(n),
            Err(_) => Value::String(text.to_owned()),
        }),
        Kind::Message(m) if m.full_name() == "google.protobuf.BoolValue" => bool_of(text),
        Kind::Message(m) if !scalar_json_message(m.full_name()) => Err(BadRequest::new(
            dotted,
            format!("field `{dotted}` is a message and cannot be given as text"),
        )),
        // Numbers as strings are valid proto3 JSON and keep 64-bit precision.
        _ => Ok(Value::String(text.to_owned())),
    }
}

/// How a value joins what is already there.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Put {
    /// Another item of a repeated field.
    Append,
    /// A singular field given once.
    Once,
    /// A path variable: wins over the body.
    Override,
}

/// Puts `value` at `fields` inside `root`, creating objects on the way.
fn insert(
    root: &mut Map<String, Value>,
    fields: &[FieldDescriptor],
    dotted: &str,
    value: Value,
    put: Put,
) -> Result<(), BadRequest> {
    let Some((last, parents)) = fields.split_last() else {
        return Ok(());
    };
    let mut object = root;
    for parent in parents {
        let slot = take_slot(object, parent);
        let entry = object
            .entry(parent.json_name().to_owned())
            .or_insert_with(|| slot.unwrap_or_else(|| Value::Object(Map::new())));
        object = match entry {
            Value::Object(inner) => inner,
            _ => {
                return Err(BadRequest::new(
                    dotted,
                    format!("field `{}` must be an object", parent.name()),
                ));
            }
        };
    }
    // The body may have used the proto name: keep one spelling.
    let _ = take_slot(object, last);
    let key = last.json_name().to_owned();
    if put == Put::Once && object.contains_key(&key) {
        return Err(BadRequest::new(
            dotted,
            format!("field `{dotted}` is given twice"),
        ));
    }
    if put == Put::Append {
        match object
            .entry(key)
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            Value::Array(items) => items.push(value),
            _ => {
                return Err(BadRequest::new(
                    dotted,
                    format!("field `{dotted}` is given twice"),
                ));
            }
        }
    } else {
        object.insert(key, value);
    }
    Ok(())
}

/// Removes a value stored under the field's proto name (when it differs
/// from its JSON name) so it can be stored under the JSON name.
fn take_slot(object: &mut Map<String, Value>, field: &FieldDescriptor) -> Option<Value> {
    if field.name() != field.json_name() {
        object.remove(field.name())
    } else {
        None
    }
}

/// The fields a path variable or body already fills: a query parameter may
/// not set them again.
fn bound(route: &Route, key: &[FieldDescriptor]) -> bool {
    let name: Vec<&str> = key.iter().map(|f| f.name()).collect();
    let dotted = name.join(".");
    match &route.body {
        BodyTarget::Whole => return true,
        BodyTarget::Field(body) if dotted == *body || dotted.starts_with(&format!("{body}.")) => {
            return true;
        }
        _ => {}
    }
    route.template.variables.iter().any(|v| {
        let var: Vec<String> = field_path(&route.method.input(), &v.field)
            .map(|fs| fs.iter().map(|f| f.name().to_owned()).collect())
            .unwrap_or_default();
        var.join(".") == dotted
    })
}

/// Builds the gRPC request of `route` from the path's variables, the query
/// string and the body.
pub fn request(
    route: &Route,
    variables: Vec<(String, String)>,
    query: Option<&str>,
    body: &[u8],
) -> Result<DynamicMessage, BadRequest> {
    let input = route.method.input();
    let mut root = Map::new();
    match &route.body {
        BodyTarget::None => {
            if !body.iter().all(u8::is_ascii_whitespace) {
                return Err(BadRequest::new(
                    "",
                    format!(
                        "{} {} takes no body",
                        route.http_method, route.template.text
                    ),
                ));
            }
        }
        BodyTarget::Whole => {
            if !body.is_empty() {
                match parse_body(body)? {
                    Value::Object(object) => root = object,
                    _ => return Err(BadRequest::new("", "the body must be a JSON object")),
                }
            }
        }
        BodyTarget::Field(name) => {
            let field = input
                .get_field_by_name(name)
                .ok_or_else(|| BadRequest::new(name.clone(), "unknown body field"))?;
            if !body.is_empty() {
                root.insert(field.json_name().to_owned(), parse_body(body)?);
            }
        }
    }

    if let Some(query) = query {
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let fields = field_path(&input, &key).ok_or_else(|| {
                BadRequest::new(key.to_string(), format!("unknown query parameter `{key}`"))
            })?;
            if bound(route, &fields) {
                return Err(BadRequest::new(
                    key.to_string(),
                    format!("query parameter `{key}` is already given by the path or body"),
                ));
            }
            let last = fields
                .last()
                .ok_or_else(|| BadRequest::new("", "empty key"))?;
            if last.is_map() {
                return Err(BadRequest::new(
                    key.to_string(),
                    format!("field `{key}` is a map and cannot be given in the query"),
                ));
            }
            let json = scalar(last, &key, &value)?;
            let put = if last.is_list() {
                Put::Append
            } else {
                Put::Once
            };
            insert(&mut root, &fields, &key, json, put)?;
        }
    }

    for (path, value) in variables {
        let fields = field_path(&input, &path)
            .ok_or_else(|| BadRequest::new(path.clone(), "unknown path field"))?;
        let last = fields
            .last()
            .ok_or_else(|| BadRequest::new("", "empty path"))?;
        let json = scalar(last, &path, &value)?;
        insert(&mut root, &fields, &path, json, Put::Override)?;
    }

    message_from_json(&input, Value::Object(root))
}

fn parse_body(body: &[u8]) -> Result<Value, BadRequest> {
    serde_json::from_slice(body)
        .map_err(|e| BadRequest::new("", format!("the body is not valid JSON: {e}")))
}

/// The message `descriptor` from its JSON form; an error names the field.
pub fn message_from_json(
    descriptor: &MessageDescriptor,
    json: Value,
) -> Result<DynamicMessage, BadRequest> {
    let mut track = serde_path_to_error::Track::new();
    let deserializer = serde_path_to_error::Deserializer::new(json, &mut track);
    DynamicMessage::deserialize_with_options(
        descriptor.clone(),
        deserializer,
        &DeserializeOptions::new().deny_unknown_fields(true),
    )
    .map_err(|e| {
        let path = track.path().to_string();
        let field = if path == "." { String::new() } else { path };
        let message = if field.is_empty() {
            e.to_string()
        } else {
            format!("field `{field}`: {e}")
        };
        BadRequest::new(field, message)
    })
}

/// How responses are written: the proto3 JSON mapping's defaults.
fn serialize_options() -> SerializeOptions {
    SerializeOptions::new()
}

/// The JSON of an encoded `descriptor` message: written straight from the
/// wire when it can be ([`crate::wirejson`]), else through a
/// `DynamicMessage`.
pub fn response_json(descriptor: &MessageDescriptor, bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    response_json_in(descriptor, bytes, &[])
}

/// As [`response_json`], each translatable text kept in the first of
/// `languages` it has (whole when it has none of them; no cut when
/// `languages` is empty): the `$languages` parameter of REST reads.
pub fn response_json_in(
    descriptor: &MessageDescriptor,
    bytes: &[u8],
    languages: &[String],
) -> anyhow::Result<Vec<u8>> {
    if let Some(json) = crate::wirejson::message_json_in(descriptor, bytes, languages) {
        return Ok(json);
    }
    dynamic_response_json_in(descriptor, bytes, languages)
}

/// [`response_json_in`] through prost-reflect's `DynamicMessage`.
pub fn dynamic_response_json_in(
    descriptor: &MessageDescriptor,
    bytes: &[u8],
    languages: &[String],
) -> anyhow::Result<Vec<u8>> {
    let mut message = DynamicMessage::decode(descriptor.clone(), bytes)?;
    if !languages.is_empty() {
        keep_languages(&mut message, languages);
    }
    let mut out = Vec::with_capacity(bytes.len() * 2 + 16);
    let mut serializer = serde_json::Serializer::new(&mut out);
    message.serialize_with_options(&mut serializer, &serialize_options())?;
    Ok(out)
}

/// Cuts every translatable text in `message` down to the first of
/// `languages` it has.
fn keep_languages(message: &mut DynamicMessage, languages: &[String]) {
    for (field, value) in message.fields_mut() {
        if field.full_name() == crate::wirejson::TRANSLATABLE_VALUES
            && let prost_reflect::Value::Map(map) = value
        {
            if let Some(kept) = languages.iter().find_map(|l| {
                let key = prost_reflect::MapKey::String(l.clone());
                map.get(&key).cloned().map(|v| (key, v))
            }) {
                map.clear();
                map.insert(kept.0, kept.1);
            }
            continue;
        }
        match value {
            prost_reflect::Value::Message(inner) => keep_languages(inner, languages),
            prost_reflect::Value::List(items) => {
                for item in items {
                    if let prost_reflect::Value::Message(inner) = item {
                        keep_languages(inner, languages);
                    }
                }
            }
            prost_reflect::Value::Map(map) => {
                for item in map.values_mut() {
                    if let prost_reflect::Value::Message(inner) = item {
                        keep_languages(inner, languages);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The JSON of an encoded `descriptor` message through prost-reflect's
/// `DynamicMessage` (the general path).
pub fn dynamic_response_json(
    descriptor: &MessageDescriptor,
    bytes: &[u8],
) -> anyhow::Result<Vec<u8>> {
    let message = DynamicMessage::decode(descriptor.clone(), bytes)?;
    let mut out = Vec::with_capacity(bytes.len() * 2 + 16);
    let mut serializer = serde_json::Serializer::new(&mut out);
    message.serialize_with_options(&mut serializer, &serialize_options())?;
    Ok(out)
}

/// The protobuf encoding of `message`.
pub fn encode(message: &DynamicMessage) -> bytes::Bytes {
    message.encode_to_vec().into()
}
