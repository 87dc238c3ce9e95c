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

/// A catalog of many files, read and parsed in parallel, reports every problem of every file
/// in the order the traversal meets the files, identically on every run and with a single
/// worker thread: read through a root Location (its targets as listed, then a pattern's
/// matches sorted), and as a plain folder of descriptors (every YAML file, sorted).
#[test]
fn validate_of_many_files_reports_every_error_in_traversal_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("comps")).unwrap();
    let files = many_files(400);
    for (i, (text, _)) in files.iter().enumerate() {
        std::fs::write(root.join("comps").join(many_name(i)), text).unwrap();
    }
    std::fs::write(root.join("first.yaml"), many_component("dup-target")).unwrap();
    // The first 200 files are listed as targets in reverse; the others match a pattern.
    let mut targets: Vec<String> = vec!["./first.yaml".into()];
    targets.extend((0..200).rev().map(|i| format!("./comps/{}", many_name(i))));
    targets.push("./comps/m*.yaml".into());
    let list: String = targets.iter().map(|t| format!("    - {t}\n")).collect();
    std::fs::write(
        root.join("catalog-info.yaml"),
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {{name: root}}\n\
             spec:\n  targets:\n{list}"
        ),
    )
    .unwrap();

    // Through the Location: first.yaml defines dup-target first.
    let order: Vec<usize> = (0..200).rev().chain(200..400).collect();
    let expected = many_expected(&files, &order, "comps/", Some("first.yaml"));
    // The root Location and first.yaml's component, then every valid document.
    let valid = 2 + files.iter().map(|(_, p)| p.valid).sum::<usize>();
    check_many(root.to_str().unwrap(), &expected, valid);

    // The folder alone: the first duplicate file in path order defines dup-target.
    let order: Vec<usize> = (0..400).collect();
    let expected = many_expected(&files, &order, "", None);
    let valid = 1 + files.iter().map(|(_, p)| p.valid).sum::<usize>();
    check_many(root.join("comps").to_str().unwrap(), &expected, valid);
}

/// What a generated file holds: its valid documents, and its one problem.
struct ManyProblem {
    valid: usize,
    /// Document and a part of the message; `dup` for the duplicate of `dup-target`.
    problem: Option<(Option<usize>, &'static str)>,
}

fn many_name(i: usize) -> String {
    match i < 200 {
        true => format!("c{i:03}.yaml"),
        false => format!("m{i:03}.yaml"),
    }
}

fn many_component(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n\
         spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )
}

/// Valid files, and files with one problem each of several kinds: validation, YAML syntax,
/// a duplicate of another file's entity, an invalid second (or third, after an empty one)
/// document, a placeholder naming a missing file.
fn many_files(n: usize) -> Vec<(String, ManyProblem)> {
    let system = |name: String| {
        format!("apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {{name: {name}}}\nspec: {{}}\n")
    };
    (0..n)
        .map(|i| {
            let component = many_component(&format!("c{i}"));
            let (text, valid, problem) = if i == 123 {
                // A placeholder: the traversal reads this file itself, in its turn.
                let text = component.replace("spec:\n", "spec:\n  notes: {$text: ./nothing.txt}\n");
                (
                    text,
                    0,
                    Some((
                        Some(0),
                        "spec.notes: $text \"./nothing.txt\": file not found",
                    )),
                )
            } else if i % 37 == 5 {
                let text = many_component(&format!("bad name {i}"));
                (text, 0, Some((Some(0), "metadata.name \"bad name")))
            } else if i % 53 == 9 {
                (
                    "apiVersion: [unclosed\n".into(),
                    0,
                    Some((None, "YAML error")),
                )
            } else if i % 61 == 17 {
                (many_component("dup-target"), 0, Some((Some(0), "dup")))
            } else if i % 29 == 3 {
                let text = format!("{component}---\n{}", system(format!("s{i}")));
                (text, 1, Some((Some(1), "spec.owner")))
            } else if i % 43 == 7 {
                // An empty document between the two: indexes count it.
                let text = format!("{component}---\n---\n{}", system(format!("s{i}")));
                (text, 1, Some((Some(2), "spec.owner")))
            } else {
                (component, 1, None)
            };
            (text, ManyProblem { valid, problem })
        })
        .collect()
}

/// `(file, document, part of the message)` of every error, for files visited in `order`
/// under `prefix`; `dup-target` is first defined in `definer`, else by the first duplicate.
fn many_expected(
    files: &[(String, ManyProblem)],
    order: &[usize],
    prefix: &str,
    definer: Option<&str>,
) -> Vec<(String, Option<usize>, String)> {
    let mut definer = definer.map(str::to_string);
    let mut out = Vec::new();
    for &i in order {
        let file = format!("{prefix}{}", many_name(i));
        let Some((document, says)) = files[i].1.problem else {
            continue;
        };
        let says = match (says, &definer) {
            ("dup", Some(first)) => {
                format!("duplicate entity component:default/dup-target, already defined in {first}")
            }
            ("dup", None) => {
                definer = Some(file);
                continue;
            }
            (says, _) => says.to_string(),
        };
        out.push((file, document, says));
    }
    out
}

fn check_many(target: &str, expected: &[(String, Option<usize>, String)], valid: usize) {
    assert!(expected.len() > 25, "{}", expected.len());
    let (code, out) = atrium(&["catalog", "validate", target, "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON output");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    for (error, (file, document, says)) in errors.iter().zip(expected) {
        let message = error["message"].as_str().unwrap();
        assert_eq!(error["file"], file.as_str(), "{message}");
        assert_eq!(
            error["document"].as_u64(),
            document.map(|d| d as u64),
            "{message}"
        );
        assert!(message.contains(says), "{file}: {message} lacks {says}");
    }
    assert_eq!(report["entities"].as_array().unwrap().len(), valid);

    // The same bytes on another run, and with one worker thread (files parsed one at a time).
    let (_, again) = atrium(&["catalog", "validate", target, "--format", "json"]);
    assert_eq!(again, out);
    let single = Command::new(env!("CARGO_BIN_EXE_atrium"))
        .args(["catalog", "validate", target, "--format", "json"])
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&single.stdout), out);
    let (_, text) = atrium(&["catalog", "validate", target]);
    let summary = format!("{valid} entities, {} errors\n", expected.len());
    assert!(text.ends_with(&summary), "{text}");
}
