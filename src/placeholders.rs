//! `TemplateStore` and `UsageMetrics` exist from the start so the module files and stubs can
//! name them; their behaviour arrives with the templates and usage-billing work.

use crate::guard::guard;
use ext_php_rs::exception::PhpResult;
use ext_php_rs::prelude::*;

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
