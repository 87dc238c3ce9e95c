//! Bad input in a directory source: malformed YAML, wrong types, oversized files, duplicate
//! refs, Location loops and escapes. Each is an error on its file; nothing else is lost.

use std::path::Path;

use atrium_server::catalog::model::CatalogError;
use atrium_server::catalog::source::{
    refresh_source, refresh_source_with_stats, ReadContext, SourceConfig, SourceLocation,
    SourceSnapshot,
};

fn write(dir: &Path, path: &str, content: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn read(dir: &Path, entry: Option<&str>) -> SourceSnapshot {
    read_after(dir, entry, &SourceSnapshot::default())
}

fn read_after(dir: &Path, entry: Option<&str>, previous: &SourceSnapshot) -> SourceSnapshot {
    let cfg = SourceConfig {
        name: "local".into(),
        location: SourceLocation::Dir(dir.to_path_buf()),
        entry: entry.map(str::to_string),
    };
    let ctx = ReadContext {
        cache_dir: dir.join(".cache"),
        ..Default::default()
    };
    refresh_source(&cfg, previous, &ctx)
}

fn component(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n\
         spec:\n  type: service\n  lifecycle: production\n  owner: team\n"
    )
}

fn location(name: &str, targets: &[&str]) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: {name}\n\
         spec:\n  targets: [{}]\n",
        targets.join(", ")
    )
}

fn names(s: &SourceSnapshot) -> Vec<&str> {
    s.entities
        .iter()
        .map(|l| &*l.entity.metadata.name)
        .collect()
}

fn messages<'a>(errors: &'a [CatalogError], file: &str) -> Vec<&'a str> {
    errors
        .iter()
        .filter(|e| e.file == file)
        .map(|e| e.message.as_str())
        .collect()
}

#[test]
fn malformed_yaml_is_one_error_with_position() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good/catalog-info.yaml", &component("good"));
    write(
        dir.path(),
        "bad/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nmetadata:\n  name: x\n   bad: indent\n",
    );
    let s = read(dir.path(), None);
    assert_eq!(names(&s), vec!["good"]);
    let errors = messages(&s.errors, "bad/catalog-info.yaml");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("YAML error at line 4, column"),
        "{}",
        errors[0]
    );
    assert_eq!(s.errors[0].document, None);
}

#[test]
fn wrong_types_name_the_field() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  tags: [java, 7]\n\
         spec:\n  type: service\n  lifecycle: production\n  owner: team\n  dependsOn: [artists-db]\n\
         ---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: [a, b]\n\
         spec: {type: team, children: []}\n",
    );
    let s = read(dir.path(), None);
    assert!(s.entities.is_empty());
    assert_eq!(
        messages(&s.errors, "catalog-info.yaml"),
        vec![
            "component \"svc\": metadata.tags[1]: expected a string, found a number",
            "component \"svc\": spec.dependsOn[0]: \"artists-db\" needs an explicit kind, e.g. \"component:artists-db\"",
            "group: metadata.name: expected a string, found a list",
        ]
    );
    assert_eq!(s.errors[0].document, Some(0));
    assert_eq!(
        s.errors[0].entity_ref.as_deref(),
        Some("component:default/svc")
    );
    assert_eq!(s.errors[2].document, Some(1));
    assert_eq!(s.errors[2].entity_ref, None);
}

#[test]
fn a_ten_megabyte_file_is_refused_unparsed() {
    let dir = tempfile::tempdir().unwrap();
    let mut big = component("big");
    big.push_str(&format!(
        "# {}\n",
        "x".repeat(10 * 1024 * 1024 - big.len() - 3)
    ));
    assert_eq!(big.len(), 10 * 1024 * 1024);
    write(dir.path(), "catalog-info.yaml", &big);
    write(dir.path(), "other/catalog-info.yaml", &component("other"));
    let s = read(dir.path(), None);
    assert_eq!(names(&s), vec!["other"]);
    assert_eq!(
        messages(&s.errors, "catalog-info.yaml"),
        vec!["file is 10.0 MB, larger than the 2 MB limit"]
    );
    // Still recorded (by content hash), so an unchanged big file is not read again.
    assert!(s.files.contains_key("catalog-info.yaml"));
}

#[test]
fn duplicate_refs_across_files_first_wins() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "catalog-info.yaml",
        &location("root", &["./a.yaml", "./b.yaml"]),
    );
    write(dir.path(), "a.yaml", &component("x"));
    write(
        dir.path(),
        "b.yaml",
        &format!("{}---\n{}", component("y"), component("X")),
    );
    let s = read(dir.path(), None);
    assert_eq!(names(&s), vec!["root", "x", "y"], "{:#?}", s.errors);
    assert_eq!(
        messages(&s.errors, "b.yaml"),
        vec!["duplicate entity component:default/x, already defined in a.yaml (document 0)"]
    );
    assert_eq!(s.errors[0].document, Some(1));

    // Remove the first definition: the second one (unchanged file) takes over.
    write(
        dir.path(),
        "catalog-info.yaml",
        &location("root", &["./b.yaml"]),
    );
    let s2 = read_after(dir.path(), None, &s);
    assert_eq!(names(&s2), vec!["root", "y", "X"]);
    assert!(s2.errors.is_empty(), "{:#?}", s2.errors);
}

#[test]
fn location_loop_and_diamond() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.yaml",
        &location("a", &["./b.yaml", "./c.yaml"]),
    );
    write(
        dir.path(),
        "b.yaml",
        &location("b", &["./a.yaml", "./d.yaml"]),
    );
    write(dir.path(), "c.yaml", &location("c", &["./d.yaml"]));
    write(dir.path(), "d.yaml", &component("d"));
    let s = read(dir.path(), Some("a.yaml"));
    assert_eq!(names(&s), vec!["a", "b", "d", "c"]);
    assert_eq!(s.errors.len(), 1, "{:#?}", s.errors);
    assert_eq!(s.errors[0].file, "b.yaml");
    assert_eq!(
        s.errors[0].message,
        "Location loop: a.yaml → b.yaml → a.yaml"
    );
    assert_eq!(
        s.errors[0].entity_ref.as_deref(),
        Some("location:default/b")
    );
}

#[test]
fn targets_must_stay_inside_and_local() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    write(dir.path(), "outside.yaml", &component("outside"));
    write(
        &root,
        "catalog-info.yaml",
        &location(
            "l",
            &[
                "../outside.yaml",
                "https://example.com/catalog-info.yaml",
                "./missing.yaml",
                "./teams/*.yaml",
                &format!("{}/abs.yaml", root.display()),
            ],
        ),
    );
    write(&root, "teams/a.yaml", &component("ta"));
    write(&root, "teams/b.yaml", &component("tb"));
    write(&root, "abs.yaml", &component("abs"));
    let s = read(&root, None);
    assert_eq!(names(&s), vec!["l", "ta", "tb", "abs"]);
    assert_eq!(
        messages(&s.errors, "catalog-info.yaml"),
        vec![
            "target \"../outside.yaml\" is outside the source root",
            "remote target \"https://example.com/catalog-info.yaml\": not a file on a Git host \
             (expected …/<org>/<repo>/blob/<branch>/<path>, …/-/blob/…, or …/src/branch/…)",
            "target \"./missing.yaml\" not found (missing.yaml)",
        ]
    );
}

#[test]
fn directory_sources_reparse_only_changed_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/catalog-info.yaml", &component("a"));
    write(dir.path(), "b/catalog-info.yaml", &component("b"));
    let cfg = SourceConfig {
        name: "local".into(),
        location: SourceLocation::Dir(dir.path().to_path_buf()),
        entry: None,
    };
    let ctx = ReadContext {
        cache_dir: dir.path().join(".cache"),
        ..Default::default()
    };
    let (s1, _) = refresh_source_with_stats(&cfg, &SourceSnapshot::default(), &ctx);
    write(dir.path(), "b/catalog-info.yaml", &component("b2"));
    let (s2, stats) = refresh_source_with_stats(&cfg, &s1, &ctx);
    assert_eq!(stats.parsed_files, vec!["b/catalog-info.yaml"]);
    assert_eq!(stats.reused_files, vec!["a/catalog-info.yaml"]);
    assert_eq!(names(&s2), vec!["a", "b2"]);
    assert_ne!(
        s1.files["b/catalog-info.yaml"],
        s2.files["b/catalog-info.yaml"]
    );

    // A missing directory keeps everything, with a source error.
    let gone = SourceConfig {
        location: SourceLocation::Dir(dir.path().join("nope")),
        ..cfg
    };
    let s3 = refresh_source(&gone, &s2, &ctx);
    assert!(s3.source_error.as_deref().unwrap().contains("\"local\""));
    assert_eq!(s3.entities, s2.entities);
}
