//! A deploy from request to cluster over the demo environments (real Git repos, the engine on
//! its emulated clusters): a developer asks for a production deploy, cannot approve it herself,
//! an approver approves, the executor commits it (one commit with the trailers) and syncs it,
//! it ends healthy with its lineage; a rollback restores the version before; a `bad` tag ends
//! degraded.

mod common;

use std::sync::Arc;
use std::time::Duration;

use atrium_app::dto::deploy::{Change, NewRequest, RequestState, RequestView};
use atrium_app::error::AppError;
use atrium_server::deploy::executor::InFlight;
use common::{app_with, TestApp};

async fn demo() -> TestApp {
    let app = app_with(false, |config| {
        config.engine.sim_rollout_ms = 0;
        config.engine.interval_secs = 1;
    })
    .await;
    app.state.engine.reconcile_all().await;
    app.state.engine.spawn(Duration::from_millis(200));
    app
}

fn ask(env: &str, app: &str, change: Change, reason: &str) -> NewRequest {
    NewRequest {
        environment: env.into(),
        app: app.into(),
        change,
        reason: reason.into(),
        supersede: false,
    }
}

/// Runs the executor until the request is finished (or fails the test after 30 s).
async fn carry_out(app: &TestApp, id: &str) -> RequestView {
    let service = app.state.services().deploys;
    let admin = app.caller("jonas.becker");
    let in_flight = Arc::new(InFlight::default());
    for _ in 0..300 {
        app.state.deploys.sweep(&in_flight).await;
        let view = service.get(&admin, id).await.unwrap();
        if view.state.is_terminal() {
            return view;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{id} did not finish: {:?}",
        service.get(&admin, id).await.unwrap()
    );
}

fn git_log(app: &TestApp, env: &str) -> Vec<(String, String)> {
    let repo = git2::Repository::open(app.dir.path().join(format!("repos/env-{env}.git"))).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.push_ref("refs/heads/main").unwrap();
    walk.map(|oid| {
        let commit = repo.find_commit(oid.unwrap()).unwrap();
        (
            commit.id().to_string(),
            commit.message().unwrap_or_default().to_string(),
        )
    })
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_production_deploy_is_approved_committed_synced_and_rolled_back() {
    let app = demo().await;
    let deploys = app.state.services().deploys;
    let amara = app.caller("amara.okafor");
    let elena = app.caller("elena.petrova");
    let before = deploys
        .options(&amara, "prod", "checkout-service")
        .await
        .unwrap();
    assert_eq!(before.required_approvals, 1);
    assert!(
        before.can_request,
        "the owning team asks for production deploys"
    );
    let old_version = before.current_version.clone().unwrap();

    let change = Change::SetImage {
        tag: "9.9.9".into(),
        container: None,
    };
    let asked = deploys
        .create(
            &amara,
            ask(
                "prod",
                "checkout-service",
                change.clone(),
                "Ship the new checkout",
            ),
        )
        .await
        .unwrap();
    assert_eq!(asked.state, RequestState::Pending);
    assert_eq!(asked.from_version.as_deref(), Some(old_version.as_str()));
    let rights = asked.viewer.clone().unwrap();
    assert!(!rights.can_approve);
    assert!(rights.approve_blocked.unwrap().contains("four-eyes"));

    // The same app again: refused while one is open.
    let again = deploys
        .create(&amara, ask("prod", "checkout-service", change, "twice"))
        .await
        .unwrap_err();
    assert!(matches!(again, AppError::Conflict(_)), "{again:?}");

    // Four-eyes: the requester cannot approve, even as an approver would.
    let own = deploys
        .decide(&amara, &asked.id, true, "mine")
        .await
        .unwrap_err();
    assert!(matches!(own, AppError::Forbidden(_)), "{own:?}");
    // Sofia is not an approver: the policy refuses.
    let sofia = deploys
        .decide(&app.caller("sofia.lindqvist"), &asked.id, true, "")
        .await
        .unwrap_err();
    assert!(matches!(sofia, AppError::Forbidden(_)), "{sofia:?}");

    let approved = deploys
        .decide(&elena, &asked.id, true, "Looks good")
        .await
        .unwrap();
    assert_eq!(approved.state, RequestState::Approved);
    let done = carry_out(&app, &asked.id).await;
    assert_eq!(done.state, RequestState::Healthy, "{done:#?}");
    let commit = done.commit.clone().unwrap();
    assert!(commit.author.starts_with("Amara Okafor"), "{commit:?}");
    assert!(commit
        .message
        .contains(&format!("Atrium-Request: {}", asked.id)));
    assert!(commit.message.contains("Approved-by: Elena Petrova"));
    assert_eq!(
        commit.files,
        ["services/checkout-service/overlays/prod/kustomization.yaml"]
    );
    assert!(
        commit.diff.contains("+    newTag: 9.9.9"),
        "{}",
        commit.diff
    );
    let states: Vec<RequestState> = done.timeline.iter().map(|t| t.state).collect();
    assert_eq!(
        states,
        [
            RequestState::Pending,
            RequestState::Approved,
            RequestState::Committing,
            RequestState::Committed,
            RequestState::Syncing,
            RequestState::Healthy
        ]
    );
    // Exactly one commit for the request.
    let log = git_log(&app, "prod");
    assert_eq!(log.iter().filter(|(_, m)| m.contains(&asked.id)).count(), 1);

    // The version running now, with where it came from.
    let apps = deploys.api_apps(&amara, "prod").await.unwrap();
    let checkout = apps.iter().find(|a| a.name == "checkout-service").unwrap();
    assert_eq!(
        (checkout.version.as_deref(), checkout.health.as_str()),
        (Some("9.9.9"), "Healthy")
    );
    let lineage = deploys
        .lineage(&amara, "prod", "checkout-service")
        .await
        .unwrap();
    assert_eq!(
        lineage.request.as_ref().map(|r| r.id.as_str()),
        Some(asked.id.as_str())
    );
    assert_eq!(lineage.request.unwrap().approvals[0].by, "Elena Petrova");

    // One click back: a rollback to the commit before the deploy, as a new commit.
    let previous = &log[1].0;
    let rollback = deploys
        .create(
            &amara,
            ask(
                "prod",
                "checkout-service",
                Change::RollbackTo(previous.clone()),
                "Roll back: errors up",
            ),
        )
        .await
        .unwrap();
    deploys
        .decide(&elena, &rollback.id, true, "")
        .await
        .unwrap();
    let rolled = carry_out(&app, &rollback.id).await;
    assert_eq!(rolled.state, RequestState::Healthy, "{rolled:#?}");
    let apps = deploys.api_apps(&amara, "prod").await.unwrap();
    let checkout = apps.iter().find(|a| a.name == "checkout-service").unwrap();
    assert_eq!(checkout.version.as_deref(), Some(old_version.as_str()));
    let log = git_log(&app, "prod");
    assert_eq!(
        log.len(),
        3,
        "the rollback is a new commit, history is kept"
    );

    // A commit that is not in this repository's history is refused, naming the field.
    let bogus = deploys
        .create(
            &amara,
            ask(
                "prod",
                "checkout-service",
                Change::RollbackTo("0123456789abcdef".into()),
                "x",
            ),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&bogus, AppError::BadRequest(m) if m.starts_with("change.rollback_to:")),
        "{bogus:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_image_ends_degraded_and_staging_needs_no_approval() {
    let app = demo().await;
    let deploys = app.state.services().deploys;
    let amara = app.caller("amara.okafor");
    let asked = deploys
        .create(
            &amara,
            ask(
                "staging",
                "checkout-service",
                Change::SetImage {
                    tag: "2.0.0-bad".into(),
                    container: None,
                },
                "try it",
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        asked.state,
        RequestState::Approved,
        "staging needs no approval"
    );
    let done = carry_out(&app, &asked.id).await;
    assert_eq!(done.state, RequestState::Degraded, "{done:#?}");
    assert_eq!(done.health.as_deref(), Some("Degraded"));
    // Nothing to do: the same tag again is refused.
    let same = deploys
        .create(
            &amara,
            ask(
                "staging",
                "checkout-service",
                Change::SetImage {
                    tag: "2.0.0-bad".into(),
                    container: None,
                },
                "again",
            ),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&same, AppError::BadRequest(m) if m.starts_with("change: nothing to change")),
        "{same:?}"
    );
}
