//! The live stream of an environment: server-sent events at `/api/envs/<env>/events` (event
//! type `version`, or unnamed), each carrying the tree's new `version` (and one right after
//! connecting). The page compares it
//! with the version it shows and refetches when they differ.
//!
//! The browser's `EventSource` reconnects by itself after a dropped connection; when it gives
//! up (the source closed, e.g. the server answered with an error), we open a new one after a
//! growing delay. Browser only: on the server (and before hydration) the state is `Connecting`.

use leptos::prelude::*;

/// What the live indicator shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveState {
    Connecting,
    Live,
    Reconnecting,
}

impl LiveState {
    pub fn key(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Live => "live",
            Self::Reconnecting => "reconnecting",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Connecting => "Connecting…",
            Self::Live => "Live",
            Self::Reconnecting => "Reconnecting…",
        }
    }

    pub fn explanation(self) -> &'static str {
        match self {
            Self::Connecting => "Connecting to live updates",
            Self::Live => "Connected: the tree updates as soon as anything changes",
            Self::Reconnecting => {
                "The live connection dropped; reconnecting. The tree may be out of date until then."
            }
        }
    }
}

/// The stream's state and the newest version it announced.
#[derive(Clone, Copy)]
pub struct Live {
    pub state: ReadSignal<LiveState>,
    pub version: ReadSignal<Option<u64>>,
}

/// Subscribes to the environment's events for as long as the calling component lives.
pub fn use_live(env: String) -> Live {
    let (state, set_state) = signal(LiveState::Connecting);
    let (version, set_version) = signal(None::<u64>);
    #[cfg(feature = "hydrate")]
    browser::connect(env, set_state, set_version);
    #[cfg(not(feature = "hydrate"))]
    let _ = (env, set_state, set_version);
    Live { state, version }
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
    use crate::url::encode;

    /// First wait before reopening a closed source; doubles up to [`MAX_DELAY`].
    const FIRST_DELAY: Duration = Duration::from_secs(1);
    const MAX_DELAY: Duration = Duration::from_secs(15);

    async fn sleep(d: Duration) {
        let (tx, rx) = oneshot::channel::<()>();
        set_timeout(
            move || {
                _ = tx.send(());
            },
            d,
        );
        _ = rx.await;
    }

    /// Runs one `EventSource` until it closes for good; true if it ever delivered anything.
    async fn run_once(
        url: &str,
        set_state: WriteSignal<LiveState>,
        set_version: WriteSignal<Option<u64>>,
    ) -> bool {
        let Ok(mut es) = EventSource::new(url) else {
            return false;
        };
        // The server names its events `version`; plain messages are accepted too.
        let (Ok(versions), Ok(messages), Ok(opened), Ok(errors)) = (
            es.subscribe("version"),
            es.subscribe("message"),
            es.subscribe("open"),
            es.subscribe("error"),
        ) else {
            return false;
        };
        let mut events = stream::select(
            stream::select(versions, messages),
            stream::select(opened, errors),
        );
        let mut worked = false;
        while let Some(event) = events.next().await {
            match event {
                Ok((kind, message)) => match kind.as_str() {
                    "version" | "message" => {
                        worked = true;
                        set_state.set(LiveState::Live);
                        let version = message
                            .data()
                            .as_string()
                            .and_then(|d| d.trim().parse::<u64>().ok());
                        if version.is_some() {
                            set_version.set(version);
                        }
                    }
                    "open" => {
                        worked = true;
                        set_state.set(LiveState::Live);
                    }
                    // An error while the browser retries by itself: just say so.
                    _ if es.state() != State::Closed => set_state.set(LiveState::Reconnecting),
                    _ => break,
                },
                // The source closed: the browser will not retry.
                Err(_) => break,
            }
        }
        worked
    }

    /// Keeps a source open until the current reactive owner is cleaned up.
    pub fn connect(
        env: String,
        set_state: WriteSignal<LiveState>,
        set_version: WriteSignal<Option<u64>>,
    ) {
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        on_cleanup(move || {
            _ = stop_tx.send(());
        });
        let url = format!("/api/envs/{}/events", encode(&env));
        leptos::task::spawn_local(async move {
            let mut stop = stop_rx;
            let mut delay = FIRST_DELAY;
            loop {
                // Dropping the losing future closes its EventSource.
                let run = Box::pin(run_once(&url, set_state, set_version));
                let worked = match future::select(run, &mut stop).await {
                    Either::Left((worked, _)) => worked,
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
