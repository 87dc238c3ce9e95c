//! The live stream of an environment: server-sent events at `/api/envs/<env>/events` (event
//! type `version`, or unnamed), each carrying the tree's new `version` (and one right after
//! connecting). The page compares it with the version it shows and refetches when they differ.
//! Connection and reconnection: [`crate::components::live_stream`].

use leptos::prelude::*;

use crate::components::live_stream::subscribe;
pub use crate::components::live_stream::LiveState;
use crate::url::encode;

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
    let url = format!("/api/envs/{}/events", encode(&env));
    subscribe(url, "version", set_state, move |data| {
        if let Ok(v) = data.trim().parse::<u64>() {
            set_version.set(Some(v));
        }
    });
    Live { state, version }
}

/// Bumps `changes` when `env`'s tree version moves (not for the first announcement).
#[component]
pub fn LiveBump(env: String, changes: RwSignal<u64>) -> impl IntoView {
    let live = use_live(env);
    Effect::new(move |seen: Option<Option<u64>>| {
        let now = live.version.get();
        if let Some(Some(was)) = seen {
            if now != Some(was) {
                changes.update(|n| *n += 1);
            }
        }
        now
    });
}
