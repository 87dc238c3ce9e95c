//! The policy parser (`auth::policy::Policy::parse`) and the decision it feeds: a policy file
//! is operator-written, but a reload must never take the server down, and a decision is asked
//! for on every request, so hostile globs must stay fast.

use std::time::{Duration, Instant};

use super::{execute, iterations, run, Report, Verdict, POLICY_TOKENS};
use crate::auth::policy::{Policy, Subject};
use crate::auth::DEFAULT_POLICY;

fn target(bytes: &[u8]) -> Verdict {
    let text = String::from_utf8_lossy(bytes);
    let policy = match Policy::parse(&text, Some("role:readonly")) {
        Ok(policy) => policy,
        Err(errors) => {
            assert!(!errors.is_empty());
            let lines = text.lines().count();
            for error in &errors {
                assert!(error.line >= 1 && error.line <= lines);
            }
            return Err(errors[0].to_string());
        }
    };
    let groups = ["team-a".to_string(), "platform".to_string()];
    for user in ["alice", "role:admin", ""] {
        let subject = Subject {
            user,
            groups: &groups,
            catalog: &groups,
        };
        let _ = policy.roles_of(&subject);
        for (resource, action, object) in [
            ("applications", "sync", "prod/billing"),
            ("deploys", "deploy", "dev/a/b/c"),
            ("audit", "export", "*"),
        ] {
            let decision = policy.decide(&subject, resource, action, object);
            assert!(!decision.reason.is_empty());
        }
    }
    Ok(())
}

const TEST_POLICY: &str = "\
p, role:developer, applications, sync,   dev/*,     allow
p , role:developer ,deploys,deploy , staging/* ,allow
p, role:lead,      deploys,      *,      prod/core-?, deny  # trailing comment
p, role:admin,     *,            *,      */*,       allow
p, mallory,        *,            *,      *,         deny
g, team-a,          role:developer
g, role:lead,       role:developer
g, role:developer,  role:lead
g, platform,        role:admin
";

#[test]
fn fuzz_policy_parser() {
    let corpus = vec![
        DEFAULT_POLICY.as_bytes().to_vec(),
        TEST_POLICY.as_bytes().to_vec(),
        b"p, x, *, *, *, allow\n".to_vec(),
    ];
    let report = run(
        "policy",
        &corpus,
        &POLICY_TOKENS,
        iterations(3_000),
        &target,
    );
    assert!(report.accepted > 0 && report.refused > 0, "{report:?}");
}

#[test]
fn hostile_policies_are_bounded() {
    let stars = "*a".repeat(2_000) + "b";
    let cases: Vec<(&str, String)> = vec![
        ("100,000 malformed lines", "x, y\n".repeat(100_000)),
        // The most the holder reads (1 MiB), about 24,000 rules.
        (
            "1 MiB of rules",
            "p, role:r, applications, get, dev/*, allow\n".repeat(24_000),
        ),
        (
            "a 1 MB line",
            format!("p, {}, applications, get, *, allow\n", "s".repeat(1 << 20)),
        ),
        (
            "many-star object glob",
            format!("p, alice, *, *, {stars}, allow\n"),
        ),
        (
            "a long g chain",
            (0..20_000)
                .map(|i| format!("g, r{i}, r{}\n", i + 1))
                .collect(),
        ),
        (
            "a g cycle",
            (0..20_000)
                .map(|i| format!("g, alice, r{i}\ng, r{i}, alice\n"))
                .collect(),
        ),
        (
            "NUL and invalid UTF-8",
            "p, a\0b, applications, get, *, allow\n\u{fffd}\n".into(),
        ),
    ];
    let mut report = Report::default();
    for (label, text) in cases {
        let started = Instant::now();
        execute(
            &format!("policy {label}"),
            text.as_bytes(),
            &target,
            &mut report,
        );
        println!("policy {label}: {:?}", started.elapsed());
    }
    // A decision over a hostile glob stays linear: a long object against many stars.
    let policy = Policy::parse(&format!("p, alice, *, *, {stars}, allow\n"), None).unwrap();
    let object = "a".repeat(4_000);
    let started = super::alloc::thread_cpu_time();
    let decision = policy.decide(
        &Subject {
            user: "alice",
            groups: &[],
            catalog: &[],
        },
        "audit",
        "get",
        &object,
    );
    assert!(!decision.allowed);
    let took = super::alloc::thread_cpu_time().saturating_sub(started);
    assert!(took < Duration::from_secs(2), "{took:?}");
}

/// A policy file past the size limit is refused unread, at start and on reload (the previous
/// policy stays), with an error naming the file; a file of garbage names its first lines only.
#[test]
fn oversized_and_garbage_policy_files_are_bounded() {
    use crate::auth::policy::holder::MAX_POLICY_BYTES;
    use crate::auth::policy::{PolicyHolder, ReloadOutcome};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.csv");
    let huge = "# padding\n".repeat(MAX_POLICY_BYTES as usize / 10 + 1);
    std::fs::write(&path, &huge).unwrap();
    let error = PolicyHolder::load(&path, None).unwrap_err().to_string();
    assert!(
        error.contains("policy.csv") && error.contains("larger than"),
        "{error}"
    );

    std::fs::write(&path, "x, y\n".repeat(50_000)).unwrap();
    let error = PolicyHolder::load(&path, None).unwrap_err().to_string();
    assert!(
        error.contains("50000 malformed line(s)"),
        "{}",
        &error[..200]
    );
    assert!(
        error.ends_with("and 49980 more"),
        "{}",
        &error[error.len() - 100..]
    );
    assert!(error.len() < 4_000, "{}", error.len());

    std::fs::write(&path, TEST_POLICY).unwrap();
    let holder = PolicyHolder::load(&path, None).unwrap();
    std::fs::write(&path, &huge).unwrap();
    assert!(matches!(
        holder.reload_if_changed(),
        ReloadOutcome::Unreadable(_)
    ));
    assert!(holder.current().rule_count() > 0);
}
