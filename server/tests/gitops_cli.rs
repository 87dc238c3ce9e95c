//! `atrium apps render` as teams run it in CI: the whole tree, no cluster, exit 1 on a
//! broken app.

mod common;

use std::path::Path;

use common::cli::atrium;

fn write(dir: &Path, files: &[(&str, String)]) {
    for (path, text) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
}

fn app(name: &str, repo_url: &str, path: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  \
         namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: {repo_url}\n    \
         targetRevision: HEAD\n    path: {path}\n  destination:\n    namespace: {name}\n"
    )
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n";
const ENV: &str = "https://git.example/env.git";

#[test]
fn renders_a_git_repo_as_json_with_the_documented_shape() {
    let data = tempfile::tempdir().unwrap();
    let envs = atrium_server::demo::environments::ensure_demo_environments(data.path()).unwrap();
    let (code, out) = atrium(&[
        "apps",
        "render",
        &envs[1].repo,
        "--root",
        "apps/root.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON output");
    assert_eq!(
        report.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["apps"]
    );
    let apps = report["apps"].as_array().unwrap();
    assert!(apps.len() >= 13);
    for app in apps {
        let keys: Vec<&String> = app.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "kind",
                "message",
                "name",
                "parent",
                "resources",
                "source",
                "status"
            ]
        );
        assert_eq!(app["status"], "ok");
        assert_eq!(app["kind"], "Application");
        for resource in app["resources"].as_array().unwrap() {
            let keys: Vec<&String> = resource.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["apiVersion", "kind", "name", "namespace"]);
        }
    }
    assert_eq!(apps[0]["name"], "root");
    assert_eq!(apps[0]["parent"], serde_json::Value::Null);
    assert_eq!(
        apps[0]["source"]["repoURL"],
        "https://git.brightcart.example/env-staging.git"
    );
    assert_eq!(
        apps[0]["source"]["revision"].as_str().map(str::len),
        Some(40)
    );
    let web = apps.iter().find(|a| a["name"] == "storefront-web").unwrap();
    assert_eq!(web["parent"], "root");
    assert_eq!(web["source"]["renderer"], "kustomize");
    assert!(web["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["kind"] == "Deployment"));
}

#[test]
fn a_broken_app_fails_the_run_and_the_rest_still_renders() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("apps/root.yaml", app("root", ENV, "apps")),
            ("apps/good.yaml", app("good", ENV, "good")),
            ("apps/broken.yaml", app("broken", ENV, "missing")),
            ("good/cm.yaml", CM.into()),
        ],
    );
    let repo = dir.path().to_str().unwrap();
    let (code, out) = atrium(&[
        "apps",
        "render",
        repo,
        "--root",
        "apps/root.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let status = |name: &str| {
        report["apps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .map(|a| (a["status"].clone(), a["message"].clone()))
            .unwrap()
    };
    assert_eq!(status("good").0, "ok");
    let (broken, message) = status("broken");
    assert_eq!(broken, "error");
    assert!(
        message
            .as_str()
            .unwrap()
            .contains("\"missing\" does not exist"),
        "{message}"
    );

    let (code, text) = atrium(&["apps", "render", repo, "--root", "apps/root.yaml"]);
    assert_eq!(code, 1);
    assert!(text.contains("\n  good  ok  1 resources"), "{text}");
    assert!(text.contains("\n  broken  error: "), "{text}");
    assert!(text.contains("3 apps, 1 failed"), "{text}");
}

#[test]
fn other_repos_are_mapped_on_the_command_line() {
    let env = tempfile::tempdir().unwrap();
    let shared = tempfile::tempdir().unwrap();
    let shared_url = "https://git.example/shared.git";
    write(
        env.path(),
        &[
            ("apps/root.yaml", app("root", ENV, "apps")),
            ("apps/shared.yaml", app("shared", shared_url, "manifests")),
        ],
    );
    write(shared.path(), &[("manifests/cm.yaml", CM.into())]);
    let env_dir = env.path().to_str().unwrap();
    let (code, out) = atrium(&["apps", "render", env_dir, "--root", "apps/root.yaml"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("unknown repoURL https://git.example/shared.git"),
        "{out}"
    );
    let with_repo = |mapping: &str| {
        atrium(&[
            "apps",
            "render",
            env_dir,
            "--root",
            "apps/root.yaml",
            "--repo",
            mapping,
        ])
    };
    let (code, out) = with_repo(&format!("{shared_url}={}", shared.path().display()));
    assert_eq!(code, 0, "{out}");
    let (code, _) = with_repo("no-equals-sign");
    assert_eq!(code, 2);
}

/// An Application of Argo CD's example repository (github.com/argoproj/argocd-example-apps):
/// its own path, namespace and name, auto-synced with `CreateNamespace=true`.
fn example_app(name: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  \
         namespace: argocd\n  finalizers:\n  - resources-finalizer.argocd.argoproj.io\nspec:\n  \
         project: default\n  destination:\n    namespace: {name}\n    \
         server: https://kubernetes.default.svc\n  source:\n    repoURL: {EXAMPLES}\n    \
         targetRevision: HEAD\n    path: {name}\n  syncPolicy:\n    syncOptions:\n    \
         - CreateNamespace=true\n    automated:\n      prune: true\n      selfHeal: true\n"
    )
}

const EXAMPLES: &str = "https://github.com/argoproj/argocd-example-apps.git";

fn job(meta: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n{meta}spec:\n  template:\n    spec:\n      \
         containers:\n      - name: sleep\n        image: alpine:latest\n        \
         command: [\"sleep\", \"5\"]\n      restartPolicy: Never\n  backoffLimit: 0\n"
    )
}

/// Small files in the example repository's layout: `sync-waves` (a PreSync hook named by
/// `generateName`, Sync hooks in waves), `pre-post-sync` (kustomize with `bases:` onto
/// `kustomize-guestbook`, PreSync/PostSync hooks), `helm-guestbook` (a chart),
/// `jsonnet-guestbook` (Jsonnet).
fn example_repo(dir: &Path) {
    let hook = |phase: &str, policy: &str, wave: &str| {
        format!(
            "  annotations:\n    argocd.argoproj.io/hook: {phase}\n    \
             argocd.argoproj.io/hook-delete-policy: {policy}\n    \
             argocd.argoproj.io/sync-wave: \"{wave}\"\n"
        )
    };
    let rs = |name: &str, wave: &str| {
        format!(
            "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: {name}\n  annotations:\n    \
             argocd.argoproj.io/sync-wave: \"{wave}\"\nspec:\n  replicas: 1\n  selector:\n    \
             matchLabels:\n      tier: {name}\n  template:\n    metadata:\n      labels:\n        \
             tier: {name}\n    spec:\n      containers:\n        - name: main\n          \
             image: nginx:latest\n"
        )
    };
    let sync_waves = [
        job("  generateName: upgrade-sql-schema\n  annotations:\n    argocd.argoproj.io/hook: PreSync\n"),
        rs("backend", "0"),
        job(&format!("  name: maint-page-up\n{}", hook("Sync", "BeforeHookCreation", "1"))),
        rs("frontend", "2"),
        job(&format!("  name: maint-page-down\n{}", hook("Sync", "BeforeHookCreation", "3"))),
    ]
    .map(|d| format!("---\n{d}"))
    .concat();
    let guestbook_deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  \
        name: guestbook-ui\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      \
        app: guestbook-ui\n  template:\n    metadata:\n      labels:\n        app: guestbook-ui\n    \
        spec:\n      containers:\n      - image: gcr.io/heptio-images/ks-guestbook-demo:0.1\n        \
        name: guestbook-ui\n";
    let guestbook_svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: guestbook-ui\nspec:\n  \
        ports:\n  - port: 80\n    targetPort: 80\n  selector:\n    app: guestbook-ui\n";
    write(
        dir,
        &[
            ("root.yaml", {
                let root = example_app("apps");
                root.replace("name: apps\n", "name: root\n")
            }),
            ("apps/sync-waves.yaml", example_app("sync-waves")),
            ("apps/pre-post-sync.yaml", example_app("pre-post-sync")),
            (
                "apps/kustomize-guestbook.yaml",
                example_app("kustomize-guestbook"),
            ),
            ("apps/helm-guestbook.yaml", example_app("helm-guestbook")),
            (
                "apps/jsonnet-guestbook.yaml",
                example_app("jsonnet-guestbook"),
            ),
            (
                "jsonnet-guestbook/guestbook-ui.jsonnet",
                "local params = import 'params.libsonnet';\n[]\n".into(),
            ),
            ("jsonnet-guestbook/params.libsonnet", "{}\n".into()),
            ("sync-waves/manifests.yaml", sync_waves),
            (
                "kustomize-guestbook/kustomization.yaml",
                "namePrefix: kustomize-\n\nresources:\n- guestbook-ui-deployment.yaml\n\
                 - guestbook-ui-svc.yaml\napiVersion: kustomize.config.k8s.io/v1beta1\n\
                 kind: Kustomization\n"
                    .into(),
            ),
            (
                "kustomize-guestbook/guestbook-ui-deployment.yaml",
                guestbook_deployment.into(),
            ),
            (
                "kustomize-guestbook/guestbook-ui-svc.yaml",
                guestbook_svc.into(),
            ),
            (
                "pre-post-sync/kustomization.yaml",
                "namePrefix: pre-post-sync-\n\nbases:\n- ../kustomize-guestbook\n\n\
                 resources:\n- pre-sync-job.yaml\n- post-sync-job.yaml\n"
                    .into(),
            ),
            (
                "pre-post-sync/pre-sync-job.yaml",
                job(&format!(
                    "  name: before\n{}",
                    hook("PreSync", "HookSucceeded", "0")
                )),
            ),
            (
                "pre-post-sync/post-sync-job.yaml",
                job(&format!(
                    "  name: after\n{}",
                    hook("PostSync", "HookSucceeded", "0")
                )),
            ),
            (
                "helm-guestbook/Chart.yaml",
                "apiVersion: v2\nname: helm-guestbook\nversion: 0.1.0\n".into(),
            ),
            ("helm-guestbook/values.yaml", "replicaCount: 1\n".into()),
            (
                "helm-guestbook/templates/service.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n".into(),
            ),
        ],
    );
}

#[test]
fn renders_argo_cds_example_apps_layout() {
    let dir = tempfile::tempdir().unwrap();
    example_repo(dir.path());
    let repo = dir.path().to_str().unwrap();
    let (code, out) = atrium(&[
        "apps",
        "render",
        repo,
        "--root",
        "root.yaml",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON output");
    let apps = report["apps"].as_array().unwrap();
    let app = |name: &str| apps.iter().find(|a| a["name"] == name).unwrap();
    let names = |name: &str| -> Vec<String> {
        app(name)["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{}/{}",
                    r["kind"].as_str().unwrap(),
                    r["name"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(app("root")["status"], "ok", "{out}");
    // The PreSync hook named by `generateName` renders (the sync names it), as does the rest.
    assert_eq!(app("sync-waves")["status"], "ok", "{out}");
    assert_eq!(
        names("sync-waves"),
        [
            "Job/upgrade-sql-schema",
            "ReplicaSet/backend",
            "Job/maint-page-up",
            "ReplicaSet/frontend",
            "Job/maint-page-down"
        ]
    );
    assert!(app("sync-waves")["resources"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["namespace"] == "sync-waves"));
    let tools = atrium_server::gitops::render::Tools::from_path();
    if tools.kustomize.is_some() {
        assert_eq!(app("pre-post-sync")["status"], "ok", "{out}");
        let mut got = names("pre-post-sync");
        got.sort();
        assert_eq!(
            got,
            [
                "Deployment/pre-post-sync-kustomize-guestbook-ui",
                "Job/pre-post-sync-after",
                "Job/pre-post-sync-before",
                "Service/pre-post-sync-kustomize-guestbook-ui"
            ]
        );
        assert_eq!(app("kustomize-guestbook")["status"], "ok", "{out}");
    } else {
        assert_eq!(app("pre-post-sync")["status"], "renderer-unavailable");
    }
    // Without helm on PATH the chart is a status on its node, and the run exits 1.
    let helm = app("helm-guestbook");
    if tools.helm.is_none() {
        assert_eq!(helm["status"], "renderer-unavailable", "{out}");
        assert!(helm["message"]
            .as_str()
            .unwrap()
            .contains("helm is not on PATH"));
        assert_eq!(helm["resources"], serde_json::json!([]));
    }
    // Jsonnet is not evaluated: a status that says so, not an app rendered without it.
    let jsonnet = app("jsonnet-guestbook");
    assert_eq!(jsonnet["status"], "renderer-unavailable", "{out}");
    assert!(
        jsonnet["message"]
            .as_str()
            .unwrap()
            .contains("Jsonnet is not supported: Argo CD would evaluate jsonnet-guestbook/guestbook-ui.jsonnet"),
        "{out}"
    );
    let all_ok = apps.iter().all(|a| a["status"] == "ok");
    assert_eq!(code, if all_ok { 0 } else { 1 }, "{out}");

    let (code, text) = atrium(&["apps", "render", repo, "--root", "root.yaml"]);
    assert_eq!(code, if all_ok { 0 } else { 1 });
    assert!(text.contains("\n  sync-waves  ok  5 resources"), "{text}");
}

/// An ApplicationSet renders as a node of kind `ApplicationSet`, parent of the apps it
/// generates (which render their own resources); a set that cannot generate fails the run.
#[test]
fn application_sets_render_as_parents_of_their_generated_apps() {
    let dir = tempfile::tempdir().unwrap();
    let set = |name: &str, generators: &str| {
        format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: {name}\n\
             spec:\n  generators:\n{generators}  template:\n    metadata:\n      name: \
             '{{{{path.basename}}}}'\n    spec:\n      project: default\n      source:\n        \
             repoURL: {ENV}\n        targetRevision: HEAD\n        path: '{{{{path}}}}'\n      \
             destination:\n        server: https://kubernetes.default.svc\n        namespace: \
             '{{{{path.basename}}}}'\n"
        )
    };
    let dirs = format!(
        "  - git:\n      repoURL: {ENV}\n      revision: HEAD\n      directories:\n      \
         - path: addons/*\n"
    );
    write(
        dir.path(),
        &[
            ("apps/root.yaml", app("root", ENV, "apps")),
            ("apps/addons.yaml", set("addons", &dirs)),
            ("addons/metrics/cm.yaml", CM.into()),
            ("addons/logging/cm.yaml", CM.into()),
        ],
    );
    let repo = dir.path().to_str().unwrap();
    let args = ["apps", "render", repo, "--root", "apps/root.yaml"];
    let (code, out) = atrium(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(code, 0, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let shape: Vec<(&str, &str, Option<&str>, usize)> = report["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap(),
                a["kind"].as_str().unwrap(),
                a["parent"].as_str(),
                a["resources"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("root", "Application", None, 2),
            ("addons", "ApplicationSet", Some("root"), 0),
            ("logging", "Application", Some("addons"), 1),
            ("metrics", "Application", Some("addons"), 1),
        ]
    );
    let (code, text) = atrium(&args);
    assert_eq!(code, 0);
    assert!(
        text.contains("\n  addons  ok  ApplicationSet, 2 apps"),
        "{text}"
    );
    assert!(text.contains("\n    metrics  ok  1 resources"), "{text}");

    let matrix = "  - matrix:\n      generators: []\n";
    write(dir.path(), &[("apps/addons.yaml", set("addons", matrix))]);
    let (code, text) = atrium(&args);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("addons (ApplicationSet)  error: spec.generators[0].matrix: unsupported generator matrix"),
        "{text}"
    );
}
