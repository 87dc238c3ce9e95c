//! Unit tests of [`super`]: the checks that name the entry and field of a bad setting.

use super::*;

#[test]
fn a_source_needs_exactly_one_location() {
    let mut config = Config::default();
    config.catalog.sources.push(SourceEntry {
        name: "broken".into(),
        ..Default::default()
    });
    let err = config.catalog_sources().unwrap_err().to_string();
    assert!(err.contains("catalog.sources[0] (broken)"), "{err}");
}

#[test]
fn default_database_is_sqlite_in_the_data_dir() {
    assert_eq!(
        Config::default().database_url(),
        "sqlite://data/atrium.db?mode=rwc"
    );
}

fn env(name: &str, root: &str) -> EnvironmentEntry {
    EnvironmentEntry {
        name: name.into(),
        repo: "/srv/git/env.git".into(),
        root: root.into(),
        ..Default::default()
    }
}

#[test]
fn environments_default_branch_cluster_and_production() {
    let mut config = Config {
        environments: vec![
            env("dev", "apps/root.yaml"),
            env("prod", "./apps/root.yaml"),
        ],
        ..Default::default()
    };
    config.environments[0].cluster = Some("kind-dev".into());
    let envs = config.environments().unwrap();
    assert_eq!(envs[0].branch, "main");
    assert_eq!(envs[0].cluster, ClusterTarget::Context("kind-dev".into()));
    assert!(!envs[0].production);
    assert_eq!(envs[1].cluster, ClusterTarget::Sim);
    assert!(envs[1].production);
    assert_eq!(envs[1].root, "apps/root.yaml");
}

#[test]
fn environment_errors_name_the_entry() {
    let mut config = Config {
        environments: vec![env("dev", "apps/root.yaml"), env("staging", "apps/")],
        ..Default::default()
    };
    let err = config.environments().unwrap_err().to_string();
    assert!(err.contains("environments[1] (staging): `root`"), "{err}");
    config.environments[1] = env("dev", "apps/root.yaml");
    let err = config.environments().unwrap_err().to_string();
    assert!(
        err.contains("environments[1] (dev): another environment"),
        "{err}"
    );
    config.environments[1] = env("Prod", "apps/root.yaml");
    assert!(config.environments().is_err());
    config.environments.truncate(1);
    config.environments[0].branch = Some("a..b".into());
    let err = config.environments().unwrap_err().to_string();
    assert!(err.contains("environments[0] (dev): `branch`"), "{err}");
}

#[test]
fn repo_mappings_need_url_and_path_once() {
    let mut config = Config {
        repos: vec![
            RepoEntry {
                url: "https://git.example/a.git".into(),
                path: "/srv/a".into(),
            },
            RepoEntry {
                url: "https://git.example/a".into(),
                path: "/srv/b".into(),
            },
        ],
        ..Default::default()
    };
    let err = config.repo_mappings().unwrap_err().to_string();
    assert!(
        err.contains("repos[1] (https://git.example/a): this `url` is mapped twice"),
        "{err}"
    );
    config.repos.truncate(1);
    assert_eq!(
        config.repo_mappings().unwrap()[0].path,
        PathBuf::from("/srv/a")
    );
}

#[test]
fn environments_come_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("atrium.toml");
    std::fs::write(
        &file,
        "[[environments]]\nname = \"dev\"\nrepo = \"/srv/env-dev.git\"\nroot = \"apps/root.yaml\"\n\n\
         [[environments]]\nname = \"staging\"\nrepo = \"/srv/env-staging.git\"\nroot = \"apps\"\n\n\
         [[repos]]\nurl = \"https://git.example/shared.git\"\npath = \"/srv/shared.git\"\n",
    )
    .unwrap();
    let err = Config::load(Some(&file)).unwrap_err().to_string();
    assert!(err.contains("environments[1] (staging)"), "{err}");
}

#[test]
fn a_replica_name_is_one_word() {
    let mut config = Config {
        replica_name: Some("atrium-5f7c9d8b4-x2k4q".into()),
        ..Default::default()
    };
    assert_eq!(
        config.replica_name().unwrap(),
        Some("atrium-5f7c9d8b4-x2k4q")
    );
    config.replica_name = Some("two words".into());
    let err = config.replica_name().unwrap_err().to_string();
    assert!(err.contains("replica_name: \"two words\""), "{err}");
    config.replica_name = Some(String::new());
    assert!(config.replica_name().is_err());
}

#[test]
fn an_empty_environments_list_turns_the_demo_off() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("atrium.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:3000\"\n").unwrap();
    assert!(Config::load(Some(&file)).unwrap().demo_environments);
    std::fs::write(&file, "environments = []\n").unwrap();
    let config = Config::load(Some(&file)).unwrap();
    assert!(!config.demo_environments);
    assert!(config.environments().unwrap().is_empty());
    // Not a list: refused, naming the key, rather than read as "none" or as the demo.
    for bad in [
        "environments = 5\n",
        "environments = \"none\"\n",
        "environments = [1]\n",
    ] {
        std::fs::write(&file, bad).unwrap();
        let err = Config::load(Some(&file)).unwrap_err().to_string();
        assert!(err.contains("environments"), "{bad}: {err}");
    }
}
