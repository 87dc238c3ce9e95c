//! The `atrium` command line: its arguments, and the commands that are more than one domain
//! call and a report (`main.rs` runs the others).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "atrium",
    version,
    about = "Atrium: a developer portal (Backstage-compatible catalog) and App-of-Apps GitOps engine.",
    after_help = "CONFIGURATION
  Optional file atrium.toml (or --config FILE), overridden by environment variables:
    ATRIUM_LISTEN                           address to listen on (default 127.0.0.1:3000)
    ATRIUM_DATA_DIR                         data directory (default ./data): SQLite db, demo repos, clone cache
    DATABASE_URL                            postgres://user:pass@host/db for PostgreSQL (default: SQLite in the data dir)
    ATRIUM_SITE_ROOT                        compiled site (WASM/JS/CSS) directory (default target/site)
    ATRIUM_LOG_FORMAT                       text or json (default text); RUST_LOG sets levels
    ATRIUM_REPLICA_NAME                     this replica's name to the others (default: the process id), e.g. the pod's
    ATRIUM_CATALOG__REFRESH_INTERVAL_SECS   seconds between catalog refreshes (default 300)
    ATRIUM_AUTH__POLICY_FILE                policy.csv (default <data dir>/policy.csv, written on first start)
    ATRIUM_AUTH__PUBLIC_URL                 https://atrium.example.com: origin for POSTs, Secure cookies
    ATRIUM_AUTH__OIDC__ISSUER / __CLIENT_ID / __CLIENT_SECRET / __REDIRECT_URL
                                            single sign-on; without it the demo sign-in is on
  Catalog sources are set in the file:
    [[catalog.sources]]
    name = \"platform\"
    git = \"/srv/git/catalog.git\"   # a local repo or file:// URL; or dir = \"/srv/catalog\"
    branch = \"main\"
    entry = \"catalog-info.yaml\"   # optional; default: every catalog-info.yaml, followed through Locations
  Environments (in promotion order) and extra repos Applications may name:
    [[environments]]
    name = \"dev\"
    repo = \"/srv/git/env-dev.git\"   # local path or URL of the environment repo
    branch = \"main\"                 # default main
    root = \"apps/root.yaml\"         # the root Application (App of Apps)
    cluster = \"sim\"                 # sim (embedded emulator) or a kubeconfig context
    production = false              # default: true for prod/production
    [[repos]]
    url = \"https://git.example.com/shared-manifests.git\"
    path = \"/srv/git/shared-manifests.git\"
  No configuration at all = the embedded default: SQLite, demo Git repos under the data dir."
)]
pub struct Cli {
    /// Configuration file (default: ./atrium.toml when present).
    #[arg(long, global = true, env = "ATRIUM_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server (the default).
    Serve,
    /// Work with Backstage catalog descriptor files.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Work with Argo CD Applications (App of Apps) without a cluster.
    Apps {
        #[command(subcommand)]
        command: AppsCommand,
    },
    /// The embedded default's demo environment repos.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Work with the audit trail in the configured database.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Personal API tokens, for automation.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a token acting as USER (its teams, its rights; never approving). Reads the same
    /// configuration as `serve`; prints the token alone on the last line, once.
    Create {
        /// The user id (the identity provider's subject; the demo users' ids in the embedded default).
        #[arg(long)]
        user: String,
        /// What the token is for, e.g. `ci-deployer`.
        #[arg(long)]
        name: String,
        /// Days until it expires (default: until revoked).
        #[arg(long)]
        expires_days: Option<u32>,
    },
}

#[derive(Subcommand, Debug)]
pub enum DemoCommand {
    /// Commit a new image tag for one app to a demo environment repo (a tag containing `bad`
    /// makes its rollout fail on the simulated cluster).
    SetImage {
        #[arg(long)]
        env: String,
        #[arg(long)]
        app: String,
        #[arg(long)]
        tag: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Walk the whole hash chain and report the first broken link; exit 1 when it is broken.
    Verify {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Subcommand, Debug)]
pub enum AppsCommand {
    /// Render the whole App-of-Apps tree from a root Application exactly as the server would
    /// (no cluster); exit 1 when any app failed to render.
    Render {
        /// A Git repository (read at HEAD) or a plain directory.
        repo_dir: String,
        /// Path of the root Application manifest inside <REPO_DIR>, e.g. apps/root.yaml.
        #[arg(long)]
        root: String,
        /// Read Applications naming REPO_URL from DIR (a Git repository or a directory);
        /// repeatable. The root's own repoURL defaults to <REPO_DIR>.
        #[arg(long = "repo", value_name = "REPO_URL=DIR", value_parser = crate::gitops::report::parse_mapping)]
        repos: Vec<(String, PathBuf)>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Subcommand, Debug)]
pub enum CatalogCommand {
    /// Read and validate a catalog exactly as the server would; exit 1 on any error.
    Validate {
        /// A directory (every catalog-info.yaml below it), a file (the entry point), or a Git URL.
        target: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// `atrium audit verify`: walk the chain in the configured database and print the result;
/// `Ok(false)` when it is broken.
pub async fn audit_verify(config: &crate::config::Config, format: Format) -> anyhow::Result<bool> {
    let store = crate::store::Store::connect(&config.database_url()).await?;
    let report = store.verify_audit().await?;
    let head = store.audit_head().await?;
    match format {
        Format::Json => println!(
            "{}",
            serde_json::json!({
                "ok": report.is_ok(),
                "checked": report.checked,
                "head_seq": head.seq,
                "broken_at": report.first_broken.as_ref().map(|b| b.seq),
                "message": report.first_broken.as_ref().map(|b| b.reason.clone()),
            })
        ),
        Format::Text => match &report.first_broken {
            None => println!(
                "audit chain intact: {} records verified, head #{}",
                report.checked, head.seq
            ),
            Some(broken) => println!(
                "audit chain BROKEN at record #{}: {} ({} records before it verified)",
                broken.seq, broken.reason, report.checked
            ),
        },
    }
    Ok(report.is_ok())
}
