//! Container image references: `registry:5000/team/web:1.2.3@sha256:…` read as repository, tag
//! and digest, the way Docker and Kustomize read them (a `:` after the last `/` is a tag; before
//! it, a registry port).

/// The parts of an image reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

pub fn parse(image: &str) -> ImageRef<'_> {
    let image = image.trim();
    let (rest, digest) = match image.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (image, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(i) => ImageRef {
            repository: &rest[..last_slash + i],
            tag: Some(&rest[last_slash + i + 1..]),
            digest,
        },
        None => ImageRef {
            repository: rest,
            tag: None,
            digest,
        },
    }
}

/// The same repository at `tag` (a digest pin is dropped: the tag is the new version).
pub fn with_tag(image: &str, tag: &str) -> String {
    format!("{}:{tag}", parse(image).repository)
}

/// Whether `tag` can be an image tag (Docker's grammar: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`).
pub fn valid_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric() || c == '_')
        && tag.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_like_docker() {
        let r = parse("registry.example:5000/team/cart:1.4.2");
        assert_eq!(
            (r.repository, r.tag, r.digest),
            ("registry.example:5000/team/cart", Some("1.4.2"), None)
        );
        let r = parse("registry.example:5000/team/cart");
        assert_eq!(
            (r.repository, r.tag),
            ("registry.example:5000/team/cart", None)
        );
        let r = parse("nginx@sha256:abc");
        assert_eq!(
            (r.repository, r.tag, r.digest),
            ("nginx", None, Some("sha256:abc"))
        );
        assert_eq!(with_tag("web:1@sha256:abc", "2"), "web:2");
    }

    #[test]
    fn tags_follow_dockers_grammar() {
        for good in ["1.2.3", "v2", "2024-01-01_rc.1", "latest"] {
            assert!(valid_tag(good), "{good}");
        }
        for bad in ["", "-x", ".x", "a b", "a:b", "a/b", &"x".repeat(129)] {
            assert!(!valid_tag(bad), "{bad}");
        }
    }
}
