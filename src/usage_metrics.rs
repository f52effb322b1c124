//! `AcronisCloud\UsageMetrics`: usage reports (order, download, parse, metrics). The offline
//! report summary is here; the cron pipeline comes with the rest of the usage-billing work.

use crate::convert::{scalar, to_zval};
use crate::guard::guard;
use acroniscloud_core::usage::summarize_report;
use acroniscloud_core::Error;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::json;
use std::collections::HashSet;
use std::path::Path;

#[php_class]
#[php(name = "AcronisCloud\\UsageMetrics")]
pub struct UsageMetrics;

/// An optional list-of-ids option: `None` when absent or null (the documented default).
fn id_set(options: Option<&ZendHashTable>, key: &str) -> Result<Option<HashSet<String>>, Error> {
    let Some(z) = options.and_then(|h| h.get(key)) else {
        return Ok(None);
    };
    if z.is_null() {
        return Ok(None);
    }
    let Some(list) = z.array() else {
        return Err(Error::validation(format!(
            "The option {key} must be a list of ids."
        )));
    };
    Ok(Some(
        list.values()
            .filter_map(scalar)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
    ))
}

#[php_impl]
impl UsageMetrics {
    pub fn __construct() -> Self {
        UsageMetrics
    }

    pub fn version() -> String {
        acroniscloud_core::VERSION.to_string()
    }

    /// Aggregates one usage report file (gzip or plain CSV) into
    /// `{"<tenant id>": {"<metric>": <raw value>}}` at `$jsonOutPath` and returns
    /// `['rows', 'bad_rows', 'tenants', 'seconds', 'errors', 'infra_lookups']`.
    /// Options: `known_tenants`, `platform_owned_infra` (lists of ids; default: all).
    pub fn summarize_report(
        report_path: String,
        json_out_path: String,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Zval> {
        let summary = guard(|| {
            let known = id_set(options, "known_tenants")?;
            let owned = id_set(options, "platform_owned_infra")?;
            summarize_report(
                Path::new(&report_path),
                Path::new(&json_out_path),
                known.as_ref(),
                owned.as_ref(),
            )
        })?;
        Ok(to_zval(&json!({
            "rows": summary.rows,
            "bad_rows": summary.bad_rows,
            "tenants": summary.tenants,
            "seconds": summary.seconds,
            "errors": summary.errors,
            "infra_lookups": summary.infra_lookups,
        })))
    }
}
