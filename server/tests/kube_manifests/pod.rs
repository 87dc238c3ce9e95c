//! The rendered objects, and the files and environment the kubelet would give Atrium's
//! container: each volume mount filled under a temporary root (ConfigMap keys and the test's
//! Secret values as files, emptyDirs empty), the mount paths in the shipped configuration
//! pointed there, and the container's environment resolved from the same Secrets.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The Secrets the README has operators create, with values that are obviously not secrets.
pub const SECRETS: &[(&str, &[(&str, &str)])] = &[
    (
        "atrium-database",
        &[(
            "url",
            "postgres://atrium:not-a-password@postgres:5432/atrium",
        )],
    ),
    ("atrium-oidc", &[("client-secret", "not-a-client-secret")]),
    (
        "atrium-git",
        &[("username", "atrium"), ("password", "not-a-token")],
    ),
    ("atrium-webhooks", &[("secret", "not-a-webhook-secret")]),
];

/// What the downward API gives `metadata.name`.
const POD_NAME: &str = "atrium-5f7c9d8b4-x2k4q";

/// `kubectl kustomize`'s output.
pub struct Objects(pub Vec<Value>);

impl Objects {
    /// The only object of `kind`.
    pub fn one(&self, kind: &str) -> &Value {
        let all: Vec<&Value> = self.0.iter().filter(|o| o["kind"] == kind).collect();
        assert_eq!(all.len(), 1, "one {kind}");
        all[0]
    }

    pub fn named(&self, kind: &str, name: &str) -> &Value {
        self.0
            .iter()
            .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("no {kind} {name}"))
    }
}

/// The Deployment's only container.
pub fn container(deployment: &Value) -> &Value {
    let containers = deployment["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap();
    assert_eq!(containers.len(), 1);
    &containers[0]
}

/// A port given by number or by the name of one of `container`'s ports.
pub fn port_number(container: &Value, port: &Value) -> u64 {
    if let Some(number) = port.as_u64() {
        return number;
    }
    let name = port.as_str().expect("a port is a number or a name");
    container["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["containerPort"].as_u64())
        .unwrap_or_else(|| panic!("the container has no port named {name}"))
}

/// The container's files under a temporary root.
pub struct PodFiles {
    root: tempfile::TempDir,
    /// `(mountPath, volume)`.
    mounts: Vec<(String, Value)>,
    volumes: Vec<Value>,
    /// The `--config` argument, as the container sees it.
    config: String,
}

impl PodFiles {
    pub fn new(objects: &Objects) -> Self {
        let deployment = objects.named("Deployment", "atrium");
        let spec = &deployment["spec"]["template"]["spec"];
        let volumes = spec["volumes"].as_array().unwrap().clone();
        let c = container(deployment);
        let mut mounts = Vec::new();
        for m in c["volumeMounts"].as_array().unwrap() {
            let volume = volumes
                .iter()
                .find(|v| v["name"] == m["name"])
                .unwrap_or_else(|| panic!("no volume {}", m["name"]))
                .clone();
            mounts.push((m["mountPath"].as_str().unwrap().to_string(), volume));
        }
        let args: Vec<&str> = c["args"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let at = args.iter().position(|a| *a == "--config").unwrap();
        let pod = PodFiles {
            root: tempfile::tempdir().unwrap(),
            mounts,
            volumes,
            config: args[at + 1].to_string(),
        };
        for (path, volume) in &pod.mounts {
            let dir = pod.path(path);
            std::fs::create_dir_all(&dir).unwrap();
            let files: Vec<(String, String)> = if let Some(cm) = volume.get("configMap") {
                let map = objects.named("ConfigMap", cm["name"].as_str().unwrap());
                map["data"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), pod.rewrite(v.as_str().unwrap())))
                    .collect()
            } else if let Some(secret) = volume.get("secret") {
                let name = secret["secretName"].as_str().unwrap();
                let (_, keys) = SECRETS.iter().find(|(n, _)| *n == name).unwrap();
                keys.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            } else {
                assert!(volume.get("emptyDir").is_some(), "{volume}");
                Vec::new()
            };
            for (key, text) in files {
                std::fs::write(dir.join(key), text).unwrap();
            }
        }
        pod
    }

    /// Where the container's `in_pod` is here.
    pub fn path(&self, in_pod: &str) -> PathBuf {
        self.root.path().join(in_pod.trim_start_matches('/'))
    }

    /// The container's path of `here`.
    pub fn in_pod(&self, here: &Path) -> String {
        let rel = here.strip_prefix(self.root.path()).unwrap();
        format!("/{}", rel.display())
    }

    /// The `--config` file, here.
    pub fn config_file(&self) -> PathBuf {
        self.path(&self.config)
    }

    pub fn volumes(&self) -> &[Value] {
        &self.volumes
    }

    /// The volume mounted where `in_pod` is (the deepest mount holding it).
    pub fn volume_at(&self, in_pod: &str) -> Option<&Value> {
        self.mounts
            .iter()
            .filter(|(m, _)| in_pod == m || in_pod.starts_with(&format!("{m}/")))
            .max_by_key(|(m, _)| m.len())
            .map(|(_, v)| v)
    }

    /// `text` with every quoted path under a mount pointed here.
    fn rewrite(&self, text: &str) -> String {
        let mut paths: Vec<&str> = self.mounts.iter().map(|(m, _)| m.as_str()).collect();
        paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
        let alternatives: Vec<String> = paths.iter().map(|p| regex::escape(p)).collect();
        let quoted = regex::Regex::new(&format!("\"({})([/\"])", alternatives.join("|"))).unwrap();
        let root = self.root.path().display().to_string();
        quoted
            .replace_all(text, |c: &regex::Captures| {
                format!("\"{root}{}{}", &c[1], &c[2])
            })
            .into_owned()
    }

    /// The container's environment: values (paths under a mount pointed here), the test's
    /// Secrets, and the downward API's pod name.
    pub fn env(&self, container: &Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for e in container["env"].as_array().unwrap() {
            let name = e["name"].as_str().unwrap().to_string();
            if let Some(value) = e["value"].as_str() {
                let here = match self.volume_at(value) {
                    Some(_) => self.path(value).display().to_string(),
                    None => value.to_string(),
                };
                out.push((name, here));
            } else if let Some(r) = e["valueFrom"].get("secretKeyRef") {
                let secret = SECRETS.iter().find(|(n, _)| r["name"] == *n);
                let value = secret.and_then(|(_, keys)| keys.iter().find(|(k, _)| r["key"] == *k));
                match value {
                    Some((_, v)) => out.push((name, v.to_string())),
                    None => assert_eq!(r["optional"], true, "{name}: {r} is missing"),
                }
            } else if e["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name" {
                out.push((name, POD_NAME.to_string()));
            } else {
                panic!("an environment variable the test cannot resolve: {e}");
            }
        }
        out
    }
}
