//! The embedded default's demo sign-in: four people of the demo catalog, one per kind of user.
//! Only offered — and only accepted — when no OIDC provider is configured.

use atrium_app::dto::auth::DemoUserView;

use super::session::Identity;

/// `(id, display name, what they stand for)`; ids are User entities of the demo catalog, so
/// their teams come from catalog membership.
const USERS: &[(&str, &str, &str)] = &[
    ("amara.okafor", "Amara Okafor", "Developer, team Payments"),
    (
        "sofia.lindqvist",
        "Sofia Lindqvist",
        "Developer, team Storefront",
    ),
    (
        "elena.petrova",
        "Elena Petrova",
        "Approver (release manager)",
    ),
    ("jonas.becker", "Jonas Becker", "Platform admin"),
];

pub fn users(teams_of: impl Fn(&str) -> Vec<String>) -> Vec<DemoUserView> {
    USERS
        .iter()
        .map(|(id, name, role)| DemoUserView {
            id: id.to_string(),
            name: name.to_string(),
            role: role.to_string(),
            teams: teams_of(id),
        })
        .collect()
}

/// The identity of demo user `id`, if it is one.
pub fn identity(id: &str) -> Option<Identity> {
    USERS
        .iter()
        .find(|(u, ..)| *u == id)
        .map(|(id, name, _)| Identity {
            subject: id.to_string(),
            name: name.to_string(),
            email: Some(format!("{id}@brightcart.example")),
            email_verified: true,
            groups: Vec::new(),
            provider: "demo".into(),
            source: super::session::DEMO_SOURCE.into(),
        })
}
