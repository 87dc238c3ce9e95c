//! The chain status box: walks the whole hash chain on the server (`verify_audit_chain`) and says
//! whether every record is intact, or where the first broken one is. "Verify again" re-runs it.

use leptos::prelude::*;

use crate::api::verify_audit_chain;
use crate::components::icons::{AlertIcon, RefreshIcon, ShieldIcon};
use crate::dto::audit::ChainStatusView;
use crate::error::AppError;

fn records(n: u64) -> String {
    if n == 1 {
        "1 record".into()
    } else {
        format!("{n} records")
    }
}

#[component]
pub fn ChainStatus() -> impl IntoView {
    let chain = Resource::new(|| (), |_| verify_audit_chain());
    // Tracked by hand: a Transition's `set_pending` can stay true after hydration.
    let (verifying, set_verifying) = signal(false);
    Effect::new(move |_| {
        // Runs again whenever a (re)fetch delivers a result.
        chain.track();
        set_verifying.set(false);
    });

    let again = move || {
        view! {
            <button
                type="button"
                class="button chain-verify"
                on:click=move |_| {
                    set_verifying.set(true);
                    chain.refetch();
                }
                disabled=verifying
                aria-busy=move || verifying.get().to_string()
            >
                <RefreshIcon/>
                {move || if verifying.get() { "Verifying…" } else { "Verify again" }}
            </button>
        }
    };

    view! {
        <Transition
            fallback=|| {
                view! {
                    <div class="chain-status chain-pending" role="status">
                        <ShieldIcon/>
                        <span>"Verifying the chain…"</span>
                    </div>
                }
            }
        >
            {move || Suspend::new(async move {
                match chain.await {
                    Ok(ChainStatusView { ok: true, checked, head_seq, .. }) => {
                        view! {
                            <div class="chain-status chain-ok" role="status" data-testid="chain-status">
                                <ShieldIcon/>
                                <p>
                                    <strong>"Chain intact"</strong>
                                    {format!(": {} verified", records(checked))}
                                    <span class="muted chain-head">{format!(" · head #{head_seq}")}</span>
                                </p>
                                {again()}
                            </div>
                        }
                            .into_any()
                    }
                    Ok(ChainStatusView { broken_at, message, .. }) => {
                        let at = broken_at.map(|s| format!(" at record #{s}")).unwrap_or_default();
                        let message = message.unwrap_or_else(|| "the records do not match their hashes".into());
                        view! {
                            <div class="chain-status chain-broken" role="alert" data-testid="chain-status">
                                <AlertIcon/>
                                <div>
                                    <p><strong>{format!("Chain broken{at}: {message}")}</strong></p>
                                    <p class="chain-advice">
                                        "Records from this point on may have been altered or removed. Keep the database as it is and tell your security team."
                                    </p>
                                </div>
                                {again()}
                            </div>
                        }
                            .into_any()
                    }
                    // The events table shows the refusal; saying it twice would only add noise.
                    Err(AppError::Forbidden(_) | AppError::Unauthorized) => ().into_any(),
                    Err(e) => {
                        view! {
                            <div class="chain-status chain-unknown" role="alert" data-testid="chain-status">
                                <AlertIcon/>
                                <p>"The chain could not be verified: "{e.to_string()}</p>
                                {again()}
                            </div>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
    .into_any()
}
