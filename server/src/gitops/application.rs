//! Argo CD's `Application` (argoproj.io/v1alpha1) read as Argo CD writes it: the fields the
//! engine acts on are typed, everything else is tolerated and ignored, and a wrongly typed field
//! is an error that names it (`spec.syncPolicy.automated.prune: …`) so a person can fix the file.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::resource::DesiredResource;

pub const API_VERSION: &str = "argoproj.io/v1alpha1";
pub const KIND: &str = "Application";

/// Larger Application manifests are refused unread. Kubernetes itself stores no object over
/// 1.5 MB; an Application is a few kilobytes.
pub const MAX_MANIFEST_BYTES: usize = 1024 * 1024;

/// An Application manifest could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationError {
    #[error("YAML error{}: {message}", at_text(.at))]
    Yaml {
        at: Option<(u64, u64)>,
        message: String,
    },
    /// A field has the wrong type or value; `field` is its dotted path.
    #[error("{field}: {message}{}", at_text(.at))]
    Field {
        field: String,
        message: String,
        at: Option<(u64, u64)>,
    },
    #[error("not an Argo CD Application (apiVersion {api_version:?}, kind {kind:?})")]
    NotAnApplication { api_version: String, kind: String },
    #[error("metadata.name is required")]
    MissingName,
    #[error("manifest is {size} bytes, larger than the {} MB limit", MAX_MANIFEST_BYTES / (1024 * 1024))]
    TooLarge { size: usize },
}

fn at_text(at: &Option<(u64, u64)>) -> String {
    at.map(|(line, column)| format!(" (line {line}, column {column})"))
        .unwrap_or_default()
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    #[serde(default, deserialize_with = "nullable")]
    pub api_version: String,
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default, deserialize_with = "nullable")]
    pub metadata: ObjectMeta,
    #[serde(default, deserialize_with = "nullable")]
    pub spec: ApplicationSpec,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "nullable")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "nullable")]
    pub finalizers: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSpec {
    #[serde(default, deserialize_with = "nullable")]
    pub project: String,
    #[serde(default)]
    pub source: Option<ApplicationSource>,
    /// Multi-source apps (Argo CD 2.6+); used instead of `source` when non-empty.
    #[serde(default, deserialize_with = "nullable")]
    pub sources: Vec<ApplicationSource>,
    #[serde(default, deserialize_with = "nullable")]
    pub destination: Destination,
    #[serde(default)]
    pub sync_policy: Option<SyncPolicy>,
    #[serde(default, deserialize_with = "nullable")]
    pub ignore_differences: Vec<IgnoreDifferences>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSource {
    #[serde(rename = "repoURL", default, deserialize_with = "nullable")]
    pub repo_url: String,
    /// Branch, tag, commit SHA or `HEAD` (also the chart version for Helm repositories).
    #[serde(default, deserialize_with = "nullable")]
    pub target_revision: String,
    #[serde(default, deserialize_with = "nullable")]
    pub path: String,
    /// A chart from a Helm repository (then `repoURL` is the Helm repository).
    #[serde(default)]
    pub chart: Option<String>,
    /// Names this source for `$ref/…` value files of other sources (multi-source apps).
    #[serde(rename = "ref", default)]
    pub ref_name: Option<String>,
    #[serde(default)]
    pub helm: Option<HelmSource>,
    #[serde(default)]
    pub kustomize: Option<KustomizeSource>,
    #[serde(default)]
    pub directory: Option<DirectorySource>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmSource {
    #[serde(default, deserialize_with = "nullable")]
    pub value_files: Vec<String>,
    /// Inline values, a YAML text as Argo CD stores it.
    #[serde(default)]
    pub values: Option<String>,
    #[serde(default)]
    pub values_object: Option<Value>,
    #[serde(default, deserialize_with = "nullable")]
    pub parameters: Vec<HelmParameter>,
    #[serde(default)]
    pub release_name: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelmParameter {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub value: String,
    #[serde(default, deserialize_with = "nullable")]
    pub force_string: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KustomizeSource {
    #[serde(default)]
    pub name_prefix: Option<String>,
    #[serde(default)]
    pub name_suffix: Option<String>,
    /// `[old=]name[:tag|@digest]`, Argo CD's image override syntax.
    #[serde(default, deserialize_with = "nullable")]
    pub images: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub common_labels: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "nullable")]
    pub common_annotations: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectorySource {
    #[serde(default, deserialize_with = "nullable")]
    pub recurse: bool,
    /// Glob (or `{a,b}` alternation) of files to read, relative to the source path.
    #[serde(default, deserialize_with = "nullable")]
    pub include: String,
    #[serde(default, deserialize_with = "nullable")]
    pub exclude: String,
    /// Read so that manifests carrying it parse; Jsonnet is not rendered.
    #[serde(default)]
    pub jsonnet: Option<Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Destination {
    #[serde(default)]
    pub server: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub namespace: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicy {
    /// Present (even as `{}`) = automated sync.
    #[serde(default)]
    pub automated: Option<Automated>,
    #[serde(default, deserialize_with = "nullable")]
    pub sync_options: Vec<String>,
    #[serde(default)]
    pub retry: Option<Retry>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Automated {
    #[serde(default, deserialize_with = "nullable")]
    pub prune: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub self_heal: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub allow_empty: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Retry {
    #[serde(default)]
    pub limit: Option<i64>,
    #[serde(default)]
    pub backoff: Option<Backoff>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Backoff {
    /// Go duration text (`5s`, `2m`), as Argo CD stores it.
    #[serde(default)]
    pub duration: Option<String>,
    #[serde(default)]
    pub factor: Option<i64>,
    #[serde(default)]
    pub max_duration: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IgnoreDifferences {
    #[serde(default, deserialize_with = "nullable")]
    pub group: String,
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub namespace: String,
    #[serde(default, deserialize_with = "nullable")]
    pub json_pointers: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub jq_path_expressions: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub managed_fields_managers: Vec<String>,
}

/// `key:` with nothing after it is YAML null; Argo CD (Go) reads it as the empty value.
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

impl Application {
    /// Reads one Application from YAML (one document): type errors name the field and give the
    /// line and column.
    pub fn from_yaml(text: &str) -> Result<Self, ApplicationError> {
        if text.len() > MAX_MANIFEST_BYTES {
            return Err(ApplicationError::TooLarge { size: text.len() });
        }
        if let Err(crate::catalog::reader::ReadError::Yaml { at, message }) =
            crate::catalog::reader::refuse_nul(text)
        {
            return Err(ApplicationError::Yaml { at, message });
        }
        // The limits of every YAML read from a repository (depth, documents, alias replay).
        let options = || {
            serde_saphyr::options! {
                budget: crate::catalog::reader::yaml_budget(),
                alias_limits: crate::catalog::reader::yaml_alias_limits(),
            }
        };
        // Syntax first, so that a syntax error is not reported against the field it sits in.
        if let Err(e) =
            serde_saphyr::from_str_with_options::<serde::de::IgnoredAny>(text, options())
        {
            return Err(ApplicationError::Yaml {
                at: e.location().map(|l| (l.line(), l.column())),
                message: plain_message(&e),
            });
        }
        let mut path = None;
        let parsed = serde_saphyr::with_deserializer_from_str_with_options(text, options(), |de| {
            serde_path_to_error::deserialize::<_, Application>(de).map_err(|e| {
                path = Some(e.path().to_string());
                e.into_inner()
            })
        });
        match parsed {
            Ok(app) => app.checked(),
            Err(e) => {
                let at = e.location().map(|l| (l.line(), l.column()));
                let message = plain_message(&e);
                Err(match path.filter(|p| p != ".") {
                    Some(field) => ApplicationError::Field { field, message, at },
                    None => ApplicationError::Yaml { at, message },
                })
            }
        }
    }

    /// Reads an Application from an already parsed manifest (a rendered resource).
    pub fn from_value(value: &Value) -> Result<Self, ApplicationError> {
        serde_path_to_error::deserialize::<_, Application>(value)
            .map_err(|e| ApplicationError::Field {
                field: e.path().to_string(),
                message: e.inner().to_string(),
                at: None,
            })?
            .checked()
    }

    fn checked(self) -> Result<Self, ApplicationError> {
        if !(self.api_version.starts_with("argoproj.io/") && self.kind == KIND) {
            return Err(ApplicationError::NotAnApplication {
                api_version: self.api_version,
                kind: self.kind,
            });
        }
        if self.metadata.name.trim().is_empty() {
            return Err(ApplicationError::MissingName);
        }
        Ok(self)
    }

    /// The sources that render manifests: `sources` when set, else `source`. A source that
    /// only names a `ref` (values for another source) renders nothing of its own.
    pub fn rendering_sources(&self) -> Vec<&ApplicationSource> {
        let all: Vec<&ApplicationSource> = if self.spec.sources.is_empty() {
            self.spec.source.iter().collect()
        } else {
            self.spec.sources.iter().collect()
        };
        all.into_iter()
            .filter(|s| s.ref_name.is_none() || !s.path.is_empty() || s.chart.is_some())
            .collect()
    }

    pub fn automated(&self) -> Option<Automated> {
        self.spec.sync_policy.as_ref().and_then(|p| p.automated)
    }

    pub fn sync_options(&self) -> Vec<String> {
        self.spec
            .sync_policy
            .as_ref()
            .map(|p| p.sync_options.clone())
            .unwrap_or_default()
    }
}

/// The parser's message without the location it prefixes (reported separately).
fn plain_message(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or_default().trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let message = match first
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some((position, rest)) if position.contains("column") => rest,
        _ => first,
    };
    if message.starts_with("multiple YAML documents detected") {
        return "more than one YAML document (an Application file holds one)".into();
    }
    crate::catalog::reader::limit_text(message)
}

/// Whether a rendered object is an Argo CD Application (a child of the app that rendered it).
pub fn is_application(resource: &DesiredResource) -> bool {
    resource.is_argo(KIND)
}

#[cfg(test)]
#[path = "application_tests.rs"]
mod tests;
