use super::*;

const POLICY: &str = "\
# Atrium test policy
p, role:readonly, catalog,      get, *,       allow
p, role:readonly, applications, get, *,       allow

p, role:developer, applications, sync,   dev/*,     allow
p, role:developer, deploys,      deploy, dev/*,     allow
p , role:developer ,deploys,deploy , staging/* ,allow
p, role:lead,      deploys,      deploy, prod/*,    allow
p, role:lead,      deploys,      *,      prod/core-?, deny
p, role:admin,     *,            *,      */*,       allow
p, role:admin,     settings,     *,      *,         allow
p, mallory,        *,            *,      *,         deny

g, team-a,          role:developer
g, alice,           role:lead
g, role:lead,       role:developer
g, platform,        role:admin
";

fn subject<'a>(user: &'a str, groups: &'a [String]) -> Subject<'a> {
    Subject {
        user,
        groups,
        catalog: &[],
    }
}

fn groups(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn policy() -> Policy {
    Policy::parse(POLICY, Some("role:readonly")).expect("valid policy")
}

#[test]
fn globs_on_resource_action_and_object() {
    let p = policy();
    let team_a = groups(&["team-a"]);
    let dev = subject("bob", &team_a);
    assert!(
        p.decide(&dev, "applications", "sync", "dev/billing")
            .allowed
    );
    assert!(
        !p.decide(&dev, "applications", "sync", "prod/billing")
            .allowed
    );
    assert!(
        p.decide(&dev, "deploys", "deploy", "staging/checkout")
            .allowed
    );
    assert!(
        !p.decide(&dev, "deploys", "rollback", "staging/checkout")
            .allowed
    );

    let platform = groups(&["platform"]);
    let admin = subject("carol", &platform);
    for (resource, action, object) in [
        ("deploys", "approve", "prod/billing"),
        ("audit", "export", "prod/x"),
        ("settings", "update", "global"),
    ] {
        let d = p.decide(&admin, resource, action, object);
        assert!(d.allowed, "{resource} {action} {object}: {}", d.reason);
    }
    // `*/*` needs a slash: a settings object without one falls to the line 11 rule.
    assert_eq!(p.decide(&admin, "settings", "get", "global").line, Some(11));
}

#[test]
fn deny_wins_over_allow_wherever_it_appears() {
    let p = policy();
    let alice = subject("alice", &[]);
    let ok = p.decide(&alice, "deploys", "deploy", "prod/billing");
    assert!(ok.allowed);
    assert_eq!(ok.line, Some(8));
    assert!(
        ok.reason.contains("allowed by policy line 8"),
        "{}",
        ok.reason
    );

    let denied = p.decide(&alice, "deploys", "deploy", "prod/core-1");
    assert!(!denied.allowed);
    assert_eq!(denied.line, Some(9));
    assert!(
        denied.reason.starts_with("denied by policy line 9"),
        "{}",
        denied.reason
    );

    // An explicit user deny beats the admin role, even though the allow comes first.
    let platform = groups(&["platform"]);
    let mallory = subject("mallory", &platform);
    let d = p.decide(&mallory, "catalog", "get", "anything");
    assert!(!d.allowed);
    assert_eq!(d.line, Some(12));
}

#[test]
fn default_role_applies_to_everyone_authenticated() {
    let p = policy();
    let nobody = subject("new-hire", &[]);
    assert!(
        p.decide(&nobody, "catalog", "get", "default/billing")
            .allowed
    );
    assert!(
        p.decide(&nobody, "applications", "get", "prod/billing")
            .allowed
    );
    let d = p.decide(&nobody, "applications", "sync", "dev/billing");
    assert!(!d.allowed);
    assert_eq!(d.reason, "no matching rule");
    assert_eq!(d.line, None);

    // Without a default role the same user gets nothing.
    let bare = Policy::parse(POLICY, None).unwrap();
    assert!(
        !bare
            .decide(&nobody, "catalog", "get", "default/billing")
            .allowed
    );
    assert_eq!(bare.default_role(), None);
    assert_eq!(
        Policy::parse(POLICY, Some("  ")).unwrap().default_role(),
        None
    );
}

#[test]
fn groups_reach_roles_through_roles() {
    let p = policy();
    // alice -> role:lead -> role:developer: dev rights through two hops, plus the default role.
    let alice = subject("alice", &[]);
    assert!(
        p.decide(&alice, "applications", "sync", "dev/billing")
            .allowed
    );
    let names = p.roles_of(&alice);
    for expected in ["user:alice", "role:lead", "role:developer", "role:readonly"] {
        assert!(names.contains(expected), "{names:?}");
    }
    assert!(!names.contains("role:admin"));

    // Group -> role -> role.
    let text = "p, role:base, applications, sync, dev/*, allow\n\
                g, sre, role:oncall\n\
                g, role:oncall, role:base\n";
    let p = Policy::parse(text, None).unwrap();
    let sre = groups(&["sre"]);
    assert!(
        p.decide(&subject("dan", &sre), "applications", "sync", "dev/api")
            .allowed
    );
    assert!(
        !p.decide(&subject("dan", &[]), "applications", "sync", "dev/api")
            .allowed
    );
}

#[test]
fn role_cycles_terminate() {
    let text = "p, role:b, catalog, get, *, allow\n\
                g, role:a, role:b\n\
                g, role:b, role:c\n\
                g, role:c, role:a\n\
                g, team, role:a\n\
                g, team, team\n";
    let p = Policy::parse(text, None).unwrap();
    let team = groups(&["team"]);
    let d = p.decide(&subject("eve", &team), "catalog", "get", "x");
    assert!(d.allowed, "{}", d.reason);
    // user:eve, group:team, role:a, role:b, role:c, and the bare `team` of `g, team, team`
    // as a user name.
    assert_eq!(p.roles_of(&subject("eve", &team)).len(), 6);
}

#[test]
fn bad_lines_are_reported_with_their_numbers() {
    let text = "\
# comment
p, role:x, catalog, get, *, allow
p, role:x, catalog, get, *
g, alice
x, alice, role:x
p, role:x, catalog, get, *, permit

p, , catalog, get, *, allow
g, alice, role:x, extra
p, role:x, aplications, get, *, allow
p, role:x, applications, snyc, *, deny
p, role:x, app*, s*, prod/*, deny
   # indented comment
p, role:x, catalog, get, *, allow # trailing comment
";
    let errors = Policy::parse(text, Some("role:readonly")).unwrap_err();
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    // Line 14's trailing comment is fine (a superset of Argo CD, which only has whole-line ones).
    assert_eq!(lines, vec![3, 4, 5, 6, 8, 9, 10, 11], "{errors:#?}");
    let message = |line: usize| {
        errors
            .iter()
            .find(|e| e.line == line)
            .map(|e| e.to_string())
            .unwrap()
    };
    assert!(message(3).contains("expected 6 fields"), "{}", message(3));
    assert!(message(3).contains("found 5"));
    assert!(message(4).contains("expected 3 fields"));
    assert!(message(5).contains("unknown line type `x`"));
    assert!(message(6).contains("unknown effect `permit`"));
    assert!(message(8).contains("field 2 (subject) is empty"));
    assert!(message(9).contains("found 4"));
    assert!(message(10).contains("unknown resource `aplications`"));
    assert!(message(11).contains("unknown action `snyc`"));
    assert!(message(3).starts_with("line 3: "));
}

#[test]
fn empty_policy_denies_everything_but_parses() {
    let p = Policy::parse("\n# nothing yet\n\r\n", Some("role:readonly")).unwrap();
    assert_eq!(p.rule_count(), 0);
    assert!(!p.decide(&subject("a", &[]), "catalog", "get", "x").allowed);
}

#[test]
fn windows_line_endings_are_fine() {
    let p = Policy::parse(
        "p, alice, catalog, get, *, allow\r\ng, bob, alice\r\n",
        None,
    )
    .unwrap();
    assert!(
        p.decide(&subject("bob", &[]), "catalog", "get", "x")
            .allowed
    );
}

#[test]
fn comments_may_follow_a_rule() {
    let p = Policy::parse(
        "p, role:dev, catalog, reload, *, allow   # developers refresh\ng, team-a, role:dev # team A\n",
        None,
    )
    .expect("trailing comments are fine");
    let team_a = groups(&["team-a"]);
    assert!(
        p.decide(&subject("x", &team_a), "catalog", "reload", "*")
            .allowed
    );
}

fn catalog_member<'a>(user: &'a str, catalog: &'a [String]) -> Subject<'a> {
    Subject {
        user,
        groups: &[],
        catalog,
    }
}

/// Issue 14 #4: a catalog Group named like a person or like an identity-provider group does not
/// get their rights; catalog groups get only what `catalog:` lines give them.
#[test]
fn catalog_groups_never_share_a_name_with_users_or_idp_groups() {
    let text = "p, role:admin, *, *, *, allow\n\
                p, role:dev, applications, sync, dev/*, allow\n\
                g, jonas, role:admin\n\
                g, group:atrium-admins, role:admin\n\
                g, atrium-ops, role:admin\n\
                g, catalog:team-a, role:dev\n";
    let p = Policy::parse(text, None).unwrap();
    let admin = |s: &Subject<'_>| p.decide(s, "settings", "update", "*").allowed;

    // A catalog Group named `jonas`, `atrium-admins` or `atrium-ops`: nothing.
    for name in ["jonas", "atrium-admins", "atrium-ops"] {
        let catalog = groups(&[name]);
        assert!(!admin(&catalog_member("mallory", &catalog)), "{name}");
    }
    // The user and the IdP groups of those names: admin, bare or prefixed.
    assert!(admin(&subject("jonas", &[])));
    assert!(admin(&subject("x", &groups(&["atrium-admins"]))));
    assert!(admin(&subject("x", &groups(&["atrium-ops"]))));
    // A user id that looks like a role is still only a user.
    assert!(!admin(&subject("role:admin", &[])));

    // `catalog:team-a` is the catalog group only, not the IdP group of that name.
    let team_a = groups(&["team-a"]);
    assert!(
        p.decide(
            &catalog_member("amara", &team_a),
            "applications",
            "sync",
            "dev/x"
        )
        .allowed
    );
    assert!(
        !p.decide(&subject("amara", &team_a), "applications", "sync", "dev/x")
            .allowed
    );
    let names = p.roles_of(&catalog_member("amara", &team_a));
    assert!(
        names.contains("catalog:team-a") && names.contains("role:dev"),
        "{names:?}"
    );
}

/// Catalog data never grants admin: a line that would let a `catalog:` subject reach a rule
/// allowing `settings`, directly or through roles, is refused naming the line.
#[test]
fn catalog_subjects_cannot_reach_admin_rights() {
    let base = "p, role:admin, *, *, *, allow\n\
                p, role:ops, settings, update, prod/*, allow\n\
                g, role:oncall, role:ops\n";
    for (extra, why) in [
        ("g, catalog:platform, role:admin", "direct"),
        ("g, catalog:platform, role:oncall", "through roles"),
        ("p, catalog:platform, settings, *, *, allow", "a p line"),
        (
            "g, catalog:platform, jonas\ng, jonas, role:admin",
            "through a user",
        ),
    ] {
        let text = format!("{base}{extra}\n");
        let errors = Policy::parse(&text, None).expect_err(why);
        assert_eq!(errors[0].line, 4, "{why}: {errors:?}");
        let message = errors[0].to_string();
        assert!(
            message.contains("`catalog:platform` would get admin rights")
                && message.contains("catalog data never grants admin"),
            "{why}: {message}"
        );
    }
    // Lesser roles and denies are fine.
    let ok = format!(
        "{base}g, catalog:platform, role:dev\np, role:dev, applications, sync, dev/*, allow\n\
         p, catalog:platform, settings, *, *, deny\n"
    );
    Policy::parse(&ok, None).expect("no admin path");
}

#[test]
fn prefixes_must_name_something() {
    let errors = Policy::parse(
        "g, user:, role:x\np, catalog: , catalog, get, *, allow\n",
        None,
    )
    .unwrap_err();
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![1, 2], "{errors:?}");
    assert!(
        errors[0].message.contains("`user:` names no user"),
        "{errors:?}"
    );
}
