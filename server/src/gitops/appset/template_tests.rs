use serde_json::json;

use super::*;

fn params(value: Value) -> Params {
    value.as_object().unwrap().clone()
}

const GO: Templating = Templating {
    go: true,
    missing_key_error: false,
};

#[test]
fn fasttemplate_substitutes_string_params_and_leaves_unknown_tags() {
    let p = params(json!({"path.basename": "web", "cluster": "dev", "n": 2}));
    let t = Templating::default();
    assert_eq!(
        render_str("{{path.basename}}-{{ cluster }}", &p, t).unwrap(),
        "web-dev"
    );
    // Argo CD leaves a tag it has no string for as written.
    assert_eq!(
        render_str("{{nope}}-{{n}}-{{}}", &p, t).unwrap(),
        "{{nope}}-{{n}}-{{}}"
    );
    assert_eq!(render_str("plain", &p, t).unwrap(), "plain");
    let err = render_str("{{cluster", &p, t).unwrap_err();
    assert!(err.contains("without a closing"), "{err}");
}

#[test]
fn templates_render_every_string_but_not_map_keys() {
    let p = params(json!({"name": "web"}));
    let template = json!({"metadata": {"name": "{{name}}", "labels": {"{{name}}": "{{name}}"}},
        "spec": {"syncOptions": ["A={{name}}"], "replicas": 2}});
    let out = render_value(&template, &p, Templating::default()).unwrap();
    assert_eq!(
        out,
        json!({"metadata": {"name": "web", "labels": {"{{name}}": "web"}},
            "spec": {"syncOptions": ["A=web"], "replicas": 2}})
    );
}

#[test]
fn go_templates_render_field_references_and_refuse_the_rest() {
    let p = params(
        json!({"path": {"basename": "web", "segments": ["apps", "web"]}, "n": 3,
        "on": true}),
    );
    assert_eq!(
        render_str("{{.path.basename}}-{{ .n }}-{{.on}}", &p, GO).unwrap(),
        "web-3-true"
    );
    assert_eq!(render_str("a  {{- .n -}}  b", &p, GO).unwrap(), "a3b");
    assert_eq!(render_str("{{/* note */}}x", &p, GO).unwrap(), "x");
    assert_eq!(render_str("{{.missing}}", &p, GO).unwrap(), "<no value>");
    let strict = Templating {
        go: true,
        missing_key_error: true,
    };
    let err = render_str("{{.path.nope}}", &p, strict).unwrap_err();
    assert!(err.contains("no entry for key \"nope\""), "{err}");
    for unsupported in [
        "{{ index .path.segments 1 }}",
        "{{ .path.basename | upper }}",
        "{{ if .n }}x{{ end }}",
        "{{ printf \"%s\" .n }}",
    ] {
        let err = render_str(unsupported, &p, GO).unwrap_err();
        assert!(err.contains("is not supported"), "{unsupported}: {err}");
    }
    let err = render_str("{{.path.segments}}", &p, GO).unwrap_err();
    assert!(err.contains("a list or a map"), "{err}");
    let err = render_str("{{.path.basename.x}}", &p, GO).unwrap_err();
    assert!(err.contains("is not a map"), "{err}");
}

#[test]
fn names_are_normalized_as_argo_cd_does() {
    assert_eq!(sanitize_name("Edge_EU/West"), "edge-eu-west");
    assert_eq!(sanitize_name("-.config.json"), "config.json");
    assert_eq!(sanitize_name(&"a".repeat(300)).len(), 253);
}

#[test]
fn nested_values_flatten_with_dots() {
    let mut out = Params::new();
    flatten_into(
        &json!({"cluster": {"name": "eu", "replicas": 3, "zones": ["a", "b"], "on": false}}),
        "",
        &mut out,
    );
    assert_eq!(out["cluster.name"], "eu");
    assert_eq!(out["cluster.replicas"], "3");
    assert_eq!(out["cluster.zones.1"], "b");
    assert_eq!(out["cluster.on"], "false");
}

#[test]
fn values_are_rendered_with_the_params() {
    let mut p = params(json!({"name": "eu"}));
    append_values(
        &json!({"ns": "team-{{name}}"}),
        &mut p,
        Templating::default(),
        "g",
    )
    .unwrap();
    assert_eq!(p["values.ns"], "team-eu");
    let mut p = params(json!({"name": "eu"}));
    append_values(&json!({"ns": "team-{{.name}}"}), &mut p, GO, "g").unwrap();
    assert_eq!(p["values"]["ns"], "team-eu");
    let err = append_values(&json!({"ns": 1}), &mut p, GO, "g").unwrap_err();
    assert!(err.contains("g.values.ns: expected a string"), "{err}");
}
