//! `AcronisCloud\Addon`: the addon module's callbacks (`_config`, `_deactivate`) and the admin
//! JSON API entry point used by `_output`. The PHP side gathers the WHMCS facts (session,
//! access, CSRF token, server rows); the decisions are made in `acroniscloud_core::admin_api`.

use crate::convert::{get_str, scalar, server_record, to_zval, Options};
use crate::guard::guard;
use crate::module_log::ModuleLog;
use acroniscloud_core::admin_api::dispatch::{self, Context};
use acroniscloud_core::admin_api::guard::Caller;
use acroniscloud_core::admin_api::servers::ServerSummary;
use acroniscloud_core::admin_api::ApiRequest;
use acroniscloud_core::config::Config;
use acroniscloud_core::Error;
use ext_php_rs::exception::PhpResult;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::{json, Map, Value};

#[php_class]
#[php(name = "AcronisCloud\\Addon")]
pub struct Addon;

fn zval_to_json(z: &Zval) -> Value {
    if let Some(ht) = z.array() {
        let is_list = ht.has_sequential_keys();
        if is_list {
            return Value::Array(ht.values().map(zval_to_json).collect());
        }
        let mut m = Map::new();
        for (k, v) in ht.iter() {
            m.insert(k.to_string(), zval_to_json(v));
        }
        return Value::Object(m);
    }
    if z.is_null() {
        return Value::Null;
    }
    if let Some(b) = z.bool() {
        return Value::Bool(b);
    }
    if let Some(l) = z.long() {
        return json!(l);
    }
    scalar(z).map(Value::String).unwrap_or(Value::Null)
}

fn int_list(z: Option<&Zval>) -> Vec<i64> {
    match z {
        Some(v) if v.array().is_some() => v
            .array()
            .map(|a| {
                a.values()
                    .filter_map(|x| scalar(x)?.trim().parse().ok())
                    .collect()
            })
            .unwrap_or_default(),
        Some(v) => scalar(v)
            .unwrap_or_default()
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect(),
        None => vec![],
    }
}

fn context(ctx: &ZendHashTable, config: Config) -> Result<Context, Error> {
    let servers = match ctx.get("servers").map(zval_to_json) {
        Some(v @ Value::Array(_)) => serde_json::from_value::<Vec<ServerSummary>>(v)
            .map_err(|e| Error::validation(format!("Invalid server list: {e}")))?,
        _ => vec![],
    };
    let server = match ctx.get("server").and_then(Zval::array) {
        Some(row) => Some(server_record(row)?),
        None => None,
    };
    Ok(Context {
        caller: Caller {
            admin_id: get_str(ctx, "admin_id").trim().parse().unwrap_or(0),
            role_id: get_str(ctx, "role_id").trim().parse().unwrap_or(0),
            allowed_roles: int_list(ctx.get("allowed_roles")),
            csrf_expected: get_str(ctx, "csrf_expected"),
            csrf_given: get_str(ctx, "csrf_given"),
        },
        servers,
        server,
        config,
    })
}

#[php_impl]
impl Addon {
    /// WHMCS `_config()`.
    pub fn config() -> Zval {
        to_zval(&json!({
            "name": "Acronis Cyber Cloud",
            "description": "Acronis Cyber Cloud",
            "version": acroniscloud_core::VERSION,
            "author": "<a href=\"https://www.acronis.com\" target=\"_blank\">Acronis</a>",
            "language": "english",
            "fields": {
                "logging_cloud_api": {"FriendlyName": "Module Log Settings", "Type": "yesno", "Description": "API calls to Acronis Cyber Cloud"},
                "logging_whmcs_api": {"FriendlyName": "", "Type": "yesno", "Description": "API calls to WHMCS platform"},
                "logging_db_query": {"FriendlyName": "", "Type": "yesno", "Description": "Queries to WHMCS database"},
            },
        }))
    }

    /// WHMCS `_deactivate()`: keeps every table and file (manual: uninstall keeps data).
    pub fn deactivate() -> Zval {
        to_zval(
            &json!({"status": "success", "description": "Acronis Cyber Cloud addon deactivated successfully."}),
        )
    }

    /// True when `$action` is an admin API action (otherwise `_output` renders the page).
    pub fn is_api_action(action: String) -> bool {
        dispatch::is_api_action(&action)
    }

    /// Runs an admin API request. `$request`: method, action, query, content_type, body.
    /// `$context`: admin_id, role_id, allowed_roles, csrf_expected, csrf_given, servers, server.
    /// Returns `['status' => int, 'headers' => [[name, value]], 'body' => string]`, or null
    /// when the action is not an API action.
    pub fn handle(
        request: &ZendHashTable,
        context_in: &ZendHashTable,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Zval> {
        let opts = Options::new(options);
        let (result, exchanges) = guard(|| {
            let path = opts.str("config_file");
            let config = if path.trim().is_empty() {
                Config::default()
            } else {
                Config::load(std::path::Path::new(path.trim()))?
            };
            let query = match request.get("query").map(zval_to_json) {
                Some(Value::Object(m)) => m,
                _ => Map::new(),
            };
            let req = ApiRequest {
                method: get_str(request, "method"),
                action: get_str(request, "action"),
                query,
                content_type: get_str(request, "content_type"),
                body: get_str(request, "body").into_bytes(),
            };
            let ctx = context(context_in, config)?;
            Ok(match dispatch::handle(&req, &ctx) {
                None => (Value::Null, vec![]),
                Some((resp, ex)) => (
                    json!({"status": resp.status, "headers": resp.headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(), "body": resp.body}),
                    ex,
                ),
            })
        })?;
        ModuleLog {
            enabled: opts.bool("module_log"),
            module: "addons".into(),
            function: opts.str("function"),
        }
        .write(exchanges);
        Ok(to_zval(&result))
    }
}
