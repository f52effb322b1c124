//! `AcronisCloud\Settings` (the effective config.yaml) and `AcronisCloud\Logger` (the module's
//! text log, for the PHP glue's own messages). Both read the same file the other classes do.

use crate::convert::to_zval;
use crate::guard::guard;
use acroniscloud_core::infra::config_yaml::Config;
use acroniscloud_core::infra::logging::{FileLogger, Level};
use ext_php_rs::exception::PhpResult;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

#[php_class]
#[php(name = "AcronisCloud\\Settings")]
pub struct Settings;

#[php_impl]
impl Settings {
    /// The effective configuration (defaults filled in) of `config.yaml` at `$path`; a
    /// missing file gives the defaults, a broken one a `ConfigException`.
    pub fn load(path: String) -> PhpResult<Zval> {
        guard(|| Ok(to_zval(&Config::load_path(&path)?.effective_json())))
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
            let cfg = Config::load_path(&config_path)?;
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
        acroniscloud_core::infra::masking::mask_json_text(&json)
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
