//! Configuration: an optional `atrium.toml`, overridden by `ATRIUM_*` environment variables and
//! `DATABASE_URL`. No configuration at all is the embedded default: data in `./data`, SQLite,
//! demo Git repos.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::catalog::source::{SourceConfig, SourceLocation};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Figment(#[from] Box<figment::Error>),
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("configuration: {0}")]
    Auth(String),
    #[error("configuration: catalog.sources[{index}] ({name}): {message}")]
    Source {
        index: usize,
        name: String,
        message: String,
    },
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address to listen on (`ATRIUM_LISTEN`).
    pub listen: SocketAddr,
    /// Data directory: SQLite database, demo repos, clone cache (`ATRIUM_DATA_DIR`).
    pub data_dir: PathBuf,
    /// `postgres://…` or `sqlite://…`; default: SQLite in the data dir (`DATABASE_URL`).
    pub database_url: Option<String>,
    /// Where the compiled site (WASM, JS, CSS) lives (`ATRIUM_SITE_ROOT`).
    pub site_root: PathBuf,
    /// `text` or `json` (`ATRIUM_LOG_FORMAT`).
    pub log_format: LogFormat,
    pub catalog: CatalogConfig,
    pub auth: crate::auth::settings::AuthConfig,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct CatalogConfig {
    /// Seconds between automatic refreshes (`ATRIUM_CATALOG__REFRESH_INTERVAL_SECS`).
    pub refresh_interval_secs: u64,
    /// Catalog sources; none configured = the demo sources in the data dir.
    pub sources: Vec<SourceEntry>,
}

/// One `[[catalog.sources]]` table: exactly one of `git` or `dir`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceEntry {
    pub name: String,
    /// Repo URL or local path of a Git repository.
    pub git: Option<String>,
    /// Branch to read (Git only; default `main`).
    pub branch: Option<String>,
    /// A local directory.
    pub dir: Option<PathBuf>,
    /// Entry file relative to the root; default: every `catalog-info.yaml`.
    pub entry: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            data_dir: PathBuf::from("data"),
            database_url: None,
            site_root: PathBuf::from("target/site"),
            log_format: LogFormat::Text,
            catalog: CatalogConfig::default(),
            auth: Default::default(),
        }
    }
}

impl Default for CatalogConfig {
    fn default() -> Self {
        Self {
            refresh_interval_secs: 300,
            sources: Vec::new(),
        }
    }
}

impl Config {
    /// Defaults, then the file (explicit path must exist; `atrium.toml` is read if present),
    /// then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.exists() => return Err(ConfigError::MissingFile(path.into())),
            Some(path) => figment = figment.merge(Toml::file(path)),
            None => figment = figment.merge(Toml::file("atrium.toml")),
        }
        figment = figment
            .merge(Env::prefixed("ATRIUM_").split("__").ignore(&["config"]))
            .merge(Env::raw().only(&["database_url"]));
        let config: Config = figment.extract().map_err(Box::new)?;
        config.catalog_sources()?;
        config.auth.validate().map_err(ConfigError::Auth)?;
        Ok(config)
    }

    /// The database URL in force: configured, or SQLite in the data dir.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.is_empty() => url.clone(),
            _ => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("atrium.db").display()
            ),
        }
    }

    /// Configured sources as the catalog reads them; empty when the demo should be used.
    pub fn catalog_sources(&self) -> Result<Vec<SourceConfig>, ConfigError> {
        self.catalog
            .sources
            .iter()
            .enumerate()
            .map(|(index, s)| {
                let err = |message: &str| ConfigError::Source {
                    index,
                    name: s.name.clone(),
                    message: message.into(),
                };
                if s.name.trim().is_empty() {
                    return Err(err("`name` is required"));
                }
                let location = match (&s.git, &s.dir) {
                    (Some(url), None) => SourceLocation::Git {
                        url: url.clone(),
                        branch: s.branch.clone().unwrap_or_else(|| "main".into()),
                    },
                    (None, Some(dir)) => {
                        if s.branch.is_some() {
                            return Err(err("`branch` only applies to `git` sources"));
                        }
                        SourceLocation::Dir(dir.clone())
                    }
                    _ => return Err(err("set exactly one of `git` or `dir`")),
                };
                Ok(SourceConfig {
                    name: s.name.clone(),
                    location,
                    entry: s.entry.clone(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_needs_exactly_one_location() {
        let mut config = Config::default();
        config.catalog.sources.push(SourceEntry {
            name: "broken".into(),
            ..Default::default()
        });
        let err = config.catalog_sources().unwrap_err().to_string();
        assert!(err.contains("catalog.sources[0] (broken)"), "{err}");
    }

    #[test]
    fn default_database_is_sqlite_in_the_data_dir() {
        assert_eq!(
            Config::default().database_url(),
            "sqlite://data/atrium.db?mode=rwc"
        );
    }
}
