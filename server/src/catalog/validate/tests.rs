use serde_json::{json, Value};

use super::*;

fn component(spec: Value) -> Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "web"},
        "spec": spec,
    })
}

fn problems(doc: Value) -> Vec<String> {
    validate(&doc).expect_err("should be invalid").messages()
}

#[test]
fn valid_component_keeps_everything() {
    let doc = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {
            "name": "Artist-Lookup", "namespace": "music", "title": "Artist lookup",
            "labels": {"goVersion": "go1.15.3"},
            "annotations": {"backstage.io/techdocs-ref": "dir:."},
            "tags": ["java", "c++"],
            "links": [{"url": "https://example.com", "title": "Home", "icon": "web"}],
        },
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a",
                 "dependsOn": ["resource:db"], "extra": {"kept": true}},
    });
    let e = validate(&doc).unwrap();
    assert_eq!(
        e.entity_ref(),
        EntityRef::new("component", "music", "artist-lookup")
    );
    assert_eq!(&*e.metadata.name, "Artist-Lookup");
    assert_eq!(&*e.metadata.tags, ["java", "c++"]);
    assert_eq!(e.metadata.links[0].url, "https://example.com");
    assert_eq!(e.metadata.labels.get("goVersion").unwrap(), "go1.15.3");
    assert_eq!(e.spec["extra"]["kept"], json!(true));
}

#[test]
fn invalid_name_and_tag_name_the_entity_and_field() {
    let doc = json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": "invalid component", "tags": ["go", "go 1.15.3"]},
        "spec": {"type": "service", "lifecycle": "production", "owner": "user:guest"},
    });
    let err = validate(&doc).unwrap_err();
    assert_eq!(
        err.entity_ref,
        Some(EntityRef::new("component", "default", "invalid component"))
    );
    let msgs = err.messages();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].starts_with(
        "component \"invalid component\": metadata.name \"invalid component\" is not valid: "
    ));
    assert!(msgs[1].starts_with("component \"invalid component\": metadata.tags[1] \"go 1.15.3\""));
}

#[test]
fn links_are_http_https_or_mailto_only() {
    let doc = json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": "a", "links": [
            {"url": "javascript:alert(document.cookie)"},
            {"url": "JavaScript:alert(1)"},
            {"url": "data:text/html,<script>alert(1)</script>"},
            {"url": "java\tscript:alert(1)"},
            {"url": "https://ok.example/docs"},
            {"url": "mailto:team@example.com"},
            {"url": "HTTP://ok.example"},
        ]},
        "spec": {"type": "service", "lifecycle": "x", "owner": "team-a"},
    });
    let msgs = problems(doc);
    assert_eq!(msgs.len(), 4, "{msgs:?}");
    assert!(
        msgs.iter()
            .all(|m| m.contains("only http, https and mailto")),
        "{msgs:?}"
    );
    let ok = json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": "a", "links": [
            {"url": "https://ok.example/docs"},
            {"url": "mailto:team@example.com"},
            {"url": "HTTP://ok.example"},
        ]},
        "spec": {"type": "service", "lifecycle": "x", "owner": "team-a"},
    });
    let e = validate(&ok).expect("valid");
    assert_eq!(e.metadata.links.len(), 3);
}

#[test]
fn wrong_types_name_the_field() {
    let doc = json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": ["a"], "tags": ["ok", 3], "labels": {"a": 1}, "links": [{"title": "x"}]},
        "spec": {"type": "service", "lifecycle": 1, "owner": "team-a"},
    });
    let msgs = problems(doc);
    assert_eq!(
        msgs,
        vec![
            "component: metadata.name: expected a string, found a list",
            "component: metadata.labels.a: expected a string, found a number",
            "component: metadata.tags[1]: expected a string, found a number",
            "component: metadata.links[0].url is required",
            "component: spec.lifecycle: expected a string, found a number",
        ]
    );
    let msgs = problems(json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": "a", "tags": "java"},
        "spec": {"type": "service", "lifecycle": "x", "owner": "team-a"},
    }));
    assert_eq!(
        msgs,
        vec!["component \"a\": metadata.tags: expected a list of strings, found a string"]
    );
}

#[test]
fn required_spec_fields_per_kind() {
    let cases = [
        (
            "Component",
            vec![
                "spec.type is required",
                "spec.lifecycle is required",
                "spec.owner is required",
            ],
        ),
        (
            "API",
            vec![
                "spec.type is required",
                "spec.lifecycle is required",
                "spec.owner is required",
                "spec.definition is required",
            ],
        ),
        (
            "Resource",
            vec!["spec.type is required", "spec.owner is required"],
        ),
        ("System", vec!["spec.owner is required"]),
        ("Domain", vec!["spec.owner is required"]),
        (
            "Group",
            vec![
                "spec.type is required",
                "spec.children is required (may be an empty list)",
            ],
        ),
        (
            "User",
            vec!["spec.memberOf is required (may be an empty list)"],
        ),
        ("Location", vec!["spec.target or spec.targets is required"]),
    ];
    for (kind, expected) in cases {
        let doc = json!({"apiVersion": "backstage.io/v1beta1", "kind": kind,
                         "metadata": {"name": "x"}, "spec": {}});
        let err = validate(&doc).unwrap_err();
        assert_eq!(err.problems, expected, "{kind}");
    }
    let ok = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Group",
                    "metadata": {"name": "g"}, "spec": {"type": "team", "children": []}});
    assert!(validate(&ok).is_ok());
    let ok = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "User",
                    "metadata": {"name": "u"}, "spec": {"memberOf": []}});
    assert!(validate(&ok).is_ok());
}

#[test]
fn api_definition_may_be_a_placeholder() {
    let api = |definition: Value| {
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": "API", "metadata": {"name": "a"},
               "spec": {"type": "openapi", "lifecycle": "production", "owner": "t", "definition": definition}})
    };
    assert!(validate(&api(json!("openapi: 3.0.0"))).is_ok());
    assert!(validate(&api(json!({"$text": "./petstore.oas.yaml"}))).is_ok());
    assert_eq!(
        problems(api(json!([1]))),
        vec!["api \"a\": spec.definition: expected a string, found a list"]
    );
}

#[test]
fn mcp_server_apis_list_remotes_instead_of_a_definition() {
    let api = |spec: Value| {
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": "API", "metadata": {"name": "m"},
               "spec": spec})
    };
    let ok = api(
        json!({"type": "mcp-server", "lifecycle": "experimental", "owner": "t",
                        "remotes": [{"type": "streamable-http", "url": "http://localhost/mcp"}]}),
    );
    assert!(validate(&ok).is_ok());
    assert_eq!(
        problems(api(
            json!({"type": "mcp-server", "lifecycle": "x", "owner": "t"})
        )),
        vec!["api \"m\": spec.remotes is required for an mcp-server API"]
    );
    assert_eq!(
        problems(api(
            json!({"type": "mcp-server", "lifecycle": "x", "owner": "t",
                            "remotes": [{"type": "sse"}]})
        )),
        vec!["api \"m\": spec.remotes[0].url is required"]
    );
}

#[test]
fn envelope_problems() {
    assert_eq!(
        problems(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Environment",
                        "metadata": {"name": "dev"}, "spec": {}})
        ),
        vec![
            "environment \"dev\": unknown kind \"Environment\", expected one of Component, API, \
              Resource, System, Domain, Group, User, Location, Template (a [[catalog.rules]] \
              allow list admits other kinds)"
        ]
    );
    let msgs = problems(json!({"apiVersion": "v1", "kind": "Component",
                               "metadata": {"name": "x"},
                               "spec": {"type": "a", "lifecycle": "b", "owner": "c"}}));
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0].contains("apiVersion \"v1\" is not supported"));
    let err = validate(&json!({"openapi": "3.0.0"})).unwrap_err();
    assert!(!err.is_descriptor);
    assert_eq!(
        err.problems,
        vec![
            "apiVersion is required",
            "kind is required",
            "metadata is required",
            "spec is required"
        ]
    );
    assert!(validate(&json!([1, 2])).unwrap_err().problems[0].contains("expected a mapping"));
}

#[test]
fn template_is_read_with_minimal_checks() {
    let t = json!({"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
                   "metadata": {"name": "new-service"},
                   "spec": {"type": "service", "owner": "team-a", "steps": []}});
    assert!(validate(&t).is_ok());
    let mut wrong = t.clone();
    wrong["apiVersion"] = json!("backstage.io/v1alpha1");
    assert!(validate(&wrong).is_err());
}

#[test]
fn ref_fields_checked() {
    assert_eq!(
        problems(component(json!({"type": "service", "lifecycle": "x", "owner": "team-a",
                                  "dependsOn": ["artists-db", "resource:ok"]}))),
        vec!["component \"web\": spec.dependsOn[0]: \"artists-db\" needs an explicit kind, e.g. \"component:artists-db\""]
    );
    assert_eq!(
        problems(component(
            json!({"type": "service", "lifecycle": "x", "owner": ["a"]})
        )),
        vec!["component \"web\": spec.owner: expected a string, found a list"]
    );
    assert_eq!(
        problems(component(
            json!({"type": "service", "lifecycle": "x", "owner": "t",
                                  "providesApis": "api:x"})
        )),
        vec!["component \"web\": spec.providesApis: expected a list of strings, found a string"]
    );
}

#[test]
fn location_targets() {
    let loc = |spec: Value| {
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Location",
                                   "metadata": {"name": "l"}, "spec": spec})
    };
    assert!(validate(&loc(json!({"target": "./a.yaml"}))).is_ok());
    assert!(validate(&loc(json!({"type": "url", "targets": ["./a.yaml"]}))).is_ok());
    assert_eq!(
        problems(loc(json!({"targets": ["./a.yaml", 1]}))),
        vec!["location \"l\": spec.targets[1]: expected a string, found a number"]
    );
}

#[test]
fn invalid_namespace() {
    let msgs = problems(
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": "System",
                               "metadata": {"name": "s", "namespace": "Not_OK"},
                               "spec": {"owner": "t"}}),
    );
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0].starts_with("system \"s\": metadata.namespace \"Not_OK\" is not valid"));
}

fn ai_resource(spec: Option<Value>) -> Value {
    let mut doc = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "AiResource",
        "metadata": {"name": "summarizer-prompt"},
    });
    if let Some(spec) = spec {
        doc["spec"] = spec;
    }
    doc
}

fn allow(kinds: &[&str]) -> AllowedKinds {
    AllowedKinds::List(kinds.iter().map(|k| k.to_ascii_lowercase()).collect())
}

#[test]
fn a_custom_kind_needs_a_rule() {
    let doc = ai_resource(Some(json!({"type": "prompt", "owner": "team-a"})));
    let err = validate(&doc).unwrap_err().messages();
    assert!(
        err[0].starts_with("airesource \"summarizer-prompt\": unknown kind \"AiResource\""),
        "{err:?}"
    );
    let e = validate_with(&doc, &allow(&["Component", "AiResource"])).expect("allowed");
    assert_eq!(e.kind, "AiResource");
    assert_eq!(e.spec_str("owner"), Some("team-a"));
    // Backstage's envelope makes spec optional for kinds it does not know.
    let bare = validate_with(&ai_resource(None), &allow(&["airesource"])).expect("no spec");
    assert!(bare.spec.is_empty());
}

#[test]
fn rules_can_refuse_a_built_in_kind() {
    let doc = component(json!({"type": "service", "lifecycle": "production", "owner": "o"}));
    let err = validate_with(&doc, &allow(&["API"]))
        .unwrap_err()
        .messages();
    assert!(
        err[0].contains("kind \"Component\" is not allowed"),
        "{err:?}"
    );
    let doc = ai_resource(Some(json!({})));
    let err = validate_with(&doc, &allow(&["API"]))
        .unwrap_err()
        .messages();
    assert!(
        err[0].contains("kind \"AiResource\" is not allowed"),
        "{err:?}"
    );
}

#[test]
fn a_custom_kind_keeps_the_generic_envelope_rules() {
    let mut doc = ai_resource(Some(json!({"owner": "group:", "dependsOn": "x"})));
    doc["apiVersion"] = json!("v1");
    let err = validate_with(&doc, &allow(&["AiResource"]))
        .unwrap_err()
        .messages();
    assert!(
        err.iter()
            .any(|p| p.contains("apiVersion \"v1\" is not of the form group/version")),
        "{err:?}"
    );
    assert!(err.iter().any(|p| p.contains("spec.owner")), "{err:?}");
    assert!(
        err.iter()
            .any(|p| p.contains("spec.dependsOn: expected a list")),
        "{err:?}"
    );
    let mut doc = ai_resource(None);
    doc["kind"] = json!("Ai-Resource");
    let err = validate_with(&doc, &allow(&["Ai-Resource"]))
        .unwrap_err()
        .messages();
    assert!(
        err.iter().any(|p| p.contains("is not a valid kind")),
        "{err:?}"
    );
}

#[test]
fn owned_validation_is_validation() {
    let rules = allow(&["Component", "AiResource"]);
    let docs = [
        component(
            json!({"type": "service", "lifecycle": "production", "owner": "team-a",
                         "extra": {"deep": [1, 2]}}),
        ),
        component(json!({"type": "service"})),
        component(Value::Null),
        ai_resource(None),
        ai_resource(Some(json!({"type": "prompt", "owner": "team-a"}))),
        json!("not a mapping"),
    ];
    for doc in docs {
        assert_eq!(
            validate_owned(doc.clone(), &rules),
            validate_with(&doc, &rules)
        );
    }
}
