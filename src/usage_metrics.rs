//! `AcronisCloud\UsageMetrics`: usage reports (order, download, parse, metrics). Only the
//! constructor and `version()` exist until the usage-billing work.

use ext_php_rs::prelude::*;

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
