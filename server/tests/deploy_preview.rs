//! "What changes in Git" before anyone asks (the deploy dialog's preview) and the version
//! matrix, over the demo environments: a preview is the diff the change would commit and
//! writes nothing; a promotion's preview carries the source's version; bad input names its
//! field; the matrix lists every environment in promotion order with owners from the catalog;
//! anonymous callers get nothing.

mod common;

use atrium_app::dto::deploy::Change;
use atrium_app::dto::matrix::Mark;
use atrium_app::error::AppError;
use atrium_app::service::Caller;
use common::{app_with, TestApp};

async fn demo() -> TestApp {
    let app = app_with(false, |config| config.engine.sim_rollout_ms = 0).await;
    app.state.engine.reconcile_all().await;
    app
}

fn head(app: &TestApp, env: &str) -> String {
    let repo = git2::Repository::open(app.dir.path().join(format!("repos/env-{env}.git"))).unwrap();
    let id = repo.refname_to_id("refs/heads/main").unwrap();
    id.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preview_is_the_diff_a_change_would_commit_and_writes_nothing() {
    let app = demo().await;
    let deploys = app.state.services().deploys;
    let amara = app.caller("amara.okafor");
    let before = head(&app, "staging");

    let preview = deploys
        .preview(
            &amara,
            "staging",
            "checkout-service",
            &Change::SetImage {
                tag: "9.9.9".into(),
                container: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(preview.base, before, "planned on the branch head");
    assert!(!preview.files.is_empty());
    assert!(
        preview
            .diff
            .lines()
            .any(|l| l.starts_with('+') && !l.starts_with("+++") && l.contains("9.9.9")),
        "{}",
        preview.diff
    );
    assert!(preview
        .diff
        .lines()
        .any(|l| l.starts_with('-') && !l.starts_with("---")));
    assert_eq!(preview.to_version.as_deref(), Some("9.9.9"));
    assert_eq!(head(&app, "staging"), before, "nothing was committed");

    // A promotion carries the version the source runs.
    let dev_version = deploys
        .options(&amara, "dev", "checkout-service")
        .await
        .unwrap()
        .current_version;
    let promotion = deploys
        .preview(
            &amara,
            "staging",
            "checkout-service",
            &Change::PromoteFrom("dev".into()),
        )
        .await
        .unwrap();
    assert_eq!(promotion.to_version, dev_version);

    // Bad input names its field; unknown apps and anonymous callers get nothing.
    let bad = deploys
        .preview(
            &amara,
            "staging",
            "checkout-service",
            &Change::SetImage {
                tag: "a b".into(),
                container: None,
            },
        )
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("change.set_image.tag"), "{bad}");
    let unknown = deploys
        .preview(
            &amara,
            "staging",
            "no-such-app",
            &Change::PromoteFrom("dev".into()),
        )
        .await
        .unwrap_err();
    assert!(unknown.to_string().contains("no-such-app"), "{unknown}");
    let anonymous = deploys
        .preview(
            &Caller::default(),
            "staging",
            "checkout-service",
            &Change::PromoteFrom("dev".into()),
        )
        .await
        .unwrap_err();
    assert!(matches!(anonymous, AppError::Unauthorized), "{anonymous:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_matrix_lists_every_environment_in_order_with_owners() {
    let app = demo().await;
    let deploys = app.state.services().deploys;
    let matrix = deploys.matrix(&app.caller("amara.okafor")).await.unwrap();
    assert_eq!(matrix.environments, ["dev", "staging", "prod"]);
    assert_eq!(
        matrix.unread,
        [false, false, false],
        "every environment was read"
    );
    let checkout = matrix
        .apps
        .iter()
        .find(|r| r.name == "checkout-service")
        .expect("checkout-service is in the matrix");
    assert_eq!(checkout.cells.len(), 3);
    assert!(checkout.cells.iter().all(Option::is_some));
    assert!(!checkout.owners.is_empty(), "owners come from the catalog");
    for column in 0..3 {
        let mark = checkout.mark(column).unwrap();
        let cells = &checkout.cells;
        let same = column == 0
            || cells[column].as_ref().unwrap().label()
                == cells[column - 1].as_ref().unwrap().label();
        assert_eq!(mark == Mark::InStep, same, "column {column}: {mark:?}");
    }
    let names: Vec<&str> = matrix.apps.iter().map(|r| r.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "by name");

    let anonymous = deploys.matrix(&Caller::default()).await.unwrap_err();
    assert!(matches!(anonymous, AppError::Unauthorized), "{anonymous:?}");
}
