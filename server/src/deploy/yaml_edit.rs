//! Editing YAML in place: a deploy changes one scalar (an image, a `newTag`, a
//! `targetRevision`) and leaves every other byte of the file as the person who wrote it left
//! it — comments, quoting, indentation, key order. The file is parsed into a small tree of
//! nodes with their byte spans (granit-parser, the parser under serde-saphyr); an edit is a
//! splice of the source text at a span.

use std::ops::Range;

use granit_parser::{Event, Parser, ScalarStyle, StructureStyle};

/// One YAML node with where it stands in the source.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Scalar {
        value: String,
        style: ScalarStyle,
        span: Range<usize>,
    },
    Map {
        entries: Vec<(Node, Node)>,
        flow: bool,
    },
    Seq {
        items: Vec<Node>,
        flow: bool,
    },
    /// An alias (`*name`): never edited through.
    Alias,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("{file}: not valid YAML: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: {message}")]
    Unsupported { file: String, message: String },
}

impl Node {
    /// The entry of `key` in a mapping: its key node and its value.
    fn entry(&self, key: &str) -> Option<&(Node, Node)> {
        match self {
            Node::Map { entries, .. } => entries.iter().find(|(k, _)| k.as_str() == Some(key)),
            _ => None,
        }
    }

    /// The value under `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node of `key` in a mapping (where a new sibling key is inserted).
    pub fn key_node(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(k, _)| k)
    }

    pub fn items(&self) -> &[Node] {
        match self {
            Node::Seq { items, .. } => items,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn span(&self) -> Option<Range<usize>> {
        match self {
            Node::Scalar { span, .. } => Some(span.clone()),
            _ => None,
        }
    }

    pub fn is_block_map(&self) -> bool {
        matches!(self, Node::Map { flow: false, .. })
    }
}

/// A collection being read, with a mapping's key that waits for its value.
struct Frame {
    node: Node,
    key: Option<Node>,
}

/// Every document of `text`, as node trees with spans.
pub fn parse(file: &str, text: &str) -> Result<Vec<Node>, EditError> {
    let perr = |message: String| EditError::Parse {
        file: file.to_string(),
        message,
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut docs = Vec::new();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| perr(e.to_string()))?;
        let node = match event {
            Event::Scalar(value, style, _, _) => Node::Scalar {
                value: value.into_owned(),
                style,
                span: span
                    .byte_range()
                    .ok_or_else(|| perr("a scalar without a position".into()))?,
            },
            Event::Alias(_) => Node::Alias,
            Event::MappingStart(style, _, _) => {
                let flow = style == StructureStyle::Flow;
                stack.push(Frame {
                    node: Node::Map {
                        entries: Vec::new(),
                        flow,
                    },
                    key: None,
                });
                continue;
            }
            Event::SequenceStart(style, _, _) => {
                let flow = style == StructureStyle::Flow;
                stack.push(Frame {
                    node: Node::Seq {
                        items: Vec::new(),
                        flow,
                    },
                    key: None,
                });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => match stack.pop() {
                Some(frame) => frame.node,
                None => return Err(perr("unbalanced collection".into())),
            },
            _ => continue,
        };
        match stack.last_mut() {
            None => docs.push(node),
            Some(Frame {
                node: Node::Seq { items, .. },
                ..
            }) => items.push(node),
            Some(Frame {
                node: Node::Map { entries, .. },
                key,
            }) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => *key = Some(node),
            },
            Some(_) => return Err(perr("a value inside a scalar".into())),
        }
    }
    Ok(docs)
}

/// Replace `range` of the source with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Splice {
    pub range: Range<usize>,
    pub text: String,
}

/// The source with the splices applied (they must not overlap).
pub fn apply(text: &str, mut splices: Vec<Splice>) -> String {
    splices.sort_by_key(|s| std::cmp::Reverse(s.range.start));
    let mut out = text.to_string();
    for splice in splices {
        out.replace_range(splice.range, &splice.text);
    }
    out
}

/// Replace the scalar `node` with `value`, written in the node's own quoting where that reads
/// back as the same string.
pub fn replace_scalar(file: &str, node: &Node, value: &str) -> Result<Splice, EditError> {
    let Node::Scalar { style, span, .. } = node else {
        return Err(EditError::Unsupported {
            file: file.into(),
            message: "expected a scalar here".into(),
        });
    };
    let text = match style {
        ScalarStyle::Plain => plain_or_quoted(value),
        ScalarStyle::SingleQuoted => format!("'{}'", value.replace('\'', "''")),
        ScalarStyle::DoubleQuoted => double_quoted(value),
        ScalarStyle::Literal | ScalarStyle::Folded => {
            return Err(EditError::Unsupported {
                file: file.into(),
                message: "the value is a block scalar (`|` or `>`), which is not edited".into(),
            })
        }
    };
    Ok(Splice {
        range: span.clone(),
        text,
    })
}

/// A new `key: value` line after the entry whose key is `after` (a scalar-valued entry of a
/// block mapping), at the same indentation.
pub fn insert_after(
    file: &str,
    text: &str,
    map: &Node,
    after: &str,
    key: &str,
    value: &str,
) -> Result<Splice, EditError> {
    let unsupported = |message: &str| EditError::Unsupported {
        file: file.into(),
        message: message.into(),
    };
    if !map.is_block_map() {
        return Err(unsupported("a flow mapping (`{…}`) is not edited"));
    }
    let (Some(key_span), Some(value_span)) = (
        map.key_node(after).and_then(Node::span),
        map.get(after).and_then(Node::span),
    ) else {
        return Err(unsupported(&format!(
            "no `{after}` entry to add `{key}` beside"
        )));
    };
    let line_start = text[..key_span.start].rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..key_span.start].chars().count();
    let at = text[value_span.end..]
        .find('\n')
        .map_or(text.len(), |i| value_span.end + i);
    Ok(Splice {
        range: at..at,
        text: format!("\n{}{key}: {}", " ".repeat(column), plain_or_quoted(value)),
    })
}

/// `value` as a plain scalar when YAML reads it back as that same string, else double-quoted
/// (a tag `1.10` written plain would read back as the number 1.1).
pub fn plain_or_quoted(value: &str) -> String {
    if is_plain_safe(value) {
        value.to_string()
    } else {
        double_quoted(value)
    }
}

fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn is_plain_safe(value: &str) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    if value.trim() != value
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || value.contains(": ")
        || value.contains(" #")
        || value.ends_with(':')
        || value.chars().any(|c| c.is_control())
    {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    let special = [
        "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", ".nan", ".inf", "-.inf",
        "+.inf",
    ];
    if special.contains(&lower.as_str()) {
        return false;
    }
    // Numbers in any notation YAML 1.1 or 1.2 reads (1, 1.10, 1e3, 0x1F, 0o17, 1_000).
    let digits = lower.replace('_', "");
    let numeric = digits.parse::<f64>().is_ok()
        || digits
            .strip_prefix("0x")
            .is_some_and(|h| u64::from_str_radix(h, 16).is_ok())
        || digits
            .strip_prefix("0o")
            .is_some_and(|o| u64::from_str_radix(o, 8).is_ok())
        || digits
            .strip_prefix("0b")
            .is_some_and(|b| u64::from_str_radix(b, 2).is_ok());
    !numeric
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOY: &str = "# The shop's web tier.\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web   # keep\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: \"registry.example/web:1.2.3\" # pinned\n        - {name: sidecar, image: 'proxy:2'}\n---\nkind: Service\n";

    #[test]
    fn parses_documents_with_spans() {
        let docs = parse("d.yaml", DEPLOY).unwrap();
        assert_eq!(docs.len(), 2);
        let containers = docs[0]
            .get("spec")
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("spec"))
            .and_then(|s| s.get("containers"))
            .unwrap();
        let image = containers.items()[0].get("image").unwrap();
        assert_eq!(image.as_str(), Some("registry.example/web:1.2.3"));
        assert_eq!(
            &DEPLOY[image.span().unwrap()],
            "\"registry.example/web:1.2.3\""
        );
        let sidecar = containers.items()[1].get("image").unwrap();
        assert_eq!(&DEPLOY[sidecar.span().unwrap()], "'proxy:2'");
        assert_eq!(docs[1].get("kind").and_then(Node::as_str), Some("Service"));
    }

    #[test]
    fn replacing_keeps_comments_quoting_and_layout() {
        let docs = parse("d.yaml", DEPLOY).unwrap();
        let containers = docs[0]
            .get("spec")
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("spec"))
            .and_then(|s| s.get("containers"))
            .unwrap();
        let web = replace_scalar(
            "d.yaml",
            containers.items()[0].get("image").unwrap(),
            "registry.example/web:1.3.0",
        )
        .unwrap();
        let sidecar = replace_scalar(
            "d.yaml",
            containers.items()[1].get("image").unwrap(),
            "proxy:it's",
        )
        .unwrap();
        let out = apply(DEPLOY, vec![web, sidecar]);
        assert_eq!(
            out,
            DEPLOY
                .replace(
                    "\"registry.example/web:1.2.3\"",
                    "\"registry.example/web:1.3.0\""
                )
                .replace("'proxy:2'", "'proxy:it''s'")
        );
        // And it reads back as intended.
        let again = parse("d.yaml", &out).unwrap();
        let containers = again[0]
            .get("spec")
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("spec"))
            .and_then(|s| s.get("containers"))
            .unwrap();
        assert_eq!(
            containers.items()[1].get("image").and_then(Node::as_str),
            Some("proxy:it's")
        );
    }

    #[test]
    fn plain_values_that_would_change_type_are_quoted() {
        assert_eq!(plain_or_quoted("2.4.1"), "2.4.1");
        assert_eq!(plain_or_quoted("v1.10"), "v1.10");
        assert_eq!(plain_or_quoted("1.10"), "\"1.10\"");
        assert_eq!(plain_or_quoted("1e3"), "\"1e3\"");
        assert_eq!(plain_or_quoted("0x1F"), "\"0x1F\"");
        assert_eq!(plain_or_quoted("yes"), "\"yes\"");
        assert_eq!(plain_or_quoted("null"), "\"null\"");
        assert_eq!(plain_or_quoted("a: b"), "\"a: b\"");
        assert_eq!(plain_or_quoted(""), "\"\"");
        assert_eq!(plain_or_quoted("*x"), "\"*x\"");
    }

    #[test]
    fn inserts_a_key_beside_a_sibling() {
        let text =
            "images:\n  - name: registry.example/web # the web tier\n    newName: mirror/web\n";
        let docs = parse("k.yaml", text).unwrap();
        let entry = &docs[0].get("images").unwrap().items()[0];
        let splice = insert_after("k.yaml", text, entry, "name", "newTag", "1.10").unwrap();
        assert_eq!(
            apply(text, vec![splice]),
            "images:\n  - name: registry.example/web # the web tier\n    newTag: \"1.10\"\n    newName: mirror/web\n"
        );
        let flow = "images: [{name: web}]\n";
        let docs = parse("k.yaml", flow).unwrap();
        let entry = &docs[0].get("images").unwrap().items()[0];
        assert!(insert_after("k.yaml", flow, entry, "name", "newTag", "1").is_err());
    }

    #[test]
    fn bad_yaml_names_the_file() {
        let error = parse("apps/web.yaml", "a: [1, 2\n").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("apps/web.yaml: not valid YAML"),
            "{error}"
        );
    }
}
