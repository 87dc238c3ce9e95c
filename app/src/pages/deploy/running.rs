//! The "Running in" card's deploy cell, one per environment row: who put the running version
//! there and when (or the outside commit's author), and "Deploy…" opening the deploy dialog.

use leptos::prelude::*;

use super::dialog::DeployDialog;
use super::form::DeployTarget;
use super::lineage::LineageLine;
use super::DeployButton;
use crate::api::deploy::app_lineage;
use crate::components::fetched::Fetched;

#[component]
pub fn DeployCell(env: String, app: String) -> impl IntoView {
    let lineage = {
        let (env, app) = (env.clone(), app.clone());
        Fetched::new(|| (), move |()| app_lineage(env.clone(), app.clone()))
    };
    let dialog = RwSignal::new(None::<DeployTarget>);
    view! {
        <td class="deploy-cell">
            <div class="deploy-cell-row">
                <LineageLine lineage=lineage.signal()/>
                <DeployButton env app dialog small=true/>
            </div>
            <DeployDialog target=dialog/>
        </td>
    }
    .into_any()
}
