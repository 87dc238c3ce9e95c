use std::process::ExitCode;

use clap::Parser;

use atrium_server::cli::{
    AppsCommand, AuditCommand, CatalogCommand, Cli, Command, DemoCommand, Format, TokenCommand,
};
use atrium_server::config::Config;
use atrium_server::{catalog, gitops, serve, telemetry};

/// mimalloc, not glibc's malloc: a reconcile pass builds and drops hundreds of thousands of
/// small strings and JSON nodes, and glibc spent a third of a 2,000-app status pass
/// consolidating its free lists (`bench/README.md`). The `system-alloc` feature leaves it out,
/// for heap profilers that hook malloc (heaptrack, `bench/README.md`).
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns transparent huge pages off for this process (what `MIMALLOC_ALLOW_THP=0` does, which
/// mimalloc can only read before `main`). mimalloc asks for huge pages on its 1 GiB arena, so
/// each 2 MiB region it touches at all became resident whole: the embedded default idled at
/// 90 MB RSS with them and 57 MB without (`bench/README.md`, estate benchmark).
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with integer arguments only; it changes a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() -> ExitCode {
    no_transparent_huge_pages();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let config = match load_config(cli.config.as_deref()) {
                Ok(config) => config,
                Err(code) => return code,
            };
            telemetry::init_logs(config.log_format);
            let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
            match runtime.block_on(serve::serve(config)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    tracing::error!("{error:#}");
                    eprintln!("atrium: {error:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Demo {
            command: DemoCommand::SetImage { env, app, tag },
        } => {
            let config = match load_config(cli.config.as_deref()) {
                Ok(config) => config,
                Err(code) => return code,
            };
            match atrium_server::demo::set_image::set_image(&config.data_dir, &env, &app, &tag) {
                Ok(commit) => {
                    println!("{env}: {app} image tag {tag} (commit {commit})");
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("atrium: {error:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Audit {
            command: AuditCommand::Verify { format },
        } => {
            let config = match load_config(cli.config.as_deref()) {
                Ok(config) => config,
                Err(code) => return code,
            };
            let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
            match runtime.block_on(atrium_server::cli::audit_verify(&config, format)) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::FAILURE,
                Err(error) => {
                    eprintln!("atrium: {error:#}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    user,
                    name,
                    expires_days,
                },
        } => {
            let config = match load_config(cli.config.as_deref()) {
                Ok(config) => config,
                Err(code) => return code,
            };
            let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
            match runtime.block_on(atrium_server::auth::tokens::create_command(
                &config,
                &user,
                &name,
                expires_days,
            )) {
                Ok(created) => {
                    let expires = created
                        .token
                        .expires_at
                        .as_deref()
                        .unwrap_or("never (revoke it from the user menu)");
                    println!(
                        "Token {} ({}) for {user}; expires: {expires}",
                        created.token.id, created.token.name
                    );
                    println!("It is shown once: keep it in your secret store.");
                    println!("{}", created.secret);
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("atrium: {error:#}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Apps {
            command:
                AppsCommand::Render {
                    repo_dir,
                    root,
                    repos,
                    format,
                },
        } => {
            let tree = gitops::report::render_repo(&repo_dir, &root, &repos);
            match format {
                Format::Json => println!("{}", gitops::report::to_json(&tree)),
                Format::Text => print!("{}", gitops::report::to_text(&tree)),
            }
            if tree.has_failures() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Catalog {
            command: CatalogCommand::Validate { target, format },
        } => {
            let cache = std::env::temp_dir().join("atrium-validate-cache");
            // `--config` brings the server's `[[catalog.rules]]`, remotes and allowed URLs;
            // without it, built-in kinds and no URL is fetched.
            let settings = match cli.config.as_deref() {
                None => Default::default(),
                Some(file) => {
                    match load_config(Some(file))
                        .and_then(|c| catalog::lint::settings_for(&c, &target).map_err(exit_2))
                    {
                        Ok(settings) => settings,
                        Err(code) => return code,
                    }
                }
            };
            let report = catalog::lint::validate_target_in(&target, &cache, &settings);
            match format {
                Format::Json => println!("{}", report.to_json()),
                Format::Text => print!("{}", report.to_text()),
            }
            if report.has_errors() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

/// The configuration, or exit code 2 with the message naming the field.
fn load_config(file: Option<&std::path::Path>) -> Result<Config, ExitCode> {
    Config::load(file).map_err(exit_2)
}

/// A configuration error reported; exit code 2.
fn exit_2(error: atrium_server::config::ConfigError) -> ExitCode {
    eprintln!("atrium: {error}");
    ExitCode::from(2)
}
