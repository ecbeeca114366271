//! Co-production schemas: a tree of phases → objectives → tasks, written as
//! a flat list of items that name their parent. Prerequisites link siblings
//! (same kind, same parent); problem profiles belong to tasks; the
//! co-delivery flag to phases.
//!
//! [`validate`] checks a tree before it is stored and names the offending
//! item in every refusal: its path (`schema.items[3].prerequisites[0]`) and
//! its key.

use std::collections::{BTreeSet, HashMap};

/// Most problem profiles a schema's task addresses (as a process's task).
const MAX_ITEM_PROFILES: usize = 50;
/// Most prerequisites a schema's item names (as a process's item).
const MAX_ITEM_PREREQUISITES: usize = 100;

use serde::{Deserialize, Serialize};

use super::{Text, Violation, check_text};

/// The level of an item in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A top-level stage (e.g. Engage, Design, Build, Sustain).
    Phase,
    /// A goal inside a phase.
    Objective,
    /// A piece of work inside an objective.
    Task,
}

impl ItemKind {
    fn name(self) -> &'static str {
        match self {
            ItemKind::Phase => "phase",
            ItemKind::Objective => "objective",
            ItemKind::Task => "task",
        }
    }

    /// The kind an item of this kind must have as parent.
    fn parent_kind(self) -> Option<ItemKind> {
        match self {
            ItemKind::Phase => None,
            ItemKind::Objective => Some(ItemKind::Phase),
            ItemKind::Task => Some(ItemKind::Objective),
        }
    }
}

/// One item of a schema as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Unique in the schema: lower-case letters, digits, `-` and `_`.
    pub key: String,
    /// Its level.
    pub kind: ItemKind,
    /// The key of its parent; empty for phases.
    pub parent: String,
    /// Its name per language tag.
    pub title: Text,
    /// What it is about, per language tag.
    pub description: Text,
    /// Keys of siblings that must be finished first.
    pub prerequisites: Vec<String>,
    /// Codes of the problem profiles it addresses (tasks only).
    pub problem_profiles: Vec<String>,
    /// Part of co-delivery (phases only).
    pub co_delivery: bool,
}

/// A tree that passed [`validate`]: items in tree order (each phase, then
/// its objectives, each followed by its tasks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTree {
    /// The items, in tree order.
    pub items: Vec<Item>,
}

/// Longest key.
pub const MAX_KEY_CHARS: usize = 64;
/// Longest description, per language.
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;
/// Longest name, per language.
pub const MAX_NAME_CHARS: usize = 200;
/// Most items in one schema.
pub const MAX_ITEMS: usize = 2_000;

fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY_CHARS
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Checks `items` against every rule and returns the tree in tree order, or
/// every violation found. `known_profiles` are the problem-profile codes
/// that exist.
pub fn validate(
    items: &[Item],
    known_profiles: &BTreeSet<String>,
) -> Result<ValidTree, Vec<Violation>> {
    let mut out = Vec::new();
    let path = |i: usize| format!("schema.items[{i}]");
    if items.is_empty() {
        out.push(Violation::new(
            "schema.items",
            "a schema needs at least one phase",
        ));
        return Err(out);
    }
    if items.len() > MAX_ITEMS {
        out.push(Violation::new(
            "schema.items",
            format!("has more than {MAX_ITEMS} items"),
        ));
        return Err(out);
    }

    // Keys: well formed and unique.
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        if !is_key(&item.key) {
            out.push(Violation::new(
                format!("{}.key", path(i)),
                format!(
                    "`{}` is not a key: 1 to {MAX_KEY_CHARS} of a-z, 0-9, - and _",
                    item.key
                ),
            ));
        } else if let Some(first) = index.insert(&item.key, i) {
            index.insert(&items[first].key, first);
            out.push(Violation::new(
                format!("{}.key", path(i)),
                format!("`{}` is also the key of items[{first}]", item.key),
            ));
        }
    }

    // Titles and descriptions.
    for (i, item) in items.iter().enumerate() {
        check_text(
            &format!("{}.title", path(i)),
            &item.title,
            true,
            MAX_NAME_CHARS,
            &mut out,
        );
        check_text(
            &format!("{}.description", path(i)),
            &item.description,
            false,
            MAX_DESCRIPTION_CHARS,
            &mut out,
        );
    }

    // Shape: phases at the top, objectives under phases, tasks under objectives.
    for (i, item) in items.iter().enumerate() {
        match (item.kind.parent_kind(), item.parent.as_str()) {
            (None, "") => {}
            (None, parent) => out.push(Violation::new(
                format!("{}.parent", path(i)),
                format!(
                    "phase `{}` is top-level; it cannot be under `{parent}`",
                    item.key
                ),
            )),
            (Some(expected), "") => out.push(Violation::new(
                format!("{}.parent", path(i)),
                format!(
                    "{} `{}` needs a parent {}",
                    item.kind.name(),
                    item.key,
                    expected.name()
                ),
            )),
            (Some(expected), parent) => match index.get(parent) {
                None => out.push(Violation::new(
                    format!("{}.parent", path(i)),
                    format!(
                        "{} `{}` is under `{parent}`, which does not exist",
                        item.kind.name(),
                        item.key
                    ),
                )),
                Some(&p) if items[p].kind != expected => out.push(Violation::new(
                    format!("{}.parent", path(i)),
                    format!(
                        "a {} belongs under an {}, but `{}` is under the {} `{parent}`",
                        item.kind.name(),
                        expected.name(),
                        item.key,
                        items[p].kind.name()
                    ),
                )),
                Some(_) => {}
            },
        }
        if item.kind != ItemKind::Task && !item.problem_profiles.is_empty() {
            out.push(Violation::new(
                format!("{}.problem_profiles", path(i)),
                format!(
                    "only tasks address problem profiles, and `{}` is a {}",
                    item.key,
                    item.kind.name()
                ),
            ));
        }
        if item.kind != ItemKind::Phase && item.co_delivery {
            out.push(Violation::new(
                format!("{}.co_delivery", path(i)),
                format!(
                    "only phases are part of co-delivery, and `{}` is a {}",
                    item.key,
                    item.kind.name()
                ),
            ));
        }
        if item.problem_profiles.len() > MAX_ITEM_PROFILES {
            out.push(Violation::new(
                format!("{}.problem_profiles", path(i)),
                format!("has more than {MAX_ITEM_PROFILES} entries"),
            ));
        }
        if item.prerequisites.len() > MAX_ITEM_PREREQUISITES {
            out.push(Violation::new(
                format!("{}.prerequisites", path(i)),
                format!("has more than {MAX_ITEM_PREREQUISITES} entries"),
            ));
        }
        for (j, code) in item.problem_profiles.iter().enumerate() {
            if !known_profiles.contains(code) {
                out.push(Violation::new(
                    format!("{}.problem_profiles[{j}]", path(i)),
                    format!("unknown problem profile `{code}`"),
                ));
            } else if item.problem_profiles[..j].contains(code) {
                out.push(Violation::new(
                    format!("{}.problem_profiles[{j}]", path(i)),
                    format!("`{code}` is listed twice"),
                ));
            }
        }
    }

    // Prerequisites: existing siblings, no duplicates, no self.
    for (i, item) in items.iter().enumerate() {
        for (j, key) in item.prerequisites.iter().enumerate() {
            let field = format!("{}.prerequisites[{j}]", path(i));
            match index.get(key.as_str()) {
                None => out.push(Violation::new(field, format!("unknown item `{key}`"))),
                Some(&p) if p == i => out.push(Violation::new(
                    field,
                    format!("`{key}` cannot be its own prerequisite"),
                )),
                Some(&p) if items[p].kind != item.kind || items[p].parent != item.parent => {
                    out.push(Violation::new(
                        field,
                        format!(
                            "`{key}` is not a sibling of `{}`: prerequisites link items of the same kind under the same parent",
                            item.key
                        ),
                    ))
                }
                Some(_) if item.prerequisites[..j].contains(key) => {
                    out.push(Violation::new(field, format!("`{key}` is listed twice")))
                }
                Some(_) => {}
            }
        }
    }
    if !out.is_empty() {
        return Err(out);
    }

    // No cycles, and every phase and objective has children.
    if let Some(cycle) = find_cycle(items, &index) {
        let first = index[cycle[0].as_str()];
        out.push(Violation::new(
            format!("{}.prerequisites", path(first)),
            format!("prerequisites form a cycle: {}", cycle.join(" → ")),
        ));
    }
    let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        children.entry(item.parent.as_str()).or_default().push(i);
    }
    for (i, item) in items.iter().enumerate() {
        if item.kind != ItemKind::Task && !children.contains_key(item.key.as_str()) {
            out.push(Violation::new(
                path(i),
                format!(
                    "{} `{}` is empty: it needs at least one {}",
                    item.kind.name(),
                    item.key,
                    if item.kind == ItemKind::Phase {
                        "objective"
                    } else {
                        "task"
                    }
                ),
            ));
        }
    }
    if !items.iter().any(|i| i.kind == ItemKind::Phase) {
        out.push(Violation::new(
            "schema.items",
            "a schema needs at least one phase",
        ));
    }
    if !out.is_empty() {
        return Err(out);
    }

    // Tree order, keeping the written order among siblings.
    let mut ordered = Vec::with_capacity(items.len());
    fn visit(
        key: &str,
        items: &[Item],
        children: &HashMap<&str, Vec<usize>>,
        ordered: &mut Vec<Item>,
    ) {
        for &c in children.get(key).map(Vec::as_slice).unwrap_or_default() {
            ordered.push(items[c].clone());
            visit(&items[c].key, items, children, ordered);
        }
    }
    visit("", items, &children, &mut ordered);
    Ok(ValidTree { items: ordered })
}

/// A cycle among prerequisites, as the keys along it (first repeated at the
/// end), if there is one.
fn find_cycle(items: &[Item], index: &HashMap<&str, usize>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut marks = vec![Mark::New; items.len()];
    let mut stack: Vec<usize> = Vec::new();
    fn dfs(
        i: usize,
        items: &[Item],
        index: &HashMap<&str, usize>,
        marks: &mut [Mark],
        stack: &mut Vec<usize>,
    ) -> Option<Vec<String>> {
        marks[i] = Mark::Open;
        stack.push(i);
        for key in &items[i].prerequisites {
            let Some(&p) = index.get(key.as_str()) else {
                continue;
            };
            match marks[p] {
                Mark::Open => {
                    let start = stack.iter().position(|&s| s == p).unwrap_or(0);
                    let mut cycle: Vec<String> = stack[start..]
                        .iter()
                        .map(|&s| items[s].key.clone())
                        .collect();
                    cycle.push(items[p].key.clone());
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(cycle) = dfs(p, items, index, marks, stack) {
                        return Some(cycle);
                    }
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        marks[i] = Mark::Done;
        None
    }
    for i in 0..items.len() {
        if marks[i] == Mark::New
            && let Some(cycle) = dfs(i, items, index, &mut marks, &mut stack)
        {
            return Some(cycle);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn item(key: &str, kind: ItemKind, parent: &str, prerequisites: &[&str]) -> Item {
        Item {
            key: key.into(),
            kind,
            parent: parent.into(),
            title: BTreeMap::from([("en".into(), key.to_uppercase())]),
            description: Text::new(),
            prerequisites: prerequisites.iter().map(|s| s.to_string()).collect(),
            problem_profiles: Vec::new(),
            co_delivery: false,
        }
    }

    fn profiles() -> BTreeSet<String> {
        ["OR1", "UN2", "BU3"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    /// Engage → Design, one objective and two tasks each.
    fn good() -> Vec<Item> {
        use ItemKind::*;
        let mut tasks = vec![
            item("engage", Phase, "", &[]),
            item("design", Phase, "", &["engage"]),
            item("stakeholders", Objective, "engage", &[]),
            item("map-actors", Task, "stakeholders", &[]),
            item("invite", Task, "stakeholders", &["map-actors"]),
            item("ideas", Objective, "design", &[]),
            item("workshop", Task, "ideas", &[]),
        ];
        tasks[3].problem_profiles = vec!["OR1".into()];
        tasks[1].co_delivery = true;
        tasks
    }

    fn fields(result: Result<ValidTree, Vec<Violation>>) -> Vec<(String, String)> {
        result
            .expect_err("refused")
            .into_iter()
            .map(|v| (v.field, v.reason))
            .collect()
    }

    #[test]
    fn a_good_tree_comes_back_in_tree_order() {
        let tree = validate(&good(), &profiles()).expect("valid");
        let keys: Vec<&str> = tree.items.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "engage",
                "stakeholders",
                "map-actors",
                "invite",
                "design",
                "ideas",
                "workshop"
            ]
        );
    }

    #[test]
    fn a_task_under_a_phase_is_refused_by_item() {
        let mut items = good();
        items[6].parent = "design".into();
        let got = fields(validate(&items, &profiles()));
        assert_eq!(got[0].0, "schema.items[6].parent");
        assert!(
            got[0].1.contains("a task belongs under an objective"),
            "{}",
            got[0].1
        );
        assert!(got[0].1.contains("`workshop`"), "{}", got[0].1);
    }

    #[test]
    fn objectives_need_a_phase_and_phases_stay_on_top() {
        let mut items = good();
        items[2].parent = String::new();
        items[0].parent = "design".into();
        let got = fields(validate(&items, &profiles()));
        let paths: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
        assert!(paths.contains(&"schema.items[0].parent"), "{got:?}");
        assert!(paths.contains(&"schema.items[2].parent"), "{got:?}");
    }

    #[test]
    fn prerequisites_must_exist_and_be_siblings() {
        let mut items = good();
        items[4].prerequisites = vec!["nowhere".into()];
        items[6].prerequisites = vec!["invite".into()]; // a task of another objective
        items[1].prerequisites = vec!["stakeholders".into()]; // an objective, for a phase
        let got = fields(validate(&items, &profiles()));
        assert_eq!(got[0].0, "schema.items[1].prerequisites[0]");
        assert!(got[0].1.contains("not a sibling"));
        assert_eq!(
            got[1],
            (
                "schema.items[4].prerequisites[0]".into(),
                "unknown item `nowhere`".into()
            )
        );
        assert_eq!(got[2].0, "schema.items[6].prerequisites[0]");
        assert!(got[2].1.contains("not a sibling"));
    }

    #[test]
    fn cycles_are_refused_with_their_path() {
        use ItemKind::*;
        let mut items = good();
        items.push(item("build", Phase, "", &["design"]));
        items.push(item("plan", Objective, "build", &[]));
        items.push(item("code", Task, "plan", &[]));
        items[0].prerequisites = vec!["build".into()]; // engage ← build ← design ← engage
        let got = fields(validate(&items, &profiles()));
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].1.starts_with("prerequisites form a cycle:"),
            "{}",
            got[0].1
        );
        for key in ["engage", "design", "build"] {
            assert!(got[0].1.contains(key), "{}", got[0].1);
        }
        let mut selfish = good();
        selfish[3].prerequisites = vec!["map-actors".into()];
        let got = fields(validate(&selfish, &profiles()));
        assert!(got[0].1.contains("cannot be its own prerequisite"));
    }

    #[test]
    fn profiles_only_on_tasks_and_only_known_ones() {
        let mut items = good();
        items[2].problem_profiles = vec!["OR1".into()];
        items[4].problem_profiles = vec!["XX9".into(), "UN2".into(), "UN2".into()];
        items[5].co_delivery = true;
        let got = fields(validate(&items, &profiles()));
        let paths: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            paths,
            [
                "schema.items[2].problem_profiles",
                "schema.items[4].problem_profiles[0]",
                "schema.items[4].problem_profiles[2]",
                "schema.items[5].co_delivery",
            ]
        );
        assert_eq!(got[1].1, "unknown problem profile `XX9`");
    }

    #[test]
    fn keys_names_and_emptiness() {
        use ItemKind::*;
        let mut items = good();
        items[3].key = "Map Actors".into();
        items[5].key = "stakeholders".into();
        items[6].title = BTreeMap::from([("english".into(), "Workshop".into())]);
        let got = fields(validate(&items, &profiles()));
        let paths: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
        assert!(paths.contains(&"schema.items[3].key"), "{got:?}");
        assert!(paths.contains(&"schema.items[5].key"), "{got:?}");
        assert!(
            paths.contains(&"schema.items[6].title.values[english]"),
            "{got:?}"
        );

        let empty_phase = vec![item("lonely", Phase, "", &[])];
        let got = fields(validate(&empty_phase, &profiles()));
        assert_eq!(got[0].0, "schema.items[0]");
        assert!(got[0].1.contains("needs at least one objective"));
        let got = fields(validate(&[], &profiles()));
        assert_eq!(got[0].0, "schema.items");
        let nameless = vec![Item {
            title: BTreeMap::new(),
            ..item("p", Phase, "", &[])
        }];
        let got = fields(validate(&nameless, &profiles()));
        assert_eq!(got[0].0, "schema.items[0].title");
    }
}
