//! A large environment as a real Git repository: a root App of Apps rendering `apps/` (one
//! Application per app, automated), each app a directory of `per_app` resources (Deployment,
//! Service, ConfigMaps), plus an `atrium.toml` that serves it as environment `bench` on the
//! simulated cluster. What `atrium-engine-bench --write-env` and the Chromium tree benchmark use.

use std::fmt::Write as _;
use std::path::Path;

use atrium_server::demo::git::{commit_files, open_or_init};

pub const ROOT: &str = "root.yaml";

fn application(name: &str, repo: &str, path: &str, ns: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  \
         namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: {repo}\n    \
         targetRevision: main\n    path: {path}\n  destination:\n    server: \
         https://kubernetes.default.svc\n    namespace: {ns}\n  syncPolicy:\n    automated:\n      \
         prune: true\n      selfHeal: true\n    syncOptions:\n      - CreateNamespace=true\n"
    )
}

/// `bump`: the image's patch number (environments after the first run one app in ten newer).
fn workload(i: usize, per_app: usize, bump: usize) -> String {
    let name = format!("app-{i}");
    let ns = format!("ns-{}", i % 50);
    let mut y = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\n\
         spec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    \
         metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n        - \
         name: main\n          image: registry.example/{name}:1.{i}.{bump}\n---\napiVersion: v1\n\
         kind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  selector:\n    \
         app: {name}\n  ports:\n    - port: 80\n"
    );
    for c in 0..per_app.saturating_sub(2) {
        let _ = write!(
            y,
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config-{c}\n  \
             namespace: {ns}\ndata:\n  key: value-{c}\n  LOG_LEVEL: info\n"
        );
    }
    y
}

/// Writes `envs` environments and `<dir>/atrium.toml` serving them: `bench` (`<dir>/bench.git`),
/// then `bench-2`, `bench-3`… whose
/// repositories differ from `bench` in one app in ten (a newer image tag), in promotion order:
/// what the compare view's Chromium benchmark opens. Returns the first repo's path.
pub fn write_envs(
    dir: &Path,
    apps: usize,
    per_app: usize,
    envs: usize,
) -> anyhow::Result<std::path::PathBuf> {
    let mut entries = String::new();
    let mut first = None;
    for e in 1..=envs.max(1) {
        let name = if e == 1 {
            "bench".to_string()
        } else {
            format!("bench-{e}")
        };
        let repo = write_repo(dir, &name, apps, per_app, e - 1)?;
        let _ = write!(
            entries,
            "\n[[environments]]\nname = \"{name}\"\nrepo = \"{}\"\nroot = \"{ROOT}\"\n",
            repo.display()
        );
        first.get_or_insert(repo);
    }
    let toml = format!(
        "# Written by atrium-engine-bench --write-env: large environments on the simulated\n\
         # cluster. Run: atrium serve --config {config}\n\
         data_dir = \"{data}\"\n\n[engine]\nsim_rollout_ms = 500\n{entries}",
        config = dir.join("atrium.toml").display(),
        data = dir.join("data").display(),
    );
    std::fs::write(dir.join("atrium.toml"), toml)?;
    Ok(first.unwrap_or_default())
}

/// One environment's repository; `bump` > 0 gives every tenth app patch version `bump`.
fn write_repo(
    dir: &Path,
    env: &str,
    apps: usize,
    per_app: usize,
    bump: usize,
) -> anyhow::Result<std::path::PathBuf> {
    std::fs::create_dir_all(dir)?;
    let repo_path = dir.join(format!("{env}.git"));
    anyhow::ensure!(
        !repo_path.exists(),
        "{} exists already: pass an empty directory",
        repo_path.display()
    );
    let repo = open_or_init(&repo_path, "main")?;
    let url = repo_path.display().to_string();
    let mut files = vec![(
        ROOT.to_string(),
        application("root", &url, "apps", "argocd"),
    )];
    for i in 0..apps {
        let name = format!("app-{i}");
        let ns = format!("ns-{}", i % 50);
        let path = format!("workloads/{name}");
        files.push((
            format!("apps/{name}.yaml"),
            application(&name, &url, &path, &ns),
        ));
        let patch = if i % 10 == 0 { bump } else { 0 };
        files.push((format!("{path}/all.yaml"), workload(i, per_app, patch)));
    }
    let changes: Vec<(&str, Option<&[u8]>)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), Some(c.as_bytes())))
        .collect();
    commit_files(
        &repo,
        "main",
        &changes,
        &format!("{apps} apps × {per_app} resources"),
        ("Atrium bench", "bench@atrium.invalid"),
    )?;
    Ok(repo_path)
}

/// A numeric command-line option of the benchmarks (`--apps 2000`), or its default.
pub fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
