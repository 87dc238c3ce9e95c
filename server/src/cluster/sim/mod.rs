//! A Kubernetes API emulator — "simulated cluster" in the UI — for the embedded default and
//! the tests: discovery (and an OpenAPI document without schemas, for kubectl), server-side
//! apply with per-manager field ownership, get, list and watch with label selectors, delete
//! and delete-collection, the status subresource, and a controller loop that rolls workloads
//! out after a delay (and fails `bad` image tags). Tests that must not race the loop make a
//! [`Sim::with_manual_controller`] and run its passes. JSON only: kubectl's typed commands
//! (`create namespace`, `create secret`) send protobuf, which it does not read.
//!
//! kube::Client talks to it in-process ([`Sim::client`], a tower service over the router)
//! or over loopback HTTP ([`serve`] / [`Sim::serve`]). It is not a real Kubernetes: no
//! pods, no scheduling, no admission beyond a few field checks, no RBAC, no finalizers.

mod controller;
mod discovery;
mod fields;
mod kinds;
mod rollout;
mod routes;
mod status;
mod store;
mod validate;
mod watch;
mod write;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use controller::Controller;

pub use kinds::{KindInfo, KINDS};
pub use status::ApiError;
pub use store::ObjectStore;

/// How the simulated cluster behaves.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// How long a rollout stays Progressing before it becomes Healthy (or Degraded).
    pub rollout_delay: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            rollout_delay: Duration::from_secs(3),
        }
    }
}

pub(crate) struct Inner {
    store: Mutex<ObjectStore>,
    /// Taken before `store` by whoever runs a controller pass, never the other way round.
    controller: Mutex<Controller>,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, ObjectStore> {
        // A panic mid-write leaves at worst one half-applied object; keep serving.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn run_controller(&self) {
        let mut controller = self.controller.lock().unwrap_or_else(|e| e.into_inner());
        controller.pass(&mut self.lock());
    }
}

/// A running emulator. Cheap to clone; the controller task stops when the last clone drops.
#[derive(Clone)]
pub struct Sim {
    inner: Arc<Inner>,
}

impl Sim {
    /// Starts an emulator (its controller loop is spawned on the current tokio runtime).
    pub fn start(config: SimConfig) -> Sim {
        let tick = controller::tick(config.rollout_delay);
        let sim = Sim::with_manual_controller(config);
        tokio::spawn(controller::run(Arc::downgrade(&sim.inner), tick));
        sim
    }

    /// An emulator whose controller writes status only in [`Sim::run_controller`]: nothing
    /// changes behind a test's back, and no test has to wait for a tick.
    pub fn with_manual_controller(config: SimConfig) -> Sim {
        let inner = Arc::new(Inner {
            store: Mutex::new(ObjectStore::new()),
            controller: Mutex::new(Controller::new(config.rollout_delay)),
        });
        Sim { inner }
    }

    /// One controller pass now: workloads written since the last pass, and rollouts in flight,
    /// move to the stage `rollout_delay` puts them in (with a zero delay, straight to Done or
    /// Failed).
    pub fn run_controller(&self) {
        self.inner.run_controller();
    }

    /// The API as an axum router (for mounting, or for `oneshot` tests).
    pub fn router(&self) -> axum::Router {
        routes::router(self.clone())
    }

    /// A kube client that calls the router in-process, default namespace `default`.
    pub fn client(&self) -> kube::Client {
        kube::Client::new(self.router(), "default")
    }

    /// Serves the API over HTTP on `listener` until the task is aborted.
    pub fn serve(&self, listener: TcpListener) -> JoinHandle<std::io::Result<()>> {
        let router = self.router();
        tokio::spawn(async move { axum::serve(listener, router).await })
    }

    /// Direct access to the store (tests and the demo seeding use it; HTTP clients don't).
    pub fn store(&self) -> MutexGuard<'_, ObjectStore> {
        self.inner.lock()
    }
}

/// An emulator listening on loopback.
pub struct Served {
    pub sim: Sim,
    pub addr: SocketAddr,
    pub task: JoinHandle<std::io::Result<()>>,
}

impl Served {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A kube config pointing at this emulator, default namespace `default`.
    pub fn kube_config(&self) -> kube::Config {
        kube::Config::new(
            self.url()
                .parse()
                .expect("a socket address makes a valid URL"),
        )
    }

    /// A kube client talking to this emulator over HTTP.
    pub fn client(&self) -> Result<kube::Client, kube::Error> {
        kube::Client::try_from(self.kube_config())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds `addr` (port 0 picks a free one), starts an emulator and serves it there.
pub async fn serve(addr: SocketAddr, config: SimConfig) -> std::io::Result<Served> {
    serve_sim(addr, Sim::start(config)).await
}

/// Binds `addr` (port 0 picks a free one) and serves `sim` there, e.g. one made with
/// [`Sim::with_manual_controller`].
pub async fn serve_sim(addr: SocketAddr, sim: Sim) -> std::io::Result<Served> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let task = sim.serve(listener);
    Ok(Served { sim, addr, task })
}
