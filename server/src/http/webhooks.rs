//! `POST /api/webhooks/git`: a Git host's push event refreshes the catalog sources and
//! environments that read the pushed repository and branch, instead of waiting for the poll.
//! Server to server: no session, no Origin check; the signature is the authentication, so a
//! delivery that is unsigned or signed with anything but the secret is 401 and does nothing.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use atrium_app::service::{Caller, EngineService};

use super::state::AppState;
use crate::audit::{outcome, Actor, AuditRecord};
use crate::catalog::source::SourceLocation;
use crate::webhook::{self, repo_url, Credentials, Watched};

pub const PATH: &str = "/api/webhooks/git";

pub async fn git(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !state.webhooks.is_enabled() {
        return (
            StatusCode::NOT_FOUND,
            "push webhooks are off: set [webhooks] secret (or ATRIUM_WEBHOOKS__SECRET)\n",
        )
            .into_response();
    }
    // Parsed before it is verified only to pick the host's secret; nothing acts on it yet.
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let push = webhook::push::parse(&value);
    let verified = state
        .webhooks
        .secret_for(&push.urls)
        .is_some_and(|secret| webhook::verify(&credentials(&headers), &body, secret));
    if !verified {
        metrics::counter!("atrium_webhook_refused_total").increment(1);
        tracing::warn!("push webhook refused: signature missing or wrong");
        return (
            StatusCode::UNAUTHORIZED,
            "webhook signature missing or wrong\n",
        )
            .into_response();
    }
    let sources: Vec<(String, String, String)> = state
        .catalog
        .sources()
        .iter()
        .filter_map(|s| match &s.location {
            SourceLocation::Git { url, branch } => {
                Some((s.name.clone(), url.clone(), branch.clone()))
            }
            SourceLocation::Dir(_) => None,
        })
        .collect();
    let catalog_sources = webhook::matching(&push, sources.iter().map(watched));
    let environments = webhook::matching(
        &push,
        state
            .engine
            .repositories()
            .map(|(name, repo, branch)| Watched { name, repo, branch }),
    );
    let repository = push
        .urls
        .iter()
        .find_map(|u| repo_url::repo_identity(u))
        .unwrap_or_default();
    let (request_id, client_ip) = caller
        .map(|Extension(c)| (c.request_id, c.client_ip))
        .unwrap_or_default();
    let record = AuditRecord::new(
        Actor {
            subject: "webhook".into(),
            name: "Git push webhook".into(),
            groups: Vec::new(),
        },
        "webhook.push",
        repository.clone(),
        outcome::SUCCESS,
    )
    .with_details(serde_json::json!({
        "branches": push.branches,
        "catalog_sources": catalog_sources,
        "environments": environments,
    }))
    .with_request(request_id, client_ip);
    // The audit trail fails closed: no record, no refresh.
    if let Err(error) = state.store.append_audit(&record).await {
        tracing::error!("webhook audit failed: {error}");
        return (StatusCode::SERVICE_UNAVAILABLE, "audit trail unavailable\n").into_response();
    }
    state.catalog.request_refresh_of(&catalog_sources);
    for env in &environments {
        let _ = state.engine.refresh(env);
    }
    metrics::counter!("atrium_webhook_accepted_total").increment(1);
    tracing::info!(%repository, branches = ?push.branches, ?catalog_sources, ?environments, "push webhook accepted");
    (
        StatusCode::ACCEPTED,
        Json(serde_json::json!({
            "catalog_sources": catalog_sources,
            "environments": environments,
        })),
    )
        .into_response()
}

fn watched(s: &(String, String, String)) -> Watched<'_> {
    Watched {
        name: &s.0,
        repo: &s.1,
        branch: &s.2,
    }
}

/// The signature headers of every supported host. `X-Hub-Signature` counts only in its
/// SHA-256 form (Bitbucket's; GitHub's SHA-1 one is not accepted).
fn credentials(headers: &HeaderMap) -> Credentials {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let hub = get("x-hub-signature").filter(|s| s.starts_with("sha256="));
    Credentials {
        hub_sha256: get("x-hub-signature-256").or(hub),
        gitea: get("x-gitea-signature").or_else(|| get("x-forgejo-signature")),
        gitlab_token: get("x-gitlab-token"),
    }
}
