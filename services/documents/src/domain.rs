//! Documents and their revisions: what a document may hold and how its
//! Markdown is shown. No HTTP, no SQL here.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The largest body, in bytes (a long report, not a data dump).
pub const MAX_BODY_BYTES: usize = 512 * 1024;

/// A document as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Its id (a UUIDv7).
    pub id: uuid::Uuid,
    /// Its title.
    pub title: String,
    /// Its Markdown text.
    pub body: String,
    /// The language it is written in (a BCP 47 tag, or empty).
    pub language: String,
    /// Who made it (the subject of the token that asked).
    pub created_by: String,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    /// Milliseconds since the epoch of its latest revision.
    pub updated_at: i64,
    /// How many revisions it has (the first one included).
    pub revisions: i64,
}

/// One saved state of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// 1 for the first, then one more each save.
    pub number: i64,
    /// The title it had.
    pub title: String,
    /// The text it had.
    pub body: String,
    /// Who saved it.
    pub author: String,
    /// The author's name as the token gave it.
    pub author_name: String,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    /// When it restores an earlier revision, that one's number.
    pub restored_from: Option<i64>,
}

/// Why a document cannot be saved, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// The title is blank.
    #[error("title: a document needs a title")]
    TitleBlank,
    /// The title is longer than [`MAX_TITLE_CHARS`].
    #[error("title: at most {MAX_TITLE_CHARS} characters")]
    TitleTooLong,
    /// The title holds a line break or a control character.
    #[error("title: one line of text, without control characters")]
    TitleNotALine,
    /// The body is larger than [`MAX_BODY_BYTES`].
    #[error("body: at most {MAX_BODY_BYTES} bytes")]
    BodyTooLarge,
    /// The body holds control characters other than tab and line breaks.
    #[error("body: text without control characters")]
    BodyControl,
    /// The language is not a BCP 47-looking tag.
    #[error("language: a language tag such as en or es")]
    Language,
}

impl Invalid {
    /// The field the mistake is in.
    pub fn field(&self) -> &'static str {
        match self {
            Self::TitleBlank | Self::TitleTooLong | Self::TitleNotALine => "title",
            Self::BodyTooLarge | Self::BodyControl => "body",
            Self::Language => "language",
        }
    }
}

/// The title as kept (trimmed), or why it cannot be.
pub fn title(raw: &str) -> Result<String, Invalid> {
    let title = raw.trim();
    if title.is_empty() {
        return Err(Invalid::TitleBlank);
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(Invalid::TitleTooLong);
    }
    if title.chars().any(char::is_control) {
        return Err(Invalid::TitleNotALine);
    }
    Ok(title.to_owned())
}

/// The body as kept (line breaks made `\n`), or why it cannot be.
pub fn body(raw: &str) -> Result<String, Invalid> {
    if raw.len() > MAX_BODY_BYTES {
        return Err(Invalid::BodyTooLarge);
    }
    let body = raw.replace("\r\n", "\n");
    if body
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Invalid::BodyControl);
    }
    Ok(body)
}

/// The language tag as kept (empty when none is given).
pub fn language(raw: &str) -> Result<String, Invalid> {
    let tag = raw.trim();
    let fits = tag.split('-').enumerate().all(|(i, part)| {
        let len = part.len();
        part.chars().all(|c| c.is_ascii_alphanumeric())
            && if i == 0 {
                (2..=3).contains(&len) && part.chars().all(|c| c.is_ascii_lowercase())
            } else {
                (2..=8).contains(&len)
            }
    });
    if tag.is_empty() || fits {
        Ok(tag.to_owned())
    } else {
        Err(Invalid::Language)
    }
}

/// `body` rendered as HTML that cannot run anything: raw HTML in the
/// Markdown is shown as text, and links and images keep only http(s),
/// mailto and relative addresses (no `javascript:` or `data:`).
pub fn render(body: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    let events = Parser::new_ext(body, options).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// `url` when its scheme is a safe one (or it has none), else `#`.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim_start().to_ascii_lowercase();
    let scheme = lower
        .split_once(':')
        .map(|(scheme, _)| scheme)
        .filter(|scheme| !scheme.contains(['/', '?', '#']));
    match scheme {
        None | Some("http" | "https" | "mailto") => url,
        Some(_) => CowStr::Borrowed("#"),
    }
}

/// A standalone HTML file of the document (for download).
pub fn html_file(document: &Document) -> String {
    let title = escape(&document.title);
    let lang = if document.language.is_empty() {
        "en".to_owned()
    } else {
        escape(&document.language)
    };
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n{}</body>\n</html>\n",
        render(&document.body)
    )
}

/// A Markdown file of the document (for download): its title as the first
/// heading, then its text.
pub fn markdown_file(document: &Document) -> String {
    format!("# {}\n\n{}", document.title, document.body)
}

/// `text` safe inside HTML text and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A file name made of `title` (letters, digits and dashes).
pub fn file_name(title: &str, extension: &str) -> String {
    let mut name = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            name.extend(c.to_lowercase());
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let name = name.trim_end_matches('-');
    let name: String = name.chars().take(80).collect();
    if name.is_empty() {
        format!("document.{extension}")
    } else {
        format!("{name}.{extension}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_and_script_links_never_reach_the_page() {
        let html = render(
            "Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) [b]( JavaScript:alert(1)) ![c](data:text/html,x) [d](https://example.org/x?y=1) [e](/assets/1) [f](mailto:a@b.c)",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img src=\"x\""), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.to_ascii_lowercase().contains("javascript:"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(
            html.contains("href=\"https://example.org/x?y=1\""),
            "{html}"
        );
        assert!(html.contains("href=\"/assets/1\""), "{html}");
        assert!(html.contains("href=\"mailto:a@b.c\""), "{html}");
    }

    #[test]
    fn markdown_renders_headings_lists_and_tables() {
        let html = render("## Aims\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(html.contains("<h2>Aims</h2>"), "{html}");
        assert!(html.contains("<li>two</li>"), "{html}");
        assert!(html.contains("<td>2</td>"), "{html}");
    }

    #[test]
    fn titles_bodies_and_languages_are_checked_by_field() {
        assert_eq!(title("  A plan "), Ok("A plan".into()));
        assert_eq!(title(" "), Err(Invalid::TitleBlank));
        assert_eq!(title("a\nb"), Err(Invalid::TitleNotALine));
        assert_eq!(title(&"x".repeat(201)), Err(Invalid::TitleTooLong));
        assert_eq!(Invalid::TitleTooLong.field(), "title");
        assert_eq!(body("a\r\nb"), Ok("a\nb".into()));
        assert_eq!(body("a\u{7}"), Err(Invalid::BodyControl));
        assert_eq!(
            body(&"x".repeat(MAX_BODY_BYTES + 1)),
            Err(Invalid::BodyTooLarge)
        );
        assert_eq!(language("es"), Ok("es".into()));
        assert_eq!(language("pt-BR"), Ok("pt-BR".into()));
        assert_eq!(language(""), Ok(String::new()));
        assert_eq!(language("EN"), Err(Invalid::Language));
        assert_eq!(language("e"), Err(Invalid::Language));
        assert_eq!(Invalid::Language.field(), "language");
    }

    #[test]
    fn files_are_named_after_the_title() {
        assert_eq!(
            file_name("Mapa de actores: 2026!", "md"),
            "mapa-de-actores-2026.md"
        );
        assert_eq!(file_name("!!!", "html"), "document.html");
    }
}
