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
            ["message", "name", "parent", "resources", "source", "status"]
        );
        assert_eq!(app["status"], "ok");
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
