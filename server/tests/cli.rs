//! The `atrium` binary as teams run it in their own CI.

mod common;

use std::process::Command;

use common::cli::atrium;
use common::FIXTURES;

#[test]
fn validate_reports_errors_as_json_and_exits_1() {
    let (code, out) = atrium(&["catalog", "validate", FIXTURES, "--format", "json"]);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON output");
    let entities = report["entities"].as_array().unwrap();
    assert!(entities
        .iter()
        .any(|e| e["ref"] == "component:default/artist-lookup"));
    assert!(report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["file"] == "components/invalid-component.yaml" && e["document"] == 0));
}

#[test]
fn validate_of_a_clean_file_exits_0() {
    let (code, out) = atrium(&[
        "catalog",
        "validate",
        &format!("{FIXTURES}/all-systems.yaml"),
    ]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn help_documents_configuration() {
    let (code, out) = atrium(&["--help"]);
    assert_eq!(code, 0);
    for needle in [
        "ATRIUM_DATA_DIR",
        "DATABASE_URL",
        "[[catalog.sources]]",
        "catalog",
    ] {
        assert!(out.contains(needle), "--help lacks {needle}");
    }
}

#[test]
fn bad_configuration_names_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("atrium.toml");
    std::fs::write(&config, "[[catalog.sources]]\nname = \"x\"\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_atrium"))
        .args(["--config", config.to_str().unwrap(), "serve"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("catalog.sources[0] (x)"), "{stderr}");
}

/// `atrium audit verify` over a real database: intact, then after a row is edited directly.
#[test]
fn audit_verify_finds_an_edited_row() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::store::sqlite_url(dir.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = atrium_server::store::Store::connect(&url).await.unwrap();
        for action in ["login", "catalog.reload", "logout"] {
            let record = atrium_server::audit::AuditRecord::new(
                atrium_server::audit::Actor::system(),
                action,
                "atrium",
                "success",
            );
            store.append_audit(&record).await.unwrap();
        }
    });
    let verify = || {
        let output = Command::new(env!("CARGO_BIN_EXE_atrium"))
            .args(["audit", "verify", "--format", "json"])
            .env("DATABASE_URL", &url)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        (output.status.code(), report)
    };
    let (code, report) = verify();
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["checked"], 3);

    runtime.block_on(async {
        let store = atrium_server::store::Store::connect(&url).await.unwrap();
        sqlx::query("UPDATE audit_events SET actor_name = 'Mallory' WHERE seq = 2")
            .execute(store.pool())
            .await
            .unwrap();
    });
    let (code, report) = verify();
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(report["ok"], false);
    assert_eq!(report["broken_at"], 2);
}

#[test]
fn help_documents_environments_and_apps_render() {
    let (code, out) = atrium(&["--help"]);
    assert_eq!(code, 0);
    for needle in ["[[environments]]", "[[repos]]", "apps"] {
        assert!(out.contains(needle), "--help lacks {needle}");
    }
    let (code, out) = atrium(&["apps", "render", "--help"]);
    assert_eq!(code, 0);
    for needle in ["--root", "--repo", "--format"] {
        assert!(out.contains(needle), "apps render --help lacks {needle}");
    }
}

#[test]
fn validate_admits_the_kinds_the_config_allows() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ai.yaml");
    std::fs::write(
        &file,
        "apiVersion: backstage.io/v1alpha1\nkind: AiResource\nmetadata: {name: prompt}\n\
         spec: {type: prompt, owner: ml}\n",
    )
    .unwrap();
    let target = file.to_str().unwrap();
    let (code, out) = atrium(&["catalog", "validate", target]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "error  ai.yaml (document 0): airesource \"prompt\": unknown kind \"AiResource\""
        ),
        "{out}"
    );
    let config = dir.path().join("atrium.toml");
    std::fs::write(&config, "[[catalog.rules]]\nallow = [\"AiResource\"]\n").unwrap();
    let (code, out) = atrium(&[
        "--config",
        config.to_str().unwrap(),
        "catalog",
        "validate",
        target,
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("ok     airesource:default/prompt  (ai.yaml)"),
        "{out}"
    );
}
