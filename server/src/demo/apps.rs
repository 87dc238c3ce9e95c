//! The demo apps: which catalog components are deployed, by which team, rendered how, and the
//! versions and replicas each environment runs (stable, so tests can name them).

use super::catalog::demo_app_names;

/// Apps rendered through Kustomize (base + per-environment overlay).
pub const KUSTOMIZE_APPS: &[&str] = &["storefront-web", "cart-service", "checkout-service"];
/// Apps under the nested `platform` App of Apps (the delivery-platform team's).
pub const PLATFORM_APPS: &[&str] = &[
    "developer-portal",
    "ci-runner-autoscaler",
    "metrics-gateway",
    "feature-flags-service",
];
/// One demo app: a deployable catalog component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoApp {
    pub name: &'static str,
    /// The owning catalog group, e.g. `team-payments`.
    pub team: String,
    pub kustomize: bool,
    /// Rendered by the `platform` App of Apps rather than the root.
    pub platform: bool,
}

impl DemoApp {
    /// The team's namespace (`team-payments` → `payments`).
    pub fn namespace(&self) -> String {
        self.team.trim_start_matches("team-").to_string()
    }
}

pub fn demo_apps() -> Vec<DemoApp> {
    demo_app_names()
        .into_iter()
        .map(|(name, team)| DemoApp {
            name,
            team,
            kustomize: KUSTOMIZE_APPS.contains(&name),
            platform: PLATFORM_APPS.contains(&name),
        })
        .collect()
}

/// Image tag of `app` in `env`: prod `1.m.0`; staging the same or a patch ahead (promoted or
/// not yet); dev a minor ahead of both.
pub fn demo_version(app: &str, env: &str) -> String {
    let h = hash(app);
    let minor = 2 + h % 17;
    match env {
        "dev" => format!("1.{}.0", minor + 1),
        "staging" if !h.is_multiple_of(3) => format!("1.{minor}.{}", h % 3),
        _ => format!("1.{minor}.0"),
    }
}

pub fn demo_replicas(app: &str, env: &str) -> u32 {
    match env {
        "dev" => 1,
        "staging" => 2,
        _ => 2 + hash(app) % 3,
    }
}

/// A stable small hash (not `DefaultHasher`, whose output may change between releases).
fn hash(text: &str) -> u32 {
    text.bytes().fold(2166136261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16777619)
    })
}
