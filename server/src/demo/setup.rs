//! The embedded default's catalog: on first run, the generated demo catalog and Backstage's
//! example catalog are committed into two local Git repositories under the data dir, which then
//! serve as ordinary Git catalog sources (so the demo exercises the real Git path).

use std::path::Path;

use include_dir::{include_dir, Dir};

use super::git::{commit_files, open_or_init};
use crate::catalog::source::{SourceConfig, SourceLocation};

/// Backstage's upstream example catalog (Apache-2.0), unmodified.
static BACKSTAGE_EXAMPLES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/demo/backstage-examples");

const BRANCH: &str = "main";
const AUTHOR: (&str, &str) = ("Atrium demo", "demo@atrium.invalid");

/// Create the demo repos if missing and return them as catalog sources.
pub fn ensure_demo_catalog(data_dir: &Path) -> anyhow::Result<Vec<SourceConfig>> {
    let repos = data_dir.join("repos");
    std::fs::create_dir_all(&repos)?;

    let demo_path = repos.join("catalog.git");
    if !demo_path.exists() {
        let repo = open_or_init(&demo_path, BRANCH)?;
        let files = super::catalog::demo_catalog_files();
        let changes: Vec<_> = files
            .iter()
            .map(|(path, content)| (path.as_str(), Some(content.as_bytes())))
            .collect();
        commit_files(&repo, BRANCH, &changes, "Demo catalog", AUTHOR)?;
        tracing::info!(path = %demo_path.display(), "created the demo catalog repository");
    }

    let examples_path = repos.join("backstage-examples.git");
    if !examples_path.exists() {
        let repo = open_or_init(&examples_path, BRANCH)?;
        let mut files = Vec::new();
        collect(&BACKSTAGE_EXAMPLES, &mut files);
        let changes: Vec<_> = files.iter().map(|(p, c)| (p.as_str(), Some(*c))).collect();
        commit_files(&repo, BRANCH, &changes, "Backstage example catalog", AUTHOR)?;
        tracing::info!(path = %examples_path.display(), "created the Backstage examples repository");
    }

    // The environment repos go with the demo catalog: their apps are its components.
    super::environments::ensure_demo_environments(data_dir)?;

    Ok(vec![
        git_source("demo", &demo_path, None),
        // Upstream's Locations reach only part of the folder (and one points at a remote URL),
        // so every YAML file is an entry; the upstream duplicates and invalid files show up
        // on the Catalog errors page, as they would in Backstage.
        git_source("backstage-examples", &examples_path, Some("**/*.yaml")),
    ])
}

fn git_source(name: &str, path: &Path, entry: Option<&str>) -> SourceConfig {
    SourceConfig {
        name: name.into(),
        location: SourceLocation::Git {
            url: path.display().to_string(),
            branch: BRANCH.into(),
        },
        entry: entry.map(str::to_string),
    }
}

fn collect<'a>(dir: &'a Dir<'a>, out: &mut Vec<(String, &'a [u8])>) {
    for file in dir.files() {
        out.push((
            file.path().to_string_lossy().replace('\\', "/"),
            file.contents(),
        ));
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
}
