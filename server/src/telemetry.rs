//! Logging through `tracing`: text locally, JSON with `--log-format json`, to stderr.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; `RUST_LOG` overrides the default filter.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}
