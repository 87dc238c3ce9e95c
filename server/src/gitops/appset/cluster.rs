//! The `clusters` generator: one parameter set per cluster of the environment
//! ([`DestinationCluster`], the environment's own as `in-cluster`) that its `selector` picks:
//! `name`, `nameNormalized`, `server`, `project` (empty: clusters here belong to no project)
//! and `metadata.labels.<k>` (`metadata.annotations.<k>` has none to give), as Argo CD names
//! them; with goTemplate, `metadata` is a map. `values` are rendered with those.

use serde_json::Value;

use super::template::{append_values, sanitize_name, Templating};
use super::{label_selector, Params};
use crate::gitops::destination::DestinationCluster;

pub(super) fn params(
    body: &Value,
    t: Templating,
    at: &str,
    clusters: &[DestinationCluster],
) -> Result<Vec<Params>, String> {
    let body = match body {
        // `clusters: {}` selects every cluster.
        Value::Null => &Value::Null,
        Value::Object(_) => body,
        _ => return Err(format!("{at}: expected a map")),
    };
    let selector = match &body["selector"] {
        Value::Null => Default::default(),
        s => label_selector(s, &format!("{at}.selector"))?,
    };
    let mut out = Vec::new();
    for cluster in clusters.iter().filter(|c| selector.matches(&c.labels)) {
        let s = |v: &str| Value::String(v.to_string());
        let mut params = Params::new();
        params.insert("name".into(), s(&cluster.name));
        params.insert("nameNormalized".into(), s(&sanitize_name(&cluster.name)));
        params.insert("server".into(), s(&cluster.server));
        params.insert("project".into(), s(""));
        if t.go {
            let labels: Params = cluster
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), s(v)))
                .collect();
            let mut metadata = Params::new();
            metadata.insert("labels".into(), Value::Object(labels));
            metadata.insert("annotations".into(), Value::Object(Params::new()));
            params.insert("metadata".into(), Value::Object(metadata));
        } else {
            for (k, v) in &cluster.labels {
                params.insert(format!("metadata.labels.{k}"), s(v));
            }
        }
        append_values(&body["values"], &mut params, t, at)?;
        out.push(params);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::cluster::ClusterTarget;

    fn clusters() -> Vec<DestinationCluster> {
        let labelled = |name: &str, env: &str| DestinationCluster {
            name: name.into(),
            server: format!("https://{name}.example:6443"),
            target: ClusterTarget::Context(name.into()),
            labels: BTreeMap::from([("env".to_string(), env.to_string())]),
        };
        vec![
            DestinationCluster::in_cluster(ClusterTarget::Sim),
            labelled("Edge_EU", "prod"),
            labelled("staging-1", "staging"),
        ]
    }

    #[test]
    fn every_cluster_without_a_selector_with_argo_cds_parameter_names() {
        let params = params(&json!({}), Templating::default(), "g", &clusters()).unwrap();
        let names: Vec<&str> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["in-cluster", "Edge_EU", "staging-1"]);
        assert_eq!(params[0]["server"], "https://kubernetes.default.svc");
        assert_eq!(params[1]["nameNormalized"], "edge-eu");
        assert_eq!(params[1]["metadata.labels.env"], "prod");
    }

    #[test]
    fn selectors_pick_by_labels_and_values_are_rendered() {
        let body = json!({
            "selector": {"matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "staging"]}]},
            "values": {"branch": "release-{{metadata.labels.env}}"},
        });
        let picked = params(&body, Templating::default(), "g", &clusters()).unwrap();
        assert_eq!(picked.len(), 2);
        assert_eq!(picked[0]["values.branch"], "release-prod");

        let body = json!({"selector": {"matchLabels": {"env": "staging"}}});
        let go = Templating {
            go: true,
            ..Default::default()
        };
        let picked = params(&body, go, "g", &clusters()).unwrap();
        assert_eq!(picked.len(), 1);
        assert_eq!(picked[0]["metadata"]["labels"]["env"], "staging");

        let body = json!({"selector": {"matchExpressions": [{"key": "env", "operator": "Near"}]}});
        let err = params(&body, go, "g", &clusters()).unwrap_err();
        assert!(
            err.contains("g.selector.matchExpressions[0].operator"),
            "{err}"
        );
    }
}
