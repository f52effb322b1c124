//! `AcronisCloud\Addon`: the addon module's callbacks (`_config`, `_deactivate`) and the admin
//! JSON API entry point used by `_output`. The PHP side gathers the WHMCS facts (session,
//! access, CSRF token, server rows); the decisions are made in `acroniscloud_core::admin_api`.

use crate::convert::{
    api_request, entries, get_str, scalar, server_record, to_zval, values, zval_to_json, Options,
};
use crate::guard::guard;
use crate::module_log::ModuleLog;
use acroniscloud_core::admin_api::dispatch::{self, Context};
use acroniscloud_core::admin_api::guard::Caller;
use acroniscloud_core::admin_api::servers::ServerSummary;
use acroniscloud_core::config::Config;
use acroniscloud_core::i18n::Translator;
use acroniscloud_core::Error;
use ext_php_rs::exception::PhpResult;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::{json, Map, Value};

#[php_class]
#[php(name = "AcronisCloud\\Addon")]
pub struct Addon;

fn int_list(z: Option<&Zval>) -> Vec<i64> {
    match z {
        Some(v) if v.array().is_some() => v
            .array()
            .map(|a| {
                values(a)
                    .into_iter()
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

fn string_list(z: Option<&Zval>) -> Vec<String> {
    z.and_then(Zval::array)
        .map(|a| values(a).into_iter().filter_map(scalar).collect())
        .unwrap_or_default()
}

fn context(
    ctx: &ZendHashTable,
    config: Config,
    templates_db: std::path::PathBuf,
) -> Result<Context, Error> {
    let servers = match ctx.get("servers").map(zval_to_json) {
        Some(v @ Value::Array(_)) => serde_json::from_value::<Vec<ServerSummary>>(v)
            .map_err(|e| Error::validation(format!("Invalid server list: {e}")))?,
        _ => vec![],
    };
    let server = match ctx.get("server").and_then(Zval::array) {
        Some(row) => Some(server_record(row)?),
        None => None,
    };
    let mut server_records = Vec::new();
    if let Some(list) = ctx.get("server_records").and_then(Zval::array) {
        for row in values(list).into_iter().filter_map(Zval::array) {
            server_records.push(server_record(row)?);
        }
    }
    Ok(Context {
        server_records,
        templates_db,
        products_using: string_list(ctx.get("products_using")),
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
        locale: get_str(ctx, "locale"),
        l10n_dir: Some(get_str(ctx, "l10n_dir"))
            .filter(|d| !d.trim().is_empty())
            .map(std::path::PathBuf::from),
    })
}

fn rows(ht: &ZendHashTable, key: &str) -> Vec<Value> {
    match ht.get(key).map(zval_to_json) {
        Some(Value::Array(a)) => a,
        _ => vec![],
    }
}

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn opt_text(v: &Value, key: &str) -> Option<String> {
    Some(text(v, key)).filter(|s| !s.is_empty())
}

fn int(v: &Value, key: &str) -> i64 {
    text(v, key).trim().parse().unwrap_or(0)
}

/// Rows of the reference module's three template tables, as `_activate` reads them.
fn reference_rows(ht: &ZendHashTable) -> acroniscloud_core::templates::ReferenceRows {
    use acroniscloud_core::templates::{
        ReferenceApplication, ReferenceOfferingItem, ReferenceRows, ReferenceTemplate,
    };
    ReferenceRows {
        templates: rows(ht, "templates")
            .iter()
            .map(|r| ReferenceTemplate {
                id: int(r, "id"),
                name: text(r, "name"),
                description: text(r, "description"),
                server_id: int(r, "server_id"),
                tenant_kind: text(r, "tenant_kind"),
                user_role: text(r, "user_role"),
                created_at: opt_text(r, "created_at"),
                updated_at: opt_text(r, "updated_at"),
                deleted_at: opt_text(r, "deleted_at"),
            })
            .collect(),
        applications: rows(ht, "applications")
            .iter()
            .map(|r| ReferenceApplication {
                id: int(r, "id"),
                template_id: int(r, "template_id"),
                kind: text(r, "type"),
                editions: text(r, "editions"),
                status: text(r, "status"),
            })
            .collect(),
        offering_items: rows(ht, "offering_items")
            .iter()
            .map(|r| ReferenceOfferingItem {
                id: int(r, "id"),
                template_application_id: int(r, "template_application_id"),
                name: text(r, "name"),
                infra_id: opt_text(r, "infra_id"),
                status: text(r, "status"),
                measurement_unit: text(r, "measurement_unit"),
                quota_value: opt_text(r, "quota_value").and_then(|q| q.trim().parse().ok()),
            })
            .collect(),
    }
}

/// Opens (creating and migrating) the template database and imports 2.x templates.
fn prepare_storage(
    reference: Option<&ZendHashTable>,
    opts: &Options,
) -> Result<acroniscloud_core::templates::ImportReport, Error> {
    let config = opts.config()?;
    let store = acroniscloud_core::templates::SqliteStorage::open(&opts.templates_db(&config))?;
    let rows = reference.map(reference_rows).unwrap_or_default();
    if rows.templates.is_empty() {
        return Ok(acroniscloud_core::templates::ImportReport::default());
    }
    acroniscloud_core::templates::TemplateStorage::import_reference(&store, &rows)
        .map_err(|e| Error::internal(e.message()))
}

/// `$input` of `migrateLegacy` as JSON.
fn zval_to_json_input(input: &ZendHashTable) -> Value {
    let mut m = Map::new();
    for (k, v) in entries(input) {
        m.insert(k.to_string(), zval_to_json(v));
    }
    Value::Object(m)
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

    /// WHMCS `_activate()`: creates or migrates the template database and imports the
    /// templates of the reference module's tables (`$reference`: `templates`, `applications`,
    /// `offering_items` rows) so an upgrade from 2.x loses nothing. Never throws.
    pub fn activate(reference: Option<&ZendHashTable>, options: Option<&ZendHashTable>) -> Zval {
        let opts = Options::new(options);
        let t = Translator::for_locale(&opts.str("locale"));
        let v = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            prepare_storage(reference, &opts)
        })) {
            Ok(Ok(report)) if report.imported.is_empty() && report.skipped.is_empty() => json!({
                "status": "success",
                "description": t.translate("Acronis Cyber Cloud addon activated successfully."),
            }),
            Ok(Ok(report)) => json!({
                "status": "success",
                "description": t.tr(
                    "Acronis Cyber Cloud addon activated successfully. Templates imported from the previous version: {0}; already present: {1}.",
                    &[&report.imported.len().to_string(), &report.skipped.len().to_string()],
                ),
            }),
            Ok(Err(e)) => {
                json!({"status": "error", "description": t.translate_message(&e.to_string())})
            }
            Err(_) => {
                json!({"status": "error", "description": "Internal error in the acroniscloud extension."})
            }
        };
        to_zval(&v)
    }

    /// WHMCS `_upgrade($vars)`, called on the first admin visit after the module version
    /// changed (also when a 2.x installation is replaced by this module without a new
    /// activation): migrates the template database and imports the 2.x templates. Never
    /// throws; problems go to the file log.
    pub fn upgrade(reference: Option<&ZendHashTable>, options: Option<&ZendHashTable>) -> bool {
        let opts = Options::new(options);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            prepare_storage(reference, &opts)
        }));
        match result {
            Ok(Ok(_)) => true,
            Ok(Err(e)) => {
                let cfg = opts.config().unwrap_or_default();
                acroniscloud_core::logging::FileLogger::from_config(&cfg.logger).log(
                    acroniscloud_core::logging::Level::Error,
                    &format!("Addon upgrade: {e}"),
                );
                false
            }
            Err(_) => false,
        }
    }

    /// Module-v1 migration during `_activate` (module-behaviour.md §I.2). `$input`: the v1
    /// rows the glue read (`version_file`, `version_path`, `whmcs_version`, `servers`,
    /// `products`). Returns `['status' => 'info'|'error', 'description' => …, 'plan' => …]`;
    /// `plan` lists the WHMCS rows to write in one transaction. Never throws.
    pub fn migrate_legacy(input: &ZendHashTable, options: Option<&ZendHashTable>) -> Zval {
        let opts = Options::new(options);
        let t = Translator::for_locale(&opts.str("locale"));
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let config = opts.config()?;
            let data: acroniscloud_core::migration::V1Input =
                serde_json::from_value(zval_to_json_input(input))
                    .map_err(|e| Error::internal(format!("Invalid migration input: {e}")))?;
            let store =
                acroniscloud_core::templates::SqliteStorage::open(&opts.templates_db(&config))?;
            let (outcome, exchanges) = acroniscloud_core::migration::migrate(
                &data,
                &config,
                &store,
                acroniscloud_core::VERSION,
            );
            ModuleLog {
                enabled: opts.bool("module_log"),
                module: "addons".into(),
                function: opts.str("function"),
            }
            .write(exchanges);
            outcome
        }));
        let v = match result {
            Ok(Ok(plan)) => json!({
                "status": "info",
                "description": acroniscloud_core::migration::summary(&plan.warnings, &t),
                "plan": plan,
            }),
            Ok(Err(e)) => json!({
                "status": "error",
                "description": t.tr(
                    "Cannot upgrade products and services. Error: {0}",
                    &[&t.translate_message(&e.to_string())],
                ),
            }),
            Err(_) => {
                json!({"status": "error", "description": "Internal error in the acroniscloud extension."})
            }
        };
        to_zval(&v)
    }

    /// The admin's message for a finished v1 migration with `$warnings` (the glue adds its own).
    pub fn migration_summary(warnings: &ZendHashTable, options: Option<&ZendHashTable>) -> String {
        let t = Translator::for_locale(&Options::new(options).str("locale"));
        let list: Vec<String> = values(warnings).into_iter().filter_map(scalar).collect();
        acroniscloud_core::migration::summary(&list, &t)
    }

    /// Soft-deletes the templates of a v1 migration whose WHMCS write failed.
    pub fn discard_templates(ids: &ZendHashTable, options: Option<&ZendHashTable>) -> bool {
        let opts = Options::new(options);
        let ids: Vec<i64> = values(ids)
            .into_iter()
            .filter_map(|z| scalar(z)?.trim().parse().ok())
            .collect();
        let Ok(config) = opts.config() else {
            return false;
        };
        match acroniscloud_core::templates::SqliteStorage::open(&opts.templates_db(&config)) {
            Ok(store) => {
                acroniscloud_core::migration::discard(&store, &ids);
                true
            }
            Err(_) => false,
        }
    }

    /// WHMCS `_deactivate()`: keeps every table and file (manual: uninstall keeps data).
    pub fn deactivate(options: Option<&ZendHashTable>) -> Zval {
        let t = Translator::for_locale(&Options::new(options).str("locale"));
        to_zval(&json!({
            "status": "success",
            "description": t.translate("Acronis Cyber Cloud addon deactivated successfully."),
        }))
    }

    /// True when the action needs every server's credentials (`server_records`) in the context.
    pub fn needs_server_records(action: String) -> bool {
        dispatch::needs_server_records(&action)
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
            let config = opts.config()?;
            let req = api_request(request);
            let db = opts.templates_db(&config);
            let ctx = context(context_in, config, db)?;
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
