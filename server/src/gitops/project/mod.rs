//! Argo CD's `AppProject` (argoproj.io/v1alpha1): which repositories an app may take its
//! sources from (`spec.sourceRepos`), which clusters and namespaces it may deploy to
//! (`spec.destinations`), and which kinds it may deploy (`spec.clusterResourceWhitelist` /
//! `Blacklist`, `spec.namespaceResourceWhitelist` / `Blacklist`), matched as Argo CD matches
//! them ([`glob`]). Projects are read from the tree itself
//! ([`crate::gitops::tree::projects`]): App-of-Apps repos carry them next to their Applications.
//!
//! Argo CD's defaults hold: an empty `clusterResourceWhitelist` permits no cluster-scoped kind;
//! an absent `namespaceResourceWhitelist` permits every namespaced one (an empty list, none).
//! `default` exists unless the tree defines it, and permits everything (Argo CD's as
//! installed). Roles, sync windows, `sourceNamespaces` and signature keys are read past.

use serde::Deserialize;
use serde_json::Value;

use super::application::{nullable, Application};
use super::destination::{self, DestinationCluster};
use super::render::objects::is_cluster_scoped;
use crate::resource::DesiredResource;

pub mod glob;

use glob::{Dialect, Glob};

pub const KIND: &str = "AppProject";
/// The project of an app whose `spec.project` is empty, and the one that always exists.
pub const DEFAULT: &str = "default";

/// An AppProject's `spec`, the parts Atrium enforces.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectSpec {
    #[serde(default, deserialize_with = "nullable")]
    pub source_repos: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub destinations: Vec<ProjectDestination>,
    #[serde(default, deserialize_with = "nullable")]
    pub cluster_resource_whitelist: Vec<ResourceRule>,
    #[serde(default, deserialize_with = "nullable")]
    pub cluster_resource_blacklist: Vec<ResourceRule>,
    /// `None` (absent) permits every namespaced kind; `Some(vec![])` permits none.
    #[serde(default)]
    pub namespace_resource_whitelist: Option<Vec<ResourceRule>>,
    #[serde(default, deserialize_with = "nullable")]
    pub namespace_resource_blacklist: Vec<ResourceRule>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct ProjectDestination {
    #[serde(default, deserialize_with = "nullable")]
    pub server: String,
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub namespace: String,
}

/// `{group, kind}` (and, in the cluster lists, an optional `name`): filepath globs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct ResourceRule {
    #[serde(default, deserialize_with = "nullable")]
    pub group: String,
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    #[serde(default, deserialize_with = "nullable")]
    metadata: Metadata,
    #[serde(default, deserialize_with = "nullable")]
    spec: ProjectSpec,
}

#[derive(Default, Deserialize)]
struct Metadata {
    #[serde(default, deserialize_with = "nullable")]
    name: String,
}

/// A project, its patterns compiled once.
#[derive(Clone, Debug)]
pub struct AppProject {
    pub name: String,
    pub spec: ProjectSpec,
    /// The implicit `default`: nothing is checked.
    permits_all: bool,
    repos: Vec<Pattern>,
    destinations: Vec<[Pattern; 3]>,
    cluster_allow: Vec<KindRule>,
    cluster_deny: Vec<KindRule>,
    namespace_allow: Option<Vec<KindRule>>,
    namespace_deny: Vec<KindRule>,
}

impl AppProject {
    /// Argo CD's `default` as installed: every repo, destination and kind.
    pub fn implicit_default() -> Self {
        let mut project = Self::new(DEFAULT.into(), ProjectSpec::default());
        project.permits_all = true;
        project
    }

    pub fn new(name: String, spec: ProjectSpec) -> Self {
        let repos = spec
            .source_repos
            .iter()
            .map(|r| match r.strip_prefix('!') {
                Some(rest) => Pattern::repo(&format!("!{}", normalize_repo(rest))),
                None => Pattern::repo(&normalize_repo(r)),
            })
            .collect();
        let plain = |p: &str| Pattern::new(p, Dialect::Gobwas { separator: None });
        let destinations = spec
            .destinations
            .iter()
            .map(|d| [plain(&d.server), plain(&d.name), plain(&d.namespace)])
            .collect();
        let rules = |list: &[ResourceRule]| list.iter().map(KindRule::new).collect::<Vec<_>>();
        Self {
            permits_all: false,
            repos,
            destinations,
            cluster_allow: rules(&spec.cluster_resource_whitelist),
            cluster_deny: rules(&spec.cluster_resource_blacklist),
            namespace_allow: spec.namespace_resource_whitelist.as_deref().map(rules),
            namespace_deny: rules(&spec.namespace_resource_blacklist),
            name,
            spec,
        }
    }

    /// Reads a rendered AppProject manifest; the error names the field.
    pub fn from_value(value: &Value) -> Result<Self, String> {
        let manifest: Manifest = serde_path_to_error::deserialize(value)
            .map_err(|e| format!("{}: {}", e.path(), e.inner()))?;
        let name = manifest.metadata.name.trim().to_string();
        if name.is_empty() {
            return Err("metadata.name is required".into());
        }
        Ok(Self::new(name, manifest.spec))
    }

    pub fn permits_all(&self) -> bool {
        self.permits_all
    }

    /// Why `app` may not be in this project (a source repo or its destination), as Argo CD's
    /// InvalidSpecError says it; `None` when it may.
    pub fn refuse_app(&self, app: &Application, clusters: &[DestinationCluster]) -> Option<String> {
        if self.permits_all {
            return None;
        }
        // Every source, `ref`-only ones included; `sources` wins over `source`, as in Argo CD.
        let sources: Vec<_> = if app.spec.sources.is_empty() {
            app.spec.source.iter().collect()
        } else {
            app.spec.sources.iter().collect()
        };
        for source in sources {
            if !self.permits_repo(&source.repo_url) {
                return Some(format!(
                    "application repo {} is not permitted in project '{}'",
                    shown_url(&source.repo_url),
                    self.name
                ));
            }
        }
        let wanted = &app.spec.destination;
        let cluster = match destination::resolve(clusters, wanted) {
            Ok(cluster) => cluster,
            Err(message) => return Some(format!("project '{}': {message}", self.name)),
        };
        if self.permits_destination(cluster, &wanted.namespace) {
            return None;
        }
        let by_name = wanted.name.as_deref().is_some_and(|n| !n.trim().is_empty());
        Some(format!(
            "application destination server '{}' and namespace '{}' do not match any of the \
             allowed destinations in project '{}'",
            if by_name {
                &cluster.name
            } else {
                &cluster.server
            },
            wanted.namespace,
            self.name
        ))
    }

    /// Why resource `r` of an app deploying to `cluster` may not be synced, in Argo CD's words;
    /// `None` when it may.
    pub fn refuse_resource(
        &self,
        r: &DesiredResource,
        cluster: &DestinationCluster,
    ) -> Option<String> {
        if self.permits_all {
            return None;
        }
        let group = r.api_version.rsplit_once('/').map_or("", |(g, _)| g);
        let namespaced = !is_cluster_scoped(&r.kind);
        if !self.permits_kind(group, &r.kind, &r.name, namespaced) {
            return Some(format!(
                "resource {group}:{} is not permitted in project {}",
                r.kind, self.name
            ));
        }
        if namespaced && !r.namespace.is_empty() && !self.permits_destination(cluster, &r.namespace)
        {
            return Some(format!(
                "namespace {} is not permitted in project '{}'",
                r.namespace, self.name
            ));
        }
        None
    }

    /// Argo CD's `IsSourcePermitted`: some pattern matches, and no `!` pattern fails to.
    pub fn permits_repo(&self, url: &str) -> bool {
        if self.permits_all {
            return true;
        }
        let url = normalize_repo(url);
        let mut any = false;
        for pattern in &self.repos {
            if pattern.matches(&url) {
                any = true;
            } else if pattern.deny {
                return false;
            }
        }
        any
    }

    /// Argo CD's `isDestinationMatched`, against the cluster's name and server both.
    pub fn permits_destination(&self, cluster: &DestinationCluster, namespace: &str) -> bool {
        if self.permits_all {
            return true;
        }
        let mut any = false;
        for [server, name, ns] in &self.destinations {
            let name_ok = !cluster.name.is_empty() && name.matches(&cluster.name);
            let server_ok = !cluster.server.is_empty() && server.matches(&cluster.server);
            let ns_ok = ns.matches(namespace);
            // Argo CD's cases in its order: a match, else a refused cluster, else a refused
            // namespace on an allowed server.
            let refused_cluster = (!name_ok && name.deny) || (!server_ok && server.deny && ns_ok);
            let refused_namespace = !ns_ok && ns.deny && server_ok;
            if (server_ok || name_ok) && ns_ok {
                any = true;
            } else if refused_cluster || refused_namespace {
                return false;
            }
        }
        any
    }

    /// Argo CD's `IsGroupKindNamePermitted`.
    pub fn permits_kind(&self, group: &str, kind: &str, name: &str, namespaced: bool) -> bool {
        if self.permits_all {
            return true;
        }
        let listed = |rules: &[KindRule], with_name: bool| {
            rules
                .iter()
                .any(|r| r.matches(group, kind, name, with_name))
        };
        if namespaced {
            let allowed = match &self.namespace_allow {
                None => true,
                Some(list) => listed(list, false),
            };
            allowed && !listed(&self.namespace_deny, false)
        } else {
            listed(&self.cluster_allow, true) && !listed(&self.cluster_deny, true)
        }
    }
}

/// A gobwas pattern with Argo CD's `!` negation and its `*` shortcut.
#[derive(Clone, Debug)]
struct Pattern {
    deny: bool,
    any: bool,
    glob: Glob,
}

impl Pattern {
    fn new(raw: &str, dialect: Dialect) -> Self {
        let (deny, body) = match raw.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        Self {
            deny,
            any: !deny && body == "*",
            glob: Glob::new(body, dialect),
        }
    }

    fn repo(raw: &str) -> Self {
        Self::new(
            raw,
            Dialect::Gobwas {
                separator: Some('/'),
            },
        )
    }

    fn matches(&self, text: &str) -> bool {
        self.any || (self.deny != self.glob.matches(text))
    }
}

#[derive(Clone, Debug)]
struct KindRule {
    group: Glob,
    kind: Glob,
    name: Option<Glob>,
}

impl KindRule {
    fn new(rule: &ResourceRule) -> Self {
        Self {
            group: Glob::new(&rule.group, Dialect::FilePath),
            kind: Glob::new(&rule.kind, Dialect::FilePath),
            name: (!rule.name.is_empty()).then(|| Glob::new(&rule.name, Dialect::FilePath)),
        }
    }

    /// `with_name`: the cluster lists, where a rule may also name the object.
    fn matches(&self, group: &str, kind: &str, name: &str, with_name: bool) -> bool {
        self.kind.matches(kind)
            && self.group.matches(group)
            && (!with_name || self.name.as_ref().is_none_or(|n| n.matches(name)))
    }
}

/// Argo CD's `NormalizeGitURL`, near enough to compare: case, `.git` and a trailing `/` do not
/// matter, and `git@host:path` and `ssh://git@host/path` are one repo.
fn normalize_repo(url: &str) -> String {
    let url = super::repos::normalize(url);
    let bare = url.strip_prefix("ssh://");
    let is_ssh = bare
        .unwrap_or(&url)
        .split_once('@')
        .is_some_and(|(user, rest)| {
            !user.contains(['/', ':']) && !rest.is_empty() && !rest.contains('@')
        });
    match (is_ssh, bare) {
        (true, Some(rest)) => rest.to_string(),
        (true, None) => url.replacen(':', "/", 1),
        (false, _) => url,
    }
}

/// A repo URL fit for a message: credentials in it (`https://user:token@host/…`) are dropped.
fn shown_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// Whether a rendered object is an Argo CD AppProject.
pub fn is_app_project(resource: &DesiredResource) -> bool {
    resource.is_argo(KIND)
}

#[cfg(test)]
mod tests;
