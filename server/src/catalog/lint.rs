//! `atrium catalog validate <dir|file|git-url>`: reads a target with the same code as a
//! catalog source (refresh, and assemble's merge) and reports entities and errors for humans
//! or tools.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use super::assemble::merge;
use super::rules::{AllowedKinds, CatalogRules, KindRule};
use super::source::{
    refresh_opened, refresh_source, ReadContext, SourceConfig, SourceLocation, SourceSnapshot,
    Tree, UrlAllow,
};
use crate::gitremote::Remotes;

/// Entry pattern for a directory without any `catalog-info.yaml` (a folder of descriptors
/// such as Backstage's examples): every YAML file, non-descriptor YAML skipped.
const ALL_YAML: &str = "**/*.{yaml,yml}";

/// What `catalog validate` found.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LintReport {
    pub entities: Vec<LintEntity>,
    pub errors: Vec<LintError>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LintEntity {
    #[serde(rename = "ref")]
    pub entity_ref: String,
    pub file: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LintError {
    /// Empty for a problem with the target itself (missing repository…).
    pub file: String,
    pub document: Option<usize>,
    pub message: String,
}

impl LintReport {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// `{"entities":[{"ref":…,"file":…}],"errors":[{"file":…,"document":0,"message":…}]}`
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("plain data serializes")
    }

    /// One line per entity, then one per error, then a summary.
    pub fn to_text(&self) -> String {
        // Written in place: a catalog has tens of thousands of lines.
        let mut out = String::with_capacity(64 * (self.entities.len() + self.errors.len() + 1));
        for e in &self.entities {
            let _ = writeln!(out, "ok     {}  ({})", e.entity_ref, e.file);
        }
        for e in &self.errors {
            out.push_str("error  ");
            let _ = match (e.file.as_str(), e.document) {
                ("", _) => Ok(()),
                (file, Some(doc)) => write!(out, "{file} (document {doc}): "),
                (file, None) => write!(out, "{file}: "),
            };
            out.push_str(&e.message);
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{} entit{}, {} error{}",
            self.entities.len(),
            if self.entities.len() == 1 { "y" } else { "ies" },
            self.errors.len(),
            if self.errors.len() == 1 { "" } else { "s" },
        );
        out
    }

    fn failed(message: String) -> Self {
        LintReport {
            entities: Vec::new(),
            errors: vec![LintError {
                file: String::new(),
                document: None,
                message,
            }],
        }
    }
}

/// Validates a directory (every `catalog-info.yaml` below it, or every YAML file when there
/// is none), a single file (the entry point; its directory is the root), or a Git repository
/// (URL, path ending `.git`, or bare repository: its HEAD branch). Locations are followed.
/// Blocking.
pub fn validate_target(target: &str, cache_dir: &Path) -> LintReport {
    validate_target_with(target, cache_dir, &AllowedKinds::BuiltIn)
}

/// The kinds `catalog validate` admits for `target` under a configuration: its global rules,
/// and the per-source rules of a configured source that reads `target` (same `git` or `dir`).
pub fn rules_for(config: &crate::config::Config, target: &str) -> AllowedKinds {
    let rules = crate::catalog::rules::CatalogRules::new(config.catalog.rules.clone());
    let same = |p: &Path| {
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        canon(p) == canon(Path::new(target))
    };
    let mut names = vec![target];
    for source in &config.catalog.sources {
        let git = source
            .git
            .as_deref()
            .is_some_and(|g| g == target || same(Path::new(g)));
        if git || source.dir.as_deref().is_some_and(same) {
            names.push(source.name.as_str());
        }
    }
    rules.for_sources(&names)
}

/// What `--config` brings to `catalog validate`: the kinds `[[catalog.rules]]` admit, the
/// `[[git.credentials]]` remotes are fetched with, and `catalog.allowed_urls`.
#[derive(Clone, Debug, Default)]
pub struct LintSettings {
    pub allowed: AllowedKinds,
    pub remotes: Arc<Remotes>,
    pub urls: UrlAllow,
}

/// The settings a configuration gives `catalog validate` for `target`.
pub fn settings_for(
    config: &crate::config::Config,
    target: &str,
) -> Result<LintSettings, crate::config::ConfigError> {
    Ok(LintSettings {
        allowed: rules_for(config, target),
        remotes: Arc::new(config.git_remotes()?),
        urls: config.catalog_urls()?,
    })
}

/// [`validate_target`] admitting the kinds of `allowed` (`--config`'s `[[catalog.rules]]`).
pub fn validate_target_with(target: &str, cache_dir: &Path, allowed: &AllowedKinds) -> LintReport {
    let settings = LintSettings {
        allowed: allowed.clone(),
        ..Default::default()
    };
    validate_target_in(target, cache_dir, &settings)
}

/// [`validate_target`] under `--config`'s settings: its kinds, remotes and allowed URLs.
pub fn validate_target_in(target: &str, cache_dir: &Path, settings: &LintSettings) -> LintReport {
    let allowed = &settings.allowed;
    // The read runs under one name (the target), so the allow list is pinned to it.
    let rules = match allowed {
        AllowedKinds::BuiltIn => CatalogRules::default(),
        AllowedKinds::List(kinds) => CatalogRules::new(vec![KindRule {
            allow: kinds.iter().cloned().collect(),
            sources: None,
        }]),
    };
    let ctx = ReadContext {
        cache_dir: cache_dir.to_path_buf(),
        remotes: settings.remotes.clone(),
        rules,
        urls: settings.urls.clone(),
    };
    let path = Path::new(target);
    // A directory is listed once: to choose the entry, and then read.
    let mut listed = None;
    let (location, entry) = if super::source::git_is_url(target)
        || target.trim_end_matches('/').ends_with(".git")
        || is_bare_repo(path)
    {
        match super::source::git_head_branch(target, &ctx.remotes) {
            Ok(branch) => (
                SourceLocation::Git {
                    url: target.to_string(),
                    branch,
                },
                None,
            ),
            Err(e) => return LintReport::failed(e.to_string()),
        }
    } else if path.is_dir() {
        let tree = Tree::open_dir(path).ok();
        let has_catalog_info = tree.as_ref().is_some_and(|tree| {
            tree.paths()
                .iter()
                .any(|f| f.rsplit('/').next() == Some("catalog-info.yaml"))
        });
        listed = tree;
        let entry = (!has_catalog_info).then(|| ALL_YAML.to_string());
        (SourceLocation::Dir(path.to_path_buf()), entry)
    } else if path.is_file() {
        let root = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => Path::new(".").to_path_buf(),
        };
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return LintReport::failed(format!("{target}: file name is not UTF-8"));
        };
        (SourceLocation::Dir(root), Some(name.to_string()))
    } else {
        return LintReport::failed(format!("{target}: no such file, directory or repository"));
    };
    let cfg = SourceConfig {
        name: target.to_string(),
        location,
        entry,
    };
    let previous = SourceSnapshot::default();
    let snapshot = match &listed {
        Some(tree) => refresh_opened(&cfg, tree, &previous, &ctx),
        // Not listable: reading it says why, as the server would.
        None => refresh_source(&cfg, &previous, &ctx),
    };
    let snapshots = [snapshot];
    let report = report(&snapshots);
    // Freeing every entity costs about as much as writing the report: on the pool too.
    let [snapshot] = snapshots;
    snapshot.entities.into_par_iter().for_each(drop);
    report
}

/// The server's merge of what was read, without the relations the report does not show.
fn report(snapshots: &[SourceSnapshot]) -> LintReport {
    let merged = merge(snapshots);
    LintReport {
        entities: merged
            .entities
            .iter()
            .map(|(r, l)| LintEntity {
                entity_ref: r.to_string(),
                file: l.file.to_string(),
            })
            .collect(),
        errors: merged
            .errors
            .into_iter()
            .map(|e| LintError {
                file: e.file,
                document: e.document,
                message: e.message,
            })
            .collect(),
    }
}

/// A bare repository directory (`HEAD`, `objects/`, `refs/` at its top).
fn is_bare_repo(path: &Path) -> bool {
    path.join("HEAD").is_file() && path.join("objects").is_dir() && path.join("refs").is_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape() {
        let report = LintReport {
            entities: vec![LintEntity {
                entity_ref: "component:default/name".into(),
                file: "a.yaml".into(),
            }],
            errors: vec![LintError {
                file: "b.yaml".into(),
                document: Some(0),
                message: "bad".into(),
            }],
        };
        assert_eq!(
            report.to_json(),
            r#"{"entities":[{"ref":"component:default/name","file":"a.yaml"}],"errors":[{"file":"b.yaml","document":0,"message":"bad"}]}"#
        );
        assert!(report.has_errors());
        let text = report.to_text();
        assert!(text.contains("ok     component:default/name  (a.yaml)"));
        assert!(text.contains("error  b.yaml (document 0): bad"));
        assert!(text.ends_with("1 entity, 1 error\n"));
    }

    #[test]
    fn missing_target() {
        let dir = tempfile::tempdir().unwrap();
        let report = validate_target(dir.path().join("nope.yaml").to_str().unwrap(), dir.path());
        assert!(report.has_errors());
        assert!(report.errors[0].message.contains("no such file"));
    }

    #[test]
    fn single_file_is_an_entry_point() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.yaml");
        std::fs::write(
            &file,
            "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: s}\nspec: {owner: t}\n",
        )
        .unwrap();
        let report = validate_target(file.to_str().unwrap(), &dir.path().join("cache"));
        assert!(!report.has_errors(), "{}", report.to_text());
        assert_eq!(report.entities[0].entity_ref, "system:default/s");
        assert_eq!(report.entities[0].file, "x.yaml");
    }
}
