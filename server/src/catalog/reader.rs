//! Reads one descriptor file: size check, multi-document YAML (serde-saphyr) into JSON values,
//! then validation of each document. A file-level problem (too large, not UTF-8, YAML syntax)
//! is one error for the whole file; a document-level problem belongs to its document only.

use serde_json::Value;
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};

use super::model::Entity;
use super::rules::AllowedKinds;
use super::validate::{validate_owned, Invalid};

/// Larger descriptor files are refused unread: a catalog file that big is a mistake, and
/// parsing it would cost every refresh.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

/// Documents in one YAML file (a `---` storm is refused, not read one by one).
pub const MAX_DOCUMENTS: usize = 1_024;
/// Nesting of sequences and mappings: deeper input is refused before it can exhaust the stack.
pub const MAX_DEPTH: usize = 64;
/// Parser events anchors may record and aliases replay, each over the file. A billion-laughs
/// file stops here instead of expanding to 10^9 nodes, and a merge-key (`<<`) bomb, whose
/// cost grows faster than the events it replays, within a third of a second (debug build);
/// real descriptors that share a block with anchors use a few hundred.
pub const MAX_ALIAS_REPLAY: usize = 10_000;

/// The limits every YAML text read from a repository is held to (catalog descriptors, rendered
/// manifests, Argo CD Applications), explicit so an upgrade of the YAML crate cannot loosen
/// them. Its other defaults (one million events, 250,000 nodes, 64 MiB of scalars) stand.
pub fn yaml_budget() -> Option<serde_saphyr::Budget> {
    serde_saphyr::budget! {
        max_documents: MAX_DOCUMENTS,
        max_depth: MAX_DEPTH,
        max_recorded_anchor_events: MAX_ALIAS_REPLAY,
    }
}

/// See [`MAX_ALIAS_REPLAY`].
pub fn yaml_alias_limits() -> serde_saphyr::options::AliasLimits {
    serde_saphyr::alias_limits! {
        max_total_replayed_events: MAX_ALIAS_REPLAY,
    }
}

const MIB: f64 = 1024.0 * 1024.0;

/// A problem with the file as a whole; none of its documents is read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error(
        "file is {:.1} MB, larger than the {} MB limit",
        megabytes(.size),
        MAX_FILE_BYTES / (1024 * 1024)
    )]
    TooLarge { size: usize },
    #[error("file is not UTF-8 text: {0}")]
    NotUtf8(String),
    #[error("YAML error{}: {message}", position(.at))]
    Yaml {
        /// 1-based line and column, when the parser knows them.
        at: Option<(u64, u64)>,
        message: String,
    },
}

fn megabytes(size: &usize) -> f64 {
    *size as f64 / MIB
}

fn position(at: &Option<(u64, u64)>) -> String {
    at.map(|(line, column)| format!(" at line {line}, column {column}"))
        .unwrap_or_default()
}

/// One non-empty document of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Index in the file, counting empty documents too, from 0.
    pub index: usize,
    pub outcome: Result<Entity, Invalid>,
}

/// Parses and validates every document of a file (built-in kinds, no placeholders).
pub fn read_file(bytes: &[u8]) -> Result<Vec<Document>, ReadError> {
    read_file_with(bytes, &AllowedKinds::BuiltIn, &mut |_| Vec::new())
}

/// [`read_file`] under a source's kind rules; `prepare` runs on each document before it is
/// validated (placeholder substitution) and returns its problems, which make the document
/// invalid.
pub fn read_file_with(
    bytes: &[u8],
    allowed: &AllowedKinds,
    prepare: &mut dyn FnMut(&mut Value) -> Vec<String>,
) -> Result<Vec<Document>, ReadError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge { size: bytes.len() });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| ReadError::NotUtf8(e.to_string()))?;
    refuse_nul(text)?;
    let values = parse_documents(text)?;
    Ok(values
        .into_iter()
        .map(|(index, mut value)| {
            let prepared = prepare(&mut value);
            let outcome = validate_owned(value, allowed);
            Document {
                index,
                outcome: with_problems(outcome, prepared),
            }
        })
        .collect())
}

/// A document whose placeholders failed is invalid even when the rest of it is fine.
fn with_problems(
    outcome: Result<Entity, Invalid>,
    problems: Vec<String>,
) -> Result<Entity, Invalid> {
    if problems.is_empty() {
        return outcome;
    }
    match outcome {
        Ok(entity) => Err(Invalid {
            entity_ref: Some(entity.entity_ref()),
            label: Some(format!(
                "{} \"{}\"",
                entity.kind.to_ascii_lowercase(),
                entity.metadata.name
            )),
            problems,
            is_descriptor: true,
        }),
        Err(mut invalid) => {
            invalid.problems.splice(0..0, problems);
            invalid.is_descriptor = true;
            Err(invalid)
        }
    }
}

/// Whether a previous problem was a kind refused by the rules in force then (a change of
/// rules may admit it now).
pub fn is_kind_refusal(message: &str) -> bool {
    message.contains("unknown kind \"") || message.contains("by [[catalog.rules]]")
}

/// A NUL byte has no place in YAML text (the spec excludes it; a parser may still take it
/// inside quotes) and would cut names short in tools written in C: refused, where it is.
pub fn refuse_nul(text: &str) -> Result<(), ReadError> {
    let Some(offset) = text.find('\0') else {
        return Ok(());
    };
    let before = &text[..offset];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count() as u64
        + 1;
    Err(ReadError::Yaml {
        at: Some((line, column)),
        message: "NUL byte (not allowed in YAML text)".into(),
    })
}

/// The non-empty documents of a multi-document YAML text, with their index in the file.
pub fn parse_documents(text: &str) -> Result<Vec<(usize, Value)>, ReadError> {
    // YAML 1.2 core schema, as Backstage's parser reads it: `y`, `no`, `on` are strings (a
    // component named `y` must not become `true`).
    let options = serde_saphyr::options! {
        with_snippet: false,
        strict_booleans: true,
        underscored_numbers_as_strings: true,
        budget: yaml_budget(),
        alias_limits: yaml_alias_limits(),
    };
    let values: Vec<Value> =
        serde_saphyr::from_multiple_with_options(text, options).map_err(|e| ReadError::Yaml {
            at: e.location().map(|l| (l.line(), l.column())),
            message: plain_message(&e),
        })?;
    // serde-saphyr drops empty documents. When none was dropped (as many values as the
    // stream has documents), the indexes are 0..n; else they come from a second, event-level
    // pass, so that `document: N` matches what a person counts in the file. That pass is a
    // second parse of the whole text, so it runs only when needed.
    if count_documents(text) == values.len() {
        return Ok(values.into_iter().enumerate().collect());
    }
    let indexes: Vec<usize> = document_nullness(text)
        .map(|nulls| {
            nulls
                .iter()
                .enumerate()
                .filter(|(_, null)| !**null)
                .map(|(i, _)| i)
                .collect()
        })
        .unwrap_or_default();
    if indexes.len() == values.len() {
        Ok(indexes.into_iter().zip(values).collect())
    } else {
        // The two passes disagree on what is empty (an exotic tag): plain numbering.
        Ok(values.into_iter().enumerate().collect())
    }
}

/// Documents in a YAML stream that parsed, counted from its lines: YAML forbids a line that
/// starts with `---` or `...` (then a space, a tab or the line's end) inside any content, so
/// every such line is a document marker. A document starts at each `---`, and at the first
/// content line outside a document (before any marker, or after a `...`); comments, blank
/// lines and directives outside a document are none.
fn count_documents(text: &str) -> usize {
    let is_marker = |line: &[u8], marker: &[u8]| {
        line.strip_prefix(marker)
            .is_some_and(|rest| rest.is_empty() || matches!(rest[0], b' ' | b'\t'))
    };
    let mut count = 0;
    let mut open = false;
    // Bytes, not chars: every byte that matters is ASCII. `\r\n` splits into a line and an
    // empty one, which is blank.
    for line in text.as_bytes().split(|b| matches!(b, b'\n' | b'\r')) {
        let line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
        if is_marker(line, b"---") {
            count += 1;
            open = true;
        } else if is_marker(line, b"...") {
            open = false;
        } else if !open {
            let first = line.iter().find(|b| !matches!(b, b' ' | b'\t'));
            if first.is_some_and(|b| !matches!(b, b'#' | b'%')) {
                count += 1;
                open = true;
            }
        }
    }
    count
}

/// For each document of the stream, whether its root is an empty / null scalar.
fn document_nullness(text: &str) -> Option<Vec<bool>> {
    let mut nulls = Vec::new();
    let mut awaiting_root = false;
    for event in Parser::new_from_str(text) {
        let (event, _span) = event.ok()?;
        match event {
            Event::DocumentStart(..) => awaiting_root = true,
            Event::DocumentEnd if awaiting_root => {
                nulls.push(true);
                awaiting_root = false;
            }
            Event::Scalar(value, style, _, tag) if awaiting_root => {
                let null_text = matches!(value.as_ref(), "" | "~" | "null" | "Null" | "NULL");
                nulls.push(tag.is_none() && style == ScalarStyle::Plain && null_text);
                awaiting_root = false;
            }
            Event::SequenceStart(..) | Event::MappingStart(..) | Event::Alias(..)
                if awaiting_root =>
            {
                nulls.push(false);
                awaiting_root = false;
            }
            _ => {}
        }
    }
    Some(nulls)
}

/// The parser's message without the location it prints (reported separately).
fn plain_message(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or_default().trim();
    limit_text(first)
}

/// A breached YAML limit in words (the crate prints its internal name, `budget breached:
/// Nodes { nodes: 250001 }`); other messages unchanged.
pub(crate) fn limit_text(message: &str) -> String {
    if message.contains("alias replay limit exceeded") {
        return format!(
            "over the reading limit: aliases replay more than {MAX_ALIAS_REPLAY} events (an alias bomb?)"
        );
    }
    let Some((_, breach)) = message.split_once("budget breached: ") else {
        return message.to_string();
    };
    let name = breach.split([' ', '{']).next().unwrap_or_default();
    let what = match name {
        "RecordedAnchorEvents" | "RecordedAnchorBytes" | "Aliases" | "Anchors" => {
            format!("anchors and aliases expand past {MAX_ALIAS_REPLAY} nodes (an alias bomb?)")
        }
        "Documents" => format!("more than {MAX_DOCUMENTS} documents in one file"),
        "Depth" => format!("nested deeper than {MAX_DEPTH} levels"),
        "Nodes" => "more than 250,000 nodes".into(),
        "Events" => "more than 1,000,000 YAML events".into(),
        other => format!("a YAML limit ({other})"),
    };
    format!("over the reading limit: {what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_document_indexes_across_empty_documents() {
        let text = "---\n# only a comment\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\n\
                    metadata: {name: g}\nspec: {type: team, children: []}\n---\n---\n~\n---\n\
                    apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: u}\n\
                    spec: {memberOf: [g]}\n";
        let docs = read_file(text.as_bytes()).unwrap();
        let indexes: Vec<usize> = docs.iter().map(|d| d.index).collect();
        assert_eq!(indexes, vec![1, 4]);
        assert!(docs.iter().all(|d| d.outcome.is_ok()));
    }

    /// The line count agrees with the parser's own count of documents, on streams with
    /// markers in every position they may take (and look-alikes that are content).
    #[test]
    fn document_count_matches_the_parser() {
        let streams = [
            "",
            "# only a comment\n",
            "a: 1\n",
            "---\na: 1\n",
            "a: 1\n---\nb: 2\n",
            "---\n# only a comment\n---\na: 1\n---\n---\n~\n---\nb: 2\n",
            "%YAML 1.2\n---\na: 1\n...\n%YAML 1.2\n---\nb: 2\n",
            "a: 1\n...\nb: 2\n",
            "a: 1\n...\n# c\n...\n---\nb: 2\n",
            "a: 1\n...\n",
            "--- |\n  --- inside a block scalar\n  ... too\n---\nb: 2\n",
            "--- {a: 1}\n--- [1]\n---\n",
            "a: ---not-a-marker\nb: ...not-one-either\n---x: 1\n",
            "\u{feff}a: 1\r\n---\r\nb: 2\r\n",
            "a: 1\r---\rb: 2\r",
            "---\t# tab after the marker\na: 1\n--- # comment\n",
            "  # indented comment\n\t\n---\na: |\n  x\n\n  # not a comment\n",
            "~\n",
            "--- ~\n--- !!null\n--- null\n---\na: 1\n",
        ];
        for text in streams {
            let parsed = document_nullness(text).expect(text);
            assert_eq!(count_documents(text), parsed.len(), "{text:?}");
            // And the indexes are those of the event pass.
            let fast: Vec<usize> = parse_documents(text).unwrap().iter().map(|d| d.0).collect();
            let slow: Vec<usize> = parsed
                .iter()
                .enumerate()
                .filter(|(_, null)| !**null)
                .map(|(i, _)| i)
                .collect();
            if slow.len() == fast.len() {
                assert_eq!(fast, slow, "{text:?}");
            }
        }
    }

    #[test]
    fn single_document_without_marker() {
        let docs = parse_documents("a: 1\n").unwrap();
        assert_eq!(docs, vec![(0, serde_json::json!({"a": 1}))]);
        assert!(parse_documents("").unwrap().is_empty());
        assert!(parse_documents("# nothing\n").unwrap().is_empty());
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: [a, b\n";
        let err = read_file(text.as_bytes()).unwrap_err();
        let ReadError::Yaml { at, .. } = &err else {
            panic!("{err:?}")
        };
        let (line, column) = at.expect("location");
        assert!(line >= 4, "{err}");
        assert!(column >= 1, "{err}");
        assert!(err.to_string().starts_with("YAML error at line "), "{err}");
    }

    #[test]
    fn yaml_1_1_booleans_stay_strings() {
        let docs = parse_documents("a: y\nb: no\nc: on\nd: true\ne: 1_000\n").unwrap();
        assert_eq!(
            docs[0].1,
            serde_json::json!({"a": "y", "b": "no", "c": "on", "d": true, "e": "1_000"})
        );
    }

    #[test]
    fn too_large_is_not_parsed() {
        let big = vec![b'#'; 10 * 1024 * 1024];
        let err = read_file(&big).unwrap_err();
        assert_eq!(
            err.to_string(),
            "file is 10.0 MB, larger than the 2 MB limit"
        );
        assert!(read_file(&vec![b'#'; MAX_FILE_BYTES]).is_ok());
    }

    #[test]
    fn not_utf8() {
        assert!(matches!(
            read_file(&[0xff, 0xfe, 0x00]),
            Err(ReadError::NotUtf8(_))
        ));
    }

    #[test]
    fn invalid_document_does_not_hide_valid_ones() {
        let text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a b}\n\
                    spec: {type: s, lifecycle: l, owner: o}\n---\napiVersion: backstage.io/v1alpha1\n\
                    kind: System\nmetadata: {name: s}\nspec: {owner: o}\n";
        let docs = read_file(text.as_bytes()).unwrap();
        assert_eq!(docs.len(), 2);
        assert!(docs[0].outcome.is_err());
        assert_eq!(docs[1].index, 1);
        assert!(docs[1].outcome.is_ok());
    }
}
