//! `url` Location targets and placeholder URLs read from a real Git server (lighttpd +
//! `git http-backend` behind basic auth, see `git_remotes/servers.rs`): what
//! `catalog.allowed_urls` admits is fetched with the configured credentials and ingested into the
//! Location's source; a refused repository is never fetched; a missing file, a wrong branch, a
//! server refusing the credentials each give an error on the Location that names the target and
//! carries no secret. `atrium catalog validate --config` reads the same way.

#[path = "git_remotes/servers.rs"]
#[expect(dead_code, reason = "the SSH server is not needed here")]
mod servers;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use atrium_server::catalog::source::{
    refresh_source, ReadContext, SourceConfig, SourceLocation, SourceSnapshot, UrlAllow,
};
use atrium_server::demo::git::{commit_files, open_or_init};
use atrium_server::gitremote::{CredentialConfig, Remotes, Scope};
use servers::{Servers, PASSWORD, USER};

const AUTHOR: (&str, &str) = ("Test", "test@example.invalid");

fn component(name: &str, extra: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n\
         spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n{extra}"
    )
}

fn location(name: &str, targets: &[String]) -> String {
    let list: String = targets.iter().map(|t| format!("    - {t}\n")).collect();
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: {name}\n\
         spec:\n  type: url\n  targets:\n{list}"
    )
}

/// The remote repository `examples` (no `.git`: as a web URL names it), on branch `main`: a
/// Location file pointing at a file next to it, that file, and an API document.
fn examples(servers: &Servers) -> git2::Repository {
    let repo = open_or_init(&servers.repos().join("examples"), "main").unwrap();
    let all = location("remote-all", &["./components.yaml".into()]);
    let components = component("remote-service", "");
    commit_files(
        &repo,
        "main",
        &[
            ("catalog/all.yaml", Some(all.as_bytes())),
            ("catalog/components.yaml", Some(components.as_bytes())),
            ("catalog/api.txt", Some(b"openapi: 3.0.0\n")),
        ],
        "examples",
        AUTHOR,
    )
    .unwrap();
    repo
}

fn credential(servers: &Servers, prefix: &str, password: &str) -> CredentialConfig {
    let file = servers.path(&format!("password-{password}"));
    std::fs::write(&file, format!("{password}\n")).unwrap();
    CredentialConfig {
        url: prefix.into(),
        scope: Scope::Read,
        username: Some(USER.into()),
        password_file: Some(file),
        ..Default::default()
    }
}

fn ctx(servers: &Servers, credentials: Vec<CredentialConfig>, allowed: &[String]) -> ReadContext {
    ReadContext {
        cache_dir: servers.path("cache"),
        remotes: Arc::new(Remotes::new(&credentials, Duration::from_secs(60)).unwrap()),
        urls: UrlAllow::new(allowed).unwrap(),
        ..Default::default()
    }
}

fn errors_of(snapshot: &SourceSnapshot) -> Vec<String> {
    snapshot.errors.iter().map(|e| e.message.clone()).collect()
}

#[test]
fn url_targets_and_placeholders_read_allowed_repositories() {
    if !servers::available() {
        return;
    }
    let servers = Servers::new();
    let examples = examples(&servers);
    open_or_init(&servers.repos().join("secret"), "main").unwrap();
    let http = servers.http();
    let base = format!("http://127.0.0.1:{}/git", http.port);
    let allowed = vec![format!("{base}/examples")];
    let good = target_file(&base, "main", "catalog/all.yaml");
    let refused = format!("{base}/secret/blob/main/catalog-info.yaml");
    let missing = target_file(&base, "main", "catalog/nope.yaml");
    let wrong_branch = target_file(&base, "no-such-branch", "catalog/all.yaml");
    let with_password = good.replace("http://", &format!("http://{USER}:{PASSWORD}@"));
    let api = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: remote-api\n\
         spec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    \
         $text: {}\n---\n{}",
        target_file(&base, "main", "catalog/api.txt"),
        component(
            "documented",
            "  description:\n    $text: https://api.example.com/openapi.json\n"
        ),
    );
    let root = location(
        "root",
        &[
            good.clone(),
            refused.clone(),
            missing.clone(),
            wrong_branch.clone(),
            with_password,
        ],
    );
    // The source is a local repository: its commit does not move while the remote changes.
    let platform = servers.path("platform.git");
    let source = open_or_init(&platform, "main").unwrap();
    commit_files(
        &source,
        "main",
        &[
            ("catalog-info.yaml", Some(root.as_bytes())),
            ("apis.yaml", Some(api.as_bytes())),
        ],
        "platform",
        AUTHOR,
    )
    .unwrap();
    let cfg = SourceConfig {
        name: "platform".into(),
        location: SourceLocation::Git {
            url: platform.display().to_string(),
            branch: "main".into(),
        },
        entry: Some("*.yaml".into()),
    };
    let prefix = format!("{base}/");
    let read_ctx = ctx(
        &servers,
        vec![credential(&servers, &prefix, PASSWORD)],
        &allowed,
    );

    let read = refresh_source(&cfg, &SourceSnapshot::default(), &read_ctx);
    assert_eq!(read.source_error, None);
    let names: Vec<(&str, &str, &str)> = read
        .entities
        .iter()
        .map(|l| (&*l.entity.metadata.name, l.source.as_str(), l.file.as_str()))
        .collect();
    let components_url = target_file(&base, "main", "catalog/components.yaml");
    assert!(
        names.contains(&("remote-all", "platform", good.as_str())),
        "{names:?}"
    );
    assert!(
        names.contains(&("remote-service", "platform", components_url.as_str())),
        "followed relative to the remote file: {names:?}"
    );
    let api = read
        .entities
        .iter()
        .find(|l| &*l.entity.metadata.name == "remote-api")
        .expect("the placeholder resolved");
    assert_eq!(api.entity.spec["definition"], "openapi: 3.0.0\n");
    // A URL to a host not allowed is left as written, as Backstage's examples need.
    let documented = read
        .entities
        .iter()
        .find(|l| &*l.entity.metadata.name == "documented")
        .expect("not refused");
    assert_eq!(
        documented.entity.spec["description"]["$text"],
        "https://api.example.com/openapi.json"
    );

    let errors = errors_of(&read);
    let expect = |target: &str, why: &str| {
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with(&format!("remote target \"{target}\": ")) && e.contains(why)),
            "{target}: {why}: {errors:?}"
        );
    };
    expect(&refused, "is not in catalog.allowed_urls");
    expect(&missing, "catalog/nope.yaml on branch \"main\"");
    expect(&missing, "no such file");
    expect(&wrong_branch, "has no branch \"no-such-branch\"");
    let shown = good.replace("http://", "http://***@");
    expect(&shown, "user name or password");
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(errors.iter().all(|e| !e.contains(PASSWORD)), "{errors:?}");
    assert!(read.errors.iter().all(|e| e.file == "catalog-info.yaml"));
    // The refused repository was never fetched.
    let mirrors = std::fs::read_dir(servers.path("cache")).unwrap().count();
    assert_eq!(mirrors, 1, "only the allowed repository is mirrored");

    // The remote changes while the source does not: the next refresh sees it.
    let renamed = component("renamed-service", "");
    commit_files(
        &examples,
        "main",
        &[("catalog/components.yaml", Some(renamed.as_bytes()))],
        "rename",
        AUTHOR,
    )
    .unwrap();
    let again = refresh_source(&cfg, &read, &read_ctx);
    let names: Vec<&str> = again
        .entities
        .iter()
        .map(|l| &*l.entity.metadata.name)
        .collect();
    assert!(names.contains(&"renamed-service"), "{names:?}");
    assert!(!names.contains(&"remote-service"), "{names:?}");

    // Without the credential the server refuses: an error naming the target, no secret, and
    // the last fetched commit is read meanwhile (a stale note on the Location).
    let anonymous = ctx(&servers, Vec::new(), &allowed);
    let fresh = refresh_source(&cfg, &SourceSnapshot::default(), &anonymous);
    let errors = errors_of(&fresh);
    let stale = errors
        .iter()
        .find(|e| e.starts_with(&format!("remote target \"{good}\": fetching ")))
        .unwrap_or_else(|| panic!("{errors:?}"));
    assert!(stale.contains("Authentication failed"), "{stale}");
    assert!(stale.contains("read the last fetched commit"), "{stale}");
    assert!(fresh
        .entities
        .iter()
        .any(|l| &*l.entity.metadata.name == "renamed-service"));
    // And with nothing fetched before, nothing is read.
    let empty_cache = ReadContext {
        cache_dir: servers.path("cache-2"),
        ..anonymous
    };
    let none = refresh_source(&cfg, &SourceSnapshot::default(), &empty_cache);
    assert!(!none
        .entities
        .iter()
        .any(|l| &*l.entity.metadata.name == "remote-all"));
    let errors = errors_of(&none);
    assert!(
        errors.iter().any(|e| e.contains("Authentication failed")
            && !e.contains("last fetched")
            && !e.contains(PASSWORD)),
        "{errors:?}"
    );
}

fn target_file(base: &str, branch: &str, path: &str) -> String {
    format!("{base}/examples/blob/{branch}/{path}")
}

/// `atrium catalog validate --config`: the configuration's credentials and allowed URLs.
#[test]
fn validate_reads_url_targets_through_the_configured_remote() {
    if !servers::available() {
        return;
    }
    let servers = Servers::new();
    examples(&servers);
    let http = servers.http();
    let base = format!("http://127.0.0.1:{}/git", http.port);
    let dir = servers.path("repo");
    std::fs::create_dir_all(&dir).unwrap();
    let target = target_file(&base, "main", "catalog/all.yaml");
    std::fs::write(
        dir.join("catalog-info.yaml"),
        location("root", std::slice::from_ref(&target)),
    )
    .unwrap();
    let password = servers.path("token");
    std::fs::write(&password, PASSWORD).unwrap();
    let config = servers.path("atrium.toml");
    std::fs::write(
        &config,
        format!(
            "[catalog]\nallowed_urls = [\"{base}/examples\"]\n\n[[git.credentials]]\n\
             url = \"{base}/\"\nusername = \"{USER}\"\npassword_file = \"{}\"\n",
            password.display()
        ),
    )
    .unwrap();
    let run = |config: Option<&Path>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_atrium"));
        if let Some(config) = config {
            cmd.arg("--config").arg(config);
        }
        let out = cmd
            .args(["catalog", "validate", "--format", "json"])
            .arg(&dir)
            .env("TMPDIR", servers.path("tmp"))
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), report)
    };
    std::fs::create_dir_all(servers.path("tmp")).unwrap();
    let (code, report) = run(Some(&config));
    assert_eq!(code, Some(0), "{report}");
    let refs: Vec<&str> = report["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["ref"].as_str().unwrap())
        .collect();
    assert!(
        refs.contains(&"component:default/remote-service"),
        "{refs:?}"
    );

    // Without the configuration nothing is fetched: the target is refused, exit 1.
    let (code, report) = run(None);
    assert_eq!(code, Some(1), "{report}");
    let message = report["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("catalog.allowed_urls"), "{message}");
}
