//! Hand-written hostile inputs, the ones random mutation is unlikely to reach: each is named so
//! a failing test says which.

/// Billion laughs: nine levels of ten aliases each, 10^9 leaves when expanded. `prefix` is put
/// first (e.g. a valid entity header) so the bomb sits where a reader would expand it.
pub fn billion_laughs(prefix: &str) -> String {
    let mut text = String::from(prefix);
    text.push_str("lol0: &a0 \"lol\"\n");
    for level in 1..10 {
        let refs = vec![format!("*a{}", level - 1); 10].join(", ");
        text.push_str(&format!("lol{level}: &a{level} [{refs}]\n"));
    }
    text
}

/// A merge-key bomb: each mapping merges the previous one twice.
pub fn merge_bomb(prefix: &str) -> String {
    let mut text = String::from(prefix);
    text.push_str("m0: &m0 {a: 1, b: 2}\n");
    for level in 1..30 {
        text.push_str(&format!(
            "m{level}: &m{level}\n  <<: [*m{p}, *m{p}]\n  k{level}: v\n",
            p = level - 1
        ));
    }
    text
}

/// `depth` nested flow sequences: `[[[…]]]`.
pub fn deep_flow_sequences(depth: usize) -> String {
    "[".repeat(depth) + &"]".repeat(depth)
}

/// `depth` nested flow mappings: `{a: {a: …}}`.
pub fn deep_flow_mappings(depth: usize) -> String {
    "{a: ".repeat(depth) + "x" + &"}".repeat(depth)
}

/// `depth` nested block sequences on one line: `- - - - x`.
pub fn deep_block_sequences(depth: usize) -> String {
    "- ".repeat(depth) + "x\n"
}

/// `depth` nested block mappings, one indentation step per level (kept to a size a reader
/// accepts by using one-space steps).
pub fn deep_block_mappings(depth: usize) -> String {
    let mut text = String::new();
    for level in 0..depth {
        text.push_str(&" ".repeat(level));
        text.push_str("a:\n");
    }
    text
}

/// `count` documents, each a small mapping.
pub fn many_documents(count: usize) -> String {
    "---\na: 1\n".repeat(count)
}

/// `count` empty documents (markers only).
pub fn many_empty_documents(count: usize) -> String {
    "---\n".repeat(count)
}

/// A valid-looking document whose `metadata.name` (or another value) is a `bytes`-long scalar.
pub fn huge_scalar(prefix: &str, bytes: usize) -> String {
    format!("{prefix}\"{}\"\n", "x".repeat(bytes))
}

/// Many anchors and aliases without nesting: wide, not deep.
pub fn alias_storm(count: usize) -> String {
    let mut text = String::from("base: &b [1, 2, 3]\nuses:\n");
    for _ in 0..count {
        text.push_str("  - *b\n");
    }
    text
}

/// Every input above, at the sizes the issue names, with a label; `prefix` starts the YAML
/// ones where that makes sense.
pub fn yaml_cases(prefix: &str) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("billion laughs", billion_laughs(prefix).into_bytes()),
        ("merge-key bomb", merge_bomb(prefix).into_bytes()),
        ("alias storm", alias_storm(60_000).into_bytes()),
        (
            "10,000 nested flow sequences",
            deep_flow_sequences(10_000).into_bytes(),
        ),
        (
            "10,000 nested flow mappings",
            deep_flow_mappings(10_000).into_bytes(),
        ),
        (
            "10,000 nested block sequences",
            deep_block_sequences(10_000).into_bytes(),
        ),
        (
            "1,500 nested block mappings",
            deep_block_mappings(1_500).into_bytes(),
        ),
        ("100,000 documents", many_documents(100_000).into_bytes()),
        (
            "100,000 empty documents",
            many_empty_documents(100_000).into_bytes(),
        ),
        (
            "invalid UTF-8",
            [prefix.as_bytes(), b"x: \xff\xfe\xc3(\n"].concat(),
        ),
        (
            "NUL bytes",
            [prefix.as_bytes(), b"x: \"a\0b\"\ny: a\0b\n\0"].concat(),
        ),
        (
            "huge scalar (1.9 MB)",
            huge_scalar(&format!("{prefix}x: "), 1_900_000).into_bytes(),
        ),
        (
            "huge scalar (3 MB)",
            huge_scalar(&format!("{prefix}x: "), 3_000_000).into_bytes(),
        ),
        (
            "huge key",
            format!("{prefix}{}: 1\n", "k".repeat(100_000)).into_bytes(),
        ),
    ]
}
