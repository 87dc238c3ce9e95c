//! Outgoing notifications: an environment's webhook hears of every state change of its deploy
//! requests — a JSON POST signed with HMAC-SHA256 of the body under the environment's secret
//! (`X-Atrium-Signature-256: sha256=<hex>`, as GitHub signs its webhooks), retried with
//! exponential backoff, its failures shown on the request. This is where a team hooks Slack or
//! a pager. The notices come from the outbox the state changes write in their own transaction.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::policy::WebhookConfig;
use super::Deploys;
use crate::store::notifications::{NotificationRow, MAX_ATTEMPTS};

/// How long one delivery may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// `sha256=<hex>` of `body` under `secret`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Seconds before attempt `n + 1`: 2, 4, 8 … at most 30 minutes.
fn backoff(attempts: i64) -> i64 {
    2i64.saturating_pow(attempts.clamp(1, 11) as u32).min(1800)
}

impl Deploys {
    /// Deliver queued notifications until the process ends.
    pub fn spawn_notifier(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client");
            loop {
                // One replica delivers, or every one would send each notification.
                if this.leadership.is_leader() {
                    this.deliver_due(&client).await;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    /// One round: every notification that is due.
    pub async fn deliver_due(&self, client: &reqwest::Client) {
        let now = crate::audit::now();
        let due = match self.store.due_notifications(&now, 200).await {
            Ok(due) => due,
            Err(error) => return tracing::error!("notifications: {error}"),
        };
        for notice in due {
            let hook = self
                .settings
                .policy(&notice.env)
                .and_then(|p| p.webhook.clone());
            let outcome = match &hook {
                // No webhook for this environment: nothing to deliver.
                None => Ok(()),
                Some(hook) => deliver(client, hook, &notice).await,
            };
            let result = match outcome {
                Ok(()) => {
                    self.store
                        .notification_delivered(&notice.id, &crate::audit::now())
                        .await
                }
                Err(error) => {
                    let attempts = notice.attempts + 1;
                    let next = if attempts >= MAX_ATTEMPTS {
                        "9999-12-31T00:00:00.000000Z".to_string()
                    } else {
                        crate::audit::stamp(
                            time::OffsetDateTime::now_utc()
                                + time::Duration::seconds(backoff(attempts)),
                        )
                    };
                    let url = hook.as_ref().map(|h| h.url.as_str()).unwrap_or_default();
                    tracing::warn!(env = %notice.env, request = %notice.request_id, attempts, "webhook {url}: {error}");
                    self.store
                        .notification_failed(&notice.id, attempts, &error, &next)
                        .await
                }
            };
            if let Err(error) = result {
                tracing::error!("notifications: {error}");
            }
        }
    }
}

/// POST one notice. The error is for people (it names the status or the cause, never the
/// secret).
async fn deliver(
    client: &reqwest::Client,
    hook: &WebhookConfig,
    notice: &NotificationRow,
) -> Result<(), String> {
    let mut request = client
        .post(&hook.url)
        .header("Content-Type", "application/json")
        .header("User-Agent", "Atrium")
        .header("X-Atrium-Event", "deploy_request.state")
        .header("X-Atrium-Delivery", &notice.id);
    if let Some(var) = hook.secret_env.as_deref().filter(|v| !v.is_empty()) {
        let secret = std::env::var(var)
            .map_err(|_| format!("the signing secret's variable {var} is not set"))?;
        request = request.header(
            "X-Atrium-Signature-256",
            signature(secret.as_bytes(), notice.payload.as_bytes()),
        );
    }
    let response = request
        .body(notice.payload.clone())
        .send()
        .await
        .map_err(|e| format!("could not deliver: {}", crate::util::error_chain(&e)))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("the receiver answered {}", response.status()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_github_style_hmac() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn backoff_doubles_up_to_half_an_hour() {
        assert_eq!((backoff(1), backoff(2), backoff(5)), (2, 4, 32));
        assert_eq!(backoff(20), 1800);
    }
}
