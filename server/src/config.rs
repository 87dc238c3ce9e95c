//! Configuration: an optional `atrium.toml`, overridden by `ATRIUM_*` environment variables and
//! `DATABASE_URL`. No configuration at all is the embedded default: data in `./data`, SQLite,
//! demo Git repos.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::catalog::source::{SourceConfig, SourceLocation};
use crate::gitops::environment::{production_by_name, ClusterTarget, EnvironmentConfig};
use crate::gitops::repos::RepoMapping;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Figment(#[from] Box<figment::Error>),
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("configuration: {0}")]
    Auth(String),
    /// `replica_name: …`
    #[error("configuration: {0}")]
    Invalid(String),
    /// `catalog.rules[i]: …`, `catalog.allowed_urls[i] (url): …`
    #[error("configuration: {0}")]
    Rules(String),
    #[error("configuration: catalog.sources[{index}] ({name}): {message}")]
    Source {
        index: usize,
        name: String,
        message: String,
    },
    /// `table` is `environments` or `repos`; `name` the entry's name or URL.
    #[error("configuration: {table}[{index}] ({name}): {message}")]
    Entry {
        table: &'static str,
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
    /// What the replicas sharing a database call this one, before a random suffix
    /// (`ATRIUM_REPLICA_NAME`, e.g. the pod's name); default: the process id.
    pub replica_name: Option<String>,
    pub catalog: CatalogConfig,
    pub engine: EngineConfig,
    pub auth: crate::auth::settings::AuthConfig,
    /// `[[environments]]`, in promotion order; none = the demo environments, unless the file
    /// says `environments = []` (a portal without GitOps: no environments at all).
    /// Not written when empty, so that [`Config::load`] can tell an empty list given from none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<EnvironmentEntry>,
    /// `[[repos]]`: extra repoURLs Applications may name, mapped to local repositories.
    pub repos: Vec<RepoEntry>,
    /// `[deploy]`: the deploy workflow.
    pub deploy: DeployConfig,
    /// `[http]`: proxies in front of Atrium and request limits.
    pub http: crate::auth::network::HttpConfig,
    /// `[git]`: credentials for remote repositories.
    pub git: crate::gitremote::GitConfig,
    /// `[webhooks]`: push webhooks from Git hosts (`ATRIUM_WEBHOOKS__SECRET`).
    pub webhooks: crate::webhook::WebhookConfig,
    /// No environments configured means the demo ones: true unless `environments` was given
    /// (as `[]`). Not a key of its own.
    #[serde(skip)]
    pub demo_environments: bool,
}

/// `[deploy]`: how requests age and how long the executor waits.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeployConfig {
    /// Pending or approved requests expire after this many hours (`ATRIUM_DEPLOY__EXPIRE_HOURS`).
    pub expire_hours: u64,
    /// How long the engine may take to render a deploy's commit, in seconds.
    pub render_timeout_secs: u64,
    /// How long a synced app may take to become healthy before its request fails, in seconds.
    pub health_timeout_secs: u64,
    /// The committer of deploy commits (the author is the requester).
    pub committer_name: String,
    pub committer_email: String,
}

impl Default for DeployConfig {
    fn default() -> Self {
        let defaults = crate::deploy::policy::DeploySettings::default();
        Self {
            expire_hours: defaults.expire_after.as_secs() / 3600,
            render_timeout_secs: defaults.render_timeout.as_secs(),
            health_timeout_secs: defaults.health_timeout.as_secs(),
            committer_name: defaults.committer.0,
            committer_email: defaults.committer.1,
        }
    }
}

/// One `[[environments]]` table. Missing fields read as empty so that the check below, not
/// figment, reports them, in the `environments[i] (name): …` form.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnvironmentEntry {
    pub name: String,
    /// Local path or URL of the environment's Git repository.
    pub repo: String,
    /// Default `main`.
    pub branch: Option<String>,
    /// Path of the root Application manifest in the repo, e.g. `apps/root.yaml`.
    pub root: String,
    /// `sim` (the embedded emulator, the default), `in-cluster` (the pod's service account) or a
    /// kubeconfig context name.
    pub cluster: Option<String>,
    /// Apply child `Application` objects into the cluster too (default false).
    pub apply_applications: bool,
    /// More clusters its Applications may target (`[[environments.clusters]]`).
    pub clusters: Vec<crate::gitops::destination::ClusterEntry>,
    /// Default: the name is `prod` or `production`.
    pub production: Option<bool>,
    /// Approvals a deploy needs (default: 1 in production, else 0).
    pub approvals: Option<u32>,
    /// Deploy windows (`[[environments.windows]]`: kind, schedule, duration, apps).
    pub windows: Vec<crate::deploy::windows::WindowConfig>,
    /// A JSON POST on every state change of this environment's requests.
    pub webhook: Option<crate::deploy::policy::WebhookConfig>,
    /// A commit's page on the Git host, `{sha}` replaced (e.g.
    /// `https://github.com/acme/env-prod/commit/{sha}`).
    pub web_url: Option<String>,
}

/// One `[[repos]]` table.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RepoEntry {
    pub url: String,
    pub path: PathBuf,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct CatalogConfig {
    /// Seconds between automatic refreshes (`ATRIUM_CATALOG__REFRESH_INTERVAL_SECS`).
    pub refresh_interval_secs: u64,
    /// Catalog sources; none configured = the demo sources in the data dir.
    pub sources: Vec<SourceEntry>,
    /// `[[catalog.rules]]`: kinds each source may bring in; none = the built-in kinds.
    pub rules: Vec<crate::catalog::rules::KindRule>,
    /// URL prefixes of the repositories `url` Location targets and placeholders may fetch.
    pub allowed_urls: Vec<String>,
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
            replica_name: None,
            catalog: CatalogConfig::default(),
            engine: EngineConfig::default(),
            auth: Default::default(),
            environments: Vec::new(),
            repos: Vec::new(),
            deploy: DeployConfig::default(),
            http: Default::default(),
            git: Default::default(),
            webhooks: Default::default(),
            demo_environments: true,
        }
    }
}

/// `[engine]`: the reconcile loop.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct EngineConfig {
    /// Seconds between passes: Git poll, live read, auto-sync (`ATRIUM_ENGINE__INTERVAL_SECS`).
    pub interval_secs: u64,
    /// The simulated cluster's rollout time, in milliseconds (`ATRIUM_ENGINE__SIM_ROLLOUT_MS`).
    pub sim_rollout_ms: u64,
    /// Most Applications one environment's tree may hold; the rest become an error on the
    /// app that renders them (`ATRIUM_ENGINE__MAX_APPS`).
    pub max_apps: usize,
    /// How long a sync waits for one wave to be healthy before the next, in seconds
    /// (`ATRIUM_ENGINE__WAVE_TIMEOUT_SECS`).
    pub wave_timeout_secs: u64,
    /// PostgreSQL replicas: seconds the leader's lease lasts unrenewed (`…__LEASE_SECS`).
    pub lease_secs: u64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            interval_secs: 3,
            sim_rollout_ms: 3000,
            max_apps: crate::gitops::render::DEFAULT_MAX_APPS,
            wave_timeout_secs: 60,
            lease_secs: 10,
        }
    }
}

impl Default for CatalogConfig {
    fn default() -> Self {
        Self {
            refresh_interval_secs: 300,
            sources: Vec::new(),
            rules: Vec::new(),
            allowed_urls: Vec::new(),
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
        let mut config: Config = figment.extract().map_err(Box::new)?;
        config.demo_environments = !figment.contains("environments");
        config.catalog_sources()?;
        config.catalog_rules()?;
        config.catalog_urls()?;
        config.environments()?;
        config.repo_mappings()?;
        config.deploy_settings()?;
        config.git_remotes()?;
        config.auth.validate().map_err(ConfigError::Auth)?;
        config.replica_name()?;
        crate::auth::network::TrustedProxies::parse(&config.http.trusted_proxies)
            .map_err(ConfigError::Auth)?;
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

    /// `replica_name`, checked: it names the replica in leases, notices and logs.
    pub fn replica_name(&self) -> Result<Option<&str>, ConfigError> {
        let Some(name) = self.replica_name.as_deref() else {
            return Ok(None);
        };
        let bad = name.is_empty() || name.len() > 253;
        if bad || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ConfigError::Invalid(format!(
                "replica_name: {name:?} must be 1 to 253 characters without spaces (a pod's name)"
            )));
        }
        Ok(Some(name))
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

impl Config {
    /// The Git remotes' credentials, checked (the error names the entry and the key).
    pub fn git_remotes(&self) -> Result<crate::gitremote::Remotes, ConfigError> {
        let timeout = std::time::Duration::from_secs(self.git.timeout_secs.max(1));
        crate::gitremote::Remotes::new(&self.git.credentials, timeout).map_err(|e| {
            ConfigError::Entry {
                table: "git.credentials",
                index: e.index,
                name: e.url,
                message: e.message,
            }
        })
    }

    /// `catalog.allowed_urls`, checked (the error names the entry, without any userinfo).
    pub fn catalog_urls(&self) -> Result<crate::catalog::source::UrlAllow, ConfigError> {
        crate::catalog::source::UrlAllow::from_config(&self.catalog.allowed_urls)
            .map_err(ConfigError::Rules)
    }

    /// `[[catalog.rules]]`, checked against the configured source names.
    pub fn catalog_rules(&self) -> Result<crate::catalog::rules::CatalogRules, ConfigError> {
        let names: Vec<&str> = self
            .catalog
            .sources
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        let rules = crate::catalog::rules::CatalogRules::new(self.catalog.rules.clone());
        rules.check(&names).map_err(ConfigError::Rules)?;
        Ok(rules)
    }

    /// Configured environments in promotion order; empty when the demo ones should be used.
    pub fn environments(&self) -> Result<Vec<EnvironmentConfig>, ConfigError> {
        let mut seen = std::collections::HashSet::new();
        self.environments
            .iter()
            .enumerate()
            .map(|(index, e)| {
                let err = |message: String| ConfigError::Entry {
                    table: "environments",
                    index,
                    name: e.name.clone(),
                    message,
                };
                if !valid_name(&e.name) {
                    return Err(err(
                        "`name` must be lowercase letters, digits and `-` (it appears in policy objects and URLs)".into(),
                    ));
                }
                if !seen.insert(e.name.as_str()) {
                    return Err(err("another environment has this `name`".into()));
                }
                if e.repo.trim().is_empty() {
                    return Err(err("`repo` is required".into()));
                }
                let branch = e.branch.clone().unwrap_or_else(|| "main".into());
                if branch.is_empty()
                    || !git2::Reference::is_valid_name(&format!("refs/heads/{branch}"))
                {
                    return Err(err(format!("`branch` {branch:?} is not a valid branch name")));
                }
                if e.root.trim().is_empty() {
                    return Err(err("`root` is required (e.g. apps/root.yaml)".into()));
                }
                let root = crate::gitops::checkout::clean_path(&e.root)
                    .map_err(|_| err("`root` must be a path inside the repo".into()))?;
                let is_manifest = [".yaml", ".yml", ".json"].iter().any(|x| root.ends_with(x));
                if !is_manifest {
                    return Err(err(
                        "`root` must be the path of the root Application manifest (a .yaml, .yml or .json file)".into(),
                    ));
                }
                let clusters = crate::gitops::destination::check_entries(&e.clusters).map_err(err)?;
                Ok(EnvironmentConfig {
                    name: e.name.clone(),
                    repo: e.repo.trim().to_string(),
                    branch,
                    root,
                    cluster: ClusterTarget::parse(e.cluster.as_deref().unwrap_or("sim")),
                    clusters,
                    production: e.production.unwrap_or_else(|| production_by_name(&e.name)),
                    apply_applications: e.apply_applications,
                })
            })
            .collect()
    }

    /// The deploy workflow's settings: `[deploy]` and each environment's policy. Errors name
    /// the environment and the field (`environments[2] (prod): windows[0].schedule: …`).
    pub fn deploy_settings(&self) -> Result<crate::deploy::policy::DeploySettings, ConfigError> {
        use crate::deploy::policy::{DeploySettings, EnvPolicy};
        use std::time::Duration;
        let mut envs = Vec::new();
        let mut web_urls = Vec::new();
        for (index, e) in self.environments.iter().enumerate() {
            let production = e.production.unwrap_or_else(|| production_by_name(&e.name));
            let policy = EnvPolicy::from_config(
                &e.name,
                production,
                e.approvals,
                &e.windows,
                e.webhook.clone(),
            )
            .map_err(|message| ConfigError::Entry {
                table: "environments",
                index,
                name: e.name.clone(),
                message,
            })?;
            envs.push(policy);
            if let Some(url) = e.web_url.as_ref().filter(|u| !u.trim().is_empty()) {
                web_urls.push((e.name.clone(), url.trim().to_string()));
            }
        }
        let d = &self.deploy;
        Ok(DeploySettings {
            envs,
            expire_after: Duration::from_secs(d.expire_hours.max(1) * 3600),
            render_timeout: Duration::from_secs(d.render_timeout_secs.max(1)),
            health_timeout: Duration::from_secs(d.health_timeout_secs.max(1)),
            committer: (d.committer_name.clone(), d.committer_email.clone()),
            web_urls,
            ..DeploySettings::default()
        })
    }

    /// Configured `[[repos]]` mappings.
    pub fn repo_mappings(&self) -> Result<Vec<RepoMapping>, ConfigError> {
        let mut seen = std::collections::HashSet::new();
        self.repos
            .iter()
            .enumerate()
            .map(|(index, r)| {
                let err = |message: &str| ConfigError::Entry {
                    table: "repos",
                    index,
                    name: r.url.clone(),
                    message: message.into(),
                };
                if r.url.trim().is_empty() {
                    return Err(err("`url` is required"));
                }
                if r.path.as_os_str().is_empty() {
                    return Err(err("`path` is required"));
                }
                if !seen.insert(crate::gitops::repos::normalize(&r.url)) {
                    return Err(err("this `url` is mapped twice"));
                }
                Ok(RepoMapping {
                    url: r.url.trim().to_string(),
                    path: r.path.clone(),
                })
            })
            .collect()
    }
}

/// DNS-label-like: environment names end up in policy objects (`prod/cart`) and URLs.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
