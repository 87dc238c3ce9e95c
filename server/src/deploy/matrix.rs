//! The version matrix as a caller may see it: every configured environment in promotion
//! order, every app by name, a cell only where the caller may read that app there; owners from
//! the catalog (the same index the owner convention uses).

use std::collections::BTreeMap;

use atrium_app::dto::matrix::{MatrixCell, MatrixRow, MatrixView};
use atrium_app::error::AppError;
use atrium_app::service::{AccessService, Caller};

use super::service::DeployApi;

impl DeployApi {
    pub(super) fn matrix_for(&self, caller: &Caller) -> Result<MatrixView, AppError> {
        caller.user.as_ref().ok_or(AppError::Unauthorized)?;
        let repos = self.deploys.engine.repos();
        let unread = repos.iter().map(|r| r.head.is_none()).collect();
        let environments: Vec<String> = repos.into_iter().map(|r| r.env).collect();
        let teams = self.access.teams.index();
        let mut rows: BTreeMap<String, MatrixRow> = BTreeMap::new();
        for (column, env) in environments.iter().enumerate() {
            for app in self.deploys.engine.apps(env) {
                let object = format!("{env}/{}", app.name);
                if !self.access.allows(caller, "applications", "get", &object) {
                    continue;
                }
                let row = rows.entry(app.name.clone()).or_insert_with(|| MatrixRow {
                    name: app.name.clone(),
                    owners: teams.teams_claiming(&app.name),
                    owner_conflict: teams.conflict(&app.name),
                    cells: vec![None; environments.len()],
                });
                row.cells[column] = Some(MatrixCell {
                    version: app.version,
                    revision: app.target_revision,
                    sync: app.sync,
                    health: app.health,
                });
            }
        }
        Ok(MatrixView {
            environments,
            unread,
            apps: rows.into_values().collect(),
        })
    }
}
