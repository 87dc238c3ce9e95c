//! Keeping a server-rendered view fresh in the browser: on each deploy notice that concerns it,
//! fetch again and apply the answer, newest first (an answer to an older fetch never replaces a
//! newer one, nor the answer to an action the viewer took meanwhile). The view stays mounted,
//! so focus, typing and open disclosures survive live updates.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::deploy_live::{use_deploy_live, Notice};
use crate::error::AppError;

#[derive(Clone, Copy)]
pub struct Refresh {
    started: StoredValue<u64>,
    applied: StoredValue<u64>,
    /// Why the last live refresh failed (the view shown is then older than it could be).
    pub error: RwSignal<Option<AppError>>,
}

impl Refresh {
    /// Re-runs `fetch` whenever a notice `concerns` the view, passing each newest answer to
    /// `apply`, for as long as the calling component lives.
    pub fn on_notice<T, Fut>(
        concerns: impl Fn(&Notice) -> bool + 'static,
        fetch: impl Fn() -> Fut + 'static,
        apply: impl Fn(T) + Clone + 'static,
    ) -> Self
    where
        T: 'static,
        Fut: Future<Output = Result<T, AppError>> + 'static,
    {
        let this = Refresh {
            started: StoredValue::new(0),
            applied: StoredValue::new(0),
            error: RwSignal::new(None),
        };
        let notice = use_deploy_live().notice;
        Effect::watch(
            move || notice.get(),
            move |notice, _, _| {
                if !concerns(notice) {
                    return;
                }
                let Some(n) = this.started.try_update_value(|s| {
                    *s += 1;
                    *s
                }) else {
                    return;
                };
                let answer = fetch();
                let apply = apply.clone();
                spawn_local(async move {
                    let answer = answer.await;
                    // Gone (the page was left), or a newer answer is in.
                    match this.applied.try_get_value() {
                        Some(applied) if applied < n => {}
                        _ => return,
                    }
                    this.applied.set_value(n);
                    match answer {
                        Ok(value) => {
                            this.error.try_set(None);
                            apply(value);
                        }
                        Err(e) => {
                            this.error.try_set(Some(e));
                        }
                    }
                });
            },
            false,
        );
        this
    }

    /// An answer obtained otherwise (an action's) is newer than every fetch under way.
    pub fn supersede(&self) {
        if let Some(started) = self.started.try_get_value() {
            self.applied.try_set_value(started);
        }
    }
}

/// Sets `signal` to `fresh` only when it differs, so an unchanged answer re-renders nothing.
/// A no-op once the signal is gone.
pub fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, fresh: T) {
    signal.try_maybe_update(|current| {
        if *current == fresh {
            (false, ())
        } else {
            *current = fresh;
            (true, ())
        }
    });
}
