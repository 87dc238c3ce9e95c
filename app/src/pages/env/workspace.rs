//! One loaded environment: header, toolbar, tree and side panel, kept up to date by the live
//! stream. A new version refetches the tree in the background and swaps the data in place, so
//! expansion, selection, focus and scroll position stay as they were. The page starts from the
//! tree's head (rendered on the server) and fetches the whole tree the same way at once.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::header::EnvHeader;
use super::live::use_live;
use super::panel::NodePanel;
use super::state::EnvState;
use super::tabs::{EnvTabs, PathEnvs};
use super::toolbar::Toolbar;
use super::tree::Tree;
use crate::api::env::{environment_tree, environment_tree_delta};
use crate::dto::env::{EnvironmentSummary, TreeHead};
use crate::error::AppError;
use crate::pages::drag::{DragLayer, DragState};
use crate::tree::TreeIndex;

/// Refetches for one trigger at most this often (the stream may outrun the fetches).
const MAX_ROUNDS: usize = 3;

#[component]
pub fn Workspace(
    head: TreeHead,
    summary: Option<EnvironmentSummary>,
    /// Every environment, in promotion order (the tabs).
    environments: Vec<String>,
) -> impl IntoView {
    let env = head.env.clone();
    let drag = DragState::provide();
    provide_context(PathEnvs(environments.clone()));
    let state = EnvState::provide(env.clone(), TreeIndex::from_head(head));
    let live = use_live(env);
    let (updating, set_updating) = signal(false);
    let (update_error, set_update_error) = signal(None::<AppError>);

    // Fetches the tree until it shows the newest announced version.
    let refetch = move || {
        if updating.get_untracked() {
            // The running fetch checks the newest version when it finishes.
            return;
        }
        set_updating.set(true);
        spawn_local(async move {
            // A complete tree a little behind takes the changed rows only (see `TreeDelta`).
            let since = state
                .index
                .with_untracked(|i| i.complete().then_some(i.version));
            if let Some(since) = since {
                if let Ok(Some(delta)) = environment_tree_delta(state.env(), since).await {
                    if state.apply_delta(&delta)
                        && live
                            .version
                            .get_untracked()
                            .is_none_or(|v| v == delta.version)
                    {
                        set_update_error.set(None);
                        set_updating.set(false);
                        return;
                    }
                }
            }
            for _ in 0..MAX_ROUNDS {
                match environment_tree(state.env()).await {
                    Ok(view) => {
                        set_update_error.set(None);
                        let fetched = view.version;
                        state.set_tree(TreeIndex::new(view));
                        if live.version.get_untracked().is_none_or(|v| v == fetched) {
                            break;
                        }
                    }
                    Err(e) => {
                        set_update_error.set(Some(e));
                        break;
                    }
                }
            }
            set_updating.set(false);
        });
    };
    // In the browser only (effects do not run on the server): the rest of the tree.
    Effect::new(move |_| {
        if !state.index.with_untracked(|i| i.complete()) {
            refetch();
        }
    });
    Effect::new(move |_| {
        if let Some(v) = live.version.get() {
            if state.index.with_untracked(|i| i.version) != v {
                refetch();
            }
        }
    });

    let panel_open = move || state.query.with(|q| q.node.is_some());
    view! {
        <div class="progress" class:active=updating aria-hidden="true"></div>
        <EnvHeader summary live refetch=Callback::new(move |()| refetch())/>
        <EnvTabs current=state.env() environments/>
        {move || {
            update_error
                .get()
                .map(|e| {
                    view! {
                        <p class="notice notice-warning env-stale" role="status">
                            "The tree could not be updated ("{e.to_string()}
                            "); it shows the last version that loaded. It updates again with the next change."
                        </p>
                    }
                })
        }}
        <Toolbar/>
        <div class="env-body" class:with-panel=panel_open>
            <Tree/>
            <Show when=panel_open>
                <NodePanel/>
            </Show>
        </div>
        <DragLayer drag/>
    }
    .into_any()
}
