//! Surveys, their questions and answers, free of HTTP and storage: what a
//! questionnaire may hold, what an answer must be, and the results, CSV and
//! charts made from the answers.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// The longest introduction, in characters.
pub const MAX_INTRO: usize = 4_000;
/// The longest question, in characters.
pub const MAX_PROMPT: usize = 500;
/// The longest option, in characters.
pub const MAX_OPTION: usize = 200;
/// The most options a choice question offers.
pub const MAX_OPTIONS: usize = 20;
/// The most questions a survey asks.
pub const MAX_QUESTIONS: usize = 50;
/// The longest text answer, in characters.
pub const MAX_TEXT_ANSWER: usize = 4_000;
/// The fewest and most points of a scale.
pub const SCALE_POINTS: std::ops::RangeInclusive<u8> = 2..=10;

/// Where a survey is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being written: questions may change, no one answers.
    Draft,
    /// Published: people answer; the questions no longer change.
    Open,
    /// No longer answered; may be opened again.
    Closed,
}

impl Status {
    /// Its name in the database and the JSON routes.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Open => "open",
            Status::Closed => "closed",
        }
    }

    /// The status named `name`.
    pub fn parse(name: &str) -> Option<Status> {
        match name {
            "draft" => Some(Status::Draft),
            "open" => Some(Status::Open),
            "closed" => Some(Status::Closed),
            _ => None,
        }
    }
}

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One of its options.
    Single,
    /// Any of its options.
    Multiple,
    /// A point from 1 to the scale's points.
    Scale,
    /// Free text.
    Text,
}

impl Kind {
    /// Every kind, in the order the builder offers them.
    pub const ALL: [Kind; 4] = [Kind::Single, Kind::Multiple, Kind::Scale, Kind::Text];

    /// Its name in forms and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::Multiple => "multiple",
            Kind::Scale => "scale",
            Kind::Text => "text",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Result<Kind, Invalid> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == name)
            .ok_or(Invalid::Kind)
    }

    /// Whether answers pick among options.
    pub fn has_options(self) -> bool {
        matches!(self, Kind::Single | Kind::Multiple)
    }
}

/// One question of a survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Its id within the survey (`q1`, `q2`, …; never reused).
    pub id: String,
    /// What kind of answer it takes.
    pub kind: Kind,
    /// What it asks.
    pub prompt: String,
    /// The options of a choice question (empty for the others).
    #[serde(default)]
    pub options: Vec<String>,
    /// How many points a scale question has (0 for the others).
    #[serde(default)]
    pub scale: u8,
    /// Whether an answer must answer it.
    #[serde(default)]
    pub required: bool,
}

/// A survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    /// Its id (the asset's id on this interlinker).
    pub id: Uuid,
    /// Its title.
    pub title: String,
    /// What it is for, shown above the questions.
    pub intro: String,
    /// The language it is written in (a BCP 47 tag, or empty).
    pub language: String,
    /// Where it is in its life.
    pub status: Status,
    /// Whether people may answer without signing in.
    pub anonymous: bool,
    /// Its questions, in order.
    pub questions: Vec<Question>,
    /// The subject who made it.
    pub created_by: String,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    /// Milliseconds since the epoch.
    pub updated_at: i64,
}

impl Survey {
    /// The question `id`, if it has one.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// The id the next question gets.
    pub fn next_question_id(&self) -> String {
        let highest = self
            .questions
            .iter()
            .filter_map(|q| q.id.strip_prefix('q')?.parse::<u32>().ok())
            .max()
            .unwrap_or(0);
        format!("q{}", highest + 1)
    }
}

/// Why a value is refused; its text names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// An empty title.
    #[error("title: a title is needed")]
    TitleBlank,
    /// A title over [`MAX_TITLE`] characters.
    #[error("title: at most 200 characters")]
    TitleTooLong,
    /// A title with a line break or control character.
    #[error("title: one line without control characters")]
    TitleNotALine,
    /// An introduction over [`MAX_INTRO`] characters or with control
    /// characters.
    #[error("intro: at most 4000 characters without control characters")]
    Intro,
    /// A language that is not a short tag.
    #[error("language: a language tag such as en or es")]
    Language,
    /// A question's text empty, too long or not one line.
    #[error("prompt: a question of 1 to 500 characters on one line")]
    Prompt,
    /// An unknown kind of question.
    #[error("kind: single, multiple, scale or text")]
    Kind,
    /// A choice question's options too few, too many, too long or repeated.
    #[error("options: 2 to 20 different options of at most 200 characters, one per line")]
    Options,
    /// A scale's points outside [`SCALE_POINTS`].
    #[error("scale: from 2 to 10 points")]
    Scale,
    /// More than [`MAX_QUESTIONS`] questions.
    #[error("questions: at most 50 questions")]
    TooManyQuestions,
    /// Publishing a survey without questions.
    #[error("questions: a survey needs a question to be published")]
    NoQuestions,
}

impl Invalid {
    /// The field at fault, as forms and the JSON routes name it.
    pub fn field(&self) -> &'static str {
        match self {
            Invalid::TitleBlank | Invalid::TitleTooLong | Invalid::TitleNotALine => "title",
            Invalid::Intro => "intro",
            Invalid::Language => "language",
            Invalid::Prompt => "prompt",
            Invalid::Kind => "kind",
            Invalid::Options => "options",
            Invalid::Scale => "scale",
            Invalid::TooManyQuestions | Invalid::NoQuestions => "questions",
        }
    }
}

fn one_line(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

/// A title as kept: trimmed, one line, 1 to [`MAX_TITLE`] characters.
pub fn title(raw: &str) -> Result<String, Invalid> {
    let title = raw.trim();
    if title.is_empty() {
        return Err(Invalid::TitleBlank);
    }
    if title.chars().count() > MAX_TITLE {
        return Err(Invalid::TitleTooLong);
    }
    if !one_line(title) {
        return Err(Invalid::TitleNotALine);
    }
    Ok(title.to_owned())
}

/// An introduction as kept: trimmed, line breaks normalised.
pub fn intro(raw: &str) -> Result<String, Invalid> {
    let intro = raw.trim().replace("\r\n", "\n");
    if intro.chars().count() > MAX_INTRO
        || intro
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Invalid::Intro);
    }
    Ok(intro)
}

/// A language tag as kept: empty, or letters, digits and hyphens (≤ 35).
pub fn language(raw: &str) -> Result<String, Invalid> {
    let tag = raw.trim();
    if tag.len() > 35 || !tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(Invalid::Language);
    }
    Ok(tag.to_owned())
}

/// What a question is made from, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionDraft {
    /// `single`, `multiple`, `scale` or `text`.
    pub kind: String,
    /// What it asks.
    pub prompt: String,
    /// A choice question's options.
    #[serde(default)]
    pub options: Vec<String>,
    /// A scale's points (5 when not given).
    #[serde(default)]
    pub scale: Option<u8>,
    /// Whether it must be answered.
    #[serde(default)]
    pub required: bool,
}

/// A question made from `draft` under `id`.
pub fn question(id: String, draft: &QuestionDraft) -> Result<Question, Invalid> {
    let kind = Kind::parse(draft.kind.trim())?;
    let prompt = draft.prompt.trim();
    if prompt.is_empty() || prompt.chars().count() > MAX_PROMPT || !one_line(prompt) {
        return Err(Invalid::Prompt);
    }
    let options: Vec<String> = if kind.has_options() {
        let options: Vec<String> = draft
            .options
            .iter()
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        let repeated = options
            .iter()
            .enumerate()
            .any(|(i, o)| options[..i].contains(o));
        if !(2..=MAX_OPTIONS).contains(&options.len())
            || repeated
            || options
                .iter()
                .any(|o| o.chars().count() > MAX_OPTION || !one_line(o))
        {
            return Err(Invalid::Options);
        }
        options
    } else {
        Vec::new()
    };
    let scale = if kind == Kind::Scale {
        let points = draft.scale.unwrap_or(5);
        if !SCALE_POINTS.contains(&points) {
            return Err(Invalid::Scale);
        }
        points
    } else {
        0
    };
    Ok(Question {
        id,
        kind,
        prompt: prompt.to_owned(),
        options,
        scale,
        required: draft.required,
    })
}

/// The questions `drafts` make, numbered `q1`, `q2`, …; on a mistake, the
/// position of the draft at fault (none for too many) and the mistake.
pub fn questions(drafts: &[QuestionDraft]) -> Result<Vec<Question>, (Option<usize>, Invalid)> {
    if drafts.len() > MAX_QUESTIONS {
        return Err((None, Invalid::TooManyQuestions));
    }
    drafts
        .iter()
        .enumerate()
        .map(|(i, draft)| question(format!("q{}", i + 1), draft).map_err(|e| (Some(i), e)))
        .collect()
}

// ---------------------------------------------------------------------------
// Answers

/// One question's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Reply {
    /// The options picked, by index (a single choice picks one).
    Choices(Vec<usize>),
    /// The point picked on a scale.
    Point(u8),
    /// The text written.
    Text(String),
}

/// An answer to a survey: a reply per answered question, by question id.
pub type Replies = BTreeMap<String, Reply>;

/// Why an answer is refused, per question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unanswerable {
    /// A required question was not answered.
    Required,
    /// The value given is not one the question offers.
    NotAnOption,
    /// A text answer over [`MAX_TEXT_ANSWER`] characters or with control
    /// characters.
    TextTooLong,
}

/// An answer made from a form's raw values (`question id → values`, as
/// many as the form sent), or the questions at fault.
pub fn replies(
    survey: &Survey,
    raw: &BTreeMap<String, Vec<String>>,
) -> Result<Replies, Vec<(String, Unanswerable)>> {
    let mut replies = Replies::new();
    let mut faults = Vec::new();
    for question in &survey.questions {
        let values: Vec<&str> = raw
            .get(&question.id)
            .map(|v| {
                v.iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        match reply(question, &values) {
            Ok(Some(reply)) => {
                replies.insert(question.id.clone(), reply);
            }
            Ok(None) if question.required => {
                faults.push((question.id.clone(), Unanswerable::Required));
            }
            Ok(None) => {}
            Err(fault) => faults.push((question.id.clone(), fault)),
        }
    }
    if faults.is_empty() {
        Ok(replies)
    } else {
        Err(faults)
    }
}

fn reply(question: &Question, values: &[&str]) -> Result<Option<Reply>, Unanswerable> {
    if values.is_empty() {
        return Ok(None);
    }
    match question.kind {
        Kind::Single | Kind::Multiple => {
            if question.kind == Kind::Single && values.len() > 1 {
                return Err(Unanswerable::NotAnOption);
            }
            let mut picked = Vec::new();
            for value in values {
                let index = value
                    .parse::<usize>()
                    .ok()
                    .filter(|i| *i < question.options.len())
                    .ok_or(Unanswerable::NotAnOption)?;
                if !picked.contains(&index) {
                    picked.push(index);
                }
            }
            picked.sort_unstable();
            Ok(Some(Reply::Choices(picked)))
        }
        Kind::Scale => match values {
            [one] => one
                .parse::<u8>()
                .ok()
                .filter(|p| (1..=question.scale).contains(p))
                .map(|p| Some(Reply::Point(p)))
                .ok_or(Unanswerable::NotAnOption),
            _ => Err(Unanswerable::NotAnOption),
        },
        Kind::Text => {
            let text = values.join("\n").replace("\r\n", "\n");
            if text.chars().count() > MAX_TEXT_ANSWER
                || text
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t')
            {
                return Err(Unanswerable::TextTooLong);
            }
            Ok(Some(Reply::Text(text)))
        }
    }
}

/// One person's answer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Its number within the survey, from 1 in the order answers came.
    pub number: i64,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    /// Whether it was given signed in.
    pub signed_in: bool,
    /// The replies.
    pub replies: Replies,
}

// ---------------------------------------------------------------------------
// Results

/// What the answers to one question come to.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    /// The question.
    pub question: Question,
    /// How many answers answered it.
    pub answered: i64,
    /// Per option (choice) or per point from 1 (scale): how many picked it.
    pub counts: Vec<i64>,
    /// A scale's mean point, when anyone answered.
    pub mean: Option<f64>,
    /// The text answers, newest first.
    pub texts: Vec<String>,
}

/// The results of `survey` from its `responses`.
pub fn tally(survey: &Survey, responses: &[Response]) -> Vec<Tally> {
    survey
        .questions
        .iter()
        .map(|question| {
            let size = match question.kind {
                Kind::Single | Kind::Multiple => question.options.len(),
                Kind::Scale => usize::from(question.scale),
                Kind::Text => 0,
            };
            let mut tally = Tally {
                question: question.clone(),
                answered: 0,
                counts: vec![0; size],
                mean: None,
                texts: Vec::new(),
            };
            let mut sum = 0u64;
            for response in responses.iter().rev() {
                let Some(reply) = response.replies.get(&question.id) else {
                    continue;
                };
                tally.answered += 1;
                match reply {
                    Reply::Choices(picked) => {
                        for &i in picked {
                            if let Some(count) = tally.counts.get_mut(i) {
                                *count += 1;
                            }
                        }
                    }
                    Reply::Point(point) => {
                        sum += u64::from(*point);
                        if let Some(count) = tally.counts.get_mut(usize::from(*point) - 1) {
                            *count += 1;
                        }
                    }
                    Reply::Text(text) => tally.texts.push(text.clone()),
                }
            }
            if question.kind == Kind::Scale && tally.answered > 0 {
                tally.mean = Some(sum as f64 / tally.answered as f64);
            }
            tally
        })
        .collect()
}

/// A horizontal bar chart of `bars` (label, count) out of `total`, as SVG
/// with its own text alternative (`title`) for readers of the table beside.
pub fn bar_chart(title: &str, bars: &[(String, i64)], total: i64) -> String {
    const WIDTH: i64 = 600;
    const LABEL: i64 = 220;
    const ROW: i64 = 28;
    let height = ROW * bars.len() as i64 + 8;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         role=\"img\" aria-label=\"{}\" class=\"chart\">",
        escape(title)
    );
    // Room right of the longest bar for its count: "9999 (100 %)".
    let span = WIDTH - LABEL - 110;
    for (i, (label, count)) in bars.iter().enumerate() {
        let y = ROW * i as i64 + 4;
        let length = if total > 0 { span * count / total } else { 0 };
        let percent = if total > 0 { 100 * count / total } else { 0 };
        let short: String = label.chars().take(32).collect();
        let _ = write!(
            svg,
            "<text x=\"{x}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{length}\" height=\"20\"></rect>\
             <text x=\"{vx}\" y=\"{ty}\">{count} ({percent} %)</text>",
            x = LABEL - 8,
            ty = y + 15,
            label = escape(&short),
            vx = LABEL + length + 6,
        );
    }
    svg.push_str("</svg>");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

// ---------------------------------------------------------------------------
// CSV

/// The answers as CSV (RFC 4180): a row per answer with its number and
/// time, then a column per question; several choices are joined by `; `.
/// A cell a spreadsheet would read as a formula is prefixed with `'`.
pub fn csv(survey: &Survey, responses: &[Response], when: impl Fn(i64) -> String) -> String {
    let mut out = String::new();
    let mut header = vec!["response".to_owned(), "submitted_at".to_owned()];
    header.extend(survey.questions.iter().map(|q| q.prompt.clone()));
    push_row(&mut out, &header);
    for response in responses {
        let mut row = vec![response.number.to_string(), when(response.created_at)];
        for question in &survey.questions {
            row.push(match response.replies.get(&question.id) {
                None => String::new(),
                Some(Reply::Choices(picked)) => picked
                    .iter()
                    .filter_map(|&i| question.options.get(i).cloned())
                    .collect::<Vec<_>>()
                    .join("; "),
                Some(Reply::Point(point)) => point.to_string(),
                Some(Reply::Text(text)) => text.clone(),
            });
        }
        push_row(&mut out, &row);
    }
    out
}

fn push_row(out: &mut String, cells: &[String]) {
    let cells: Vec<String> = cells
        .iter()
        .map(|cell| {
            let cell = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{cell}")
            } else {
                cell.clone()
            };
            format!("\"{}\"", cell.replace('"', "\"\""))
        })
        .collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// A file name for `title` with `extension`: letters, digits and hyphens.
pub fn file_name(title: &str, extension: &str) -> String {
    let mut name: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    let name = name.trim_matches('-');
    let name = if name.is_empty() { "survey" } else { name };
    format!("{name}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn survey() -> Survey {
        let drafts = [
            QuestionDraft {
                kind: "single".into(),
                prompt: "Which day?".into(),
                options: vec!["Monday".into(), "Friday".into()],
                required: true,
                ..Default::default()
            },
            QuestionDraft {
                kind: "multiple".into(),
                prompt: "Which services?".into(),
                options: vec!["Buses".into(), "=SUM(A1)".into(), "Parks".into()],
                ..Default::default()
            },
            QuestionDraft {
                kind: "scale".into(),
                prompt: "How useful?".into(),
                ..Default::default()
            },
            QuestionDraft {
                kind: "text".into(),
                prompt: "Anything else?".into(),
                ..Default::default()
            },
        ];
        Survey {
            id: Uuid::nil(),
            title: "Mobility".into(),
            intro: String::new(),
            language: "en".into(),
            status: Status::Open,
            anonymous: true,
            questions: questions(&drafts).expect("valid questions"),
            created_by: "ana".into(),
            created_at: 0,
            updated_at: 0,
        }
    }

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
        let mut raw: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in pairs {
            raw.entry((*k).to_owned())
                .or_default()
                .push((*v).to_owned());
        }
        raw
    }

    #[test]
    fn questions_are_checked_field_by_field() {
        let bad = |draft: QuestionDraft| question("q1".into(), &draft).err();
        let choice = |options: &[&str]| QuestionDraft {
            kind: "single".into(),
            prompt: "Pick".into(),
            options: options.iter().map(|o| (*o).to_owned()).collect(),
            ..Default::default()
        };
        assert_eq!(bad(choice(&["only"])), Some(Invalid::Options));
        assert_eq!(bad(choice(&["a", "a"])), Some(Invalid::Options));
        assert_eq!(bad(choice(&["a", "b"])), None);
        assert_eq!(
            bad(QuestionDraft {
                kind: "scale".into(),
                prompt: "Rate".into(),
                scale: Some(11),
                ..Default::default()
            }),
            Some(Invalid::Scale)
        );
        assert_eq!(
            bad(QuestionDraft {
                kind: "essay".into(),
                prompt: "Rate".into(),
                ..Default::default()
            }),
            Some(Invalid::Kind)
        );
        assert_eq!(
            bad(QuestionDraft {
                kind: "text".into(),
                prompt: "two\nlines".into(),
                ..Default::default()
            }),
            Some(Invalid::Prompt)
        );
        assert_eq!(Invalid::Options.field(), "options");
        assert!(Invalid::Scale.to_string().starts_with("scale:"));
    }

    #[test]
    fn answers_are_checked_against_the_questions() {
        let survey = survey();
        let faults = replies(&survey, &form(&[("q2", "7"), ("q3", "6")])).err();
        assert_eq!(
            faults,
            Some(vec![
                ("q1".into(), Unanswerable::Required),
                ("q2".into(), Unanswerable::NotAnOption),
                ("q3".into(), Unanswerable::NotAnOption),
            ])
        );
        let two_singles = replies(&survey, &form(&[("q1", "0"), ("q1", "1")])).err();
        assert_eq!(
            two_singles,
            Some(vec![("q1".into(), Unanswerable::NotAnOption)])
        );
        let fine = replies(
            &survey,
            &form(&[
                ("q1", "1"),
                ("q2", "2"),
                ("q2", "0"),
                ("q3", "4"),
                ("q4", " "),
            ]),
        )
        .expect("a valid answer");
        assert_eq!(fine.get("q1"), Some(&Reply::Choices(vec![1])));
        assert_eq!(fine.get("q2"), Some(&Reply::Choices(vec![0, 2])));
        assert_eq!(fine.get("q3"), Some(&Reply::Point(4)));
        assert_eq!(fine.get("q4"), None, "a blank text is no answer");
    }

    #[test]
    fn results_count_what_was_picked() {
        let survey = survey();
        let answer = |pairs: &[(&str, &str)], number| Response {
            number,
            created_at: 0,
            signed_in: false,
            replies: replies(&survey, &form(pairs)).expect("valid"),
        };
        let responses = [
            answer(&[("q1", "0"), ("q3", "5"), ("q4", "first")], 1),
            answer(&[("q1", "1"), ("q2", "0"), ("q2", "1"), ("q3", "2")], 2),
            answer(&[("q1", "0"), ("q4", "second")], 3),
        ];
        let tallies = tally(&survey, &responses);
        assert_eq!(tallies[0].counts, [2, 1]);
        assert_eq!(tallies[1].counts, [1, 1, 0]);
        assert_eq!(tallies[1].answered, 1);
        assert_eq!(tallies[2].counts, [0, 1, 0, 0, 1]);
        assert_eq!(tallies[2].mean, Some(3.5));
        assert_eq!(tallies[3].texts, ["second", "first"]);
        let chart = bar_chart(
            "Which day?",
            &[("Monday".into(), 2), ("Fri<day>".into(), 1)],
            3,
        );
        assert!(chart.contains("width=\"180\"") && chart.contains("2 (66 %)"));
        assert!(chart.contains("Fri&lt;day&gt;"), "labels are escaped");

        let csv = csv(&survey, &responses, |ms| ms.to_string());
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "\"response\",\"submitted_at\",\"Which day?\",\"Which services?\",\"How useful?\",\"Anything else?\""
        );
        assert_eq!(
            lines[2],
            "\"2\",\"0\",\"Friday\",\"Buses; =SUM(A1)\",\"2\",\"\""
        );
        let mut row = String::new();
        push_row(&mut row, &["=SUM(A1)".into(), "say \"hi\"".into()]);
        assert_eq!(
            row, "\"'=SUM(A1)\",\"say \"\"hi\"\"\"\r\n",
            "formulas are defused"
        );
    }
}
