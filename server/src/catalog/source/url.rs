//! Catalog URLs: a file as a Git host's web UI shows it (`https://<host>/<org>/<repo>/blob/
//! <branch>/<path>`, GitLab's `/-/blob/`, Gitea's and Forgejo's `/src/branch/`), named by a
//! `url` Location target or a `$text`/`$json`/`$yaml` placeholder, parsed into the repository to
//! fetch and what to read from it; and `catalog.allowed_urls`, the repositories such URLs may
//! name. A catalog file is hostile input: the URL is refused unless every part of it is plain
//! (no userinfo, query, fragment, dot or empty segment, encoded slash), so nothing in it can
//! pick a credential, leave the checkout or reach a host the operator did not allow.

/// Longer URLs are refused unread.
pub const MAX_URL_LEN: usize = 2048;

/// A parsed catalog URL. The branch is not known until the repository's branches are (a branch
/// may hold `/`), so it stays with the path in `rest`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitUrl {
    /// What is fetched: `scheme://host[:port]/org/repo` (scheme and host in lower case).
    pub repo: String,
    /// The web UI's path marker as written: `blob`, `tree`, `-/blob`, `-/tree`, `src/branch`.
    pub marker: &'static str,
    /// Decoded segments after the marker: the branch's, then the file's.
    pub rest: Vec<String>,
}

/// Path markers, in the order they are looked for (GitLab's `-` first: no group or project is
/// named `-`, so it is never mistaken for a name).
const MARKERS: &[(&[&str], &str)] = &[
    (&["-", "blob"], "-/blob"),
    (&["-", "tree"], "-/tree"),
    (&["src", "branch"], "src/branch"),
    (&["blob"], "blob"),
    (&["tree"], "tree"),
];

/// True for what is read through a Git host rather than from the source itself.
pub fn is_url(target: &str) -> bool {
    let lower = target.get(..8).unwrap_or(target).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

impl GitUrl {
    /// Parses `text`; the error says what is wrong with it in words.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (origin, path) = split_origin(text)?;
        let segments = segments(path)?;
        // The repository has at least two segments (`org/repo`, or a path prefix and a name).
        let (at, len, marker) = MARKERS
            .iter()
            .find_map(|(words, marker)| {
                (2..segments.len())
                    .find(|&i| {
                        let window = segments.get(i..i + words.len());
                        window.is_some_and(|w| w.iter().zip(words.iter()).all(|(a, b)| a == b))
                    })
                    .map(|i| (i, words.len(), *marker))
            })
            .ok_or(
                "not a file on a Git host (expected …/<org>/<repo>/blob/<branch>/<path>, \
                 …/-/blob/…, or …/src/branch/…)",
            )?;
        let rest = segments[at + len..].to_vec();
        if rest.len() < 2 {
            return Err("names no branch and file after /".to_string() + marker);
        }
        let repo = format!("{origin}/{}", encode(&segments[..at]));
        Ok(GitUrl { repo, marker, rest })
    }

    /// The URL of `path` on `branch` of the same repository, in the same form.
    pub fn at(&self, branch: &str, path: &str) -> String {
        let branch: Vec<String> = branch.split('/').map(String::from).collect();
        let path: Vec<String> = path.split('/').map(String::from).collect();
        format!(
            "{}/{}/{}/{}",
            self.repo,
            self.marker,
            encode(&branch),
            encode(&path)
        )
    }
}

/// `scheme://host[:port]` (lower case) and the path after it, or why the URL is refused.
fn split_origin(text: &str) -> Result<(String, &str), String> {
    if text.len() > MAX_URL_LEN {
        return Err(format!("longer than {MAX_URL_LEN} characters"));
    }
    if text.contains(['?', '#']) {
        return Err("has a query or fragment (name the file alone)".into());
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("has spaces or control characters".into());
    }
    let (scheme, after) = text.split_once("://").ok_or("is not a URL")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err("only https:// and http:// URLs are read".into());
    }
    let (authority, path) = after.split_at(after.find('/').unwrap_or(after.len()));
    if authority.contains('@') {
        return Err("has a user name or password in it (credentials come from \
                    [[git.credentials]], never from a catalog file)"
            .into());
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(ip6) => {
            let (inside, tail) = ip6.split_once(']').ok_or("has an invalid host")?;
            let ok = !inside.is_empty()
                && inside
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
            let host = if ok {
                &authority[..inside.len() + 2]
            } else {
                ""
            };
            (
                host,
                tail.strip_prefix(':')
                    .unwrap_or(if tail.is_empty() { "" } else { "x" }),
            )
        }
        None => {
            let (host, port) = authority.rsplit_once(':').unwrap_or((authority, ""));
            let ok = host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
            (if ok { host } else { "" }, port)
        }
    };
    let host_ok = !host.is_empty();
    let port_ok = (port.is_empty() && !authority.ends_with(':'))
        || (!port.is_empty() && port.len() <= 5 && port.chars().all(|c| c.is_ascii_digit()));
    if !host_ok || !port_ok {
        return Err("has an invalid host".into());
    }
    let origin = if port.is_empty() {
        format!("{scheme}://{}", host.to_ascii_lowercase())
    } else {
        format!("{scheme}://{}:{port}", host.to_ascii_lowercase())
    };
    Ok((origin, path))
}

/// The decoded segments of a path; refused when one is empty, `.` or `..` (as written or
/// encoded), or decodes to a slash, a backslash or a control character.
fn segments(path: &str) -> Result<Vec<String>, String> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    trimmed
        .split('/')
        .map(|raw| {
            let segment = decode(raw).ok_or("has an invalid %-escape")?;
            if segment.is_empty() || segment == "." || segment == ".." {
                return Err("has an empty, `.` or `..` path segment".to_string());
            }
            if segment.contains(['/', '\\']) || segment.chars().any(char::is_control) {
                return Err("has an encoded slash, backslash or control character".into());
            }
            Ok(segment)
        })
        .collect()
}

/// Percent-decoding of one segment; None for a bad escape or bytes that are not UTF-8.
fn decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Segments joined back into a path, escaping what a URL cannot carry plainly.
fn encode(segments: &[String]) -> String {
    segments
        .iter()
        .map(|s| {
            s.chars()
                .map(|c| match c {
                    '%' | '?' | '#' | ' ' => format!("%{:02X}", c as u32),
                    c => c.to_string(),
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `catalog.allowed_urls`: the repositories catalog URLs may name, as URL prefixes. A prefix
/// matches at a path boundary (`https://git.example.com/platform` is not
/// `…/platform-tools`); scheme and host compare case-insensitively.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UrlAllow {
    prefixes: Vec<String>,
}

impl UrlAllow {
    /// Checks every entry; the error is the index of the first bad one and why.
    pub fn new(entries: &[String]) -> Result<Self, (usize, String)> {
        let prefixes = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let (origin, path) = split_origin(entry.trim()).map_err(|e| (i, e))?;
                let path = path.trim_end_matches('/');
                if path.is_empty() {
                    return Ok(format!("{origin}/"));
                }
                let segments = segments(path).map_err(|e| (i, e))?;
                Ok(format!("{origin}/{}", encode(&segments)))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { prefixes })
    }

    /// [`UrlAllow::new`] with the error as configuration reports it:
    /// `catalog.allowed_urls[1] (https://***@h/): why` (userinfo never shown).
    pub fn from_config(entries: &[String]) -> Result<Self, String> {
        Self::new(entries).map_err(|(i, why)| {
            let shown = crate::gitremote::scrub::userinfo(&entries[i]);
            format!("catalog.allowed_urls[{i}] ({shown}): {why}")
        })
    }

    /// Whether `repo` (a [`GitUrl::repo`]) may be fetched.
    pub fn allows(&self, repo: &str) -> bool {
        self.prefixes.iter().any(|p| {
            repo.strip_prefix(p.as_str())
                .is_some_and(|tail| tail.is_empty() || p.ends_with('/') || tail.starts_with('/'))
        })
    }
}

/// A Git source's own repository, as a [`GitUrl::repo`] would name it (`.git` dropped); None
/// for what is not an http(s) URL.
pub fn own_repo(source_url: &str) -> Option<String> {
    let (origin, path) = split_origin(source_url.trim()).ok()?;
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    Some(format!("{origin}/{}", encode(&segments(path).ok()?)))
}

#[cfg(test)]
#[path = "url_tests.rs"]
mod tests;
