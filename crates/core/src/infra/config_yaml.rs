//! `includes/acroniscloud/config.yaml` (docs/behaviour.md §G). A missing file means the
//! defaults; a broken one is an error naming the key and line, because a silently ignored typo
//! in a billing module costs money.

use crate::infra::error::{Error, Result};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub logger: LoggerConfig,
    pub cloud_api: CloudApiConfig,
    pub cache: CacheConfig,
    pub product: ProductConfig,
    pub usage_report: UsageReportConfig,
    pub templates: TemplatesConfig,
    pub audit: AuditConfig,
    pub quota_notices: QuotaNoticesConfig,
}

/// The audit trail (`acroniscloud_audit`): entries older than `retention_days` are deleted by
/// the daily cron (0 keeps them forever). A year by default: long enough to answer a
/// client's question about last year's changes, short enough to keep the table small.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    pub retention_days: u32,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            retention_days: 365,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoggerConfig {
    pub enabled: bool,
    pub filename: String,
    /// Minimum level name; unknown names mean NOTICE (as the reference).
    pub level: String,
    /// 0 = unlimited.
    pub max_message_length: usize,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CloudApiConfig {
    /// Kept for compatibility with 2.x config files. Verification is always on: `false` is
    /// logged as a warning and ignored (use `ca_file` for a private CA).
    pub verify_ssl: bool,
    /// Seconds a token and a discovered data-centre URL stay cached.
    pub access_token_ttl: u64,
    /// Seconds to establish a connection.
    pub connect_timeout: u64,
    /// Seconds for a whole request (the reference had none).
    pub timeout: u64,
    /// PEM bundle trusted in addition to the system store.
    pub ca_file: String,
    /// Retries of idempotent calls on connection errors, 5xx and 429.
    pub retries: u32,
    /// First back-off step in milliseconds (doubles per retry).
    pub retry_backoff_ms: u64,
    /// Longest `Retry-After` honoured, in seconds; longer waits fail the call instead.
    pub retry_after_max: u64,
    /// Lets calls go to `http://` URLs (a server with "Secure" off). Off by default: every
    /// call carries a password, client secret or token. For test set-ups only; a warning is
    /// logged while it is on.
    pub allow_plain_http: bool,
    /// Largest API answer (MiB) read into memory; a larger one fails the call.
    pub max_response_mb: u64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    pub enabled: bool,
    pub default_ttl: u64,
    pub namespace: String,
    pub storage_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProductConfig {
    pub overage_ratio: f64,
    pub ask_user_credentials: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UsageReportConfig {
    /// Accepted for compatibility; report processing runs inside the extension.
    pub php_cli_interpreter: String,
    pub download_path: String,
    pub downloaded_files_ttl_in_days: i64,
    /// Consecutive failed attempts of one step (order, poll) before the report row goes to
    /// the error status and is ordered again by the next run.
    pub retries_limit: u32,
    /// Minimum seconds between two polls of the same report (cron runs never sleep).
    pub retry_timeout: u64,
    /// Days of per-tenant usage values kept (usage history); older days are erased daily.
    pub history_days: i64,
    /// Seconds a report download may take (the API timeout is for small answers).
    pub download_timeout: u64,
    /// Largest report file (MiB) downloaded; a larger one fails the download.
    pub max_download_mb: u64,
}

/// The SQLite file of versions before the move to the WHMCS database (imported once; see
/// `features::migration::sqlite_import`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TemplatesConfig {
    /// Database file; a relative path is resolved against the directory of config.yaml. Empty
    /// (the default) = `acroniscloud/templates.sqlite` in the WHMCS downloads storage, which
    /// WHMCS recommends keeping outside the web root.
    pub database: String,
    /// Milliseconds a writer waits for another writer's lock before failing.
    pub busy_timeout_ms: u64,
}

impl Default for TemplatesConfig {
    fn default() -> Self {
        TemplatesConfig {
            database: String::new(),
            busy_timeout_ms: 5000,
        }
    }
}

impl TemplatesConfig {
    /// Database path for a config file living in `config_dir`; `storage_dir` is the WHMCS
    /// storage area used when `database` is empty (else `<config_dir>/data`).
    pub fn database_path(
        &self,
        config_dir: &Path,
        storage_dir: Option<&Path>,
    ) -> std::path::PathBuf {
        if self.database.trim().is_empty() {
            return match storage_dir {
                Some(dir) => dir.join("acroniscloud").join("templates.sqlite"),
                None => config_dir.join("data").join("templates.sqlite"),
            };
        }
        let p = Path::new(self.database.trim());
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            config_dir.join(p)
        }
    }
}

impl Default for LoggerConfig {
    fn default() -> Self {
        LoggerConfig {
            enabled: false,
            filename: String::new(),
            level: "NOTICE".into(),
            max_message_length: 0,
        }
    }
}

impl Default for CloudApiConfig {
    fn default() -> Self {
        CloudApiConfig {
            verify_ssl: true,
            access_token_ttl: 7200,
            connect_timeout: 10,
            timeout: 60,
            ca_file: String::new(),
            retries: 2,
            retry_backoff_ms: 500,
            retry_after_max: 30,
            allow_plain_http: false,
            max_response_mb: 64,
        }
    }
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            enabled: false,
            default_ttl: 7200,
            namespace: "acroniscloud".into(),
            storage_type: None,
        }
    }
}

impl Default for ProductConfig {
    fn default() -> Self {
        ProductConfig {
            overage_ratio: 1.0,
            ask_user_credentials: false,
        }
    }
}

impl Default for UsageReportConfig {
    fn default() -> Self {
        UsageReportConfig {
            php_cli_interpreter: "php".into(),
            download_path: "acronis/reports".into(),
            downloaded_files_ttl_in_days: 2,
            retries_limit: 2,
            retry_timeout: 300,
            history_days: 35,
            download_timeout: 1800,
            max_download_mb: 4096,
        }
    }
}

impl Config {
    /// The file at `path` as WHMCS passes it: a blank path (no config file configured) and a
    /// missing file both mean the defaults.
    pub fn load_path(path: &str) -> Result<Config> {
        if path.trim().is_empty() {
            Ok(Config::default())
        } else {
            Config::load(Path::new(path.trim()))
        }
    }

    /// The effective settings the PHP glue may read (`AcronisCloud\Settings::load`): the
    /// sections it needs, with defaults filled in and the level's canonical name. Nothing
    /// secret is in a config file, but the list is explicit anyway so a new field is exposed
    /// only on purpose. `verify_ssl` is always true: certificates are never skipped.
    pub fn effective_json(&self) -> serde_json::Value {
        serde_json::json!({
            "logger": {
                "enabled": self.logger.enabled,
                "filename": self.logger.filename,
                "level": crate::infra::logging::Level::parse(&self.logger.level).name(),
                "max_message_length": self.logger.max_message_length,
            },
            "cloud_api": {
                "verify_ssl": true,
                "access_token_ttl": self.cloud_api.access_token_ttl,
                "connect_timeout": self.cloud_api.connect_timeout,
                "timeout": self.cloud_api.timeout,
                "ca_file": self.cloud_api.ca_file,
                "retries": self.cloud_api.retries,
                "retry_backoff_ms": self.cloud_api.retry_backoff_ms,
                "retry_after_max": self.cloud_api.retry_after_max,
            },
            "cache": {
                "enabled": self.cache.enabled,
                "default_ttl": self.cache.default_ttl,
                "namespace": self.cache.namespace,
                "storage_type": self.cache.storage_type,
            },
            "product": {
                "overage_ratio": self.product.overage_ratio,
                "ask_user_credentials": self.product.ask_user_credentials,
            },
            "usage_report": {
                "php_cli_interpreter": self.usage_report.php_cli_interpreter,
                "download_path": self.usage_report.download_path,
                "downloaded_files_ttl_in_days": self.usage_report.downloaded_files_ttl_in_days,
                "retries_limit": self.usage_report.retries_limit,
                "retry_timeout": self.usage_report.retry_timeout,
            },
        })
    }

    /// Reads the file; a missing file yields the defaults.
    pub fn load(path: &Path) -> Result<Config> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text).map_err(|e| match e {
                Error::Config(m) => Error::Config(format!("{}: {m}", path.display())),
                other => other,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(Error::config(format!(
                "Cannot read the configuration file {}: {e}",
                path.display()
            ))),
        }
    }

    /// Parses YAML text; an empty document yields the defaults.
    pub fn parse(text: &str) -> Result<Config> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let mut cfg: Config = serde_yaml_ng::from_str(text).map_err(|e| {
            let msg = e.to_string();
            match e.location() {
                Some(loc) if !msg.contains("line ") => Error::config(format!(
                    "invalid configuration at line {}: {msg}",
                    loc.line()
                )),
                _ => Error::config(format!("invalid configuration: {msg}")),
            }
        })?;
        cfg.normalise()?;
        Ok(cfg)
    }

    fn normalise(&mut self) -> Result<()> {
        // The reference raises a ratio below 1 to 1 (manual 6.8): a hard quota below the soft
        // quota makes no sense.
        if !self.product.overage_ratio.is_finite() {
            return Err(Error::config(
                "product.overage_ratio: must be a number (1.0 or more)",
            ));
        }
        if self.product.overage_ratio < 1.0 {
            self.product.overage_ratio = 1.0;
        }
        match self.cache.storage_type.as_deref() {
            None | Some("apcu") => {}
            Some(other) => {
                return Err(Error::config(format!(
                    "cache.storage_type: Cache storage type \"{other}\" is not supported."
                )))
            }
        }
        if self.cloud_api.connect_timeout == 0 || self.cloud_api.timeout == 0 {
            return Err(Error::config(
                "cloud_api.connect_timeout and cloud_api.timeout must be at least 1 second",
            ));
        }
        if self.usage_report.history_days < 1 {
            return Err(Error::config(
                "usage_report.history_days must be at least 1",
            ));
        }
        if self.cloud_api.max_response_mb == 0 || self.usage_report.max_download_mb == 0 {
            return Err(Error::config(
                "cloud_api.max_response_mb and usage_report.max_download_mb must be at least 1",
            ));
        }
        if self.usage_report.download_timeout == 0 {
            return Err(Error::config(
                "usage_report.download_timeout must be at least 1 second",
            ));
        }
        self.quota_notices.normalise()?;
        if self.usage_report.php_cli_interpreter.trim().is_empty() {
            self.usage_report.php_cli_interpreter = "php".into();
        }
        Ok(())
    }
}

/// Largest threshold accepted (percent): a provider may warn well above the quota when it
/// allows overage, but a typo like 8000 must not silently disable the notice.
pub const MAX_THRESHOLD: i64 = 1000;

/// The `quota_notices` section of `config.yaml`. Off by default: a module update must not
/// start e-mailing a provider's clients on its own.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuotaNoticesConfig {
    pub enabled: bool,
    /// Whole percents of the quota, 1..=1000; kept sorted and without repeats.
    pub thresholds: Vec<i64>,
}

impl Default for QuotaNoticesConfig {
    fn default() -> Self {
        QuotaNoticesConfig {
            enabled: false,
            thresholds: vec![80, 100],
        }
    }
}

impl QuotaNoticesConfig {
    /// Checks the thresholds (a bad one is a config error naming it), then sorts and
    /// deduplicates them so the rule can take the highest crossed one.
    pub fn normalise(&mut self) -> Result<()> {
        if self.thresholds.is_empty() {
            return Err(Error::config(
                "quota_notices.thresholds: list at least one threshold (percent of the quota, 1 to 1000)",
            ));
        }
        if let Some(bad) = self
            .thresholds
            .iter()
            .find(|t| !(1..=MAX_THRESHOLD).contains(*t))
        {
            return Err(Error::config(format!(
                "quota_notices.thresholds: {bad} is not a whole percent from 1 to {MAX_THRESHOLD}"
            )));
        }
        self.thresholds.sort_unstable();
        self.thresholds.dedup();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l78_defaults_without_file() {
        let cfg = Config::load(Path::new("/nonexistent/acroniscloud/config.yaml")).unwrap();
        assert_eq!(cfg.product.overage_ratio, 1.0);
        assert!(!cfg.logger.enabled);
        assert!(!cfg.cache.enabled);
        assert!(cfg.cloud_api.verify_ssl);
        assert_eq!(cfg.cloud_api.access_token_ttl, 7200);
        assert_eq!(cfg.usage_report.download_path, "acronis/reports");
        assert_eq!(cfg.usage_report.downloaded_files_ttl_in_days, 2);
        assert_eq!(cfg.usage_report.retries_limit, 2);
        assert_eq!(cfg.usage_report.retry_timeout, 300);
        assert_eq!(cfg.logger.level, "NOTICE");
    }

    #[test]
    fn partial_file_keeps_other_defaults() {
        let cfg = Config::parse("logger:\n  enabled: true\n  filename: /tmp/x.log\n").unwrap();
        assert!(cfg.logger.enabled);
        assert_eq!(cfg.cloud_api.access_token_ttl, 7200);
    }

    #[test]
    fn overage_ratio_below_one_is_raised() {
        let cfg = Config::parse("product:\n  overage_ratio: 0.5\n").unwrap();
        assert_eq!(cfg.product.overage_ratio, 1.0);
    }

    #[test]
    fn wrong_type_names_key_and_line() {
        let err = Config::parse("logger:\n  enabled: true\ncloud_api:\n  access_token_ttl: soon\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("access_token_ttl"), "{err}");
        assert!(err.contains("line 4"), "{err}");
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Config::parse("logger:\n  enabeld: true\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("enabeld"), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn unsupported_cache_storage() {
        let err = Config::parse("cache:\n  storage_type: redis\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Cache storage type \"redis\" is not supported."),
            "{err}"
        );
    }

    #[test]
    fn plain_http_is_off_and_caps_are_set_by_default() {
        let cfg = Config::default();
        assert!(!cfg.cloud_api.allow_plain_http);
        assert_eq!(cfg.cloud_api.max_response_mb, 64);
        assert_eq!(cfg.usage_report.max_download_mb, 4096);
        let cfg = Config::parse("cloud_api:\n  allow_plain_http: true\n").unwrap();
        assert!(cfg.cloud_api.allow_plain_http);
        assert!(Config::parse("cloud_api:\n  max_response_mb: 0\n").is_err());
    }

    #[test]
    fn broken_yaml_is_a_config_error() {
        let err = Config::parse("logger: [unclosed\n").unwrap_err();
        assert!(matches!(err, Error::Config(_)));
    }
}

#[cfg(test)]
mod sample_tests {
    use super::*;

    /// The shipped sample must parse and only differ from the defaults where documented.
    #[test]
    fn shipped_sample_parses() {
        let text = include_str!("../../../../includes/acroniscloud/config.yaml.sample");
        let cfg = Config::parse(text).unwrap();
        assert_eq!(cfg.logger.level, "DEBUG");
        assert_eq!(cfg.logger.max_message_length, 1000);
        assert_eq!(cfg.cache.default_ttl, 0);
        assert_eq!(cfg.cloud_api, Config::default().cloud_api);
        assert_eq!(cfg.product, Config::default().product);
        assert_eq!(cfg.usage_report, Config::default().usage_report);
        assert_eq!(cfg.templates, Config::default().templates);
        assert_eq!(cfg.quota_notices, Config::default().quota_notices);
    }
}
