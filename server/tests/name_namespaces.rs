//! Issue 14 #4: names from different sources never share a namespace. A catalog source can add
//! a `User` with `memberOf: [atrium-admins]`, a `Group` named like a person, or a Component
//! claiming another team's app; none of it may gain rights, and a claim conflict is shown.

mod common;

use atrium_app::service::AccessService;
use atrium_server::auth::session::Identity;
use atrium_server::config::{EnvironmentEntry, SourceEntry};
use common::{app_with, TestApp};

const CATALOG: &str = r#"
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-payments}
spec: {type: team, children: [], members: [amara.okafor]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-intruders}
spec: {type: team, children: [], members: [mallory]}
---
# Named like the IdP's admin group and like a platform admin: grants nothing.
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: atrium-admins}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: jonas.becker}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: mallory}
spec: {memberOf: [atrium-admins, jonas.becker]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: amara.okafor}
spec: {memberOf: [team-payments]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout}
spec: {type: service, lifecycle: production, owner: team-payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: cart}
spec: {type: service, lifecycle: production, owner: team-payments}
---
# Claims payments' app for another team.
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: totally-not-checkout
  annotations: {argocd/app-name: checkout}
spec: {type: service, lifecycle: production, owner: team-intruders}
"#;

async fn app() -> TestApp {
    let catalog = tempfile::tempdir().unwrap();
    std::fs::write(catalog.path().join("catalog-info.yaml"), CATALOG).unwrap();
    let dir = catalog.keep();
    app_with(false, move |config| {
        config.catalog.sources.push(SourceEntry {
            name: "team-written".into(),
            dir: Some(dir),
            ..Default::default()
        });
        config.environments = vec![EnvironmentEntry {
            name: "dev".into(),
            repo: "/nonexistent/env-repo".into(),
            root: "apps/root.yaml".into(),
            production: Some(false),
            ..Default::default()
        }];
    })
    .await
}

fn identity(subject: &str, groups: &[&str]) -> Identity {
    Identity {
        subject: subject.into(),
        name: subject.into(),
        email: None,
        email_verified: false,
        groups: groups.iter().map(|g| g.to_string()).collect(),
        provider: "oidc".into(),
        source: "oidc http://idp.test".into(),
    }
}

#[tokio::test]
async fn catalog_membership_never_grants_admin_or_a_persons_rights() {
    let app = app().await;
    let access = &app.state.auth.access;
    let mallory = access.user_view(&identity("mallory", &[]));
    assert_eq!(
        mallory.catalog_groups,
        ["atrium-admins", "jonas.becker", "team-intruders"]
    );
    assert!(mallory.idp_groups.is_empty());
    assert!(
        !mallory.roles.contains(&"role:admin".to_string()),
        "{mallory:?}"
    );
    for (resource, action, object) in [
        ("settings", "update", "dev/*"),
        ("approvals", "approve", "dev/checkout"),
        ("applications", "sync", "dev/cart"),
        ("audit", "get", "*"),
    ] {
        let decision = access.decide(&mallory, resource, action, object);
        assert!(
            !decision.allowed,
            "{resource} {action} {object}: {decision:?}"
        );
    }

    // The identity provider's group and the user of those names are what policy.csv means.
    let admin_by_group = access.user_view(&identity("someone", &["atrium-admins"]));
    assert!(
        access
            .decide(&admin_by_group, "settings", "update", "dev/*")
            .allowed
    );
    let jonas = access.user_view(&identity("jonas.becker", &[]));
    assert!(access.decide(&jonas, "settings", "update", "dev/*").allowed);
}

#[tokio::test]
async fn a_claimed_app_owned_by_two_teams_has_no_owner_and_says_why() {
    let app = app().await;
    let access = &app.state.auth.access;
    let amara = access.user_view(&identity("amara.okafor", &[]));
    let mallory = access.user_view(&identity("mallory", &["team-intruders"]));

    // The uncontested app: the owning team syncs it outside production.
    assert!(
        access
            .decide(&amara, "applications", "sync", "dev/cart")
            .allowed
    );
    // The contested one: neither the real owner nor the claimant, with the conflict as reason.
    for who in [&amara, &mallory] {
        let decision = access.decide(who, "applications", "sync", "dev/checkout");
        assert!(!decision.allowed, "{decision:?}");
        assert!(
            decision.reason.contains("claimed by more than one team")
                && decision
                    .reason
                    .contains("team-intruders (component:default/totally-not-checkout)")
                && decision
                    .reason
                    .contains("team-payments (component:default/checkout)"),
            "{}",
            decision.reason
        );
    }
    let refused = access
        .authorize(
            &atrium_app::service::Caller {
                user: Some(amara.clone()),
                ..Default::default()
            },
            "applications",
            "sync",
            "dev/checkout",
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused.contains("claimed by more than one team"),
        "{refused}"
    );

    // Both Components' pages show the conflict; an uncontested one shows none.
    for component in [
        "component:default/checkout",
        "component:default/totally-not-checkout",
    ] {
        let conflicts = access.owner_conflicts(component);
        assert_eq!(conflicts.len(), 1, "{component}: {conflicts:?}");
        assert!(conflicts[0].starts_with("app checkout is claimed by more than one team"));
    }
    assert!(access.owner_conflicts("component:default/cart").is_empty());
}
