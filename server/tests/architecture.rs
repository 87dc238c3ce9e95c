//! The shape of `server/src`, checked on every test run: which top-level modules may name
//! which. The rules keep the import drawing free of circles where the parts meet:
//!
//! - `http/` is the top: only the wiring (`lib.rs`, `main.rs`, `serve.rs`, `cli.rs`) names it;
//! - `resource/` is the bottom: it names no other domain module;
//! - `cluster/` never names `gitops/` or `deploy/`; `gitops/` never names `deploy/`;
//! - the emulator (`cluster::sim`) is named only by `cluster/` and `demo/` (and tests);
//! - no non-test source file is over 600 lines.
//!
//! "Names" means a `crate::<module>` path anywhere in the file, `use` or not. And at the level
//! of files, no circle at all: no file reaches itself through the `crate::`/`super::` paths
//! it names (a module's `mod.rs` declaring its parts is not counted).

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

/// The module path of a source file (`gitops/engine/pass.rs` → `gitops::engine::pass`).
fn module_path(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The paths a text names after `prefix` (`crate::`, `super::`): their segments.
fn paths_after<'a>(text: &'a str, prefix: &str) -> Vec<Vec<&'a str>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        let before_ok = i == 0 || !rest.as_bytes()[i - 1].is_ascii_alphanumeric();
        rest = &rest[i + prefix.len()..];
        if !before_ok {
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        let segs: Vec<&str> = rest[..end].split("::").filter(|s| !s.is_empty()).collect();
        out.push(segs);
    }
    out
}

/// Files and the files they name, comments and unit-test modules left out.
fn file_graph() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let files = sources();
    let by_module: std::collections::HashMap<Vec<String>, String> = files
        .iter()
        .map(|(rel, _)| (module_path(rel), rel.clone()))
        .collect();
    let resolve = |segs: Vec<String>| {
        (1..=segs.len())
            .rev()
            .find_map(|n| by_module.get(&segs[..n]).cloned())
    };
    let mut graph = std::collections::BTreeMap::new();
    for (rel, text) in &files {
        if is_test(rel, text) {
            continue;
        }
        let code: String = production_part(text)
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let here = module_path(rel);
        let mut deps = std::collections::BTreeSet::new();
        for segs in paths_after(&code, "crate::") {
            deps.extend(resolve(segs.iter().map(|s| s.to_string()).collect()));
        }
        // `super::` from `a/b/c.rs` (module a::b::c) starts at a::b; from `a/b/mod.rs` at a.
        let parent: Vec<String> = here[..here.len().saturating_sub(1)].to_vec();
        for segs in paths_after(&code, "super::") {
            let mut path = parent.clone();
            path.extend(segs.iter().map(|s| s.to_string()));
            deps.extend(resolve(path));
        }
        deps.remove(rel);
        graph.insert(rel.clone(), deps);
    }
    graph
}

/// A circle of files, if there is one.
fn find_cycle(
    graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        marks: &mut std::collections::HashMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(node.to_string(), Mark::Open);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match marks.get(next) {
                Some(Mark::Open) => {
                    let start = stack.iter().position(|n| n == next).unwrap();
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(Mark::Done) => {}
                None => {
                    if let Some(cycle) = visit(next, graph, marks, stack) {
                        return Some(cycle);
                    }
                }
            }
        }
        stack.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = std::collections::HashMap::new();
    for node in graph.keys() {
        if !marks.contains_key(node) {
            if let Some(cycle) = visit(node, graph, &mut marks, &mut Vec::new()) {
                return Some(cycle);
            }
        }
    }
    None
}

#[test]
fn no_file_reaches_itself() {
    let graph = file_graph();
    assert!(
        graph.len() > 100,
        "the graph was read: {} files",
        graph.len()
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("an import circle: {}", cycle.join(" → "));
    }
}

#[test]
fn the_circle_finder_finds_circles() {
    let edge = |a: &str, b: &[&str]| (a.to_string(), b.iter().map(|s| s.to_string()).collect());
    let with = std::collections::BTreeMap::from([
        edge("web.rs", &["auth/guard.rs"]),
        edge("auth/guard.rs", &["web.rs"]),
    ]);
    assert_eq!(
        find_cycle(&with).unwrap(),
        ["auth/guard.rs", "web.rs", "auth/guard.rs"]
    );
    let without = std::collections::BTreeMap::from([
        edge("http/mod.rs", &["http/guard.rs"]),
        edge("http/guard.rs", &[]),
    ]);
    assert!(find_cycle(&without).is_none());
    assert_eq!(
        paths_after("use crate::http::guard::X; // x", "crate::"),
        [vec!["http", "guard", "X"]]
    );
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
