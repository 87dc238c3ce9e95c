//! Deploy requests in the store, on SQLite and PostgreSQL: one open request per app, superseding,
//! transitions as compare-and-swap, one decision per person, and every change of state written
//! with its timeline entry and its audit record (the chain still verifies).

mod common;

use atrium_app::dto::deploy::RequestState;
use atrium_server::audit::{outcome, Actor, AuditRecord};
use atrium_server::store::deploys::{ApprovalRow, RequestFilter, RequestRow, Transition, Update};
use atrium_server::store::{Store, StoreError};

fn actor(name: &str) -> Actor {
    Actor {
        subject: name.into(),
        name: name.into(),
        groups: vec![],
    }
}

fn row(id: &str, env: &str, app: &str, state: RequestState) -> RequestRow {
    common::deploy::request_row(id, env, app, state, &atrium_server::audit::now())
}

fn audit(action: &str, object: &str) -> AuditRecord {
    AuditRecord::new(actor("amara"), action, object, outcome::SUCCESS)
}

async fn lifecycle(store: &Store) {
    // Unique names: the PostgreSQL database is shared by every test run.
    let env = format!("env-{}", &atrium_server::util::new_token()[..8]);
    let object = format!("{env}/web");
    let first = row(&format!("{env}-1"), &env, "web", RequestState::Pending);
    store
        .insert_request(
            &first,
            &actor("amara"),
            &audit("deploys.request", &object),
            None,
        )
        .await
        .unwrap();

    // A second open request for the same app is refused…
    let second = row(&format!("{env}-2"), &env, "web", RequestState::Pending);
    let refused = store
        .insert_request(
            &second,
            &actor("amara"),
            &audit("deploys.request", &object),
            None,
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    // …unless it supersedes the open one, in the same transaction.
    let supersede = Some((first.id.as_str(), audit("deploys.supersede", &object)));
    store
        .insert_request(
            &second,
            &actor("amara"),
            &audit("deploys.request", &object),
            supersede,
        )
        .await
        .unwrap();
    let old = store.request(&first.id).await.unwrap().unwrap();
    assert_eq!(old.state, RequestState::Superseded);
    assert!(old.message.unwrap().contains(&second.id));

    // One decision per person; the approval that suffices moves it, with the decision.
    let approval = ApprovalRow {
        approver_subject: "elena".into(),
        approver_name: "Elena".into(),
        approver_email: None,
        decision: "approve".into(),
        comment: "lgtm".into(),
        at: atrium_server::audit::now(),
    };
    let elena = actor("elena");
    let approve = Transition {
        id: &second.id,
        from: &[RequestState::Pending],
        to: RequestState::Approved,
        actor: &elena,
        detail: "approved by Elena".into(),
        audit: audit("deploys.approved", &object),
        update: Update::default(),
    };
    assert!(store
        .decide_request(
            &second.id,
            &approval,
            &audit("approvals.approve", &object),
            Some(&approve)
        )
        .await
        .unwrap());
    assert_eq!(
        store.request(&second.id).await.unwrap().unwrap().state,
        RequestState::Approved
    );
    // Not pending any more: a second decision changes nothing.
    assert!(!store
        .decide_request(
            &second.id,
            &approval,
            &audit("approvals.approve", &object),
            None
        )
        .await
        .unwrap());

    // Transitions are compare-and-swap: the second of two identical ones does nothing.
    let system = Actor::system();
    let start = Transition {
        id: &second.id,
        from: &[RequestState::Approved],
        to: RequestState::Committing,
        actor: &system,
        detail: "committing".into(),
        audit: audit("deploys.start", &object),
        update: Update {
            base_sha: Some("abc".into()),
            waiting: Some(None),
            ..Update::default()
        },
    };
    assert!(store.transition(&start).await.unwrap());
    assert!(!store.transition(&start).await.unwrap());
    let now = store.request(&second.id).await.unwrap().unwrap();
    assert_eq!(
        (now.state, now.base_sha.as_deref()),
        (RequestState::Committing, Some("abc"))
    );

    let events = store.request_events(&second.id).await.unwrap();
    let states: Vec<RequestState> = events.iter().map(|e| e.state).collect();
    assert_eq!(
        states,
        [
            RequestState::Pending,
            RequestState::Approved,
            RequestState::Committing
        ]
    );
    assert_eq!(events[1].actor_name, "elena");
    let approvals = store.request_approvals(&second.id).await.unwrap();
    assert_eq!(approvals.len(), 1);

    let listed = store
        .requests(&RequestFilter {
            env: Some(env.clone()),
            states: vec![RequestState::Committing],
            ..RequestFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    // Every write above was audited, and the chain is intact.
    let report = store.verify_audit().await.unwrap();
    assert!(report.is_ok(), "{report:?}");
}

#[tokio::test]
async fn deploy_requests_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/atrium.db?mode=rwc", dir.path().display());
    lifecycle(&Store::connect(&url).await.unwrap()).await;
}

#[tokio::test]
async fn deploy_requests_on_postgres() {
    if let Some(store) = common::store::postgres().await {
        lifecycle(&store).await;
    }
}
