//! The manifests that run Atrium itself on Kubernetes (`server/deploy/kubernetes`), checked as
//! an operator uses them: rendered with `kubectl kustomize`; applied with `kubectl apply
//! --server-side -k` to the emulator, served on loopback and reached through a kubeconfig,
//! after creating the Secrets the README lists, and read back; the configuration they ship
//! loaded by Atrium's own loader, from the files and with the environment the Deployment gives
//! the container. And the ClusterRole allows every request the cluster driver makes in a sync.

#[path = "kube_manifests/pod.rs"]
mod pod;
#[path = "kube_manifests/rbac.rs"]
mod rbac;

use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use atrium_server::cluster::driver::{AppSync, ClusterDriver, LiveWatch, SyncOptions};
use atrium_server::cluster::sim::{self, Sim, SimConfig};
use atrium_server::config::Config;
use atrium_server::gitops::render::objects::to_resources;
use pod::{container, port_number, Objects, PodFiles, SECRETS};
use rbac::{allows, rbac_of, record, Requests};

const BASE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/kubernetes");
const README: &str = include_str!("../../README.md");

fn kubectl(args: &[&str]) -> std::process::Output {
    Command::new("kubectl")
        .args(args)
        .output()
        .expect("kubectl on PATH (it has kustomize built in)")
}

fn rendered() -> Objects {
    let out = kubectl(&["kustomize", BASE]);
    assert!(
        out.status.success(),
        "kubectl kustomize {BASE}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    Objects(serde_saphyr::from_multiple::<Value>(&text).unwrap())
}

#[test]
fn the_base_runs_two_replicas_probed_on_the_port_the_service_targets() {
    let objects = rendered();
    let deployment = objects.named("Deployment", "atrium");
    let spec = &deployment["spec"]["template"]["spec"];
    let c = container(deployment);
    assert_eq!(deployment["spec"]["replicas"], 2);
    assert_ne!(
        c["image"], "atrium",
        "kustomize `images:` names the operator's image"
    );

    // The Service, the probes and the listen address meet on one port.
    let service = objects.named("Service", "atrium");
    let target = &service["spec"]["ports"][0]["targetPort"];
    let port = port_number(c, target);
    for (probe, path) in [
        ("readinessProbe", "/readyz"),
        ("livenessProbe", "/healthz"),
        ("startupProbe", "/healthz"),
    ] {
        assert_eq!(c[probe]["httpGet"]["path"], path, "{probe}");
        assert_eq!(
            port_number(c, &c[probe]["httpGet"]["port"]),
            port,
            "{probe}"
        );
    }
    let selector = service["spec"]["selector"].as_object().unwrap();
    let labels = &deployment["spec"]["template"]["metadata"]["labels"];
    assert!(
        selector.iter().all(|(k, v)| labels[k] == *v),
        "{selector:?}"
    );
    let pod = PodFiles::new(&objects);
    let config = Config::load(Some(&pod.config_file())).unwrap();
    assert_eq!(u64::from(config.listen.port()), port);
    assert!(config.listen.ip().is_unspecified(), "{}", config.listen);

    // The pod runs as the ServiceAccount the ClusterRoleBinding binds.
    let account = objects.one("ServiceAccount");
    assert_eq!(spec["serviceAccountName"], account["metadata"]["name"]);
    let binding = objects.one("ClusterRoleBinding");
    assert_eq!(
        binding["subjects"][0],
        json!({"kind": "ServiceAccount", "name": account["metadata"]["name"],
               "namespace": account["metadata"]["namespace"]})
    );
    assert_eq!(
        binding["roleRef"]["name"],
        objects.one("ClusterRole")["metadata"]["name"]
    );

    // The replica's name is its pod's.
    let env = c["env"].as_array().unwrap();
    let named = env.iter().find(|e| e["name"] == "ATRIUM_REPLICA_NAME");
    assert_eq!(
        named.unwrap()["valueFrom"]["fieldRef"]["fieldPath"],
        "metadata.name"
    );

    // Non-root, nothing writable but the emptyDirs, no capabilities.
    let security = &c["securityContext"];
    assert_eq!(spec["securityContext"]["runAsNonRoot"], true);
    assert_eq!(security["readOnlyRootFilesystem"], true);
    assert_eq!(security["allowPrivilegeEscalation"], false);
    assert_eq!(security["capabilities"]["drop"], json!(["ALL"]));
    for writable in [config.data_dir.to_str().unwrap(), "/tmp"] {
        assert_eq!(
            pod.volume_at(writable).map(|v| v.get("emptyDir").is_some()),
            Some(true),
            "{writable} is an emptyDir"
        );
    }
}

/// `object` read into the Kubernetes type `T` and written back: any field the type does not
/// have (a misspelt key, which a real API server refuses with kubectl's
/// `fieldValidation=Strict` and the emulator does not check) or a value of the wrong shape
/// is lost or changed on the way.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(object: &Value) -> Value {
    let typed: T = serde_json::from_value(object.clone())
        .unwrap_or_else(|e| panic!("{}: {e}", object["kind"]));
    serde_json::to_value(typed).unwrap()
}

#[test]
fn every_field_is_one_kubernetes_knows() {
    use k8s_openapi::api::{apps, core, policy, rbac};
    let objects = rendered();
    for o in &objects.0 {
        let back = match o["kind"].as_str().unwrap() {
            "ServiceAccount" => round_trip::<core::v1::ServiceAccount>(o),
            "ConfigMap" => round_trip::<core::v1::ConfigMap>(o),
            "Service" => round_trip::<core::v1::Service>(o),
            "Deployment" => round_trip::<apps::v1::Deployment>(o),
            "PodDisruptionBudget" => round_trip::<policy::v1::PodDisruptionBudget>(o),
            "ClusterRole" => round_trip::<rbac::v1::ClusterRole>(o),
            "ClusterRoleBinding" => round_trip::<rbac::v1::ClusterRoleBinding>(o),
            other => panic!("a kind this test does not know: {other}"),
        };
        assert_eq!(&back, o, "{} {}", o["kind"], o["metadata"]["name"]);
    }
    // The check itself: a misspelt field does not survive.
    let mut typo = objects.named("Deployment", "atrium").clone();
    typo["spec"]["template"]["spec"]["serviceAcountName"] = json!("atrium");
    assert_ne!(
        round_trip::<k8s_openapi::api::apps::v1::Deployment>(&typo),
        typo
    );
}

#[test]
fn every_secret_comes_from_a_secret_the_readme_names() {
    let objects = rendered();
    let c = container(objects.named("Deployment", "atrium"));
    let mut referenced = BTreeSet::new();
    for e in c["env"].as_array().unwrap() {
        if let Some(r) = e["valueFrom"].get("secretKeyRef") {
            let (name, key) = (r["name"].as_str().unwrap(), r["key"].as_str().unwrap());
            referenced.insert((name.to_string(), Some(key.to_string())));
        }
    }
    let pod = PodFiles::new(&objects);
    for volume in pod.volumes() {
        if let Some(name) = volume["secret"]["secretName"].as_str() {
            referenced.insert((name.to_string(), None));
        }
    }
    let env_of = |name: &str| {
        c["env"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .map(|e| e["valueFrom"]["secretKeyRef"].clone())
    };
    assert_eq!(
        env_of("DATABASE_URL").unwrap(),
        json!({"name": "atrium-database", "key": "url"})
    );
    assert_eq!(
        env_of("ATRIUM_AUTH__OIDC__CLIENT_SECRET").unwrap(),
        json!({"name": "atrium-oidc", "key": "client-secret"})
    );
    // Every Secret the pod reads is one the test (and the README) creates, key by key.
    for (name, key) in &referenced {
        let (_, keys) = SECRETS
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("the pod reads Secret {name}, which nobody creates"));
        // The README's command for it: from its name to the next command.
        let command = format!("create secret generic {name} ");
        let at = README
            .find(&command)
            .unwrap_or_else(|| panic!("the README says to run `kubectl {command}…`"));
        let command = &README[at..];
        let command = &command[..command[1..]
            .find("kubectl")
            .map_or(command.len(), |e| e + 1)];
        if let Some(key) = key {
            assert!(
                keys.iter().any(|(k, _)| k == key),
                "{name} has no key {key}"
            );
            let literal = format!("--from-literal={key}=");
            assert!(command.contains(&literal), "{command}");
        }
    }
    // And every Secret the README has operators create is read.
    let names: BTreeSet<&str> = referenced.iter().map(|(n, _)| n.as_str()).collect();
    let created: BTreeSet<&str> = SECRETS.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, created);
}

#[test]
fn the_shipped_configuration_loads_with_the_deployments_environment() {
    let objects = rendered();
    let pod = PodFiles::new(&objects);
    let c = container(objects.named("Deployment", "atrium"));
    let args: Vec<&str> = c["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(args.last(), Some(&"serve"), "{args:?}");
    let at = args.iter().position(|a| *a == "--config").unwrap();
    let config_path = args[at + 1];
    let mount = pod
        .volume_at(config_path)
        .expect("--config names a mounted file");
    assert!(mount.get("configMap").is_some(), "{mount}");
    assert!(
        pod.path(config_path).is_file(),
        "{config_path} is in the ConfigMap"
    );

    // The real binary's loader, with the container's environment and files (exit code 2 and
    // the field on a configuration error). `catalog validate --config` loads the
    // configuration as `serve` does, and stops there.
    let catalog = tempfile::tempdir().unwrap();
    std::fs::write(
        catalog.path().join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: web\n\
         spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_atrium"))
        .args(args[..at].iter())
        .arg("--config")
        .arg(pod.path(config_path))
        .args(["catalog", "validate"])
        .arg(catalog.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .envs(pod.env(c))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "atrium with the shipped configuration: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // Top-level tables accept unknown keys (the environment brings ATRIUM_* variables that
    // are not settings), so a misspelt key would be ignored in silence: every key the file
    // sets must be one the loaded configuration has.
    let file = pod.config_file();
    let config = Config::load(Some(&file)).unwrap();
    assert_eq!(unknown_keys(&file, &config), Vec::<String>::new());
    let typo = file.with_file_name("typo.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&typo, format!("lease_sec = 5\n{text}")).unwrap();
    let loaded = Config::load(Some(&typo)).expect("an unknown top-level key is ignored");
    assert_eq!(unknown_keys(&typo, &loaded), vec!["lease_sec".to_string()]);

    // What the Deployment's comments promise of the file.
    assert!(config.database_url.is_none(), "the URL comes from a Secret");
    let oidc = config.auth.oidc.as_ref().expect("[auth.oidc]");
    assert!(
        oidc.client_secret.is_none(),
        "the secret comes from a Secret"
    );
    let policy = config.auth.policy_file.clone().expect("auth.policy_file");
    let policy_text = std::fs::read_to_string(&policy).expect("policy.csv in the ConfigMap");
    atrium_server::auth::policy::Policy::parse(&policy_text, Some(&config.auth.default_role))
        .unwrap_or_else(|e| panic!("policy.csv: {e:?}"));
    for entry in &config.git.credentials {
        let dir = entry
            .secret_dir
            .as_ref()
            .expect("credentials from a mounted Secret");
        let mount = pod.volume_at(&pod.in_pod(dir)).unwrap();
        assert!(mount.get("secret").is_some(), "{mount}");
    }
    assert_eq!(config.environments().unwrap().len(), 2);
}

/// Keys of the TOML file `file` that `config` (loaded from it) does not have, as dotted paths.
fn unknown_keys(file: &std::path::Path, config: &Config) -> Vec<String> {
    use figment::providers::{Format, Toml};
    fn walk(shipped: &Value, loaded: &Value, at: &str, out: &mut Vec<String>) {
        match (shipped, loaded) {
            (Value::Object(s), Value::Object(l)) => {
                for (key, value) in s {
                    let path = format!("{at}{key}");
                    match l.get(key) {
                        Some(known) => walk(value, known, &format!("{path}."), out),
                        None => out.push(path),
                    }
                }
            }
            (Value::Array(s), Value::Array(l)) => {
                for (i, (a, b)) in s.iter().zip(l).enumerate() {
                    walk(a, b, &format!("{}[{i}].", at.trim_end_matches('.')), out);
                }
            }
            _ => {}
        }
    }
    let shipped: Value = figment::Figment::from(Toml::file(file)).extract().unwrap();
    let mut out = Vec::new();
    walk(
        &shipped,
        &serde_json::to_value(config).unwrap(),
        "",
        &mut out,
    );
    out
}

fn kubeconfig(server: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: sim\n  cluster:\n    server: {server}\n\
         contexts:\n- name: sim\n  context:\n    cluster: sim\n    user: operator\n\
         users:\n- name: operator\n  user:\n    token: not-a-token\ncurrent-context: sim\n"
    )
}

/// `kubectl --kubeconfig <config> <args>`, with `stdin`; its output, or the test fails with
/// what it said.
fn kubectl_in(config: &str, args: &[&str], stdin: Option<&str>) -> String {
    use std::io::Write;
    let mut child = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(config)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kubectl on PATH");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "kubectl {}: {said}", args.join(" "));
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_applies_the_base_to_the_emulator() {
    let served = sim::serve(
        "127.0.0.1:0".parse().unwrap(),
        SimConfig {
            rollout_delay: Duration::ZERO,
        },
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kubeconfig");
    std::fs::write(&config, kubeconfig(&served.url())).unwrap();
    let config = config.to_str().unwrap().to_string();
    // kubectl blocks; the emulator answers on the runtime meanwhile.
    let steps = tokio::task::spawn_blocking(move || {
        let run = |args: &str, stdin: Option<&str>| {
            let args: Vec<&str> = args.split(' ').collect();
            kubectl_in(&config, &args, stdin)
        };
        // The README's steps: the namespace, the Secrets, the base, the rollout. kubectl's
        // `create` commands send protobuf, which only a real API server reads, so here they
        // print the object they would create and `apply` sends it (as JSON).
        let namespace = run("create namespace atrium --dry-run=client -o yaml", None);
        run("apply --server-side -f -", Some(&namespace));
        for (name, keys) in SECRETS {
            let literals: Vec<String> = keys
                .iter()
                .map(|(k, v)| format!("--from-literal={k}={v}"))
                .collect();
            let secret = run(
                &format!(
                    "-n atrium create secret generic {name} {} --dry-run=client -o yaml",
                    literals.join(" ")
                ),
                None,
            );
            run("apply --server-side -f -", Some(&secret));
        }
        let applied = run(&format!("apply --server-side -k {BASE}"), None);
        let rollout = run(
            "-n atrium rollout status deployment/atrium --timeout=30s",
            None,
        );
        let deployment = run("-n atrium get deployment atrium -o json", None);
        (applied, rollout, deployment)
    });
    let (applied, rollout, deployment) = steps.await.unwrap();
    let objects = rendered();
    for o in &objects.0 {
        let name = o["metadata"]["name"].as_str().unwrap();
        assert!(
            applied.contains(&format!("/{name} serverside-applied")),
            "{} {name}: {applied}",
            o["kind"]
        );
    }
    assert!(rollout.contains("successfully rolled out"), "{rollout}");
    let deployment: Value = serde_json::from_str(&deployment).unwrap();
    assert_eq!(deployment["spec"]["replicas"], 2);

    // Read back as the cluster holds them, written by kubectl's field manager.
    let client = served.client().unwrap();
    for o in &objects.0 {
        let kind = o["kind"].as_str().unwrap();
        let name = o["metadata"]["name"].as_str().unwrap();
        let gvk = kube::core::GroupVersionKind::try_from(&kube::core::TypeMeta {
            api_version: o["apiVersion"].as_str().unwrap().into(),
            kind: kind.into(),
        })
        .unwrap();
        let (resource, caps) = kube::discovery::pinned_kind(&client, &gvk).await.unwrap();
        let api: kube::Api<kube::core::DynamicObject> =
            if caps.scope == kube::discovery::Scope::Namespaced {
                kube::Api::namespaced_with(client.clone(), "atrium", &resource)
            } else {
                kube::Api::all_with(client.clone(), &resource)
            };
        let live = serde_json::to_value(api.get(name).await.unwrap()).unwrap();
        let managers: Vec<&str> = live["metadata"]["managedFields"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["operation"] == "Apply")
            .filter_map(|m| m["manager"].as_str())
            .collect();
        assert_eq!(managers, ["kubectl"], "{kind} {name}");
        for field in ["spec", "data", "rules", "subjects", "roleRef"] {
            assert_eq!(live.get(field), o.get(field), "{kind} {name}: {field}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cluster_role_allows_every_request_of_a_sync() {
    let sim = Sim::start(SimConfig {
        rollout_delay: Duration::ZERO,
    });
    let log: Requests = Default::default();
    let router = sim
        .router()
        .layer(axum::middleware::from_fn_with_state(log.clone(), record));
    let driver = ClusterDriver::new(kube::Client::new(router, "default"));

    // An app with what syncs do: a namespace to create, server-side applies, a resource
    // written whole (Replace=true), a PreSync hook (deleted before it runs again), and
    // prune.
    let manifests = |with_settings: bool| {
        let mut docs = vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                   "spec": {"selector": {"matchLabels": {"app": "web"}},
                            "template": {"metadata": {"labels": {"app": "web"}},
                                         "spec": {"containers": [{"name": "web", "image": "web:1"}]}}}}),
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "token",
                   "annotations": {"argocd.argoproj.io/sync-options": "Replace=true"}},
                   "stringData": {"token": "not-a-token"}}),
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate",
                   "annotations": {"argocd.argoproj.io/hook": "PreSync"}},
                   "spec": {"template": {"spec": {"restartPolicy": "Never",
                            "containers": [{"name": "migrate", "image": "web:1"}]}}}}),
        ];
        if with_settings {
            docs.push(json!({"apiVersion": "v1", "kind": "ConfigMap",
                             "metadata": {"name": "settings"}, "data": {"a": "1"}}));
        }
        let mut out = Vec::new();
        to_resources("app.yaml", docs, "shop", &mut out).unwrap();
        out
    };
    let options = SyncOptions {
        prune: true,
        create_namespace: true,
        dry_run: false,
        wait_for_health: Some(Duration::from_secs(20)),
    };
    for (revision, with_settings) in [("1111111", true), ("2222222", false)] {
        let sync = AppSync {
            revision,
            sync_options: &[],
        };
        let report = driver
            .apply_app("web", &manifests(with_settings), options, sync)
            .await
            .unwrap();
        assert!(report.succeeded(), "{report:#?}");
    }
    driver.revision().await.unwrap();
    driver.inventory(&[]).await.unwrap();
    let watch = LiveWatch::default();
    driver.watch_kinds(&watch, &[]).await.unwrap();
    watch.current(Duration::from_secs(10)).await.unwrap();
    let watching = || {
        log.lock()
            .unwrap()
            .iter()
            .any(|r| r.2.contains("watch=true"))
    };
    for _ in 0..100 {
        if watching() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let rules = rendered().one("ClusterRole")["rules"].clone();
    let mut seen = BTreeSet::new();
    for (method, path, query, status) in log.lock().unwrap().iter() {
        for (verb, group, resource) in rbac_of(method, path, query, *status) {
            assert!(
                allows(&rules, &verb, &group, &resource),
                "the ClusterRole does not allow {verb} on {resource} in group {group:?} \
                 ({method} {path}?{query})"
            );
            seen.insert(verb);
        }
    }
    // Each verb the role grants for a reason was used, so the check above covered it.
    let used: Vec<&str> = seen.iter().map(String::as_str).collect();
    assert_eq!(
        used,
        ["create", "delete", "get", "list", "patch", "update", "watch"]
    );
}
