//! One server-sent events stream kept open for as long as a page (or the app) lives, with
//! reconnection: the browser's `EventSource` reconnects by itself after a dropped connection;
//! when it gives up (the source closed, e.g. the server answered with an error), a new one is
//! opened after a growing delay. Used by the environment page (`/api/envs/<env>/events`) and by
//! the deploy requests' notices (`/api/deploys/events`).
//!
//! Browser only: on the server (and before hydration) nothing connects and the state stays
//! [`LiveState::Connecting`].

use leptos::prelude::*;

/// Where a stream stands, for live indicators (and for falling back to polling).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveState {
    Connecting,
    Live,
    Reconnecting,
    /// The session that opened the stream ended (sign-out elsewhere, expiry): the server
    /// closed it with `event: signed-out`, and nothing reconnects.
    SignedOut,
}

impl LiveState {
    pub fn key(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Live => "live",
            Self::Reconnecting => "reconnecting",
            Self::SignedOut => "signed-out",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Connecting => "Connecting…",
            Self::Live => "Live",
            Self::Reconnecting => "Reconnecting…",
            Self::SignedOut => "Signed out",
        }
    }

    pub fn explanation(self) -> &'static str {
        match self {
            Self::Connecting => "Connecting to live updates",
            Self::Live => "Connected: this page updates as soon as anything changes",
            Self::Reconnecting => {
                "The live connection dropped; reconnecting. This page may be out of date until then."
            }
            Self::SignedOut => "Your session ended: sign in again to see live updates",
        }
    }
}

/// Opens `url` and calls `on_data` with the data of every event named `event` (or unnamed),
/// until the current reactive owner is cleaned up. `set_state` follows the connection.
pub fn subscribe(
    url: String,
    event: &'static str,
    set_state: WriteSignal<LiveState>,
    on_data: impl Fn(String) + 'static,
) {
    #[cfg(feature = "hydrate")]
    browser::connect(url, event, set_state, on_data);
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, event, set_state, on_data);
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::time::Duration;

    use futures::channel::oneshot;
    use futures::future::{self, Either};
    use futures::{stream, StreamExt};
    use gloo_net::eventsource::futures::EventSource;
    use gloo_net::eventsource::State;
    use leptos::prelude::*;

    use super::LiveState;

    /// First wait before reopening a closed source; doubles up to [`MAX_DELAY`].
    const FIRST_DELAY: Duration = Duration::from_secs(1);
    const MAX_DELAY: Duration = Duration::from_secs(15);

    pub async fn sleep(d: Duration) {
        let (tx, rx) = oneshot::channel::<()>();
        set_timeout(
            move || {
                _ = tx.send(());
            },
            d,
        );
        _ = rx.await;
    }

    /// How one `EventSource` ended.
    enum Ended {
        /// Closed; whether it ever delivered anything.
        Closed(bool),
        /// The server said the session ended.
        SignedOut,
    }

    /// Runs one `EventSource` until it closes for good.
    async fn run_once(
        url: &str,
        event: &str,
        set_state: WriteSignal<LiveState>,
        on_data: &dyn Fn(String),
    ) -> Ended {
        let Ok(mut es) = EventSource::new(url) else {
            return Ended::Closed(false);
        };
        // The server names its events; plain messages are accepted too.
        let (Ok(named), Ok(messages), Ok(opened), Ok(errors), Ok(signed_out)) = (
            es.subscribe(event),
            es.subscribe("message"),
            es.subscribe("open"),
            es.subscribe("error"),
            es.subscribe("signed-out"),
        ) else {
            return Ended::Closed(false);
        };
        let mut events = stream::select(
            stream::select(stream::select(named, messages), signed_out),
            stream::select(opened, errors),
        );
        let mut worked = false;
        while let Some(item) = events.next().await {
            match item {
                Ok((kind, message)) => match kind.as_str() {
                    "open" => {
                        worked = true;
                        set_state.set(LiveState::Live);
                    }
                    // An error while the browser retries by itself: just say so.
                    "error" if es.state() != State::Closed => {
                        set_state.set(LiveState::Reconnecting)
                    }
                    "error" => break,
                    "signed-out" => return Ended::SignedOut,
                    _ => {
                        worked = true;
                        set_state.set(LiveState::Live);
                        if let Some(data) = message.data().as_string() {
                            on_data(data);
                        }
                    }
                },
                // The source closed: the browser will not retry.
                Err(_) => break,
            }
        }
        Ended::Closed(worked)
    }

    /// Keeps a source open until the current reactive owner is cleaned up.
    pub fn connect(
        url: String,
        event: &'static str,
        set_state: WriteSignal<LiveState>,
        on_data: impl Fn(String) + 'static,
    ) {
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        on_cleanup(move || {
            _ = stop_tx.send(());
        });
        leptos::task::spawn_local(async move {
            let mut stop = stop_rx;
            let mut delay = FIRST_DELAY;
            loop {
                // Dropping the losing future closes its EventSource.
                let run = Box::pin(run_once(&url, event, set_state, &on_data));
                let worked = match future::select(run, &mut stop).await {
                    Either::Left((Ended::Closed(worked), _)) => worked,
                    Either::Left((Ended::SignedOut, _)) => {
                        set_state.set(LiveState::SignedOut);
                        return;
                    }
                    Either::Right(_) => return,
                };
                set_state.set(LiveState::Reconnecting);
                delay = if worked {
                    FIRST_DELAY
                } else {
                    (delay * 2).min(MAX_DELAY)
                };
                match future::select(Box::pin(sleep(delay)), &mut stop).await {
                    Either::Left(_) => {}
                    Either::Right(_) => return,
                }
            }
        });
    }
}

#[cfg(feature = "hydrate")]
pub use browser::sleep;
