//! Logs (`tracing`, text or JSON) and Prometheus metrics.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Install the log subscriber once; `RUST_LOG` overrides the default level.
pub fn init_logs(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tantivy=warn,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(true);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// The process-wide metrics recorder; the handle renders `/metrics`. Installing twice (tests)
/// falls back to a recorder that is not global, which still renders.
pub fn init_metrics() -> PrometheusHandle {
    let builder = PrometheusBuilder::new();
    match builder.install_recorder() {
        Ok(handle) => handle,
        Err(_) => PrometheusBuilder::new().build_recorder().handle(),
    }
}
