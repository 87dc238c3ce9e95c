//! The top bar's "Requests" link, for signed-in users, with a badge counting the requests that
//! await the viewer's approval. The count follows the deploy notices live
//! ([`super::deploy_live`]), and screen readers hear it with the link's name.

use leptos::prelude::*;

use super::deploy_live::use_deploy_live;
use super::session::use_session;

/// The link's accessible name for `count` requests awaiting the viewer.
pub fn requests_label(count: usize) -> String {
    match count {
        0 => "Requests".into(),
        1 => "Requests, 1 awaiting your approval".into(),
        n => format!("Requests, {n} awaiting your approval"),
    }
}

#[component]
pub fn RequestsLink(
    current: impl Fn() -> Option<&'static str> + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let session = use_session();
    let awaiting = use_deploy_live().awaiting;
    // The last answer stays while a newer one loads; an error shows no badge.
    let count = move || awaiting.get().and_then(Result::ok).unwrap_or(0);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let signed_in = session.await.is_ok_and(|s| s.user.is_some());
                signed_in
                    .then(|| {
                        view! {
                            <a
                                href="/requests"
                                aria-current=current
                                aria-label=move || requests_label(count())
                                data-testid="requests-link"
                            >
                                "Requests"
                                {move || {
                                    let n = count();
                                    (n > 0)
                                        .then(|| {
                                            view! {
                                                <span
                                                    class="count-badge awaiting"
                                                    data-testid="awaiting-badge"
                                                    title=requests_label(n)
                                                    aria-hidden="true"
                                                >
                                                    {n}
                                                </span>
                                            }
                                        })
                                }}
                            </a>
                        }
                    })
            })}
        </Transition>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_label_says_how_many_await() {
        assert_eq!(super::requests_label(0), "Requests");
        assert_eq!(
            super::requests_label(1),
            "Requests, 1 awaiting your approval"
        );
        assert_eq!(
            super::requests_label(3),
            "Requests, 3 awaiting your approval"
        );
    }
}
