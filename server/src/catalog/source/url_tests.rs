use super::*;

fn parsed(url: &str) -> GitUrl {
    GitUrl::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
}

fn refused(url: &str) -> String {
    GitUrl::parse(url).expect_err(url)
}

#[test]
fn host_forms() {
    let github = parsed("https://GitHub.com/backstage/backstage/blob/master/a/b.yaml");
    assert_eq!(github.repo, "https://github.com/backstage/backstage");
    assert_eq!(github.marker, "blob");
    assert_eq!(github.rest, ["master", "a", "b.yaml"]);
    let tree = parsed("https://github.com/o/r/tree/main/catalog-info.yaml");
    assert_eq!((tree.marker, tree.rest.len()), ("tree", 2));
    let gitlab = parsed("https://gitlab.example.com/group/sub/project/-/blob/main/x.yaml");
    assert_eq!(gitlab.repo, "https://gitlab.example.com/group/sub/project");
    assert_eq!(gitlab.marker, "-/blob");
    // A GitLab subgroup called `blob` is not the marker: `/-/` wins.
    let odd = parsed("https://gitlab.example.com/a/b/blob/c/-/tree/main/x.yaml");
    assert_eq!(odd.repo, "https://gitlab.example.com/a/b/blob/c");
    let gitea = parsed("http://127.0.0.1:3000/org/repo/src/branch/feature/x/catalog.yaml");
    assert_eq!(gitea.repo, "http://127.0.0.1:3000/org/repo");
    assert_eq!(gitea.rest, ["feature", "x", "catalog.yaml"]);
    let v6 = parsed("https://[::1]:8443/git/repo/blob/main/a.yaml");
    assert_eq!(v6.repo, "https://[::1]:8443/git/repo");
    // An org named `blob` is a name: the repository has two segments at least.
    let org = parsed("https://github.com/blob/repo/blob/main/a.yaml");
    assert_eq!(org.repo, "https://github.com/blob/repo");
    assert_eq!(
        gitlab.at("release/1", "dir/y.yaml"),
        "https://gitlab.example.com/group/sub/project/-/blob/release/1/dir/y.yaml"
    );
}

#[test]
fn encoded_segments_are_decoded_and_reencoded() {
    let url = parsed("https://h.example/o/r/blob/main/my%20file.yaml");
    assert_eq!(url.rest, ["main", "my file.yaml"]);
    assert_eq!(
        url.at("main", "my file.yaml"),
        "https://h.example/o/r/blob/main/my%20file.yaml"
    );
}

#[test]
fn hostile_urls_are_refused() {
    for (url, why) in [
        ("https://h.example/o/r/blob/main/../../etc/passwd", "`..`"),
        ("https://h.example/o/r/blob/main/%2e%2e/x.yaml", "`..`"),
        ("https://h.example/o/r/blob/main/./x.yaml", "`..`"),
        ("https://h.example/o/r/blob/main//x.yaml", "empty"),
        (
            "https://h.example/o/r/blob/main/a%2Fb.yaml",
            "encoded slash",
        ),
        (
            "https://h.example/o/r/blob/main/a%5cb.yaml",
            "encoded slash",
        ),
        ("https://h.example/o/r/blob/main/a%00.yaml", "control"),
        ("https://h.example/o/r/blob/main/a%zz.yaml", "%-escape"),
        ("https://bot:token@h.example/o/r/blob/main/x", "password"),
        ("https://bot@h.example/o/r/blob/main/x", "user name"),
        ("https://h.example/o/r/blob/main/x.yaml?ref=evil", "query"),
        ("https://h.example/o/r/blob/main/x.yaml#L1", "fragment"),
        ("ftp://h.example/o/r/blob/main/x", "only https"),
        ("file:///etc/o/r/blob/main/x", "only https"),
        ("https://h_x.example/o/r/blob/main/x", "invalid host"),
        ("https://h.example:80x/o/r/blob/main/x", "invalid host"),
        ("https://h.example:/o/r/blob/main/x", "invalid host"),
        ("https:///o/r/blob/main/x", "invalid host"),
        ("https://h.example/o/r/blob/main", "no branch and file"),
        (
            "https://h.example/o/r/raw/main/x",
            "not a file on a Git host",
        ),
        ("https://h.example/blob/main/x", "not a file on a Git host"),
        ("https://h.example/o/r/blob/main/a b", "spaces"),
    ] {
        let err = refused(url);
        assert!(err.contains(why), "{url}: {err}");
        assert!(!err.contains("token"), "{err}");
    }
    assert!(refused(&format!("https://h.example/{}", "a/".repeat(2000))).contains("longer"));
}

#[test]
fn allow_list_matches_at_path_boundaries() {
    let allow = UrlAllow::new(&[
        "https://git.example.com/platform".into(),
        "http://127.0.0.1:8080/".into(),
        "HTTPS://GitHub.com/backstage/backstage/".into(),
    ])
    .unwrap();
    assert!(allow.allows("https://git.example.com/platform/catalog"));
    assert!(!allow.allows("https://git.example.com/platform-evil/catalog"));
    assert!(!allow.allows("https://git.example.com/other/catalog"));
    assert!(allow.allows("http://127.0.0.1:8080/git/repo"));
    assert!(!allow.allows("http://127.0.0.1:8081/git/repo"));
    assert!(!allow.allows("https://127.0.0.1:8080/git/repo"));
    assert!(allow.allows("https://github.com/backstage/backstage"));
    assert!(!allow.allows("https://github.com/backstage/other"));
    assert!(!UrlAllow::default().allows("https://github.com/backstage/backstage"));

    let (index, why) = UrlAllow::new(&["https://h/".into(), "https://u:p@h/".into()]).unwrap_err();
    assert_eq!(index, 1);
    assert!(why.contains("password") && !why.contains("u:p"), "{why}");
    assert!(UrlAllow::new(&["ssh://git@h/".into()]).is_err());
    assert!(UrlAllow::new(&["https://h/a/../b".into()]).is_err());
}

#[test]
fn a_source_names_its_own_repository() {
    assert_eq!(
        own_repo("https://Git.example.com/platform/catalog.git").as_deref(),
        Some("https://git.example.com/platform/catalog")
    );
    assert_eq!(own_repo("/srv/git/catalog.git"), None);
    assert_eq!(own_repo("ssh://git@h/x.git"), None);
}

#[test]
fn configuration_errors_name_the_entry_without_a_password() {
    let entries = vec![
        "https://github.com/backstage/backstage".to_string(),
        "https://bot:hunter2@git.example.com/".to_string(),
    ];
    let err = UrlAllow::from_config(&entries).unwrap_err();
    assert!(
        err.starts_with("catalog.allowed_urls[1] (https://***@git.example.com/): "),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    let config = crate::config::Config {
        catalog: crate::config::CatalogConfig {
            allowed_urls: entries[..1].to_vec(),
            ..Default::default()
        },
        ..Default::default()
    };
    let allow = config.catalog_urls().unwrap();
    assert!(allow.allows("https://github.com/backstage/backstage"));
}
