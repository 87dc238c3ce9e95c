//! The shape of `server/src`, checked on every test run: which top-level modules may name
//! which. The rules keep the import drawing free of circles where the parts meet:
//!
//! - `http/` is the top: only the wiring (`lib.rs`, `main.rs`, `serve.rs`, `cli.rs`) names it;
//! - `resource/` is the bottom: it names no other domain module;
//! - `cluster/` never names `gitops/` or `deploy/`; `gitops/` never names `deploy/`;
//! - the emulator (`cluster::sim`) is named only by `cluster/` and `demo/` (and tests);
//! - no non-test source file is over 600 lines.
//!
//! "Names" means a `crate::<module>` path anywhere in the file, `use` or not.

use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// Every `.rs` file under `src`, with its path relative to it (`/`-separated).
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(Path::new(SRC), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(SRC)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

/// The top-level module a source file belongs to (`gitops/engine/pass.rs` → `gitops`).
fn module_of(rel: &str) -> &str {
    rel.split('/').next().unwrap().trim_end_matches(".rs")
}

/// A file that is tests only (the rules are for production code).
fn is_test(rel: &str, text: &str) -> bool {
    rel.ends_with("tests.rs")
        || rel.ends_with("_tests.rs")
        || rel.contains("/testing.rs")
        || text.starts_with("#![cfg(test)]")
}

/// The file's text without its `#[cfg(test)] mod tests { … }` tail.
fn production_part(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    }
}

fn names(text: &str, module: &str) -> bool {
    text.contains(&format!("crate::{module}::"))
        || text.contains(&format!("crate::{module};"))
        || text.contains(&format!("crate::{module}}}"))
}

/// `(file, rule)` for every broken rule.
fn violations() -> Vec<(String, String)> {
    let wiring = ["lib.rs", "main.rs", "serve.rs", "cli.rs"];
    let mut out = Vec::new();
    for (rel, text) in sources() {
        if is_test(&rel, &text) {
            continue;
        }
        let code = production_part(&text);
        let module = module_of(&rel);
        let mut broken = |rule: &str| out.push((rel.clone(), rule.to_string()));
        if module != "http"
            && !wiring.contains(&rel.as_str())
            && (names(code, "http") || names(code, "web"))
        {
            broken("only the wiring names the HTTP surface (crate::http)");
        }
        if module == "resource" {
            for other in [
                "gitops", "cluster", "deploy", "http", "store", "auth", "catalog", "audit", "demo",
            ] {
                if names(code, other) {
                    broken(&format!(
                        "resource/ names no other domain module (crate::{other})"
                    ));
                }
            }
        }
        if module == "cluster" && (names(code, "gitops") || names(code, "deploy")) {
            broken("cluster/ never names gitops/ or deploy/");
        }
        if module == "gitops" && names(code, "deploy") {
            broken("gitops/ never names deploy/");
        }
        if !matches!(module, "cluster" | "demo") && code.contains("cluster::sim") {
            broken("only cluster/ and demo/ name the emulator (cluster::sim)");
        }
        let lines = text.lines().count();
        if lines > 600 {
            broken(&format!("{lines} lines: split it (600 at most)"));
        }
    }
    out
}

#[test]
fn the_import_drawing_keeps_its_shape() {
    let broken = violations();
    assert!(
        broken.is_empty(),
        "{}",
        broken
            .iter()
            .map(|(f, r)| format!("server/src/{f}: {r}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The checks themselves catch what they are for.
#[test]
fn the_rules_catch_a_domain_module_naming_the_http_surface() {
    assert!(names("use crate::http::AppState;", "http"));
    assert!(names("let x = crate::web::router;", "web"));
    assert!(names("use crate::{http};", "http") || names("use crate::http;", "http"));
    assert!(!names("use crate::httpx::Y;", "http"));
    assert_eq!(module_of("gitops/engine/pass.rs"), "gitops");
    assert_eq!(module_of("serve.rs"), "serve");
    assert_eq!(
        production_part("a\n#[cfg(test)]\nmod tests {\n use crate::http::X;\n}"),
        "a\n"
    );
}
