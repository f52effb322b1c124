//! `AcronisCloud\Addon`: the addon module's callbacks (`_config`, `_deactivate`) and the admin
//! JSON API entry point used by `_output`. The PHP side gathers the WHMCS facts (session,
//! access, CSRF token, server rows); the decisions are made in `acroniscloud_core::features::admin_api`.

use crate::convert::{
    api_request, entries, get_str, scalar, server_record, to_zval, values, zval_to_json, Options,
};
use crate::guard::{contain, guard};
use crate::module_log::ModuleLog;
use crate::provisioning::PhpHost;
use acroniscloud_core::features::admin_api::dispatch::{self, Context};
use acroniscloud_core::features::admin_api::guard::Caller;
use acroniscloud_core::features::admin_api::servers::ServerSummary;
use acroniscloud_core::features::admin_api::service_actions;
use acroniscloud_core::features::admin_api::ApiRequest;
use acroniscloud_core::features::migration::activation;
use acroniscloud_core::features::migration::legacy_switch::SwitchHost;
use acroniscloud_core::infra::config_yaml::Config;
use acroniscloud_core::infra::i18n::Translator;
use acroniscloud_core::infra::storage::Db;
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
    let mut server_records = Vec::new();
    if let Some(list) = ctx.get("server_records").and_then(Zval::array) {
        for row in values(list).into_iter().filter_map(Zval::array) {
            server_records.push(server_record(row)?);
        }
    }
    let services = match ctx.get("services").map(zval_to_json) {
        Some(v @ Value::Array(_)) => serde_json::from_value(v)
            .map_err(|e| Error::validation(format!("Invalid service list: {e}")))?,
        _ => vec![],
    };
    let billed = match ctx.get("billed").map(zval_to_json) {
        Some(v @ Value::Array(_)) => serde_json::from_value(v)
            .map_err(|e| Error::validation(format!("Invalid billed values: {e}")))?,
        _ => vec![],
    };
    Ok(Context {
        services,
        billed,
        module_link: get_str(ctx, "module_link"),
        assets: get_str(ctx, "assets"),
        server_records,
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
        legacy: match ctx.get("legacy").map(zval_to_json) {
            Some(v @ Value::Object(_)) => serde_json::from_value(v)
                .map_err(|e| Error::validation(format!("Invalid service list: {e}")))?,
            _ => Default::default(),
        },
    })
}

/// Makes the WHMCS database ready for the module: the privilege check (L79: nothing is
/// created without every right), the tables (2.x tables are used in place, what they lack is
/// added), the one-time import of an earlier version's SQLite files, and the 2.x upgrade
/// step of `previous_version` (reports downloaded before 2.2.0-183 are marked "To be
/// deleted"). Returns the import's outcome.
fn prepare_storage(
    opts: &Options,
    previous_version: Option<&str>,
) -> Result<acroniscloud_core::features::migration::sqlite_import::Imported, Error> {
    let config = opts.config()?;
    let db = opts.db()?;
    let (templates, usage) = opts.earlier_files(&config);
    activation::prepare_storage(&db, previous_version, &templates, &usage)
}

/// Runs `f` with what every admin page and API request starts from: the request, the context
/// and the WHMCS database. A missing database adapter is no error here: only the actions
/// that store something need it, and a page's texts never wait for it.
fn admin_call<T>(
    request: &ZendHashTable,
    context_in: &ZendHashTable,
    opts: &Options,
    f: impl FnOnce(&ApiRequest, &Context, Option<&dyn Db>) -> Result<T, Error>,
) -> Result<T, Error> {
    let config = opts.config()?;
    let req = api_request(request);
    let db = opts.db();
    let ctx = context(context_in, config)?;
    f(&req, &ctx, db.as_ref().ok().map(|d| d as &dyn Db))
}

/// `$input` of `migrateLegacy` as JSON.
fn zval_to_json_input(input: &ZendHashTable) -> Value {
    let mut m = Map::new();
    for (k, v) in entries(input) {
        m.insert(k.to_string(), zval_to_json(v));
    }
    Value::Object(m)
}

/// The WHMCS callbacks the glue put in the context (`callbacks`); none when it put none, so
/// an action that needs one fails with the callback's name.
fn callbacks_of<'a>(context_in: &'a ZendHashTable, empty: &'a ZendHashTable) -> &'a ZendHashTable {
    context_in
        .get("callbacks")
        .and_then(Zval::array)
        .unwrap_or(empty)
}

/// An admin action about one service (`admin_api::service_actions`): the glue put the service
/// (`service`, as the module callbacks see it, or null) and its WHMCS callbacks (`callbacks`)
/// in the context.
fn service_action(
    req: &ApiRequest,
    ctx: &Context,
    db: Option<&dyn Db>,
    context_in: &ZendHashTable,
    opts: &Options,
) -> Result<(Value, Vec<acroniscloud_core::platform::http::Exchange>), Error> {
    let db =
        db.ok_or_else(|| Error::config("The WHMCS database is not available to the module."))?;
    let mut input: Option<acroniscloud_core::features::provisioning::ServiceInput> =
        match context_in.get("service").map(zval_to_json) {
            Some(v @ Value::Object(_)) => Some(serde_json::from_value(v).map_err(|e| {
                Error::validation(format!("Invalid service description from WHMCS: {e}"))
            })?),
            _ => None,
        };
    // An admin page has no module `$params['whmcsVersion']`: the installation's version tags
    // an adopted tenant like one the module created.
    if let Some(i) = input.as_mut().filter(|i| i.whmcs_version.is_none()) {
        i.whmcs_version = Some(opts.str("whmcs_version")).filter(|v| !v.is_empty());
    }
    let empty = ZendHashTable::new();
    let mut host = PhpHost {
        callbacks: callbacks_of(context_in, &empty),
        log: ModuleLog::for_module(opts, "addons"),
        warnings: Vec::new(),
        move_user_email: opts.bool("move_user_email"),
    };
    let resp = service_actions::handle(
        req,
        ctx,
        db,
        service_actions::Service {
            input,
            host: &mut host,
        },
    )
    .unwrap_or_else(|| {
        acroniscloud_core::features::admin_api::ApiResponse::error(404, "Unknown action.", None)
    });
    let t = Translator::load(
        &ctx.locale,
        acroniscloud_core::infra::i18n::Domain::Messages,
        ctx.l10n_dir.as_deref(),
    );
    let resp = dispatch::localize(resp, &t);
    Ok((
        json!({"status": resp.status, "headers": resp.headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(), "body": resp.body}),
        vec![],
    ))
}

#[php_impl]
impl Addon {
    /// WHMCS `_config()`.
    pub fn config() -> Zval {
        to_zval(&activation::addon_config())
    }

    /// WHMCS `_activate()`: checks the database user's rights, creates the module's tables in
    /// the WHMCS database (a 2.x installation's tables are used in place) and imports an
    /// earlier version's SQLite files once. Never throws.
    pub fn activate(options: Option<&ZendHashTable>) -> Zval {
        let opts = Options::new(options);
        let t = Translator::for_locale(&opts.str("locale"));
        let v = activation::activation_answer(&contain(|| prepare_storage(&opts, None)), &t);
        to_zval(&v)
    }

    /// WHMCS `_upgrade($vars)`, called on the first admin visit after the module version
    /// changed (also when a 2.x installation is replaced by this module without a new
    /// activation; `$vars['version']` is the version installed before): brings the tables to
    /// this version and imports an earlier version's SQLite files once. Never throws;
    /// problems go to the file log.
    pub fn upgrade(vars: Option<&ZendHashTable>, options: Option<&ZendHashTable>) -> bool {
        let opts = Options::new(options);
        let previous = vars.map(|v| get_str(v, "version"));
        match contain(|| prepare_storage(&opts, previous.as_deref())) {
            Ok(_) => true,
            Err(e) => {
                let cfg = opts.config().unwrap_or_default();
                acroniscloud_core::infra::logging::FileLogger::from_config(&cfg.logger).log(
                    acroniscloud_core::infra::logging::Level::Error,
                    &format!("Addon upgrade: {e}"),
                );
                false
            }
        }
    }

    /// Module-v1 migration during `_activate` (docs/behaviour.md §I.2). `$input`: the v1
    /// rows the glue read (`version_file`, `version_path`, `whmcs_version`, `servers`,
    /// `products`). Returns `['status' => 'info'|'error', 'description' => …, 'plan' => …]`;
    /// `plan` lists the WHMCS rows to write in one transaction. Never throws.
    pub fn migrate_legacy(input: &ZendHashTable, options: Option<&ZendHashTable>) -> Zval {
        let opts = Options::new(options);
        let t = Translator::for_locale(&opts.str("locale"));
        let result = contain(|| {
            let (answer, exchanges) = activation::migrate_legacy(
                zval_to_json_input(input),
                &opts.config()?,
                &opts.db()?,
                &t,
            );
            ModuleLog::for_module(&opts, "addons").write(exchanges);
            Ok(answer)
        });
        let v = result.unwrap_or_else(|e| activation::migration_failed(&e, &t));
        to_zval(&v)
    }

    /// The admin's message for a finished v1 migration with `$warnings` (the glue adds its own).
    pub fn migration_summary(warnings: &ZendHashTable, options: Option<&ZendHashTable>) -> String {
        let t = Translator::for_locale(&Options::new(options).str("locale"));
        let list: Vec<String> = values(warnings).into_iter().filter_map(scalar).collect();
        acroniscloud_core::features::migration::summary(&list, &t)
    }

    /// WHMCS `_deactivate()`: keeps every table and file (manual: uninstall keeps data).
    pub fn deactivate(options: Option<&ZendHashTable>) -> Zval {
        let t = Translator::for_locale(&Options::new(options).str("locale"));
        to_zval(&json!({
            "status": "success",
            "description": t.translate("Acronis Cyber Cloud addon deactivated successfully."),
        }))
    }

    /// Daily cron: deletes audit trail entries older than `audit.retention_days`. Returns
    /// `['deleted' => int]` or `['error' => message]`; never throws.
    pub fn prune_audit(options: Option<&ZendHashTable>) -> Zval {
        let opts = Options::new(options);
        let result = contain(|| {
            let config = opts.config()?;
            acroniscloud_core::features::audit::SqlAudit::open(&opts.db()?)?.prune_expired(&config)
        });
        to_zval(&match result {
            Ok(n) => json!({"deleted": n}),
            Err(e) => json!({"error": e.to_string()}),
        })
    }

    /// True when the action needs every server's credentials (`server_records`) in the context.
    pub fn needs_server_records(action: String) -> bool {
        dispatch::needs_server_records(&action)
    }

    /// True when `$page` is one of the addon's server-rendered pages (`usage_billing`,
    /// `reconciliation`).
    pub fn is_page(page: String) -> bool {
        acroniscloud_core::features::admin_api::pages::is_page(&page)
    }

    /// The HTML of the addon page `$page` (`''` = the main page's tab bar and usage banner).
    /// `$request` and `$context` as for `handle()`; the context also carries `module_link`,
    /// `assets`, and for `reconciliation` `services` (`[{id, user_id, server_id, status,
    /// tenant_id, product}]`) and `billed` (`[{tenant_id, date, metric, value}]`).
    pub fn page(
        page: String,
        request: &ZendHashTable,
        context_in: &ZendHashTable,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<String> {
        let opts = Options::new(options);
        let (html, exchanges) = guard(|| {
            admin_call(request, context_in, &opts, |req, ctx, db| {
                Ok(acroniscloud_core::features::admin_api::pages::render(
                    &page, req, ctx, db,
                ))
            })
        })?;
        ModuleLog::for_module(&opts, "addons").write(exchanges);
        Ok(html)
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
            admin_call(request, context_in, &opts, |req, ctx, db| {
                if service_actions::is_action(&req.action) {
                    return service_action(req, ctx, db, context_in, &opts);
                }
                let empty = ZendHashTable::new();
                let mut host = (req.action == "legacy_switch").then(|| PhpHost {
                    callbacks: callbacks_of(context_in, &empty),
                    log: ModuleLog::for_module(&opts, "addons"),
                    warnings: Vec::new(),
                    move_user_email: false,
                });
                let switch_host = host.as_mut().map(|h| h as &mut dyn SwitchHost);
                Ok(match dispatch::handle(req, ctx, db, switch_host) {
                    None => (Value::Null, vec![]),
                    Some((resp, ex)) => (
                        json!({"status": resp.status, "headers": resp.headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(), "body": resp.body}),
                        ex,
                    ),
                })
            })
        })?;
        ModuleLog::for_module(&opts, "addons").write(exchanges);
        Ok(to_zval(&result))
    }
}
