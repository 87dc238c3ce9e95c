//! Tree node ids and the resource key inside them. The server builds them, the page keeps them
//! in its URL (`?node=`) and sends them back for a node's details: one type, so both sides
//! agree on the shape. On the wire an id is its plain string.

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const APP: &str = "app:";
const RESOURCE: &str = "res:";

/// `group/kind/namespace/name`: a resource's key, unique within an app and stable across
/// renders. `group` is the part of `apiVersion` before the `/` (empty for the core group),
/// `namespace` is empty for cluster-scoped kinds.
pub fn resource_key(api_version: &str, kind: &str, namespace: &str, name: &str) -> String {
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    // `concat`, not `format!`: one exact allocation, and this runs for every resource of a
    // status pass.
    [group, "/", kind, "/", namespace, "/", name].concat()
}

/// Whether `key` has [`resource_key`]'s shape: four `/`-separated parts, kind and name
/// not empty (the name is the rest, whatever it holds).
fn is_resource_key(key: &str) -> bool {
    let mut parts = key.splitn(4, '/');
    let (_group, kind, _namespace, name) = (parts.next(), parts.next(), parts.next(), parts.next());
    kind.is_some_and(|k| !k.is_empty()) && name.is_some_and(|n| !n.is_empty())
}

/// What a tree node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NodeKind {
    /// An Argo CD Application (the root, or a child app).
    App,
    /// A Kubernetes object one app renders.
    Resource,
}

/// A tree node's id, stable across renders: `app:<name>` for an app, `res:<app>:<key>` for one
/// of its resources (`key` as [`resource_key`] builds it). A thin wrapper around the string
/// (it hashes and compares as one, so maps keyed by ids are looked up by `&str`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(String);

/// Text that is not a tree node id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a tree node id")]
pub struct NodeIdError(pub String);

impl NodeId {
    /// The node of app `name`.
    pub fn of_app(name: &str) -> NodeId {
        // `concat` (one exact allocation), not `format!`: every row of a tree build makes one.
        NodeId([APP, name].concat())
    }

    /// The node of resource `key` of app `app`.
    pub fn of_resource(app: &str, key: &str) -> NodeId {
        NodeId([RESOURCE, app, ":", key].concat())
    }

    /// Reads an id: `app:` and a name, or `res:`, an app name, `:` and a resource key.
    pub fn parse(text: &str) -> Result<NodeId, NodeIdError> {
        if Self::well_formed(text) {
            Ok(NodeId(text.to_owned()))
        } else {
            Err(NodeIdError(text.to_owned()))
        }
    }

    fn well_formed(text: &str) -> bool {
        if let Some(name) = text.strip_prefix(APP) {
            return !name.is_empty();
        }
        text.strip_prefix(RESOURCE)
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(app, key)| !app.is_empty() && is_resource_key(key))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn node_kind(&self) -> NodeKind {
        if self.0.starts_with(APP) {
            NodeKind::App
        } else {
            NodeKind::Resource
        }
    }

    pub fn is_app(&self) -> bool {
        self.node_kind() == NodeKind::App
    }

    /// The app the node belongs to (itself for an app): what the permission object
    /// `<environment>/<app>` is built from.
    pub fn app(&self) -> &str {
        match self.0.strip_prefix(APP) {
            Some(name) => name,
            None => {
                let rest = &self.0[RESOURCE.len()..];
                rest.split_once(':').map_or(rest, |(app, _)| app)
            }
        }
    }

    /// The resource's key (`group/kind/namespace/name`); `None` for an app.
    pub fn resource_key(&self) -> Option<&str> {
        let rest = self.0.strip_prefix(RESOURCE)?;
        rest.split_once(':').map(|(_, key)| key)
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for NodeId {
    type Err = NodeIdError;

    fn from_str(text: &str) -> Result<NodeId, NodeIdError> {
        NodeId::parse(text)
    }
}

impl TryFrom<String> for NodeId {
    type Error = NodeIdError;

    fn try_from(text: String) -> Result<NodeId, NodeIdError> {
        if NodeId::well_formed(&text) {
            Ok(NodeId(text))
        } else {
            Err(NodeIdError(text))
        }
    }
}

impl From<NodeId> for String {
    fn from(id: NodeId) -> String {
        id.0
    }
}

impl AsRef<str> for NodeId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for NodeId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for NodeId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for NodeId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for NodeId {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl Serialize for NodeId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for NodeId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<NodeId, D::Error> {
        NodeId::try_from(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_their_app_and_resource() {
        let app = NodeId::of_app("checkout-service");
        assert_eq!(app, "app:checkout-service");
        assert_eq!(app.app(), "checkout-service");
        assert_eq!(app.node_kind(), NodeKind::App);
        assert_eq!(app.resource_key(), None);

        let key = resource_key("apps/v1", "Deployment", "shop", "cart");
        assert_eq!(key, "apps/Deployment/shop/cart");
        assert_eq!(
            resource_key("v1", "Namespace", "", "shop"),
            "/Namespace//shop"
        );
        let res = NodeId::of_resource("cart-service", &key);
        assert_eq!(res, "res:cart-service:apps/Deployment/shop/cart");
        assert_eq!(res.app(), "cart-service");
        assert!(!res.is_app());
        assert_eq!(res.resource_key(), Some(key.as_str()));
        assert_eq!(NodeId::parse(res.as_str()), Ok(res));
        // A ClusterRole's name may hold colons.
        let role = NodeId::parse("res:rbac:rbac.authorization.k8s.io/ClusterRole//system:x");
        assert_eq!(
            role.map(|r| r.resource_key().map(String::from)),
            Ok(Some(
                "rbac.authorization.k8s.io/ClusterRole//system:x".into()
            ))
        );
    }

    #[test]
    fn malformed_ids_are_rejected() {
        for bad in [
            "",
            "nonsense",
            "app:",
            "res::x",
            "res::/ConfigMap/shop/a",
            "res:cart",
            "res:cart:",
            "res:cart:ConfigMap/shop/a",
            "res:cart:/ConfigMap/shop/",
            "res:cart://shop/a",
        ] {
            assert_eq!(NodeId::parse(bad), Err(NodeIdError(bad.into())), "{bad}");
            assert!(serde_json::from_str::<NodeId>(&format!("\"{bad}\"")).is_err());
        }
    }

    #[test]
    fn the_wire_carries_the_plain_string() {
        let id = NodeId::of_resource("cart", "/ConfigMap/shop/settings");
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"res:cart:/ConfigMap/shop/settings\"");
        assert_eq!(serde_json::from_str::<NodeId>(&json).unwrap(), id);
        // Maps keyed by ids are looked up by the string.
        let map = std::collections::HashMap::from([(id.clone(), 1)]);
        assert_eq!(map.get("res:cart:/ConfigMap/shop/settings"), Some(&1));
    }
}
