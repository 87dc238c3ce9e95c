//! `/version`, `/api`, `/apis` and the per-group-version resource lists kube::discovery and
//! kubectl read to map kinds to URLs, all generated from [`super::kinds::KINDS`]; and
//! `/openapi/v2`, which kubectl reads before it applies.

use serde_json::{json, Value};

use super::kinds::{group_versions, KINDS};

/// `/version`.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "33",
        "gitVersion": "v1.33.0-atrium-sim",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "none (atrium simulated cluster)",
        "compiler": "rustc",
        "platform": "linux/amd64"
    })
}

/// `/api`: the core group's versions.
pub fn core_versions() -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]
    })
}

/// `/apis`: every named group with its versions.
pub fn groups() -> Value {
    let groups: Vec<Value> = group_versions()
        .into_iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, v)| {
            let gv = json!({"groupVersion": format!("{g}/{v}"), "version": v});
            json!({"name": g, "versions": [gv.clone()], "preferredVersion": gv})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/api/v1` or `/apis/{group}/{version}`; `None` when nothing is served there.
pub fn resources(group: &str, version: &str) -> Option<Value> {
    let mut out = Vec::new();
    for k in KINDS
        .iter()
        .filter(|k| k.group == group && k.version == version)
    {
        let mut verbs = vec![
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ];
        if k.kind == "Namespace" {
            verbs.retain(|v| *v != "deletecollection");
        }
        out.push(json!({
            "name": k.plural,
            "singularName": k.kind.to_lowercase(),
            "namespaced": k.namespaced,
            "kind": k.kind,
            "verbs": verbs,
        }));
        if k.has_status {
            out.push(json!({
                "name": format!("{}/status", k.plural),
                "singularName": "",
                "namespaced": k.namespaced,
                "kind": k.kind,
                "verbs": ["get", "patch", "update"],
            }));
        }
    }
    if out.is_empty() {
        return None;
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": out}),
    )
}

/// `/openapi/v2`'s media type for protobuf, as the API server answers it; kubectl asks for
/// the deprecated spelling, with `@v1.0`, which the API server accepts too.
pub const OPENAPI_V2_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
pub const OPENAPI_V2_PROTOBUF_DEPRECATED: &str =
    "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

/// `/openapi/v2`: a Swagger 2.0 document with no paths and no definitions, as JSON or as
/// gnostic's `openapi.v2.Document` protobuf. The emulator checks no schemas (`validate`
/// checks a few fields), and the document says so: kubectl then validates nothing on the
/// client, as for a kind without a schema, instead of refusing to apply because the schema
/// download failed.
pub fn openapi_v2(protobuf: bool) -> Vec<u8> {
    let (title, version) = ("Atrium simulated cluster", version()["gitVersion"].clone());
    let version = version.as_str().unwrap_or_default().to_string();
    if !protobuf {
        let doc = json!({"swagger": "2.0", "info": {"title": title, "version": version},
                         "paths": {}, "definitions": {}});
        return doc.to_string().into_bytes();
    }
    // Field numbers from gnostic's OpenAPIv2.proto: Document.swagger = 1, .info = 2,
    // .paths = 8; Info.title = 1, .version = 2.
    let mut info = field(1, title.as_bytes());
    info.extend(field(2, version.as_bytes()));
    let mut doc = field(1, b"2.0");
    doc.extend(field(2, &info));
    doc.extend(field(8, &[]));
    doc
}

/// One length-delimited protobuf field (every one here is shorter than 128 bytes, so its
/// length is one varint byte).
fn field(number: u8, bytes: &[u8]) -> Vec<u8> {
    assert!(bytes.len() < 128 && number < 16, "a short field");
    let mut out = vec![(number << 3) | 2, bytes.len() as u8];
    out.extend_from_slice(bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_openapi_document_is_the_same_in_both_encodings() {
        let json: Value = serde_json::from_slice(&openapi_v2(false)).unwrap();
        assert_eq!(json["swagger"], "2.0");
        let proto = openapi_v2(true);
        // swagger "2.0", then info (title, version), then empty paths.
        assert_eq!(&proto[..5], b"\x0a\x032.0");
        let title = json["info"]["title"].as_str().unwrap();
        let version = json["info"]["version"].as_str().unwrap();
        let info_len = 2 + title.len() + 2 + version.len();
        assert_eq!(&proto[5..7], &[0x12, info_len as u8]);
        assert_eq!(&proto[9..9 + title.len()], title.as_bytes());
        assert_eq!(&proto[proto.len() - 2..], &[0x42, 0]);
        assert_eq!(proto.len(), 5 + 2 + info_len + 2);
    }
}
