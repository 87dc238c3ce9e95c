use super::*;
use crate::demo::git::{commit_files, open_or_init};

const ATRIUM: (&str, &str) = ("Atrium", "atrium@atrium.invalid");

fn edit(path: &str, text: &str) -> FileEdit {
    FileEdit {
        path: path.into(),
        content: Some(text.as_bytes().to_vec()),
    }
}

fn repo() -> (tempfile::TempDir, Repository, Oid) {
    let dir = tempfile::tempdir().unwrap();
    let repo = open_or_init(dir.path(), "main").unwrap();
    let first = commit_files(
        &repo,
        "main",
        &[("a.yaml", Some(b"a: 1\n")), ("b.yaml", Some(b"b: 1\n"))],
        "init",
        ("t", "t@x"),
    )
    .unwrap();
    (dir, repo, first)
}

#[test]
fn a_commit_carries_author_committer_and_trailers() {
    let (_dir, repo, first) = repo();
    let approvers = vec![("Elena Petrova".to_string(), "elena@example.com".to_string())];
    let text = message(
        "web: image 2.0\nsneaky second line",
        "Fixes the cart.\n",
        "req-1",
        &approvers,
    );
    assert_eq!(
        text,
        "web: image 2.0 sneaky second line\n\nFixes the cart.\n\nAtrium-Request: req-1\nApproved-by: Elena Petrova <elena@example.com>\n"
    );
    let edits = [
        edit("a.yaml", "a: 2\n"),
        FileEdit {
            path: "b.yaml".into(),
            content: None,
        },
    ];
    let spec = CommitSpec {
        branch: "main",
        edits: &edits,
        message: &text,
        author: ("Amara Okafor", "amara@example.com"),
        committer: ATRIUM,
    };
    let oid = commit_on(&repo, first, &spec).unwrap();
    assert_eq!(head(&repo, "main").unwrap(), oid);
    let commit = repo.find_commit(oid).unwrap();
    assert_eq!(commit.author().name().ok(), Some("Amara Okafor"));
    assert_eq!(commit.committer().name().ok(), Some("Atrium"));
    assert_eq!(commit.parent_id(0).unwrap(), first);
    let tree = commit.tree().unwrap();
    assert!(tree.get_path(std::path::Path::new("b.yaml")).is_err());
    assert_eq!(
        find_request_commit(&repo, "main", Some(first), "req-1").unwrap(),
        Some(oid)
    );
    assert_eq!(
        find_request_commit(&repo, "main", None, "req-2").unwrap(),
        None
    );
    // Not after the commit itself.
    assert_eq!(
        find_request_commit(&repo, "main", Some(oid), "req-1").unwrap(),
        None
    );
}

#[test]
fn a_moved_branch_is_never_overwritten() {
    let (_dir, repo, first) = repo();
    let outside = commit_files(
        &repo,
        "main",
        &[("b.yaml", Some(b"b: 2\n"))],
        "outside",
        ("o", "o@x"),
    )
    .unwrap();
    let edits = [edit("a.yaml", "a: 2\n")];
    let spec = CommitSpec {
        branch: "main",
        edits: &edits,
        message: "m",
        author: ATRIUM,
        committer: ATRIUM,
    };
    let error = commit_on(&repo, first, &spec).unwrap_err();
    assert_eq!(
        error,
        WriteError::Moved {
            now: outside.to_string()
        }
    );
    assert_eq!(head(&repo, "main").unwrap(), outside);
}

#[test]
fn commits_are_checked_against_the_branch_history() {
    let (_dir, repo, first) = repo();
    let second = commit_files(
        &repo,
        "main",
        &[("a.yaml", Some(b"a: 3\n"))],
        "two",
        ("t", "t@x"),
    )
    .unwrap();
    let side = commit_files(
        &repo,
        "side",
        &[("x.yaml", Some(b"x: 1\n"))],
        "side",
        ("t", "t@x"),
    )
    .unwrap();
    assert_eq!(
        commit_in_history(&repo, "main", &first.to_string()).unwrap(),
        Some(first)
    );
    assert_eq!(
        commit_in_history(&repo, "main", &second.to_string()[..8]).unwrap(),
        Some(second)
    );
    assert_eq!(
        commit_in_history(&repo, "main", &side.to_string()).unwrap(),
        None
    );
    assert_eq!(commit_in_history(&repo, "main", "main").unwrap(), None);
    assert_eq!(commit_in_history(&repo, "main", "0000000").unwrap(), None);
}

#[test]
fn pushes_fast_forward_only() {
    let (dir, origin, first) = repo();
    let url = format!("file://{}", dir.path().display());
    let clone_dir = tempfile::tempdir().unwrap();
    let mirror = Repository::init_bare(clone_dir.path()).unwrap();
    mirror
        .reference("refs/heads/main", first, true, "seed")
        .ok();
    // The mirror needs the objects: fetch them.
    mirror
        .remote_anonymous(&url)
        .unwrap()
        .fetch(&["+refs/heads/*:refs/heads/*"], None, None)
        .unwrap();
    let edits = [edit("a.yaml", "a: 9\n")];
    let spec = CommitSpec {
        branch: "main",
        edits: &edits,
        message: "m",
        author: ATRIUM,
        committer: ATRIUM,
    };
    let mine = commit_on(&mirror, first, &spec).unwrap();
    push(&Default::default(), &mirror, &url, "main").unwrap();
    assert_eq!(head(&origin, "main").unwrap(), mine);
    // Someone else pushes first: ours is refused, theirs stays.
    let theirs = commit_files(
        &origin,
        "main",
        &[("b.yaml", Some(b"b: 7\n"))],
        "theirs",
        ("o", "o@x"),
    )
    .unwrap();
    let again = commit_on(
        &mirror,
        mine,
        &CommitSpec {
            edits: &[edit("a.yaml", "a: 10\n")],
            ..spec
        },
    )
    .unwrap();
    assert!(
        matches!(
            push(&Default::default(), &mirror, &url, "main"),
            Err(WriteError::Rejected(_))
        ),
        "{again}"
    );
    assert_eq!(head(&origin, "main").unwrap(), theirs);
}
