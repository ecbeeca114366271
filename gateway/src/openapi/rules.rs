//! The `interlink.common.v1.field` rules of request fields, read from the
//! descriptors, and the JSON Schema keywords that state them.

use prost_reflect::{FieldDescriptor, Kind, ReflectMessage};
use serde_json::{Map, Value, json};

/// A canonical, lower-case UUID (what `runtime::api::parse_name` accepts).
pub(super) const UUID: &str = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/// A language tag as `runtime::text::is_language_tag` accepts it.
pub(super) const LANGUAGE_TAG: &str = "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$";

/// An absolute http(s) URL of printable ASCII with a non-empty authority,
/// as `runtime::validation::check_url` accepts it.
pub(super) const URL: &str = "^https?://[!-\"$-.0->@-~]+([/?#][!-~]*)?$";

/// An e-mail address as community's `is_email` accepts it: printable ASCII,
/// a local part of 1 to 64, one `@`, a domain with a dot, neither first nor
/// last.
pub(super) const EMAIL: &str = "^[!-?A-~]{1,64}@[!-\\-/-?A-~][!-?A-~]*\\.[!-?A-~]*[!-\\-/-?A-~]$";

/// An OpenID Connect subject as the services accept it.
pub(super) const SUBJECT: &str = "^[^/\\s\\x00-\\x1f\\x7f-\\x9f]{1,255}$";

/// What `interlink.common.v1.FieldRules` says of one field (empty when the
/// field has no rules).
#[derive(Debug, Default, Clone)]
pub(super) struct Rules {
    pub(super) required: bool,
    pub(super) min_len: u64,
    pub(super) max_len: u64,
    pub(super) minimum: Option<f64>,
    pub(super) maximum: Option<f64>,
    pub(super) min_items: u64,
    pub(super) max_items: u64,
    pub(super) unique: bool,
    pub(super) pattern: String,
    pub(super) format: String,
    pub(super) resource: Vec<String>,
    pub(super) also: Vec<String>,
    pub(super) mask_paths: Vec<String>,
    pub(super) refused_values: Vec<String>,
    pub(super) values: Vec<String>,
    pub(super) key_pattern: String,
    pub(super) exclusive: Vec<String>,
    /// These rules are of a list's element or a map's value, where an empty
    /// string is a value, not the field left out.
    pub(super) element: bool,
}

impl Rules {
    /// The rules of `field`.
    pub(super) fn of(field: &FieldDescriptor) -> Rules {
        let mut rules = Rules::default();
        let Some(extension) = field
            .parent_pool()
            .get_extension_by_name("interlink.common.v1.field")
        else {
            return rules;
        };
        let options = field.options();
        if !options.has_extension(&extension) {
            return rules;
        }
        let value = options.get_extension(&extension);
        let Some(message) = value.as_message() else {
            return rules;
        };
        let number = |name: &str| {
            message
                .get_field_by_name(name)
                .and_then(|v| v.as_u32())
                .map_or(0, u64::from)
        };
        let float = |name: &str| {
            message
                .has_field_by_name(name)
                .then(|| message.get_field_by_name(name).and_then(|v| v.as_f64()))
                .flatten()
        };
        let text = |name: &str| {
            message
                .get_field_by_name(name)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        let texts = |name: &str| -> Vec<String> {
            message
                .get_field_by_name(name)
                .and_then(|v| {
                    v.as_list().map(|l| {
                        l.iter()
                            .filter_map(|s| s.as_str().map(str::to_owned))
                            .collect()
                    })
                })
                .unwrap_or_default()
        };
        let flag = |name: &str| {
            message
                .get_field_by_name(name)
                .and_then(|v| v.as_bool())
                .unwrap_or(false)
        };
        rules.required = flag("required");
        rules.min_len = number("min_len");
        rules.max_len = number("max_len");
        rules.minimum = float("minimum");
        rules.maximum = float("maximum");
        rules.min_items = number("min_items");
        rules.max_items = number("max_items");
        rules.unique = flag("unique");
        rules.pattern = text("pattern");
        rules.format = message
            .descriptor()
            .get_field_by_name("format")
            .and_then(|f| match f.kind() {
                Kind::Enum(e) => {
                    let n = message.get_field(&f).as_enum_number()?;
                    e.get_value(n).map(|v| v.name().to_owned())
                }
                _ => None,
            })
            .unwrap_or_default();
        rules.resource = texts("resource");
        rules.also = texts("also");
        rules.mask_paths = texts("mask_paths");
        rules.refused_values = texts("refused_values");
        rules.values = texts("values");
        rules.key_pattern = text("key_pattern");
        rules.exclusive = texts("exclusive");
        rules
    }

    /// Adds to a string's schema what the rules say of a string.
    pub(super) fn string(&self, schema: &mut Map<String, Value>) {
        let mut pattern = self.pattern.clone();
        if !self.resource.is_empty() {
            pattern = format!("^({})/{UUID}$", self.resource.join("|"));
        }
        match self.format.as_str() {
            "FORMAT_LINE" => set(schema, "format", json!("line")),
            "FORMAT_TEXT" => set(schema, "format", json!("text")),
            "FORMAT_URL" => {
                pattern = URL.to_owned();
                set(schema, "maxLength", json!(2048));
            }
            "FORMAT_EMAIL" => {
                pattern = EMAIL.to_owned();
                set(schema, "maxLength", json!(254));
            }
            "FORMAT_LANGUAGE_TAG" => {
                pattern = LANGUAGE_TAG.to_owned();
                set(schema, "maxLength", json!(35));
            }
            "FORMAT_SUBJECT" => pattern = SUBJECT.to_owned(),
            "FORMAT_PAGE_TOKEN" => set(schema, "format", json!("page-token")),
            _ => {}
        }
        if !self.also.is_empty() && !pattern.is_empty() {
            let literals: Vec<String> = self.also.iter().map(|a| regex_literal(a)).collect();
            pattern = format!("{pattern}|^({})$", literals.join("|"));
        }
        if self.required {
            set(schema, "minLength", json!(self.min_len.max(1)));
            // Blank is empty to the services (they trim): a required text
            // has something besides white space.
            if pattern.is_empty() && !schema.contains_key("format") {
                pattern = "\\S".to_owned();
            }
        } else if self.min_len > 0 {
            set(schema, "minLength", json!(self.min_len));
        }
        if self.max_len > 0 {
            set(schema, "maxLength", json!(self.max_len));
        }
        // Left empty, an optional field is left out (proto3 JSON has no
        // difference), which the services accept.
        if !self.required && !self.element && !pattern.is_empty() && pattern != "\\S" {
            pattern = format!("^$|{pattern}");
        }
        if !pattern.is_empty() {
            set(schema, "pattern", json!(pattern));
        }
        if !self.values.is_empty() {
            let mut values = self.values.clone();
            if !self.required && !self.element {
                values.insert(0, String::new());
            }
            set(schema, "enum", json!(values));
        }
    }

    /// Adds to a number's schema what the rules say of a number.
    pub(super) fn number(&self, schema: &mut Map<String, Value>) {
        if self.minimum.is_none() && self.maximum.is_none() {
            return;
        }
        let mut range = Map::new();
        if let Some(minimum) = self.minimum {
            range.insert("minimum".into(), number_value(minimum));
        }
        if let Some(maximum) = self.maximum {
            range.insert("maximum".into(), number_value(maximum));
        }
        let also: Vec<Value> = self
            .also
            .iter()
            .filter_map(|a| a.parse::<f64>().ok())
            .map(number_value)
            .collect();
        if also.is_empty() {
            schema.extend(range);
        } else {
            set(
                schema,
                "anyOf",
                json!([Value::Object(range), {"enum": also}]),
            );
        }
    }

    /// Adds to a list's or map's schema what the rules say of its entries.
    pub(super) fn entries(&self, schema: &mut Map<String, Value>, map: bool) {
        let (min, max) = if map {
            ("minProperties", "maxProperties")
        } else {
            ("minItems", "maxItems")
        };
        let least = if self.required {
            self.min_items.max(1)
        } else {
            self.min_items
        };
        if least > 0 {
            set(schema, min, json!(least));
        }
        if self.max_items > 0 {
            set(schema, max, json!(self.max_items));
        }
        if self.unique && !map {
            set(schema, "uniqueItems", json!(true));
        }
        if map && !self.key_pattern.is_empty() {
            set(
                schema,
                "propertyNames",
                json!({"pattern": self.key_pattern}),
            );
        }
    }

    /// The rules that apply to each element of a list or value of a map.
    pub(super) fn element(&self) -> Rules {
        Rules {
            required: false,
            min_items: 0,
            max_items: 0,
            unique: false,
            key_pattern: String::new(),
            element: true,
            ..self.clone()
        }
    }
}

fn set(schema: &mut Map<String, Value>, key: &str, value: Value) {
    schema.insert(key.to_owned(), value);
}

/// An integral bound as a JSON integer (`1`, not `1.0`).
fn number_value(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

/// `text` with the regular expression's special characters escaped.
fn regex_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\^$.|?*+()[]{}/-".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_beside_a_resource_pattern_are_escaped() {
        let rules = Rules {
            resource: vec!["users".into()],
            also: vec!["users/me".into()],
            ..Rules::default()
        };
        let mut schema = Map::new();
        rules.string(&mut schema);
        let pattern = schema["pattern"].as_str().expect("pattern");
        let regex = regex::Regex::new(pattern).expect("a regular expression");
        assert!(regex.is_match("users/me"));
        assert!(regex.is_match("users/0b8e4f4a-9a43-4c52-8d58-7bd1c6a0f0a1"));
        assert!(!regex.is_match("users/mex"));
        assert!(!regex.is_match("users/0B8E4F4A-9A43-4C52-8D58-7BD1C6A0F0A1"));
    }

    #[test]
    fn the_email_pattern_is_what_community_accepts() {
        let regex = regex::Regex::new(EMAIL).expect("a regular expression");
        for good in ["ana@example.org", "a.b+c@x.y", "a@b.c"] {
            assert!(regex.is_match(good), "{good}");
        }
        for bad in [
            "ana", "@x.y", "a@b", "a@.b", "a@b.", "a b@c.d", "a@b@c.d", "ä@b.c",
        ] {
            assert!(!regex.is_match(bad), "{bad}");
        }
    }

    #[test]
    fn the_url_pattern_wants_a_host_in_printable_ascii() {
        let regex = regex::Regex::new(URL).expect("a regular expression");
        for good in [
            "https://example.org",
            "http://a.b/c?d=e#f",
            "https://x:8080/%20",
        ] {
            assert!(regex.is_match(good), "{good}");
        }
        for bad in [
            "https://",
            "https:///path",
            "ftp://example.org",
            "https://exa mple.org",
            "https://exämple.org",
            "https://example.org/\u{7f}",
        ] {
            assert!(!regex.is_match(bad), "{bad}");
        }
    }
}
