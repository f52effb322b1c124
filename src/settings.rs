//! `AcronisCloud\Settings` (the effective config.yaml) and `AcronisCloud\Logger` (the module's
//! text log, for the PHP glue's own messages). Both read the same file the other classes do.

use crate::convert::to_zval;
use crate::guard::guard;
use acroniscloud_core::infra::config_yaml::Config;
use acroniscloud_core::infra::logging::{FileLogger, Level};
use ext_php_rs::exception::PhpResult;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::json;
use std::path::Path;

fn load(path: &str) -> Result<Config, acroniscloud_core::Error> {
    if path.trim().is_empty() {
        Ok(Config::default())
    } else {
        Config::load(Path::new(path.trim()))
    }
}

#[php_class]
#[php(name = "AcronisCloud\\Settings")]
pub struct Settings;

#[php_impl]
impl Settings {
    /// The effective configuration (defaults filled in) of `config.yaml` at `$path`; a
    /// missing file gives the defaults, a broken one a `ConfigException`.
    pub fn load(path: String) -> PhpResult<Zval> {
        guard(|| {
            let c = load(&path)?;
            Ok(to_zval(&json!({
                "logger": {
                    "enabled": c.logger.enabled,
                    "filename": c.logger.filename,
                    "level": Level::parse(&c.logger.level).name(),
                    "max_message_length": c.logger.max_message_length,
                },
                "cloud_api": {
                    "verify_ssl": true,
                    "access_token_ttl": c.cloud_api.access_token_ttl,
                    "connect_timeout": c.cloud_api.connect_timeout,
                    "timeout": c.cloud_api.timeout,
                    "ca_file": c.cloud_api.ca_file,
                    "retries": c.cloud_api.retries,
                    "retry_backoff_ms": c.cloud_api.retry_backoff_ms,
                    "retry_after_max": c.cloud_api.retry_after_max,
                },
                "cache": {
                    "enabled": c.cache.enabled,
                    "default_ttl": c.cache.default_ttl,
                    "namespace": c.cache.namespace,
                    "storage_type": c.cache.storage_type,
                },
                "product": {
                    "overage_ratio": c.product.overage_ratio,
                    "ask_user_credentials": c.product.ask_user_credentials,
                },
                "usage_report": {
                    "php_cli_interpreter": c.usage_report.php_cli_interpreter,
                    "download_path": c.usage_report.download_path,
                    "downloaded_files_ttl_in_days": c.usage_report.downloaded_files_ttl_in_days,
                    "retries_limit": c.usage_report.retries_limit,
                    "retry_timeout": c.usage_report.retry_timeout,
                },
            })))
        })
    }
}

#[php_class]
#[php(name = "AcronisCloud\\Logger")]
pub struct Logger;

#[php_impl]
impl Logger {
    /// Writes one masked line to the file log configured in `config.yaml` at `$configPath`
    /// (nothing when file logging is off or `$level` is below the configured level).
    pub fn log(config_path: String, level: String, message: String) -> PhpResult<()> {
        guard(|| {
            let cfg = load(&config_path)?;
            FileLogger::from_config(&cfg.logger).log(Level::parse(&level), &message);
            Ok(())
        })
    }

    /// The 7-hex-character id of the current request, as used in every log line.
    pub fn request_id() -> String {
        acroniscloud_core::infra::logging::request_uid()
    }

    /// Masks passwords, secrets and tokens in a JSON document (by key) and in free text.
    pub fn mask_json(json: String) -> String {
        match serde_json::from_str::<serde_json::Value>(&json) {
            Ok(v) => acroniscloud_core::infra::masking::mask_text(
                &acroniscloud_core::infra::masking::mask_json(&v).to_string(),
            ),
            Err(_) => acroniscloud_core::infra::masking::mask_text(&json),
        }
    }

    /// Bindings of `$sql` with values for password-like columns replaced by `*****`.
    pub fn mask_query_bindings(sql: String, bindings: &ZendHashTable) -> Vec<String> {
        let b: Vec<String> = crate::convert::values(bindings)
            .into_iter()
            .map(|z| crate::convert::scalar(z).unwrap_or_default())
            .collect();
        acroniscloud_core::infra::masking::mask_query_bindings(&sql, &b)
    }
}
