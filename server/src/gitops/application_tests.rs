use super::*;

const FULL: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: guestbook
  namespace: argocd
  labels: {team: web}
  annotations:
    argocd.argoproj.io/sync-wave: "2"
  finalizers: [resources-finalizer.argocd.argoproj.io]
  uid: ignored-unknown-field
spec:
  project: default
  source:
    repoURL: https://github.com/argoproj/argocd-example-apps.git
    targetRevision: HEAD
    path: guestbook
    chart: guestbook-chart
    helm:
      valueFiles: [values-prod.yaml]
      values: |
        replicas: 2
      parameters:
        - name: image.tag
          value: "1.2"
          forceString: true
      releaseName: gb
    kustomize:
      namePrefix: prod-
      nameSuffix: -v1
      images: [gcr.io/heptio-images/ks-guestbook-demo:0.2]
      commonLabels: {env: prod}
    directory:
      recurse: true
      include: "*.yaml"
      exclude: "{skip.yaml}"
      jsonnet: {tlas: []}
  sources:
    - repoURL: https://charts.example/
      chart: redis
      targetRevision: 17.0.0
    - repoURL: https://git.example/values.git
      ref: values
  destination:
    server: https://kubernetes.default.svc
    namespace: guestbook
  syncPolicy:
    automated: {prune: true, selfHeal: true, allowEmpty: false}
    syncOptions: [CreateNamespace=true, PruneLast=true]
    retry:
      limit: 5
      backoff: {duration: 5s, factor: 2, maxDuration: 3m}
  ignoreDifferences:
    - group: apps
      kind: Deployment
      jsonPointers: [/spec/replicas]
      jqPathExpressions: [.spec.template]
      managedFieldsManagers: [kube-controller-manager]
status:
  sync: {status: Synced}
"#;

#[test]
fn reads_every_field_argo_cd_writes() {
    let app = Application::from_yaml(FULL).unwrap();
    assert_eq!(app.metadata.name, "guestbook");
    assert_eq!(app.metadata.namespace.as_deref(), Some("argocd"));
    assert_eq!(app.metadata.labels["team"], "web");
    assert_eq!(
        app.metadata.annotations["argocd.argoproj.io/sync-wave"],
        "2"
    );
    assert_eq!(
        app.metadata.finalizers,
        ["resources-finalizer.argocd.argoproj.io"]
    );
    assert_eq!(app.spec.project, "default");
    let source = app.spec.source.as_ref().unwrap();
    assert_eq!(
        source.repo_url,
        "https://github.com/argoproj/argocd-example-apps.git"
    );
    assert_eq!(source.target_revision, "HEAD");
    assert_eq!(source.path, "guestbook");
    assert_eq!(source.chart.as_deref(), Some("guestbook-chart"));
    let helm = source.helm.as_ref().unwrap();
    assert_eq!(helm.value_files, ["values-prod.yaml"]);
    assert_eq!(helm.values.as_deref(), Some("replicas: 2\n"));
    assert_eq!(helm.parameters[0].name, "image.tag");
    assert!(helm.parameters[0].force_string);
    assert_eq!(helm.release_name.as_deref(), Some("gb"));
    let kustomize = source.kustomize.as_ref().unwrap();
    assert_eq!(kustomize.name_prefix.as_deref(), Some("prod-"));
    assert_eq!(kustomize.name_suffix.as_deref(), Some("-v1"));
    assert_eq!(kustomize.images.len(), 1);
    assert_eq!(kustomize.common_labels["env"], "prod");
    let directory = source.directory.as_ref().unwrap();
    assert!(directory.recurse);
    assert_eq!(directory.include, "*.yaml");
    assert_eq!(directory.exclude, "{skip.yaml}");
    assert_eq!(app.spec.sources.len(), 2);
    assert_eq!(app.spec.sources[1].ref_name.as_deref(), Some("values"));
    // The values-only source renders nothing of its own.
    assert_eq!(app.rendering_sources().len(), 1);
    assert_eq!(
        app.spec.destination.server.as_deref(),
        Some("https://kubernetes.default.svc")
    );
    assert_eq!(app.spec.destination.namespace, "guestbook");
    let automated = app.automated().unwrap();
    assert!(automated.prune && automated.self_heal && !automated.allow_empty);
    assert_eq!(
        app.sync_options(),
        ["CreateNamespace=true", "PruneLast=true"]
    );
    let retry = app
        .spec
        .sync_policy
        .as_ref()
        .unwrap()
        .retry
        .as_ref()
        .unwrap();
    assert_eq!(retry.limit, Some(5));
    let backoff = retry.backoff.as_ref().unwrap();
    assert_eq!(backoff.duration.as_deref(), Some("5s"));
    assert_eq!(backoff.factor, Some(2));
    assert_eq!(backoff.max_duration.as_deref(), Some("3m"));
    let ignore = &app.spec.ignore_differences[0];
    assert_eq!(
        (ignore.group.as_str(), ignore.kind.as_str()),
        ("apps", "Deployment")
    );
    assert_eq!(ignore.json_pointers, ["/spec/replicas"]);
    assert_eq!(ignore.jq_path_expressions, [".spec.template"]);
    assert_eq!(ignore.managed_fields_managers, ["kube-controller-manager"]);
}

#[test]
fn empty_values_read_as_defaults() {
    let app = Application::from_yaml(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\n  labels:\n\
         spec:\n  source:\n    repoURL: x\n  syncPolicy:\n    automated: {}\n    syncOptions:\n",
    )
    .unwrap();
    assert_eq!(app.automated(), Some(Automated::default()));
    assert!(app.metadata.labels.is_empty());
    assert!(app.sync_options().is_empty());
}

#[test]
fn a_wrong_type_names_the_field_and_the_line() {
    let text =
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  \
                syncPolicy:\n    automated:\n      prune: [yes]\n";
    let err = Application::from_yaml(text).unwrap_err();
    match &err {
        ApplicationError::Field { field, at, .. } => {
            assert_eq!(field, "spec.syncPolicy.automated.prune");
            assert_eq!(at.map(|(line, _)| line), Some(7), "{err}");
        }
        other => panic!("expected a field error, got {other:?}"),
    }
    let value = serde_json::json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "a"}, "spec": {"sources": [{"repoURL": 7}]}});
    let err = Application::from_value(&value).unwrap_err().to_string();
    assert!(
        err.starts_with("spec.sources[0].repoURL: invalid type"),
        "{err}"
    );
}

#[test]
fn other_kinds_and_nameless_apps_are_refused() {
    let err = Application::from_yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
        .unwrap_err();
    assert!(matches!(err, ApplicationError::NotAnApplication { .. }));
    let err = Application::from_yaml("apiVersion: argoproj.io/v1alpha1\nkind: Application\n")
        .unwrap_err();
    assert_eq!(err, ApplicationError::MissingName);
    let err = Application::from_yaml("a: [1\n").unwrap_err();
    assert!(
        matches!(err, ApplicationError::Yaml { at: Some(_), .. }),
        "{err:?}"
    );
}

#[test]
fn messages_do_not_repeat_the_position() {
    let err = Application::from_yaml("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: 3}\nspec: {project: [x]}\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("spec.project: "), "{err}");
    assert!(!err.contains("error: line"), "{err}");
    assert!(
        err.ends_with("(line 4, column 17)") || err.contains("(line 4"),
        "{err}"
    );
}
