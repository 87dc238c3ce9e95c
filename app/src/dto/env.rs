//! Environments and their App-of-Apps trees, as the environment pages see them.

use serde::{Deserialize, Serialize};

use super::node::NodeId;
use super::status::{Health, SyncStatus};

/// One environment of the promotion path, with counts for its card.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentSummary {
    pub name: String,
    pub production: bool,
    /// "simulated cluster" for the built-in emulator, else the kubeconfig context.
    pub cluster: String,
    pub simulated: bool,
    pub repo: String,
    pub branch: String,
    /// Commit the tree was last rendered from.
    pub revision: Option<String>,
    pub apps: usize,
    pub out_of_sync: usize,
    pub degraded: usize,
    pub progressing: usize,
    /// When the reconciler last finished a pass (RFC 3339).
    pub last_reconcile: Option<String>,
    /// Why the environment could not be read (repo missing, cluster not answering…).
    pub error: Option<String>,
    /// The caller may force a re-render (`applications/refresh` on `<env>/*`).
    #[serde(default)]
    pub may_refresh: bool,
}

/// A whole tree, flat: parents come before their children, siblings in display order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeView {
    pub env: String,
    pub revision: Option<String>,
    pub simulated: bool,
    /// Bumps whenever anything in the tree changes (the live stream carries it).
    pub version: u64,
    pub nodes: Vec<TreeNode>,
}

/// A live update of a tree as the rows that changed, when its shape did not: same nodes, same
/// parents, same order (a sync, a health change, a new version). A change of shape (a Git
/// change adding or removing resources) is sent as the whole tree instead.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeDelta {
    /// The version the rows apply to, and the version they make.
    pub from: u64,
    pub version: u64,
    pub revision: Option<String>,
    pub changed: Vec<TreeNode>,
}

impl TreeDelta {
    /// `old` → `new` as changed rows, or `None` when the shape moved.
    pub fn between(old: &TreeView, new: &TreeView) -> Option<TreeDelta> {
        let same_shape = old.nodes.len() == new.nodes.len()
            && old
                .nodes
                .iter()
                .zip(&new.nodes)
                .all(|(a, b)| a.id == b.id && a.parent == b.parent);
        same_shape.then(|| TreeDelta {
            from: old.version,
            version: new.version,
            revision: new.revision.clone(),
            changed: old
                .nodes
                .iter()
                .zip(&new.nodes)
                .filter(|(a, b)| a != b)
                .map(|(_, b)| b.clone())
                .collect(),
        })
    }
}

/// The first screen of a tree for one view (filters, selected node): what the environment
/// page renders on the server and hydrates with. Its size does not grow with the tree, so the
/// page paints at once; the whole tree (`envs/tree`) follows in the background.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeHead {
    pub env: String,
    pub revision: Option<String>,
    pub simulated: bool,
    pub version: u64,
    /// Rows the whole tree shows in this view (the scroll height), and its node count.
    pub total_rows: usize,
    pub total_nodes: usize,
    /// Distinct kinds of the whole tree, sorted (the kind filter).
    pub kinds: Vec<String>,
    /// The view's first rows, from the top.
    pub rows: Vec<HeadRow>,
    /// The selected node and its row position (when a filter hides it, `None`), so the page
    /// can scroll to it and title the side panel before the whole tree arrives.
    pub selected: Option<(TreeNode, Option<usize>)>,
}

/// One row of a [`TreeHead`]: the node and where the row sits in the tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadRow {
    pub node: TreeNode,
    pub level: usize,
    pub has_children: bool,
    pub expanded: bool,
    pub posinset: usize,
    pub setsize: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeNode {
    /// Stable across renders; says whether the node is an app or a resource, and its app.
    pub id: NodeId,
    pub parent: Option<NodeId>,
    /// `Application` or [`APPLICATION_SET`] (app nodes), or the Kubernetes kind.
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub sync: SyncStatus,
    pub health: Health,
    /// Image tag (workloads) or revision (apps), when there is one.
    pub version: Option<String>,
    /// Apps: `ok`, `error` or `renderer-unavailable`; resources: `ok`, or `not-permitted`
    /// when the app's AppProject refuses the resource (the message says why).
    pub status: String,
    /// Render error, health message, or why it is out of sync.
    pub message: Option<String>,
}

/// The kind of an app node that is an Argo CD ApplicationSet: its children are the
/// Applications it generates; it has nothing of its own to sync or deploy.
pub const APPLICATION_SET: &str = "ApplicationSet";

impl TreeNode {
    /// Whether this app node is an ApplicationSet.
    pub fn is_application_set(&self) -> bool {
        self.id.is_app() && self.kind == APPLICATION_SET
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSourceView {
    pub repo_url: String,
    pub path: String,
    pub target_revision: String,
    pub resolved_revision: Option<String>,
    /// `directory`, `kustomize` or `helm`.
    pub renderer: String,
    pub automated: bool,
    pub prune: bool,
    pub self_heal: bool,
    /// The cluster the destination names (`in-cluster`: the environment's own) and its URL.
    #[serde(default)]
    pub cluster: String,
    #[serde(default)]
    pub cluster_server: String,
}

/// One line of the desired-vs-live diff: `tag` is `+` (only desired), `-` (only live) or ` `.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLineView {
    pub tag: char,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRecordView {
    pub at: String,
    /// Who asked: a user's name, or "auto-sync".
    pub actor: String,
    pub revision: Option<String>,
    /// `succeeded` or `failed`.
    pub result: String,
    pub message: String,
}

/// The side panel for one node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeDetail {
    pub node: TreeNode,
    /// The app the node belongs to (itself for apps).
    pub app: String,
    /// Resources: the rendered manifest and the live object, as YAML.
    pub desired_yaml: Option<String>,
    pub live_yaml: Option<String>,
    pub diff: Vec<DiffLineView>,
    /// Apps: where they come from and their last syncs (newest first).
    pub source: Option<AppSourceView>,
    pub syncs: Vec<SyncRecordView>,
    /// May the caller sync this app (`applications/sync`)? The server checks again.
    pub may_sync: bool,
    /// Resources: the fields `spec.ignoreDifferences` leaves out of the diff (`/spec/replicas`).
    #[serde(default)]
    pub ignored_fields: Vec<String>,
}

impl NodeDetail {
    /// The panel of `node` of `app` with nothing filled in yet.
    pub fn new(node: TreeNode, app: String) -> NodeDetail {
        NodeDetail {
            node,
            app,
            desired_yaml: None,
            live_yaml: None,
            diff: Vec::new(),
            source: None,
            syncs: Vec::new(),
            may_sync: false,
            ignored_fields: Vec::new(),
        }
    }
}

/// Where a catalog Component runs: its apps in every environment, in promotion order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningInView {
    /// How the component names its apps, e.g. `argocd/app-name: cart`.
    pub link: String,
    /// Why the link could not be read (a bad `argocd/app-selector`); no rows then.
    pub error: Option<String>,
    pub environments: Vec<EnvDeployments>,
    /// Apps this Component claims that another team's Component claims too: nobody owns
    /// them until one claim is removed.
    #[serde(default)]
    pub owner_conflicts: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvDeployments {
    pub env: String,
    pub production: bool,
    pub simulated: bool,
    /// The environment's own trouble (repo or cluster), as on its card.
    pub error: Option<String>,
    pub apps: Vec<Deployment>,
    /// Matching apps the caller may not see (`applications/get`), counted, not named.
    pub hidden: usize,
}

/// One app of the component in one environment: its tree node, as the tree shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    pub app: String,
    /// The app's tree node, for the deep link `/env/<env>?node=<node>`.
    pub node: NodeId,
    pub sync: SyncStatus,
    pub health: Health,
    /// The image tag of the app's first workload, when it has one.
    pub version: Option<String>,
    /// The commit the app was rendered from.
    pub revision: Option<String>,
    /// Why the app did not render, when it did not.
    pub message: Option<String>,
}
