//! `AcronisCloud\QuotaNotices`: the daily cron's quota notices (docs/quota-notices.md).
//! Conversions only; the decision and the audit rows are `acroniscloud_core::features::usage::quota_notices`,
//! the e-mail is the PHP glue's (WHMCS `SendEmail`), called back once per due notice.

use crate::convert::{get_str, server_record, to_zval, values, Options};
use crate::guard::guard;
use crate::module_log::ModuleLog;
use acroniscloud_core::features::usage::{pipeline, quota_notices};
use acroniscloud_core::platform::server_settings::ServerRecord;
use acroniscloud_core::Error;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendCallable, ZendHashTable, Zval};
use serde_json::json;

#[php_class]
#[php(name = "AcronisCloud\\QuotaNotices")]
pub struct QuotaNotices;

fn servers_of(list: &ZendHashTable) -> Result<Vec<ServerRecord>, Error> {
    values(list)
        .into_iter()
        .filter_map(Zval::array)
        .map(server_record)
        .collect()
}

fn int(row: &ZendHashTable, key: &str) -> i64 {
    get_str(row, key).trim().parse().unwrap_or(0)
}

fn service_of(row: &ZendHashTable) -> quota_notices::NoticeService {
    let metrics = row
        .get("enabled_metrics")
        .and_then(Zval::array)
        .map(|list| {
            values(list)
                .into_iter()
                .filter_map(crate::convert::scalar)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    quota_notices::NoticeService {
        service_id: int(row, "id"),
        client_id: int(row, "client_id"),
        server_id: int(row, "server_id"),
        tenant_id: get_str(row, "tenant_id").trim().to_string(),
        enabled_metrics: metrics,
        next_due_date: get_str(row, "next_due_date"),
        billing_cycle: get_str(row, "billing_cycle"),
        locale: get_str(row, "language"),
    }
}

/// The services: a list of rows, or a callable returning one (called only when notices are on).
fn services_of(z: &Zval) -> Result<Vec<quota_notices::NoticeService>, Error> {
    let invalid =
        || Error::validation("The services must be a list of rows or a callable returning one.");
    let answer;
    let list = match z.array() {
        Some(list) => list,
        None => {
            let callable = ZendCallable::new(z).map_err(|_| invalid())?;
            answer = callable
                .try_call(vec![])
                .map_err(|_| Error::internal("The services callable failed."))?;
            answer.array().ok_or_else(invalid)?
        }
    };
    Ok(values(list)
        .into_iter()
        .filter_map(Zval::array)
        .map(service_of)
        .collect())
}

/// The mailer's answer: `true` or `['result' => 'success']` is sent; a string or
/// `['message' => …]` is why not.
fn mail_result(z: &Zval) -> Result<(), String> {
    if z.bool() == Some(true) {
        return Ok(());
    }
    if let Some(row) = z.array() {
        if get_str(row, "result") == "success" {
            return Ok(());
        }
        let m = get_str(row, "message");
        return Err(if m.is_empty() {
            "the mailer refused it".into()
        } else {
            m
        });
    }
    match z.str() {
        Some(s) if !s.is_empty() => Err(s.to_string()),
        _ => Err("the mailer gave no answer".into()),
    }
}

#[php_impl]
impl QuotaNotices {
    pub fn __construct() -> Self {
        QuotaNotices
    }

    /// The notice's e-mail template rows: `[['language', 'subject', 'message']]`, the default
    /// (English, `language` empty) first, then one per language the module speaks.
    pub fn email_templates() -> Zval {
        to_zval(&json!(quota_notices::email::templates()))
    }

    /// True when `quota_notices.enabled` is on in config.yaml (a broken file throws).
    pub fn enabled(options: Option<&ZendHashTable>) -> PhpResult<bool> {
        guard(|| Ok(Options::new(options).config()?.quota_notices.enabled))
    }

    /// Sends the due notices: `$servers` are `tblservers` rows (password decrypted);
    /// `$services` rows `{id, client_id, server_id, tenant_id, enabled_metrics, next_due_date,
    /// billing_cycle, language}` or a callable returning them; `$send(array $notice)` sends one
    /// e-mail and returns `true`, `['result' => 'success']` or the reason it failed. Returns
    /// `['enabled', 'checked', 'sent', 'failed', 'errors' => [string]]`.
    pub fn run(
        servers: &ZendHashTable,
        services: &Zval,
        send: &Zval,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Zval> {
        let opts = Options::new(options);
        let out = guard(|| {
            let config = opts.config()?;
            if !config.quota_notices.enabled {
                return Ok(
                    json!({"enabled": false, "checked": 0, "sent": 0, "failed": 0, "errors": []}),
                );
            }
            let mailer = ZendCallable::new(send)
                .map_err(|_| Error::validation("The quota notice mailer is not callable."))?;
            let servers = servers_of(servers)?;
            let services = services_of(services)?;
            let db = opts.db()?;
            let today = pipeline::today();
            let env = quota_notices::Run {
                config: &config,
                servers: &servers,
                db: &db,
                today: &today,
            };
            let mut mail = |n: &quota_notices::Notice| -> Result<(), String> {
                let z = to_zval(&n.to_json());
                match mailer.try_call(vec![&z]) {
                    Ok(answer) => mail_result(&answer),
                    Err(_) => Err("the mailer failed".into()),
                }
            };
            let mut outcome = quota_notices::run(&env, &services, &mut mail);
            ModuleLog::for_module(&opts, "hooks").write(std::mem::take(&mut outcome.exchanges));
            let mut v = outcome.to_json();
            if let Some(o) = v.as_object_mut() {
                o.insert("enabled".into(), json!(true));
            }
            Ok(v)
        })?;
        Ok(to_zval(&out))
    }
}
