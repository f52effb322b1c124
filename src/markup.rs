//! `AcronisCloud\Markup`: the HTML fragments of `acroniscloud_core::infra::markup` for the PHP glue,
//! which only places them where WHMCS wants them.

use crate::convert::{scalar, to_zval, zval_to_json};
use crate::guard::guard;
use acroniscloud_core::infra::markup;
use ext_php_rs::exception::PhpResult;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::Value;

#[php_class]
#[php(name = "AcronisCloud\\Markup")]
pub struct Markup;

#[php_impl]
impl Markup {
    /// A red error box with `$message` as text.
    pub fn error_alert(message: String) -> PhpResult<String> {
        guard(|| Ok(markup::error_alert(&message)))
    }

    /// The admin service tab's usage table of `UsageMetrics::serviceUsage`'s answer.
    pub fn usage_table(usage: &Zval) -> PhpResult<String> {
        guard(|| Ok(markup::usage_table(&zval_to_json(usage))))
    }

    /// The provisioning-error banner for the admin (`$admin`) or the client area.
    pub fn provisioning_banner(admin: bool, title: String, message: String) -> PhpResult<String> {
        guard(|| Ok(markup::provisioning_banner(admin, &title, &message)))
    }

    /// The addon's admin page (mount point, assets, `<noscript>` text, boot data).
    pub fn admin_page(
        assets: String,
        version: String,
        noscript: String,
        boot_json: String,
    ) -> PhpResult<String> {
        guard(|| Ok(markup::admin_page(&assets, &version, &noscript, &boot_json)))
    }

    /// The client page's "Billing usage" block: `$usage` is `UsageMetrics::serviceUsage`'s
    /// answer (null when the product bills no metric), `$failed` when it could not be read,
    /// `$strings` the page's UI texts (msgid => translation). Null: no block.
    pub fn billing_usage_block(
        usage: Option<&Zval>,
        failed: bool,
        strings: &ZendHashTable,
    ) -> PhpResult<Zval> {
        guard(|| {
            let usage_zval = usage.filter(|z| !z.is_null());
            let usage = usage_zval.map(zval_to_json);
            let tr = |msgid: &str| {
                strings
                    .get(msgid)
                    .and_then(scalar)
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| msgid.to_string())
            };
            let block = markup::billing_usage_block(usage.as_ref(), failed, &tr);
            let has_rows = block
                .as_ref()
                .and_then(|b| b.get("rows"))
                .and_then(Value::as_array)
                .is_some_and(|rows| !rows.is_empty());
            let mut out = to_zval(&block.unwrap_or(Value::Null));
            if has_rows {
                keep_php_rows(&mut out, usage_zval);
            }
            Ok(out)
        })
    }
}

/// Puts the caller's own `rows` into the block: the JSON round trip turns PHP floats into
/// text, and the template gets the rows exactly as `serviceUsage` gave them.
fn keep_php_rows(block: &mut Zval, usage: Option<&Zval>) {
    let rows = usage
        .and_then(Zval::array)
        .and_then(|u| u.get("rows"))
        .map(Zval::shallow_clone);
    if let (Some(rows), Some(ht)) = (rows, block.array_mut()) {
        let _ = ht.insert("rows", rows);
    }
}
