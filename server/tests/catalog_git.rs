//! Git catalog sources through libgit2: commits made without a work tree on refs/heads/main,
//! then refreshes after each change, asserting what was re-parsed and what was kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use atrium_server::catalog::model::EntityRef;
use atrium_server::catalog::source::{
    refresh_source, refresh_source_with_stats, ReadContext, RefreshStats, SourceConfig,
    SourceLocation, SourceSnapshot,
};
use git2::{Oid, Repository, Signature};

/// A bare repository whose `main` branch is rewritten by [`Repo::commit`].
struct Repo {
    _dir: tempfile::TempDir,
    path: PathBuf,
    repo: Repository,
    files: BTreeMap<String, String>,
}

impl Repo {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.git");
        let repo = Repository::init_bare(&path).unwrap();
        repo.set_head("refs/heads/main").unwrap();
        Repo {
            _dir: dir,
            path,
            repo,
            files: BTreeMap::new(),
        }
    }

    fn put(mut self, path: &str, content: &str) -> Self {
        self.files.insert(path.into(), content.into());
        self
    }

    fn remove(mut self, path: &str) -> Self {
        self.files.remove(path);
        self
    }

    /// Commits the current file set on refs/heads/main.
    fn commit(self) -> Self {
        self.write_commit();
        self
    }

    fn write_commit(&self) {
        let tree = write_tree(&self.repo, &self.files, "");
        let tree = self.repo.find_tree(tree).unwrap();
        let sig = Signature::now("test", "test@example.com").unwrap();
        let parent = self
            .repo
            .find_reference("refs/heads/main")
            .ok()
            .and_then(|r| r.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        self.repo
            .commit(
                Some("refs/heads/main"),
                &sig,
                &sig,
                "change",
                &tree,
                &parents,
            )
            .unwrap();
    }

    fn config(&self, branch: &str) -> SourceConfig {
        SourceConfig {
            name: "platform".into(),
            location: SourceLocation::Git {
                url: self.path.display().to_string(),
                branch: branch.into(),
            },
            entry: None,
        }
    }
}

/// Writes nested trees for `prefix`-relative paths.
fn write_tree(repo: &Repository, files: &BTreeMap<String, String>, prefix: &str) -> Oid {
    let mut builder = repo.treebuilder(None).unwrap();
    let mut subdirs: BTreeMap<String, ()> = BTreeMap::new();
    for (path, content) in files.range(prefix.to_string()..) {
        let Some(rest) = path.strip_prefix(prefix) else {
            break;
        };
        match rest.split_once('/') {
            Some((dir, _)) => {
                subdirs.insert(dir.to_string(), ());
            }
            None => {
                let blob = repo.blob(content.as_bytes()).unwrap();
                builder.insert(rest, blob, 0o100644).unwrap();
            }
        }
    }
    for dir in subdirs.keys() {
        let oid = write_tree(repo, files, &format!("{prefix}{dir}/"));
        builder.insert(dir, oid, 0o040000).unwrap();
    }
    builder.write().unwrap()
}

fn component(name: &str, lifecycle: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n\
         spec:\n  type: service\n  lifecycle: {lifecycle}\n  owner: team\n"
    )
}

const ROOT: &str = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\n\
                    spec:\n  targets: [./team/group.yaml]\n";
const GROUP: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team\n\
                     spec:\n  type: team\n  children: []\n";
const SYSTEM: &str =
    "---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: shop\n\
                      spec:\n  owner: team\n";

fn ctx(dir: &Path) -> ReadContext {
    ReadContext {
        cache_dir: dir.to_path_buf(),
        ..Default::default()
    }
}

fn refs(s: &SourceSnapshot) -> Vec<String> {
    let mut refs: Vec<String> = s
        .entities
        .iter()
        .map(|l| l.entity.entity_ref().to_string())
        .collect();
    refs.sort();
    refs
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn entity<'a>(s: &'a SourceSnapshot, r: &str) -> &'a atrium_server::catalog::model::Located {
    let r: EntityRef = r.parse().unwrap();
    s.entities
        .iter()
        .find(|l| l.entity.entity_ref() == r)
        .expect("entity present")
}

#[test]
fn incremental_refresh_through_changes_and_failures() {
    let cache = tempfile::tempdir().unwrap();
    let ctx = ctx(cache.path());
    let repo = Repo::new()
        .put("catalog-info.yaml", ROOT)
        .put("team/group.yaml", GROUP)
        .put("svc-a/catalog-info.yaml", &component("a", "production"))
        .put(
            "svc-b/catalog-info.yaml",
            &format!("{}{SYSTEM}", component("b", "experimental")),
        )
        .put("svc-c/catalog-info.yaml", &component("c", "production"))
        .commit();
    let cfg = repo.config("main");

    // First read: everything parsed.
    let (v1, stats) = refresh_source_with_stats(&cfg, &SourceSnapshot::default(), &ctx);
    assert_eq!(v1.source_error, None);
    assert!(v1.errors.is_empty(), "{:#?}", v1.errors);
    assert_eq!(
        refs(&v1),
        vec![
            "component:default/a",
            "component:default/b",
            "component:default/c",
            "group:default/team",
            "location:default/root",
            "system:default/shop",
        ]
    );
    assert_eq!(stats.parsed_files.len(), 5);
    assert_eq!(v1.files.len(), 5);
    assert_eq!(v1.commit.as_ref().map(String::len), Some(40));
    assert_eq!(entity(&v1, "system:shop").document, 1);
    assert!(v1.entities.iter().all(|l| l.source == "platform"));

    // Same commit: the previous snapshot, untouched.
    let (again, stats) = refresh_source_with_stats(&cfg, &v1, &ctx);
    assert_eq!(again, v1);
    assert!(stats.unchanged_commit);
    assert!(stats.parsed_files.is_empty());

    // Add d, change b, delete c: only b and d are parsed; the root Location file is reused
    // and its target still followed.
    let repo = repo
        .put("svc-d/catalog-info.yaml", &component("d", "production"))
        .put(
            "svc-b/catalog-info.yaml",
            &format!("{}{SYSTEM}", component("b", "production")),
        )
        .remove("svc-c/catalog-info.yaml")
        .commit();
    let (v2, stats) = refresh_source_with_stats(&cfg, &v1, &ctx);
    assert_ne!(v2.commit, v1.commit);
    assert_eq!(
        sorted(stats.parsed_files.clone()),
        vec!["svc-b/catalog-info.yaml", "svc-d/catalog-info.yaml"]
    );
    assert_eq!(
        sorted(stats.reused_files.clone()),
        vec![
            "catalog-info.yaml",
            "svc-a/catalog-info.yaml",
            "team/group.yaml"
        ]
    );
    assert_eq!(
        refs(&v2),
        vec![
            "component:default/a",
            "component:default/b",
            "component:default/d",
            "group:default/team",
            "location:default/root",
            "system:default/shop",
        ]
    );
    assert_eq!(
        entity(&v2, "component:b").entity.spec_str("lifecycle"),
        Some("production")
    );
    assert!(!v2.files.contains_key("svc-c/catalog-info.yaml"));
    assert!(v2.errors.is_empty());

    // Break b: its last good entities stay, with the error (line/column) on the file.
    let repo = repo
        .put(
            "svc-b/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: [Component\n",
        )
        .commit();
    let (v3, stats) = refresh_source_with_stats(&cfg, &v2, &ctx);
    assert_eq!(stats.parsed_files, vec!["svc-b/catalog-info.yaml"]);
    assert_eq!(refs(&v3), refs(&v2));
    assert_eq!(entity(&v3, "component:b"), entity(&v2, "component:b"));
    assert_eq!(v3.errors.len(), 1, "{:#?}", v3.errors);
    assert_eq!(v3.errors[0].file, "svc-b/catalog-info.yaml");
    assert_eq!(v3.errors[0].document, None);
    assert!(
        v3.errors[0].message.starts_with("YAML error at line "),
        "{}",
        v3.errors[0].message
    );

    // Another unrelated change: b is still broken, so its error and kept entities are reused.
    let repo = repo
        .put("svc-d/catalog-info.yaml", &component("d", "deprecated"))
        .commit();
    let (v4, stats) = refresh_source_with_stats(&cfg, &v3, &ctx);
    assert_eq!(stats.parsed_files, vec!["svc-d/catalog-info.yaml"]);
    assert_eq!(v4.errors, v3.errors);
    assert!(refs(&v4).contains(&"component:default/b".to_string()));

    // An invalid document keeps the previous version of that entity (matched by ref).
    let repo = repo
        .put(
            "svc-a/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\nspec:\n  type: service\n",
        )
        .commit();
    let (v5, _) = refresh_source_with_stats(&cfg, &v4, &ctx);
    assert_eq!(entity(&v5, "component:a"), entity(&v4, "component:a"));
    let a_errors: Vec<&str> = v5
        .errors
        .iter()
        .filter(|e| e.file == "svc-a/catalog-info.yaml")
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        a_errors,
        vec![
            "component \"a\": spec.lifecycle is required",
            "component \"a\": spec.owner is required"
        ]
    );
    assert!(v5.errors.iter().all(|e| e.file != "svc-a/catalog-info.yaml"
        || (e.document == Some(0) && e.entity_ref.as_deref() == Some("component:default/a"))));

    // Bad branch name, unknown branch, missing repository: previous snapshot kept, with a
    // message naming source, url and branch.
    let url = repo.path.display().to_string();
    for (cfg, expected) in [
        (repo.config("bad..name"), "not a valid branch name"),
        (repo.config("nope"), "no such branch"),
        (
            SourceConfig {
                location: SourceLocation::Git {
                    url: format!("{url}-missing"),
                    branch: "main".into(),
                },
                ..repo.config("main")
            },
            "no repository there",
        ),
    ] {
        let failed = refresh_source(&cfg, &v5, &ctx);
        let message = failed.source_error.clone().expect("source error");
        assert!(message.contains("\"platform\""), "{message}");
        assert!(message.contains(&url), "{message}");
        assert!(message.contains(expected), "{message}");
        let SourceLocation::Git { branch, .. } = &cfg.location else {
            unreachable!()
        };
        assert!(message.contains(&format!("\"{branch}\"")), "{message}");
        assert_eq!(failed.entities, v5.entities);
        assert_eq!(failed.errors, v5.errors);
        assert_eq!(failed.files, v5.files);
        assert_eq!(failed.commit, v5.commit);

        // Back to the good configuration at the same commit: read again (the previous
        // snapshot had an error), but every file is reused.
        let (recovered, stats) = refresh_source_with_stats(&repo.config("main"), &failed, &ctx);
        assert_eq!(recovered.source_error, None);
        assert!(!stats.unchanged_commit);
        assert!(stats.parsed_files.is_empty(), "{stats:?}");
        assert_eq!(recovered.entities, v5.entities);
        assert_eq!(
            sorted(recovered.errors.iter().map(|e| e.message.clone()).collect()),
            sorted(v5.errors.iter().map(|e| e.message.clone()).collect())
        );
    }
}

#[test]
fn url_sources_are_cloned_bare_and_fetched() {
    let cache = tempfile::tempdir().unwrap();
    let ctx = ctx(cache.path());
    let repo = Repo::new()
        .put("catalog-info.yaml", &component("a", "production"))
        .commit();
    let cfg = SourceConfig {
        name: "remote".into(),
        location: SourceLocation::Git {
            url: format!("file://{}", repo.path.display()),
            branch: "main".into(),
        },
        entry: Some("catalog-info.yaml".into()),
    };
    let v1 = refresh_source(&cfg, &SourceSnapshot::default(), &ctx);
    assert_eq!(v1.source_error, None);
    assert_eq!(refs(&v1), vec!["component:default/a"]);
    // The clone is bare, in the cache directory.
    let clones: Vec<_> = std::fs::read_dir(cache.path()).unwrap().flatten().collect();
    assert_eq!(clones.len(), 1);
    assert!(clones[0].path().join("HEAD").is_file());
    assert!(!clones[0].path().join(".git").exists());

    let repo = repo
        .put("catalog-info.yaml", &component("b", "production"))
        .commit();
    let (v2, stats) = refresh_source_with_stats(&cfg, &v1, &ctx);
    assert_eq!(refs(&v2), vec!["component:default/b"]);
    assert_eq!(
        stats,
        RefreshStats {
            parsed_files: vec!["catalog-info.yaml".into()],
            ..RefreshStats::default()
        }
    );
    let head = repo
        .repo
        .find_reference("refs/heads/main")
        .unwrap()
        .target()
        .unwrap();
    assert_eq!(v2.commit, Some(head.to_string()));
}

#[test]
fn lint_reads_the_head_branch_of_a_bare_repository() {
    let cache = tempfile::tempdir().unwrap();
    let repo = Repo::new()
        .put("catalog-info.yaml", &component("a", "production"))
        .put(
            "bad/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec: {}\n",
        )
        .commit();
    let report =
        atrium_server::catalog::lint::validate_target(repo.path.to_str().unwrap(), cache.path());
    assert_eq!(report.entities.len(), 1, "{}", report.to_text());
    assert_eq!(report.entities[0].entity_ref, "component:default/a");
    assert_eq!(report.errors.len(), 3, "{}", report.to_text());
    assert!(report
        .errors
        .iter()
        .all(|e| e.file == "bad/catalog-info.yaml"));
    let url_report = atrium_server::catalog::lint::validate_target(
        &format!("file://{}", repo.path.display()),
        cache.path(),
    );
    assert_eq!(url_report, report);
}
