//! The status roll-up and progress of DOMAIN.md: a parent is `finished`
//! when all its enabled children are, `awaiting` when all are, else
//! `in_progress`; progress = (in progress / 2 + finished) × 100 / enabled
//! children. Dates of phases and objectives span their enabled children's.

use std::collections::HashMap;

use super::{Kind, Status};

/// What the roll-up reads of an item.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Its id.
    pub id: String,
    /// Its level.
    pub kind: Kind,
    /// Its parent's id; `None` for phases.
    pub parent: Option<String>,
    /// Disabled items (and all under them) leave the roll-up.
    pub enabled: bool,
    /// A task's own status (ignored for other kinds).
    pub status: Status,
    /// A task's own start (Unix ms).
    pub start: Option<i64>,
    /// A task's own end (Unix ms).
    pub end: Option<i64>,
}

/// The rolled-up state of an item or of the process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rolled {
    /// Status.
    pub status: Status,
    /// 0–100.
    pub progress: f64,
    /// Earliest start below.
    pub start: Option<i64>,
    /// Latest end below.
    pub end: Option<i64>,
}

/// The roll-up of `statuses` (of enabled children): status and progress.
/// No children: awaiting, 0 %.
pub fn combine(statuses: &[Status]) -> (Status, f64) {
    if statuses.is_empty() {
        return (Status::Awaiting, 0.0);
    }
    let finished = statuses.iter().filter(|s| **s == Status::Finished).count();
    let started = statuses
        .iter()
        .filter(|s| **s == Status::InProgress)
        .count();
    let status = if finished == statuses.len() {
        Status::Finished
    } else if finished == 0 && started == 0 {
        Status::Awaiting
    } else {
        Status::InProgress
    };
    let progress = (started as f64 / 2.0 + finished as f64) * 100.0 / statuses.len() as f64;
    (status, progress)
}

/// A task's progress from its own status.
pub fn task_progress(status: Status) -> f64 {
    match status {
        Status::Awaiting => 0.0,
        Status::InProgress => 50.0,
        Status::Finished => 100.0,
    }
}

/// Rolls up a whole tree: the state of every item (tasks keep their own
/// status) and of the process (the last element, keyed by `""`).
pub fn roll_up(nodes: &[Node]) -> HashMap<String, Rolled> {
    let mut children: HashMap<&str, Vec<&Node>> = HashMap::new();
    for node in nodes {
        children
            .entry(node.parent.as_deref().unwrap_or(""))
            .or_default()
            .push(node);
    }
    let mut out = HashMap::new();
    fn visit<'a>(
        node: Option<&'a Node>,
        children: &HashMap<&str, Vec<&'a Node>>,
        out: &mut HashMap<String, Rolled>,
    ) -> Rolled {
        let id = node.map(|n| n.id.as_str()).unwrap_or("");
        let rolled = match node {
            Some(task) if task.kind == Kind::Task => Rolled {
                status: task.status,
                progress: task_progress(task.status),
                start: task.start,
                end: task.end,
            },
            _ => {
                let mut statuses = Vec::new();
                let (mut start, mut end): (Option<i64>, Option<i64>) = (None, None);
                for child in children.get(id).into_iter().flatten() {
                    let state = visit(Some(child), children, out);
                    if child.enabled {
                        statuses.push(state.status);
                        start = match (start, state.start) {
                            (Some(a), Some(b)) => Some(a.min(b)),
                            (a, b) => a.or(b),
                        };
                        end = match (end, state.end) {
                            (Some(a), Some(b)) => Some(a.max(b)),
                            (a, b) => a.or(b),
                        };
                    }
                }
                let (status, progress) = combine(&statuses);
                Rolled {
                    status,
                    progress,
                    start,
                    end,
                }
            }
        };
        out.insert(id.to_owned(), rolled);
        rolled
    }
    visit(None, &children, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combining_follows_the_rule() {
        use Status::*;
        assert_eq!(combine(&[]), (Awaiting, 0.0));
        assert_eq!(combine(&[Awaiting, Awaiting]), (Awaiting, 0.0));
        assert_eq!(combine(&[Finished, Finished]), (Finished, 100.0));
        assert_eq!(combine(&[Finished, Awaiting]), (InProgress, 50.0));
        assert_eq!(combine(&[InProgress, Awaiting]), (InProgress, 25.0));
        assert_eq!(
            combine(&[InProgress, Finished, Awaiting]),
            (InProgress, 150.0 / 3.0)
        );
    }

    fn node(id: &str, kind: Kind, parent: Option<&str>, status: Status, enabled: bool) -> Node {
        Node {
            id: id.into(),
            kind,
            parent: parent.map(str::to_owned),
            enabled,
            status,
            start: None,
            end: None,
        }
    }

    #[test]
    fn a_tree_rolls_up_and_disabled_items_leave_it() {
        use Status::*;
        let mut nodes = vec![
            node("p1", Kind::Phase, None, Awaiting, true),
            node("o1", Kind::Objective, Some("p1"), Awaiting, true),
            node("t1", Kind::Task, Some("o1"), Finished, true),
            node("t2", Kind::Task, Some("o1"), InProgress, true),
            node("t3", Kind::Task, Some("o1"), Awaiting, false),
            node("o2", Kind::Objective, Some("p1"), Awaiting, true),
            node("t4", Kind::Task, Some("o2"), Finished, true),
            node("p2", Kind::Phase, None, Awaiting, true),
            node("o3", Kind::Objective, Some("p2"), Awaiting, true),
            node("t5", Kind::Task, Some("o3"), Awaiting, true),
        ];
        nodes[2].start = Some(10);
        nodes[3].end = Some(50);
        nodes[4].start = Some(1); // disabled: ignored
        let r = roll_up(&nodes);
        // o1: finished + in progress (t3 disabled) → 75 %.
        assert_eq!((r["o1"].status, r["o1"].progress), (InProgress, 75.0));
        assert_eq!((r["o1"].start, r["o1"].end), (Some(10), Some(50)));
        assert_eq!((r["o2"].status, r["o2"].progress), (Finished, 100.0));
        // p1: in progress + finished → 75 %.
        assert_eq!((r["p1"].status, r["p1"].progress), (InProgress, 75.0));
        assert_eq!((r["p2"].status, r["p2"].progress), (Awaiting, 0.0));
        // The process: in progress + awaiting → 25 %.
        assert_eq!((r[""].status, r[""].progress), (InProgress, 25.0));
        assert_eq!((r[""].start, r[""].end), (Some(10), Some(50)));
    }
}
