//! Catalog sources: a directory or a Git branch, read into a [`SourceSnapshot`] by following
//! entry files and Location entities. Refreshing is incremental: only files whose blob id
//! changed are parsed again, and a problem never loses what was ingested before (a broken
//! file keeps its last good entities; an unreadable repository keeps the whole previous
//! snapshot).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::model::{CatalogError, Located};
use super::reader::is_kind_refusal;
use super::rules::{AllowedKinds, CatalogRules};

pub(crate) mod git;
mod parse;
mod remote;
mod tree;
pub mod url;
mod walk;

pub(crate) use git::{head_branch as git_head_branch, is_url as git_is_url};
pub(crate) use tree::Tree;
pub use url::UrlAllow;

/// One configured catalog source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceConfig {
    pub name: String,
    pub location: SourceLocation,
    /// Entry file relative to the root (a glob pattern is allowed, e.g. `teams/*.yaml`);
    /// None = every `catalog-info.yaml` below the root.
    pub entry: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceLocation {
    /// A directory on disk, read as it is.
    Dir(PathBuf),
    /// A branch of a Git repository, read from its head commit's tree (no work tree).
    Git {
        /// Local path of a (bare or not) repository, or a `file://` / `https://` URL.
        url: String,
        branch: String,
    },
}

/// What reading needs besides the configuration.
#[derive(Clone, Debug, Default)]
pub struct ReadContext {
    /// Where URL repositories are cloned (bare) and fetched.
    pub cache_dir: PathBuf,
    /// How they are fetched: the configured credentials.
    pub remotes: std::sync::Arc<crate::gitremote::Remotes>,
    /// `[[catalog.rules]]`: the kinds each source may bring in.
    pub rules: CatalogRules,
    /// `catalog.allowed_urls`: the repositories `url` Location targets and placeholder URLs
    /// may fetch (besides a source's own); none by default.
    pub urls: UrlAllow,
}

/// Everything one source yielded at one point in time; the input of the next refresh.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceSnapshot {
    pub source: String,
    /// Head commit read, for Git sources.
    pub commit: Option<String>,
    /// Path → blob id of every descriptor file read (Git blob oid; sha256 hex for a directory).
    pub files: BTreeMap<String, String>,
    /// Entities in traversal order, without relations (see `assemble`).
    pub entities: Vec<Located>,
    pub errors: Vec<CatalogError>,
    /// Set when the source itself could not be read; everything else is then the previous
    /// snapshot's, unchanged.
    pub source_error: Option<String>,
}

/// What a refresh did, for logs and tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefreshStats {
    /// Files parsed again (new or changed blob).
    pub parsed_files: Vec<String>,
    /// Files whose previous entities and errors were reused as they were.
    pub reused_files: Vec<String>,
    /// True when the head commit had not moved and the previous snapshot was returned whole.
    pub unchanged_commit: bool,
}

/// Reads a source, reusing `previous` where nothing changed.
/// Blocking (libgit2, file I/O): callers run it in spawn_blocking.
pub fn refresh_source(
    cfg: &SourceConfig,
    previous: &SourceSnapshot,
    ctx: &ReadContext,
) -> SourceSnapshot {
    refresh_source_with_stats(cfg, previous, ctx).0
}

/// [`refresh_source`], also saying which files were parsed and which reused.
pub fn refresh_source_with_stats(
    cfg: &SourceConfig,
    previous: &SourceSnapshot,
    ctx: &ReadContext,
) -> (SourceSnapshot, RefreshStats) {
    let tree = match &cfg.location {
        SourceLocation::Dir(root) => Tree::open_dir(root),
        SourceLocation::Git { url, branch } => Tree::open_git(url, branch, ctx),
    };
    match tree {
        Ok(tree) => refresh_tree(cfg, &tree, previous, ctx),
        Err(e) => {
            let failed = SourceSnapshot {
                source: cfg.name.clone(),
                source_error: Some(format!("catalog source \"{}\": {e}", cfg.name)),
                ..previous.clone()
            };
            (failed, RefreshStats::default())
        }
    }
}

/// [`refresh_source`] of a source whose tree is already open (`catalog validate` lists a
/// directory to choose its entry, and does not list it twice).
pub(crate) fn refresh_opened(
    cfg: &SourceConfig,
    tree: &Tree,
    previous: &SourceSnapshot,
    ctx: &ReadContext,
) -> SourceSnapshot {
    refresh_tree(cfg, tree, previous, ctx).0
}

fn refresh_tree(
    cfg: &SourceConfig,
    tree: &Tree,
    previous: &SourceSnapshot,
    ctx: &ReadContext,
) -> (SourceSnapshot, RefreshStats) {
    let allowed = ctx.rules.for_source(&cfg.name);
    let fresh;
    let previous = if read_under_other_rules(previous, &allowed) {
        fresh = SourceSnapshot::default();
        &fresh
    } else {
        previous
    };
    let commit = tree.commit().map(str::to_string);
    if commit.is_some()
        && commit == previous.commit
        && previous.source_error.is_none()
        && !reads_urls(previous)
    {
        let stats = RefreshStats {
            unchanged_commit: true,
            ..RefreshStats::default()
        };
        return (previous.clone(), stats);
    }
    let own = match &cfg.location {
        SourceLocation::Git { url, .. } => url::own_repo(url),
        SourceLocation::Dir(_) => None,
    };
    let remote = remote::RemoteReader::new(&ctx.cache_dir, &ctx.remotes, &ctx.urls, own);
    let entry = cfg.entry.as_deref();
    let (mut walked, stats) = walk::walk(tree, &cfg.name, entry, previous, &allowed, &remote);
    // Kept until the next refresh: no spare capacity.
    walked.entities.shrink_to_fit();
    let snapshot = SourceSnapshot {
        source: cfg.name.clone(),
        commit,
        // Collected sorted at once: cheaper than an insert per file.
        files: walked.files.into_iter().collect(),
        entities: walked.entities,
        errors: walked.errors,
        source_error: None,
    };
    (snapshot, stats)
}

/// Whether `previous` read a file through a URL (a Location target or a placeholder): then an
/// unchanged commit of the source says nothing about what those URLs hold now.
fn reads_urls(previous: &SourceSnapshot) -> bool {
    previous
        .files
        .iter()
        .any(|(path, id)| url::is_url(path) || id.ends_with(walk::REMOTE_MARK))
}

/// Whether `previous` holds an entity the rules now refuse, or refused a kind (which they may
/// now admit): then nothing of it is reused, since an unchanged file may read differently.
fn read_under_other_rules(previous: &SourceSnapshot, allowed: &AllowedKinds) -> bool {
    previous
        .entities
        .iter()
        .any(|l| !allowed.allows(&l.entity.kind))
        || previous.errors.iter().any(|e| is_kind_refusal(&e.message))
}
