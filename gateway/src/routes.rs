//! The REST routes, read from the `google.api.http` annotations of the
//! descriptor set: path templates (`/v1/{name=interlinkers/*}:publish`),
//! their matching, and which field the body fills.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;
use prost_reflect::{DescriptorPool, DynamicMessage, MethodDescriptor, Value};

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Matches itself.
    Literal(String),
    /// `*`: one segment.
    Any,
    /// `**`: the rest of the path.
    Rest,
}

/// A variable of a template: the field it fills and the segments it spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// The dotted field path (`interlinker.name`).
    pub field: String,
    /// First segment index.
    pub start: usize,
    /// One past the last segment index (for `**`, the end of the path).
    pub end: usize,
}

/// A parsed path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The segments, variables flattened in.
    pub segments: Vec<Segment>,
    /// The variables over them.
    pub variables: Vec<Variable>,
    /// The custom verb (`publish` in `…:publish`).
    pub verb: Option<String>,
    /// The template as written.
    pub text: String,
}

/// A template that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("path template `{template}`: {reason}")]
pub struct TemplateError {
    template: String,
    reason: &'static str,
}

impl Template {
    /// Parses `text` (the grammar of `google.api.HttpRule`).
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let fail = |reason| TemplateError {
            template: text.to_owned(),
            reason,
        };
        let rest = text
            .strip_prefix('/')
            .ok_or_else(|| fail("must start with /"))?;
        // The verb follows the last `:` outside braces.
        let mut depth = 0;
        let mut verb_at = None;
        for (i, c) in rest.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ':' if depth == 0 => verb_at = Some(i),
                _ => {}
            }
        }
        let (path, verb) = match verb_at {
            Some(i) => (&rest[..i], Some(rest[i + 1..].to_owned())),
            None => (rest, None),
        };
        let mut segments = Vec::new();
        let mut variables = Vec::new();
        let mut chars = path;
        while !chars.is_empty() {
            if let Some(inner) = chars.strip_prefix('{') {
                let close = inner.find('}').ok_or_else(|| fail("unclosed {"))?;
                let (field, pattern) = match inner[..close].split_once('=') {
                    Some((field, pattern)) => (field, pattern),
                    None => (&inner[..close], "*"),
                };
                let start = segments.len();
                for part in pattern.split('/') {
                    segments.push(parse_segment(part).ok_or_else(|| fail("empty segment"))?);
                }
                variables.push(Variable {
                    field: field.to_owned(),
                    start,
                    end: segments.len(),
                });
                chars = &inner[close + 1..];
            } else {
                let end = chars.find('/').unwrap_or(chars.len());
                segments.push(parse_segment(&chars[..end]).ok_or_else(|| fail("empty segment"))?);
                chars = &chars[end..];
            }
            chars = chars.strip_prefix('/').unwrap_or(chars);
        }
        if segments[..segments.len().saturating_sub(1)].contains(&Segment::Rest) {
            return Err(fail("** must come last"));
        }
        Ok(Self {
            segments,
            variables,
            verb,
            text: text.to_owned(),
        })
    }

    /// Matches a request path; on success the variables' values, decoded.
    /// `Err` is a path that matches but is malformed (a `..` segment,
    /// bad percent-encoding).
    pub fn matches(&self, path: &str) -> Option<Result<Vec<(String, String)>, String>> {
        let path = path.strip_prefix('/')?;
        let path = match &self.verb {
            Some(verb) => path.strip_suffix(verb.as_str())?.strip_suffix(':')?,
            None => path,
        };
        let parts: Vec<&str> = path.split('/').collect();
        let ends_with_rest = self.segments.last() == Some(&Segment::Rest);
        if ends_with_rest {
            if parts.len() < self.segments.len() {
                return None;
            }
        } else if parts.len() != self.segments.len() {
            return None;
        }
        for (segment, part) in self.segments.iter().zip(&parts) {
            match segment {
                Segment::Literal(literal) => {
                    if literal != part {
                        return None;
                    }
                }
                Segment::Any | Segment::Rest => {
                    if part.is_empty() || part.contains(':') && self.verb.is_none() {
                        return None;
                    }
                }
            }
        }
        let mut values = Vec::with_capacity(self.variables.len());
        for variable in &self.variables {
            let end = if ends_with_rest && variable.end == self.segments.len() {
                parts.len()
            } else {
                variable.end
            };
            let mut value = String::new();
            for (i, part) in parts[variable.start..end].iter().enumerate() {
                let decoded = match decode_segment(part) {
                    Ok(decoded) => decoded,
                    Err(e) => return Some(Err(format!("path field `{}`: {e}", variable.field))),
                };
                if i > 0 {
                    value.push('/');
                }
                value.push_str(&decoded);
            }
            values.push((variable.field.clone(), value));
        }
        Some(Ok(values))
    }

    /// How specific the template is: literals first, then fewer wildcards.
    fn rank(&self) -> (usize, usize, bool) {
        let literals = self
            .segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count();
        (
            literals,
            usize::MAX - self.segments.len(),
            self.verb.is_some(),
        )
    }
}

fn parse_segment(part: &str) -> Option<Segment> {
    match part {
        "" => None,
        "*" => Some(Segment::Any),
        "**" => Some(Segment::Rest),
        literal => Some(Segment::Literal(literal.to_owned())),
    }
}

/// One path segment, percent-decoded; refuses what could climb out of the
/// resource tree or smuggle a separator.
fn decode_segment(part: &str) -> Result<Cow<'_, str>, &'static str> {
    let decoded = percent_decode_str(part)
        .decode_utf8()
        .map_err(|_| "is not valid UTF-8 once decoded")?;
    if decoded == "." || decoded == ".." {
        return Err("may not be `.` or `..`");
    }
    if decoded.contains('/') || decoded.contains('\\') || decoded.chars().any(char::is_control) {
        return Err("may not contain `/`, `\\` or control characters");
    }
    Ok(decoded)
}

/// Where a request's body goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyTarget {
    /// No body.
    None,
    /// `*`: the whole request message.
    Whole,
    /// One field of the request.
    Field(String),
}

/// One REST route: an HTTP method and template bound to a gRPC method.
#[derive(Debug, Clone)]
pub struct Route {
    /// The HTTP method.
    pub http_method: http::Method,
    /// The path template.
    pub template: Template,
    /// What the body fills.
    pub body: BodyTarget,
    /// The gRPC method.
    pub method: MethodDescriptor,
    /// Whether a call needs a bearer token (the method is not marked
    /// `interlink.common.v1.anonymous`).
    pub needs_token: bool,
}

impl Route {
    /// `/package.Service/Method`.
    pub fn grpc_path(&self) -> String {
        interlink_runtime::descriptors::method_path(&self.method)
    }
}

/// A failure to read the routes from the descriptors.
#[derive(Debug, thiserror::Error)]
pub enum RoutesError {
    /// The descriptor set does not decode.
    #[error("descriptor set: {0}")]
    Descriptors(#[from] prost_reflect::DescriptorError),
    /// A template does not parse.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// An annotation is malformed.
    #[error("{method}: {reason}")]
    Rule {
        /// The gRPC method.
        method: String,
        /// What is wrong.
        reason: String,
    },
}

/// Every REST route of the services in `pool` that `serve` accepts,
/// most specific first.
pub fn routes(
    pool: &DescriptorPool,
    serve: impl Fn(&str) -> bool,
) -> Result<Vec<Route>, RoutesError> {
    let Some(http) = pool.get_extension_by_name("google.api.http") else {
        return Ok(Vec::new());
    };
    let mut routes = Vec::new();
    for service in pool.services() {
        if !serve(service.full_name()) {
            continue;
        }
        for method in service.methods() {
            let options = method.options();
            if !options.has_extension(&http) {
                continue;
            }
            if let Value::Message(rule) = options.get_extension(&http).as_ref() {
                add_rule(&method, rule, &mut routes, true)?;
            }
        }
    }
    routes.sort_by_key(|r| std::cmp::Reverse(r.template.rank()));
    Ok(routes)
}

fn add_rule(
    method: &MethodDescriptor,
    rule: &DynamicMessage,
    routes: &mut Vec<Route>,
    top: bool,
) -> Result<(), RoutesError> {
    let text = |name: &str| -> String {
        rule.get_field_by_name(name)
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    let bad = |reason: String| RoutesError::Rule {
        method: method.full_name().to_owned(),
        reason,
    };
    let mut pattern = None;
    for (verb, http_method) in [
        ("get", http::Method::GET),
        ("put", http::Method::PUT),
        ("post", http::Method::POST),
        ("delete", http::Method::DELETE),
        ("patch", http::Method::PATCH),
    ] {
        let path = text(verb);
        if !path.is_empty() {
            pattern = Some((http_method, path));
        }
    }
    let (http_method, path) = pattern.ok_or_else(|| bad("no HTTP pattern".into()))?;
    let body = match text("body").as_str() {
        "" => BodyTarget::None,
        "*" => BodyTarget::Whole,
        field => {
            if method.input().get_field_by_name(field).is_none() {
                return Err(bad(format!("body field `{field}` is not in the request")));
            }
            BodyTarget::Field(field.to_owned())
        }
    };
    let template = Template::parse(&path)?;
    for variable in &template.variables {
        if crate::transcode::field_path(&method.input(), &variable.field).is_none() {
            return Err(bad(format!(
                "path field `{}` is not in the request",
                variable.field
            )));
        }
    }
    routes.push(Route {
        http_method,
        template,
        body,
        method: method.clone(),
        needs_token: interlink_runtime::descriptors::needs_token(
            &interlink_runtime::descriptors::method_path(method),
        ),
    });
    if top
        && let Some(Value::List(more)) = rule
            .get_field_by_name("additional_bindings")
            .as_deref()
            .cloned()
            .as_ref()
    {
        for binding in more {
            if let Value::Message(binding) = binding {
                add_rule(method, binding, routes, false)?;
            }
        }
    }
    Ok(())
}

/// What a request path and method resolve to.
pub enum Resolved<'a> {
    /// A route, with the path's variables.
    Route(&'a Route, Vec<(String, String)>),
    /// A route matched but its path is malformed.
    BadPath(String),
    /// The path exists for other methods.
    MethodNotAllowed(Vec<http::Method>),
    /// No route.
    NotFound,
}

/// Finds the route for `method` and `path`.
pub fn resolve<'a>(routes: &'a [Route], method: &http::Method, path: &str) -> Resolved<'a> {
    let mut allowed = Vec::new();
    for route in routes {
        if let Some(matched) = route.template.matches(path) {
            if route.http_method != *method {
                if !allowed.contains(&route.http_method) {
                    allowed.push(route.http_method.clone());
                }
                continue;
            }
            return match matched {
                Ok(values) => Resolved::Route(route, values),
                Err(e) => Resolved::BadPath(e),
            };
        }
    }
    if allowed.is_empty() {
        Resolved::NotFound
    } else {
        Resolved::MethodNotAllowed(allowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse_and_match() {
        let t = Template::parse("/v1/{name=interlinkers/*}:publish").expect("parse");
        assert_eq!(t.verb.as_deref(), Some("publish"));
        assert_eq!(
            t.matches("/v1/interlinkers/abc:publish"),
            Some(Ok(vec![("name".into(), "interlinkers/abc".into())]))
        );
        assert_eq!(t.matches("/v1/interlinkers/abc"), None);
        assert_eq!(t.matches("/v1/interlinkers:publish"), None);

        let t = Template::parse("/v1/{parent=interlinkers/*}/ratings").expect("parse");
        assert_eq!(
            t.matches("/v1/interlinkers/x%20y/ratings"),
            Some(Ok(vec![("parent".into(), "interlinkers/x y".into())]))
        );
        let t = Template::parse("/v1/interlinkers:search").expect("parse");
        assert_eq!(t.matches("/v1/interlinkers:search"), Some(Ok(vec![])));
        assert_eq!(t.matches("/v1/interlinkers"), None);

        let t = Template::parse("/v1/{name=files/**}").expect("parse");
        assert_eq!(
            t.matches("/v1/files/a/b/c"),
            Some(Ok(vec![("name".into(), "files/a/b/c".into())]))
        );
        let t = Template::parse("/v1/{id}").expect("parse");
        assert_eq!(
            t.matches("/v1/7"),
            Some(Ok(vec![("id".into(), "7".into())]))
        );
    }

    #[test]
    fn traversal_and_smuggled_separators_are_refused() {
        let t = Template::parse("/v1/{name=interlinkers/*}").expect("parse");
        for path in [
            "/v1/interlinkers/..",
            "/v1/interlinkers/%2e%2e",
            "/v1/interlinkers/a%2Fb",
            "/v1/interlinkers/%ff",
            "/v1/interlinkers/a%00",
        ] {
            assert!(matches!(t.matches(path), Some(Err(_))), "{path}");
        }
        assert_eq!(t.matches("/v1/interlinkers/"), None);
        assert_eq!(t.matches("/v1/interlinkers/a/b"), None);
    }

    #[test]
    fn malformed_templates_are_errors() {
        for bad in ["v1/x", "/v1/{name", "/v1//x", "/v1/**/x"] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
    }
}
