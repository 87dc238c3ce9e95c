use std::path::Path;
use std::rc::Rc;

use serde_json::json;

use super::*;
use crate::gitops::checkout::Checkout;

/// A plain-directory repository holding `files`.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    dir
}

fn generate(dir: &Path, body: Value, t: Templating, limit: usize) -> Result<Vec<Params>, String> {
    let mut checkout = |url: &str, _rev: &str| {
        if url == "https://git.example/addons.git" {
            Checkout::open(dir, "HEAD")
                .map(Rc::new)
                .map_err(|e| e.to_string())
        } else {
            Err(format!("unknown repoURL {url}"))
        }
    };
    let mut inputs = Inputs {
        clusters: &[],
        checkout: &mut checkout,
        limit,
    };
    params(&body, t, "g", &mut inputs, limit)
}

const URL: &str = "https://git.example/addons.git";

#[test]
fn directories_match_like_path_match_and_exclude_wins() {
    let dir = repo(&[
        ("addons/cert-manager/kustomization.yaml", "resources: []"),
        ("addons/Ingress_NGINX/values.yaml", "a: b"),
        ("addons/legacy/cm.yaml", "a: b"),
        ("addons/legacy/nested/cm.yaml", "a: b"),
        ("README.md", "hi"),
    ]);
    let body = json!({"repoURL": URL, "revision": "main", "directories": [
        {"path": "addons/*"}, {"path": "addons/legacy", "exclude": true}]});
    let params = generate(dir.path(), body, Templating::default(), 100).unwrap();
    let paths: Vec<&str> = params.iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["addons/Ingress_NGINX", "addons/cert-manager"]);
    assert_eq!(params[0]["path.basename"], "Ingress_NGINX");
    assert_eq!(params[0]["path.basenameNormalized"], "ingress-nginx");
    assert_eq!(params[0]["path[0]"], "addons");
    assert_eq!(params[0]["path[1]"], "Ingress_NGINX");

    let go = Templating {
        go: true,
        ..Default::default()
    };
    let body = json!({"repoURL": URL, "directories": [{"path": "addons/cert-*"}],
        "values": {"ns": "{{.path.basename}}"}});
    let params = generate(dir.path(), body, go, 100).unwrap();
    assert_eq!(params.len(), 1);
    assert_eq!(
        params[0]["path"]["segments"],
        json!(["addons", "cert-manager"])
    );
    assert_eq!(params[0]["values"]["ns"], "cert-manager");
}

#[test]
fn files_give_their_flattened_content_and_path_params() {
    let dir = repo(&[
        (
            "clusters/eu/config.json",
            r#"{"cluster": {"name": "eu", "replicas": 2}}"#,
        ),
        (
            "clusters/us/west/config.yaml",
            "- cluster: {name: us-west}\n- cluster: {name: us-west-2}\n",
        ),
        (
            "clusters/skip/config.json",
            r#"{"cluster": {"name": "skip"}}"#,
        ),
    ]);
    let body = json!({"repoURL": URL, "files": [
        {"path": "clusters/**/config.*"}, {"path": "clusters/skip/*", "exclude": true}]});
    let params = generate(dir.path(), body, Templating::default(), 100).unwrap();
    let names: Vec<&str> = params
        .iter()
        .map(|p| p["cluster.name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["eu", "us-west", "us-west-2"]);
    assert_eq!(params[0]["cluster.replicas"], "2");
    assert_eq!(params[0]["path"], "clusters/eu");
    assert_eq!(params[0]["path.basename"], "eu");
    assert_eq!(params[0]["path.filename"], "config.json");
    assert_eq!(params[0]["path.filenameNormalized"], "config.json");
    assert_eq!(params[1]["path[2]"], "west");
}

#[test]
fn hostile_repositories_fail_the_generator_with_the_field_named() {
    let dir = repo(&[
        ("apps/a/cm.yaml", "a: b"),
        ("apps/b/cm.yaml", "a: b"),
        ("apps/c/cm.yaml", "a: b"),
        ("bad/config.yaml", "- just\n- strings\n"),
    ]);
    let t = Templating::default();
    let body = json!({"repoURL": URL, "directories": [{"path": "apps/*"}]});
    let err = generate(dir.path(), body, t, 2).unwrap_err();
    assert!(err.contains("matches more than 2 paths"), "{err}");

    let body = json!({"repoURL": URL, "files": [{"path": "bad/*.yaml"}]});
    let err = generate(dir.path(), body, t, 10).unwrap_err();
    assert!(err.contains("bad/config.yaml: expected a map"), "{err}");

    // A pattern that climbs out of the repository matches nothing in its listing.
    let body = json!({"repoURL": URL, "files": [{"path": "../*"}]});
    assert!(generate(dir.path(), body, t, 10).unwrap().is_empty());

    let body = json!({"repoURL": "https://git.example/other.git", "directories": [{"path": "*"}]});
    let err = generate(dir.path(), body, t, 10).unwrap_err();
    assert!(
        err.contains("unknown repoURL https://git.example/other.git"),
        "{err}"
    );

    let err = generate(dir.path(), json!({"repoURL": URL}), t, 10).unwrap_err();
    assert!(
        err.contains("`directories` or `files` is required"),
        "{err}"
    );
    let body = json!({"repoURL": URL, "directories": [{"path": "apps/[a-"}]});
    let err = generate(dir.path(), body, t, 10).unwrap_err();
    assert!(err.contains("g.directories[0].path"), "{err}");
}
