//! The Argo CD Application reader (`gitops::application::Application::from_yaml`), fed bytes
//! the way the tree reads a root Application from a repository: UTF-8 check, then YAML.

use super::{execute, hostile, iterations, run, Report, Verdict, YAML_TOKENS};
use crate::demo::env_manifests::{application_yaml, AppManifest};
use crate::gitops::application::{Application, MAX_MANIFEST_BYTES};

fn read(bytes: &[u8]) -> Result<Application, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    Application::from_yaml(text).map_err(|e| e.to_string())
}

fn target(bytes: &[u8]) -> Verdict {
    let app = read(bytes)?;
    // What the engine asks of every Application it read.
    let _ = (app.rendering_sources(), app.automated(), app.sync_options());
    assert!(!app.metadata.name.trim().is_empty());
    Ok(())
}

const FULL: &str = include_str!("application_full.yaml");

fn corpus() -> Vec<Vec<u8>> {
    let mut corpus = vec![FULL.as_bytes().to_vec()];
    for (automated, exclude, wave) in [(true, None, None), (false, Some("root.yaml"), Some(-1))] {
        corpus.push(
            application_yaml(&AppManifest {
                name: "billing",
                team: "team-a",
                env: "prod",
                repo_url: "file:///repos/environments.git",
                revision: "main",
                path: "prod/billing",
                namespace: "billing",
                automated,
                exclude,
                wave,
            })
            .into_bytes(),
        );
    }
    corpus.push(
        b"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: m}\n\
          spec:\n  sources:\n    - {repoURL: 'https://charts.example/', chart: redis, \
          targetRevision: 17.0.0, helm: {valueFiles: [$values/prod.yaml], valuesObject: \
          {a: [1, {b: c}]}}}\n    - {repoURL: 'https://git.example/v.git', ref: values}\n"
            .to_vec(),
    );
    corpus
}

#[test]
fn fuzz_application_reader() {
    let corpus = corpus();
    let report = run(
        "application",
        &corpus,
        &YAML_TOKENS,
        iterations(1_500),
        &target,
    );
    assert!(report.accepted > 0 && report.refused > 0, "{report:?}");
}

const HEADER: &str =
    "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: bomb}\n";

#[test]
fn hostile_inputs_are_bounded() {
    let mut report = Report::default();
    for (label, input) in hostile::yaml_cases(HEADER) {
        execute(
            &format!("application {label}"),
            &input,
            &target,
            &mut report,
        );
        println!("application {label}: {:?}", read(&input).map(|_| ()));
    }
}

fn refused(input: &str) -> String {
    match Application::from_yaml(input) {
        Ok(app) => panic!("read {app:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn alias_bombs_are_refused() {
    let error = refused(&format!(
        "{HEADER}spec:\n  source:\n    helm:\n      valuesObject:\n{}",
        hostile::billion_laughs("")
            .lines()
            .map(|l| format!("        {l}\n"))
            .collect::<String>()
    ));
    assert!(error.contains("alias"), "{error}");
}

#[test]
fn deep_nesting_and_document_storms_are_refused() {
    let deep = format!(
        "{HEADER}spec:\n  source:\n    helm:\n      valuesObject: {}\n",
        hostile::deep_flow_mappings(10_000)
    );
    let error = refused(&deep);
    assert!(
        error.contains("nested deeper than 64") || error.contains("recursion limit"),
        "{error}"
    );
    let error = refused(&(HEADER.to_string() + &hostile::many_documents(100_000)));
    assert!(error.contains("document"), "{error}");
}

#[test]
fn nul_bytes_and_huge_scalars_are_clear_errors() {
    let error = refused(&format!("{HEADER}spec: {{project: \"a\0b\"}}\0\n"));
    assert!(!error.contains('\n'), "{error}");
    let too_big = hostile::huge_scalar(&format!("{HEADER}spec:\n  project: "), MAX_MANIFEST_BYTES);
    let error = refused(&too_big);
    assert!(error.contains("larger than"), "{error}");
}
