//! Names every file of `static/` by its content (`app.css` becomes
//! `app.<hash>.css`) so it can be cached for a year, and embeds it:
//! `$OUT_DIR/assets.rs` holds a constant per file (its URL) and the table
//! the server answers from.

use std::fmt::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("gateway/web/static")
        .map(|entry| entry.expect("a static file").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    let mut constants = String::new();
    let mut table = String::from("pub(crate) static FILES: &[(&str, &str, &[u8])] = &[\n");
    let mut rows = Vec::new();
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = std::fs::read(&path).expect("readable static file");
        let digest = Sha256::digest(&bytes);
        let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        let file = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 name");
        let (stem, extension) = file.rsplit_once('.').expect("a file with an extension");
        let hashed = format!("{stem}.{hash}.{extension}");
        let content_type = match extension {
            "css" => "text/css; charset=utf-8",
            "js" => "text/javascript; charset=utf-8",
            "svg" => "image/svg+xml",
            "png" => "image/png",
            "ico" => "image/x-icon",
            other => panic!("static/{file}: no content type for .{other}"),
        };
        let constant: String = file
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        writeln!(
            constants,
            "/// The URL of `static/{file}`.\npub(crate) const {constant}: &str = \"/static/{hashed}\";"
        )
        .expect("write");
        rows.push(format!(
            "    ({hashed:?}, {content_type:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        ));
    }
    // Sorted by name, for a binary search.
    rows.sort();
    for row in rows {
        table.push_str(&row);
    }
    table.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("assets.rs");
    std::fs::write(out, constants + &table).expect("write assets.rs");
}
