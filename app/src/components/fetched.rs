//! `Fetched`: a value loaded in the browser after the page is hydrated, again whenever its key
//! changes or on `refetch`, and kept on screen while the next answer loads. Unlike a resource
//! it is invisible to `<Suspense>`/`<Transition>`: a detail that fills in later (lineage, a
//! freeze, a history) never holds up or swaps out the part of the page around it, and the
//! server's HTML (the "loading" state) is what hydration expects.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

pub struct Fetched<T: Send + Sync + 'static> {
    value: RwSignal<Option<T>>,
    again: RwSignal<u32>,
}

impl<T: Send + Sync + 'static> Clone for Fetched<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Fetched<T> {}

impl<T: Clone + Send + Sync + 'static> Fetched<T> {
    /// Calls `fetch(key())` once hydrated and whenever `key` changes; only the newest answer
    /// is kept.
    pub fn new<K, Fut>(key: impl Fn() -> K + 'static, fetch: impl Fn(K) -> Fut + 'static) -> Self
    where
        K: 'static,
        Fut: Future<Output = T> + 'static,
    {
        let value = RwSignal::new(None);
        let again = RwSignal::new(0u32);
        let asked = StoredValue::new(0u64);
        // Effects run in the browser only.
        Effect::new(move |_| {
            again.track();
            let answer = fetch(key());
            let n = asked.get_value() + 1;
            asked.set_value(n);
            spawn_local(async move {
                let v = answer.await;
                // Dropped when a newer fetch started or the owner is gone.
                if asked.try_get_value() == Some(n) {
                    value.try_set(Some(v));
                }
            });
        });
        Self { value, again }
    }

    /// The last answer (`None` until the first one).
    pub fn get(self) -> Option<T> {
        self.value.get()
    }

    pub fn with<R>(self, f: impl FnOnce(Option<&T>) -> R) -> R {
        self.value.with(|v| f(v.as_ref()))
    }

    pub fn refetch(self) {
        self.again.try_update(|n| *n += 1);
    }

    pub fn signal(self) -> Signal<Option<T>> {
        self.value.into()
    }
}
