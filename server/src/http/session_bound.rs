//! Event streams live only as long as the credential that opened them. A stream opened with a
//! session ends when that session ends (sign-out: at once; expiry or deletion elsewhere: within
//! [`RECHECK`]); one opened with an API token ends when the token is revoked or expires. The
//! last event before the end is `event: signed-out`, so a page can say so instead of retrying.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;
use axum::response::sse::Event;
use futures::stream::{self, Stream, StreamExt};

use super::cookies::cookie_value;
use crate::auth::session::COOKIE;
use crate::auth::Auth;

/// How often an open stream re-checks its credential when nothing told it to.
pub const RECHECK: Duration = Duration::from_secs(30);

/// What a stream was opened with.
#[derive(Clone, Debug)]
pub enum Credential {
    Session(String),
    Token(String),
}

impl Credential {
    /// The credential a request carries, as the guard read it (a bearer token wins).
    pub fn of(headers: &HeaderMap) -> Option<Self> {
        super::guard::bearer(headers)
            .map(Credential::Token)
            .or_else(|| cookie_value(headers, COOKIE).map(Credential::Session))
    }

    /// Still good? A failed lookup (database hiccup) counts as good: the next check decides.
    async fn valid(&self, auth: &Auth) -> bool {
        match self {
            Credential::Session(token) => !matches!(auth.session_user(token).await, Ok(None)),
            Credential::Token(secret) => !matches!(auth.token_user(secret).await, Ok(None)),
        }
    }
}

type Events = Pin<Box<dyn Stream<Item = Result<Event, Infallible>> + Send>>;

struct Bound {
    events: Events,
    auth: Arc<Auth>,
    credential: Option<Credential>,
    ended: tokio::sync::watch::Receiver<u64>,
    /// `ended` can still tell us something (its sender lives).
    listening: bool,
    tick: tokio::time::Interval,
    done: bool,
}

/// `events`, ended (after a `signed-out` event) once `credential` is no longer valid.
pub fn bound(
    events: impl Stream<Item = Result<Event, Infallible>> + Send + 'static,
    auth: Arc<Auth>,
    credential: Option<Credential>,
    recheck: Duration,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + recheck, recheck);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let ended = auth.access.sessions_ended.subscribe();
    let state = Bound {
        events: events.boxed(),
        auth,
        credential,
        ended,
        listening: true,
        tick,
        done: false,
    };
    stream::unfold(state, |mut s| async move {
        if s.done {
            return None;
        }
        loop {
            tokio::select! {
                item = s.events.next() => return item.map(|item| (item, s)),
                _ = s.tick.tick() => {}
                changed = s.ended.changed(), if s.listening => {
                    // Its sender gone, nothing can tell us any more: rely on the timer.
                    s.listening = changed.is_ok();
                }
            }
            let valid = match &s.credential {
                Some(credential) => credential.valid(&s.auth).await,
                None => false,
            };
            if !valid {
                s.done = true;
                // Browsers drop an event whose data is empty: it must say something.
                let last = Event::default().event("signed-out").data("session ended");
                return Some((Ok(last), s));
            }
        }
    })
}
