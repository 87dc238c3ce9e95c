//! Traversal of one source: entry files, then Location targets depth-first, each file read
//! once: paths in the source, or files on a Git host named by URL (read through
//! [`RemoteReader`], keyed by their URL). Also where incremental reuse happens: a file whose blob
//! id is unchanged gets its previous entities and errors back without being parsed. The files
//! of a batch (the entry files, the targets of one Location) are read and parsed in parallel
//! first ([`parse::prefetch`]); the traversal then meets them in its own order.

use std::path::Path;

// foldhash, not SipHash: every file and entity of a source goes through these maps, on the
// one thread the traversal runs on.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use globset::GlobBuilder;

use super::parse::{self, FileParser, FileResult, Prefetched, Previous};
use super::remote::{RemoteFile, RemoteReader};
use super::tree::{normalize, Loaded, Tree};
use super::url::is_url;
use super::{RefreshStats, SourceSnapshot};
use crate::catalog::model::{CatalogError, EntityRef, Located};
use crate::catalog::rules::AllowedKinds;
use crate::catalog::substitute::substitute;
use crate::gitremote::scrub;

/// Messages produced by the traversal (not by parsing). They depend on other files, so they
/// are recomputed on every refresh instead of being reused with an unchanged file.
const WALK_PREFIXES: &[&str] = &[
    DUPLICATE_PREFIX,
    "Location loop: ",
    "remote target ",
    "target \"",
    "entry file ",
    "file cannot be read",
];
const DUPLICATE_PREFIX: &str = "duplicate entity ";

fn is_walk_error(e: &CatalogError) -> bool {
    WALK_PREFIXES.iter().any(|p| e.message.starts_with(p))
}

/// What a traversal produced.
pub(super) struct Walked {
    /// Path → stored id, in traversal order (each path once).
    pub files: Vec<(String, String)>,
    pub entities: Vec<Located>,
    pub errors: Vec<CatalogError>,
}

/// Appended to the stored id of a file that uses placeholders, so that it never matches the
/// file's own id and is read again on every refresh.
const PLACEHOLDER_MARK: &str = "+placeholders";
/// Appended (after [`PLACEHOLDER_MARK`]) when a placeholder read a URL: what it read may change
/// while the source's commit does not.
pub(super) const REMOTE_MARK: &str = "+remote";

pub(super) fn walk(
    tree: &Tree,
    source: &str,
    entry: Option<&str>,
    previous: &SourceSnapshot,
    allowed: &AllowedKinds,
    remote: &RemoteReader<'_>,
) -> (Walked, RefreshStats) {
    let previous = Previous::new(previous);
    let mut walker = Walker {
        tree,
        remote,
        remote_files: HashMap::new(),
        prefetched: HashMap::new(),
        parser: FileParser {
            source,
            allowed,
            previous: &previous,
        },
        out: Walked {
            files: Vec::new(),
            entities: Vec::new(),
            errors: Vec::new(),
        },
        stats: RefreshStats::default(),
        visited: HashSet::new(),
        defined: HashMap::new(),
    };
    let entries: Vec<(String, bool)> = match entry {
        None => tree
            .paths()
            .into_iter()
            .filter(|p| p.rsplit('/').next() == Some("catalog-info.yaml"))
            .map(|p| (p.to_string(), false))
            .collect(),
        Some(pattern) if is_glob(pattern) => match walker.glob(pattern.trim_start_matches("./")) {
            Ok(paths) => paths.into_iter().map(|p| (p, true)).collect(),
            Err(message) => {
                walker.error(pattern, None, None, format!("entry file pattern {message}"));
                Vec::new()
            }
        },
        Some(file) => match normalize("", file) {
            Some(path) if tree.contains(&path) => vec![(path, false)],
            _ => {
                walker.error(file, None, None, format!("entry file \"{file}\" not found"));
                Vec::new()
            }
        },
    };
    walker.prefetch(&entries);
    for (path, lenient) in entries {
        walker.visit(&path, &mut Vec::new(), lenient);
    }
    (walker.out, walker.stats)
}

struct Walker<'a> {
    tree: &'a Tree,
    remote: &'a RemoteReader<'a>,
    /// Files located through URLs, by their key (their URL).
    remote_files: HashMap<String, RemoteFile>,
    /// Files of a batch read and parsed ahead, until the traversal gets to them.
    prefetched: HashMap<String, Prefetched>,
    parser: FileParser<'a>,
    out: Walked,
    stats: RefreshStats,
    visited: HashSet<String>,
    /// First definition of each ref: file and document.
    defined: HashMap<EntityRef, (String, usize)>,
}

/// What [`Walker::follow`] does with one Location target.
enum Step {
    /// Visit a file of the tree (leniently when a pattern matched it).
    Enter(String, bool),
    /// Locate and visit a target named by URL (or relative to a file read through one).
    Url(String, Result<String, String>),
    /// An error on the Location.
    Error(String),
}

impl<'a> Walker<'a> {
    /// Reads `path` (once) and follows its Locations. `stack` is the chain of files that led
    /// here; `lenient` skips non-descriptor documents (the file was matched by a pattern).
    fn visit(&mut self, path: &str, stack: &mut Vec<String>, lenient: bool) {
        if !self.visited.insert(path.to_string()) {
            return;
        }
        let result = self.load(path, lenient);
        self.out.errors.extend(result.errors);
        let mut locations = Vec::new();
        for located in result.entities {
            let entity_ref = located.entity.entity_ref();
            if let Some((file, document)) = self.defined.get(&entity_ref) {
                let message = format!(
                    "{DUPLICATE_PREFIX}{entity_ref}, already defined in {file} (document {document})"
                );
                self.error(path, Some(located.document), Some(&entity_ref), message);
                continue;
            }
            self.defined
                .insert(entity_ref, (path.to_string(), located.document));
            if located.entity.kind.eq_ignore_ascii_case("location") {
                locations.push(located.clone());
            }
            self.out.entities.push(located);
        }
        if locations.is_empty() {
            return;
        }
        stack.push(path.to_string());
        for location in &locations {
            self.follow(location, stack);
        }
        stack.pop();
    }

    /// Follows `spec.target` / `spec.targets` of a Location entity: every target is resolved
    /// first, the files they name are read and parsed as one batch, then visited in order.
    fn follow(&mut self, location: &Located, stack: &mut Vec<String>) {
        let steps = self.plan(location);
        let batch: Vec<(String, bool)> = steps
            .iter()
            .filter_map(|step| match step {
                Step::Enter(path, lenient) => Some((path.clone(), *lenient)),
                _ => None,
            })
            .collect();
        self.prefetch(&batch);
        let entity_ref = location.entity.entity_ref();
        for step in steps {
            match step {
                Step::Enter(path, lenient) => self.enter(&path, location, stack, lenient),
                Step::Url(target, url) => self.follow_url(&target, url, location, stack),
                Step::Error(message) => self.error(
                    &location.file,
                    Some(location.document),
                    Some(&entity_ref),
                    message,
                ),
            }
        }
    }

    /// What to do with each target of a Location, in order. Resolving depends on nothing
    /// that visiting a target changes, so it can all happen before the first visit.
    fn plan(&self, location: &Located) -> Vec<Step> {
        let spec = &location.entity.spec;
        let mut targets: Vec<&str> = spec
            .get("target")
            .and_then(|t| t.as_str())
            .into_iter()
            .collect();
        if let Some(list) = spec.get("targets").and_then(|t| t.as_array()) {
            targets.extend(list.iter().filter_map(|t| t.as_str()));
        }
        let location_type = location.entity.spec_str("type");
        let dir = location.file.rsplit_once('/').map_or("", |(dir, _)| dir);
        let mut steps = Vec::new();
        for target in targets {
            // A URL (whatever the type says: Backstage's older `github` type names URLs too),
            // or a path relative to a file that was itself read through a URL.
            let url = if is_url(target) {
                Some(Ok(target.to_string()))
            } else {
                self.remote.relative(&location.file, target)
            };
            if let Some(url) = url {
                steps.push(Step::Url(target.to_string(), url));
                continue;
            }
            if let Some(other) = location_type.filter(|t| !matches!(*t, "url" | "file")) {
                steps.push(Step::Error(format!(
                    "target \"{target}\" has location type \"{other}\"; only url and file \
                     targets are read"
                )));
                continue;
            }
            let Some(path) = self.resolve(dir, target) else {
                let message = format!("target \"{target}\" is outside the source root");
                steps.push(Step::Error(message));
                continue;
            };
            if is_glob(&path) {
                match self.glob(&path) {
                    Ok(paths) => steps.extend(paths.into_iter().map(|p| Step::Enter(p, true))),
                    Err(message) => {
                        steps.push(Step::Error(format!("target \"{target}\" {message}")));
                    }
                }
            } else if self.tree.contains(&path) {
                steps.push(Step::Enter(path, false));
            } else {
                let message = format!("target \"{target}\" not found ({path})");
                steps.push(Step::Error(message));
            }
        }
        steps
    }

    /// Reads and parses the files of a batch that the traversal has not met yet, in parallel.
    fn prefetch(&mut self, batch: &[(String, bool)]) {
        let wanted: Vec<parse::Wanted<'_>> = batch
            .iter()
            .filter(|(path, _)| {
                !self.visited.contains(path)
                    && !self.prefetched.contains_key(path)
                    && !self.remote_files.contains_key(path)
            })
            .map(|(path, lenient)| (path.clone(), *lenient, self.previous_id(path)))
            .collect();
        // One file gains nothing from the pool.
        if wanted.len() < 2 {
            return;
        }
        let done = parse::prefetch(self.tree, &self.parser, wanted);
        self.prefetched.extend(done);
    }

    /// Locates a URL target through the remote reader and visits it; every problem is an
    /// error on the Location naming the target (without any userinfo).
    fn follow_url(
        &mut self,
        target: &str,
        url: Result<String, String>,
        location: &Located,
        stack: &mut Vec<String>,
    ) {
        let entity_ref = location.entity.entity_ref();
        let shown = scrub::userinfo(target);
        let (file, document) = (&location.file, Some(location.document));
        match url.and_then(|url| self.remote.locate(&url)) {
            Err(why) => {
                let message = format!("remote target \"{shown}\": {why}");
                self.error(file, document, Some(&entity_ref), message);
            }
            Ok(found) => {
                if let Some(stale) = &found.stale {
                    let message = format!("remote target \"{shown}\": {stale}");
                    self.error(file, document, Some(&entity_ref), message);
                }
                let key = found.key.clone();
                self.remote_files.insert(key.clone(), found);
                self.enter(&key, location, stack, false);
            }
        }
    }

    /// Visits a Location target unless it is already on the current path (a loop).
    fn enter(&mut self, path: &str, location: &Located, stack: &mut Vec<String>, lenient: bool) {
        if let Some(start) = stack.iter().position(|p| p == path) {
            let mut chain: Vec<&str> = stack[start..].iter().map(String::as_str).collect();
            chain.push(path);
            let message = format!("Location loop: {}", chain.join(" → "));
            let entity_ref = location.entity.entity_ref();
            self.error(
                &location.file,
                Some(location.document),
                Some(&entity_ref),
                message,
            );
            return;
        }
        self.visit(path, stack, lenient);
    }

    /// A target relative to the Location file's directory, as a root-relative path; None
    /// when it leaves the root.
    fn resolve(&self, dir: &str, target: &str) -> Option<String> {
        let target = target.strip_prefix("file:").unwrap_or(target);
        if !target.starts_with('/') {
            return normalize(dir, target);
        }
        // An absolute path is accepted only inside a directory source's root.
        let root = self.tree.root_dir()?;
        let absolute = Path::new(target);
        let canonical_root = std::fs::canonicalize(root).ok();
        let inside = absolute.strip_prefix(root).ok().or_else(|| {
            canonical_root
                .as_deref()
                .and_then(|r| absolute.strip_prefix(r).ok())
        })?;
        normalize("", inside.to_str()?)
    }

    /// Files of the tree matching a root-relative glob pattern, sorted.
    fn glob(&self, pattern: &str) -> Result<Vec<String>, String> {
        let matcher = GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("is not a valid pattern: {e}"))?
            .compile_matcher();
        Ok(self
            .tree
            .paths()
            .into_iter()
            .filter(|p| matcher.is_match(p))
            .map(str::to_string)
            .collect())
    }

    /// The previous blob id of `path`, unless its previous result cannot be reused.
    fn previous_id(&self, path: &str) -> Option<&'a str> {
        // A file that lost an entity to a duplicate has an incomplete previous result (the
        // dropped entity is not stored), so it is parsed again.
        let complete = !self
            .parser
            .previous
            .errors(path)
            .any(|e| e.message.starts_with(DUPLICATE_PREFIX));
        self.parser.previous.id(path).filter(|_| complete)
    }

    /// Entities and intrinsic errors of a file: reused when its blob is unchanged, else parsed
    /// (or taken from the batch that parsed it ahead).
    fn load(&mut self, path: &str, lenient: bool) -> FileResult {
        let prefetched = self
            .prefetched
            .remove(path)
            .filter(|p| p.lenient == lenient);
        let (loaded, parsed) = match prefetched {
            Some(Prefetched { loaded, parsed, .. }) => (loaded, parsed),
            None => {
                let previous_id = self.previous_id(path);
                let loaded = match self.remote_files.get(path) {
                    Some(file) => self.load_remote(file, previous_id),
                    None => self.tree.load(path, previous_id),
                };
                (loaded, None)
            }
        };
        let loaded = match loaded {
            Ok(loaded) => loaded,
            Err(e) => {
                return FileResult {
                    entities: self.parser.previous_entities(path),
                    errors: vec![self.new_error(
                        path,
                        None,
                        None,
                        format!("file cannot be read: {e}"),
                    )],
                    placeholders: false,
                    remote: false,
                }
            }
        };
        let id = loaded.id;
        match loaded.bytes {
            None => {
                self.stats.reused_files.push(path.to_string());
                self.out.files.push((path.to_string(), id));
                FileResult {
                    entities: self.parser.previous_entities(path),
                    errors: self
                        .parser
                        .previous
                        .errors(path)
                        .filter(|e| !is_walk_error(e))
                        .cloned()
                        .collect(),
                    placeholders: false,
                    remote: false,
                }
            }
            Some(bytes) => {
                self.stats.parsed_files.push(path.to_string());
                let result = match parsed {
                    Some(result) => result,
                    None => self.parse(path, &bytes, lenient),
                };
                let mut id = id;
                if result.placeholders || result.remote {
                    id.push_str(PLACEHOLDER_MARK);
                }
                if result.remote {
                    id.push_str(REMOTE_MARK);
                }
                self.out.files.push((path.to_string(), id));
                result
            }
        }
    }

    /// The blob id of a located remote file, and its content unless the id is unchanged.
    fn load_remote(&self, file: &RemoteFile, previous_id: Option<&str>) -> std::io::Result<Loaded> {
        let id = file.blob.to_string();
        if previous_id == Some(id.as_str()) {
            return Ok(Loaded { id, bytes: None });
        }
        let bytes = self.remote.read(file).map_err(std::io::Error::other)?;
        Ok(Loaded {
            id,
            bytes: Some(bytes),
        })
    }

    /// [`FileParser::parse`] with placeholders read from the tree or through URLs.
    fn parse(&self, path: &str, bytes: &[u8], lenient: bool) -> FileResult {
        let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        let mut placeholders = 0;
        let mut remote = false;
        let mut prepare = |doc: &mut serde_json::Value| {
            let (problems, found) = substitute(doc, &mut |t| {
                if is_url(t) && !self.remote.allows(t) {
                    return Ok(None);
                }
                let url = match self.placeholder_url(path, t) {
                    Some(url) => url?,
                    None => return read_placeholder(self.tree, dir, t).map(Some),
                };
                remote = true;
                let file = self.remote.locate(&url)?;
                match file.stale {
                    Some(stale) => Err(stale),
                    None => self.remote.read(&file).map(Some),
                }
            });
            placeholders += found;
            problems
        };
        let mut result = self.parser.parse(path, bytes, lenient, &mut prepare);
        result.placeholders = placeholders > 0;
        result.remote = remote;
        result
    }

    /// Where a placeholder in `file` reads through a URL: a URL (the caller left those of
    /// repositories not allowed as written: catalogs name API documents on hosts Atrium does
    /// not read), or a path relative to a file itself read through a URL.
    fn placeholder_url(&self, file: &str, target: &str) -> Option<Result<String, String>> {
        if is_url(target) {
            return Some(Ok(target.to_string()));
        }
        let relative = self.remote.relative(file, target)?;
        if target.starts_with('/') || target.contains('\\') {
            return Some(Err("must be a path relative to this file".into()));
        }
        Some(relative)
    }

    fn new_error(
        &self,
        file: &str,
        document: Option<usize>,
        entity_ref: Option<&EntityRef>,
        message: String,
    ) -> CatalogError {
        self.parser.error(file, document, entity_ref, message)
    }

    fn error(
        &mut self,
        file: &str,
        document: Option<usize>,
        entity_ref: Option<&EntityRef>,
        message: String,
    ) {
        let error = self.new_error(file, document, entity_ref, message);
        self.out.errors.push(error);
    }
}

/// The bytes a placeholder names: a path relative to the descriptor's directory, inside the
/// source. Absolute paths and paths that leave the source are refused.
fn read_placeholder(tree: &Tree, dir: &str, target: &str) -> Result<Vec<u8>, String> {
    if target.starts_with('/') || target.contains('\\') {
        return Err("must be a path relative to this file".into());
    }
    let path = normalize(dir, target).ok_or("the path leaves the source")?;
    if !tree.contains(&path) {
        return Err(format!("file not found ({path})"));
    }
    tree.read_inside(&path)
        .map_err(|e| format!("file cannot be read ({path}): {e}"))
}

fn is_glob(path: &str) -> bool {
    path.contains(['*', '?', '[', '{'])
}
