use super::*;
use crate::demo::git::{commit_files, open_or_init};

/// A Git repository holding `files` on main; returns it with its checkout at each commit.
struct Repo {
    dir: tempfile::TempDir,
    commits: Vec<String>,
}

impl Repo {
    fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut repo = Repo {
            dir,
            commits: Vec::new(),
        };
        repo.commit(files);
        repo
    }

    fn commit(&mut self, files: &[(&str, &str)]) {
        let git = open_or_init(self.dir.path(), "main").unwrap();
        let changes: Vec<_> = files
            .iter()
            .map(|(p, c)| (*p, Some(c.as_bytes())))
            .collect();
        let oid = commit_files(&git, "main", &changes, "change", ("t", "t@example")).unwrap();
        self.commits.push(oid.to_string());
    }

    fn at(&self, revision: &str) -> Checkout {
        Checkout::open(self.dir.path(), revision).unwrap()
    }
}

fn text(edits: &[FileEdit], path: &str) -> String {
    let edit = edits
        .iter()
        .find(|e| e.path == path)
        .unwrap_or_else(|| panic!("{path} not edited: {edits:?}"));
    String::from_utf8(edit.content.clone().unwrap()).unwrap()
}

fn kustomize_app() -> AppFiles {
    AppFiles {
        app: "web".into(),
        application_file: "apps/web.yaml".into(),
        source_path: Some("services/web/overlays/prod".into()),
        renderer: RendererKind::Kustomize,
    }
}

const APPLICATION: &str = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web # the shop\nspec:\n  source:\n    repoURL: https://git.example/env.git\n    targetRevision: main # follow the branch\n    path: services/web/overlays/prod\n";
const BASE_DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: registry.example/web:1.0.0\n";

#[test]
fn kustomize_images_keep_comments() {
    let overlay_k = "# prod overlay\nresources:\n  - ../../base\nimages:\n  - name: registry.example/web # the web tier\n    newTag: 2.4.1 # prod\n";
    let repo = Repo::new(&[
        ("apps/web.yaml", APPLICATION),
        ("services/web/base/deployment.yaml", BASE_DEPLOY),
        ("services/web/overlays/prod/kustomization.yaml", overlay_k),
    ]);
    let head = repo.at("main");
    let mut overlay = Overlay::new(&head);
    set_image(
        &mut overlay,
        &kustomize_app(),
        "registry.example/web",
        None,
        "2.5.0",
    )
    .unwrap();
    let edits = overlay.edits();
    assert_eq!(edits.len(), 1);
    assert_eq!(
        text(&edits, "services/web/overlays/prod/kustomization.yaml"),
        overlay_k.replace("newTag: 2.4.1 # prod", "newTag: 2.5.0 # prod")
    );
}

#[test]
fn kustomize_without_an_entry_gets_one() {
    let repo = Repo::new(&[
        ("apps/web.yaml", APPLICATION),
        ("services/web/base/deployment.yaml", BASE_DEPLOY),
        (
            "services/web/base/kustomization.yaml",
            "resources: [deployment.yaml]\n",
        ),
        (
            "services/web/overlays/prod/kustomization.yaml",
            "resources:\n  - ../../base\n",
        ),
    ]);
    let head = repo.at("main");
    let mut overlay = Overlay::new(&head);
    set_image(
        &mut overlay,
        &kustomize_app(),
        "registry.example/web",
        None,
        "1.10",
    )
    .unwrap();
    let edits = overlay.edits();
    // The shared base is left alone: the overlay says what this environment runs.
    assert_eq!(edits.len(), 1, "{edits:?}");
    assert_eq!(
        text(&edits, "services/web/overlays/prod/kustomization.yaml"),
        "resources:\n  - ../../base\nimages:\n  - name: registry.example/web\n    newTag: \"1.10\"\n"
    );
}

#[test]
fn plain_manifests_change_only_the_image() {
    let manifests = "# Web tier\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: \"registry.example/web:1.0.0\" # pinned\n        - name: proxy\n          image: envoy:1.30\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n";
    let repo = Repo::new(&[
        ("apps/web.yaml", APPLICATION),
        ("services/web/deployment.yaml", manifests),
        (
            "services/web/notes.txt",
            "image: registry.example/web:1.0.0\n",
        ),
    ]);
    let head = repo.at("main");
    let app = AppFiles {
        source_path: Some("services/web".into()),
        renderer: RendererKind::Directory,
        ..kustomize_app()
    };
    let mut overlay = Overlay::new(&head);
    set_image(&mut overlay, &app, "registry.example/web", None, "1.1.0").unwrap();
    set_image(&mut overlay, &app, "envoy", Some("proxy"), "1.31").unwrap();
    let edits = overlay.edits();
    assert_eq!(edits.len(), 1);
    assert_eq!(
        text(&edits, "services/web/deployment.yaml"),
        manifests
            .replace("web:1.0.0\" # pinned", "web:1.1.0\" # pinned")
            .replace("envoy:1.30", "envoy:1.31")
    );
    let mut overlay = Overlay::new(&head);
    let missing = set_image(&mut overlay, &app, "registry.example/other", None, "1").unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("no container running registry.example/other"),
        "{missing}"
    );
    assert!(set_image(&mut overlay, &app, "registry.example/web", None, "bad tag").is_err());
}

#[test]
fn revisions_are_replaced_or_added() {
    let repo = Repo::new(&[
        ("apps/web.yaml", APPLICATION),
        (
            "apps/api.yaml",
            &APPLICATION
                .replace("web # the shop", "api")
                .replace("    targetRevision: main # follow the branch\n", ""),
        ),
    ]);
    let head = repo.at("main");
    let mut overlay = Overlay::new(&head);
    set_revision(&mut overlay, &kustomize_app(), "v2.0.0").unwrap();
    let api = AppFiles {
        app: "api".into(),
        application_file: "apps/api.yaml".into(),
        ..kustomize_app()
    };
    set_revision(&mut overlay, &api, "v3").unwrap();
    let edits = overlay.edits();
    assert_eq!(
        text(&edits, "apps/web.yaml"),
        APPLICATION.replace(
            "targetRevision: main # follow",
            "targetRevision: v2.0.0 # follow"
        )
    );
    assert!(text(&edits, "apps/api.yaml")
        .contains("    repoURL: https://git.example/env.git\n    targetRevision: v3\n    path:"));
    let wrong = AppFiles {
        app: "nope".into(),
        ..kustomize_app()
    };
    assert!(set_revision(&mut overlay, &wrong, "v1")
        .unwrap_err()
        .to_string()
        .contains("no Application `nope`"));
}

#[test]
fn restore_brings_back_only_this_apps_files() {
    let mut repo = Repo::new(&[
        ("apps/web.yaml", APPLICATION),
        (
            "services/web/overlays/prod/kustomization.yaml",
            "images:\n  - name: web\n    newTag: \"1\"\n",
        ),
        ("services/other/cm.yaml", "a: 1\n"),
    ]);
    repo.commit(&[
        (
            "services/web/overlays/prod/kustomization.yaml",
            "images:\n  - name: web\n    newTag: \"2\"\n",
        ),
        ("services/web/overlays/prod/extra.yaml", "kind: ConfigMap\n"),
    ]);
    repo.commit(&[("services/other/cm.yaml", "a: 2\n")]);
    let head = repo.at("main");
    let then = repo.at(&repo.commits[0]);
    let mut overlay = Overlay::new(&head);
    restore(&mut overlay, &then, &kustomize_app()).unwrap();
    let edits = overlay.edits();
    let paths: Vec<&str> = edits.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "services/web/overlays/prod/extra.yaml",
            "services/web/overlays/prod/kustomization.yaml"
        ]
    );
    assert_eq!(edits[0].content, None);
    assert!(
        text(&edits, "services/web/overlays/prod/kustomization.yaml").contains("newTag: \"1\"")
    );
}

#[test]
fn application_files_are_found_by_name() {
    let repo = Repo::new(&[
        ("apps/web.yaml", APPLICATION),
        (
            "apps/root.yaml",
            "kind: Application\nmetadata:\n  name: root\n",
        ),
    ]);
    let head = repo.at("main");
    assert_eq!(
        find_application_file(&head, "apps", "web").unwrap(),
        "apps/web.yaml"
    );
    assert!(find_application_file(&head, "apps", "api").is_err());
}
