//! Checks on the items of a process tree: prerequisites name enabled
//! siblings and form no cycle; a task leaves `awaiting` only when the
//! prerequisites of it, its objective and its phase are finished.

use std::collections::{BTreeMap, BTreeSet};

use super::{Status, Violation};

/// Checks the prerequisites `wanted` of item `id` among its `siblings`
/// (id → their prerequisites; the item itself may be among them).
/// `field` names the request field; `name` turns an id into a name.
pub fn check_prerequisites(
    field: &str,
    id: &str,
    wanted: &[String],
    siblings: &BTreeMap<String, Vec<String>>,
    name: impl Fn(&str) -> String,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, prerequisite) in wanted.iter().enumerate() {
        let at = format!("{field}[{i}]");
        if prerequisite == id {
            out.push(Violation::new(at, "an item cannot require itself"));
        } else if !siblings.contains_key(prerequisite) {
            out.push(Violation::new(
                at,
                format!(
                    "{} is not a sibling (same kind, same parent, same process)",
                    name(prerequisite)
                ),
            ));
        } else if !seen.insert(prerequisite) {
            out.push(Violation::new(at, "is listed twice"));
        }
    }
    if !out.is_empty() {
        return out;
    }
    // With the new prerequisites in place, can `id` reach itself?
    let mut graph = siblings.clone();
    graph.insert(id.to_owned(), wanted.to_vec());
    let mut path = vec![id.to_owned()];
    if let Some(cycle) = find_cycle(id, id, &graph, &mut path, &mut BTreeSet::new()) {
        let names: Vec<String> = cycle.iter().map(|i| name(i)).collect();
        out.push(Violation::new(
            field,
            format!("prerequisites would form a cycle: {}", names.join(" → ")),
        ));
    }
    out
}

fn find_cycle(
    start: &str,
    at: &str,
    graph: &BTreeMap<String, Vec<String>>,
    path: &mut Vec<String>,
    visited: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    for next in graph.get(at).into_iter().flatten() {
        if next == start {
            let mut cycle = path.clone();
            cycle.push(start.to_owned());
            return Some(cycle);
        }
        if visited.insert(next.clone()) {
            path.push(next.clone());
            if let Some(cycle) = find_cycle(start, next, graph, path, visited) {
                return Some(cycle);
            }
            path.pop();
        }
    }
    None
}

/// A prerequisite of a task or of one of its ancestors.
#[derive(Debug, Clone, PartialEq)]
pub struct Prerequisite {
    /// Its resource name.
    pub name: String,
    /// Its rolled-up (or own) status.
    pub status: Status,
    /// Disabled prerequisites no longer hold anything back.
    pub enabled: bool,
}

/// The first prerequisite that keeps a task in `awaiting`, if any.
pub fn blocking(prerequisites: &[Prerequisite]) -> Option<&Prerequisite> {
    prerequisites
        .iter()
        .find(|p| p.enabled && p.status != Status::Finished)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn siblings(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(id, p)| (id.to_string(), p.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    fn fields(v: Vec<Violation>) -> Vec<(String, String)> {
        v.into_iter().map(|v| (v.field, v.reason)).collect()
    }

    #[test]
    fn prerequisites_are_siblings_without_cycles() {
        let s = siblings(&[("a", &[]), ("b", &["a"]), ("c", &["b"])]);
        let name = |id: &str| format!("tasks/{id}");
        assert!(check_prerequisites("p", "d", &["c".into()], &s, name).is_empty());
        let got = fields(check_prerequisites(
            "p",
            "d",
            &["d".into(), "x".into(), "a".into(), "a".into()],
            &s,
            name,
        ));
        assert_eq!(
            got.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(),
            ["p[0]", "p[1]", "p[3]"]
        );
        assert!(got[1].1.contains("tasks/x"));
        // a ← b ← c; making a require c closes the loop.
        let got = fields(check_prerequisites("p", "a", &["c".into()], &s, name));
        assert_eq!(got[0].0, "p");
        assert!(
            got[0].1.contains("tasks/a → tasks/c → tasks/b → tasks/a"),
            "{got:?}"
        );
    }

    #[test]
    fn only_enabled_unfinished_prerequisites_block() {
        let p = |name: &str, status, enabled| Prerequisite {
            name: name.into(),
            status,
            enabled,
        };
        assert_eq!(blocking(&[]), None);
        let list = [
            p("phases/engage", Status::Finished, true),
            p("tasks/old", Status::Awaiting, false),
            p("tasks/map", Status::InProgress, true),
        ];
        assert_eq!(blocking(&list).map(|p| p.name.as_str()), Some("tasks/map"));
    }
}
