//! The cluster side of the engine: one driver on kube-rs (server-side apply under field
//! manager `atrium`, inventory by tracking label, prune, sync waves, health, diff), and
//! [`sim`], a Kubernetes API emulator for the embedded default and the tests — these
//! machines have no real API server. The UI labels the emulator "simulated cluster". Code
//! outside `cluster/` (and the demo) connects through [`connect`] and never names the emulator.

mod connect;
pub mod driver;
pub mod sim;

pub use connect::{connect, ClusterTarget, ConnectError, Connected, KeepAlive};
pub use driver::{ClusterDriver, SyncOptions, SyncReport};
