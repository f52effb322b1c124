//! `TemplateStore` and `UsageMetrics` exist from the start so the module files and stubs can
//! name them; their behaviour arrives with the templates and usage-billing work.

use crate::convert::{to_zval, Options};
use crate::guard::guard;
use acroniscloud_core::config::Config;
use ext_php_rs::exception::PhpResult;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

#[php_class]
#[php(name = "AcronisCloud\\TemplateStore")]
pub struct TemplateStore {
    path: String,
}

#[php_impl]
impl TemplateStore {
    /// `$path`: the SQLite file that will hold the templates.
    pub fn __construct(path: Option<String>) -> PhpResult<Self> {
        guard(|| {
            Ok(TemplateStore {
                path: path.unwrap_or_default(),
            })
        })
    }

    pub fn version() -> String {
        acroniscloud_core::VERSION.to_string()
    }

    /// Product "Module Settings" fields (WHMCS `ConfigOptions`). Options: `config_file`,
    /// `admin_path`. Templates are listed once template storage exists.
    pub fn config_options(options: Option<&ZendHashTable>) -> PhpResult<Zval> {
        guard(|| {
            let opts = Options::new(options);
            let path = opts.str("config_file");
            let cfg = if path.trim().is_empty() {
                Config::default()
            } else {
                Config::load(std::path::Path::new(path.trim()))?
            };
            Ok(to_zval(
                &acroniscloud_core::product_settings::config_options(
                    &[],
                    &opts.str("admin_path"),
                    cfg.product.ask_user_credentials,
                ),
            ))
        })
    }

    /// The storage path given to the constructor.
    pub fn path(&self) -> String {
        self.path.clone()
    }
}

#[php_class]
#[php(name = "AcronisCloud\\UsageMetrics")]
pub struct UsageMetrics;

#[php_impl]
impl UsageMetrics {
    pub fn __construct() -> Self {
        UsageMetrics
    }

    pub fn version() -> String {
        acroniscloud_core::VERSION.to_string()
    }
}
