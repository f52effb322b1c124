//! `AcronisCloud\ClientArea`: the client area of a service (page JSON API, single sign-on) and
//! the admin service tab. The PHP glue (`includes/acroniscloud/client_area.php`) reads WHMCS;
//! the decisions are made in `acroniscloud_core::features::client_area`.

use crate::convert::{api_request, get_str, server_record, to_zval, zval_to_json, Options};
use crate::guard::{contain, guard};
use crate::module_log::ModuleLog;
use acroniscloud_core::features::client_area::{
    self, client_errors, Context, Deps, Service, SignOn,
};
use acroniscloud_core::infra::i18n::{Domain, Translator};
use acroniscloud_core::infra::logging::FileLogger;
use acroniscloud_core::infra::storage::Db;
use acroniscloud_core::Error;
use ext_php_rs::exception::PhpResult;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::{json, Map, Value};

#[php_class]
#[php(name = "AcronisCloud\\ClientArea")]
pub struct ClientArea;

/// `$context`: `service` (see `client_area::Service`), `server` (tblservers row, password
/// decrypted, or null), `locale`, `l10n_dir`, `csrf_expected`, `csrf_given`, `page_url`,
/// `admin_session` ("1" in an admin session).
fn build_context(ctx: &ZendHashTable, opts: &Options) -> Result<Context, Error> {
    let service: Service = match ctx.get("service").map(zval_to_json) {
        Some(v @ Value::Object(_)) => serde_json::from_value(v)
            .map_err(|e| Error::validation(format!("Invalid service data: {e}")))?,
        _ => Service::default(),
    };
    let server = match ctx.get("server").and_then(Zval::array) {
        Some(row) => Some(server_record(row)?),
        None => None,
    };
    Ok(Context {
        service,
        server,
        config: opts.config()?,
        locale: get_str(ctx, "locale"),
        l10n_dir: Some(get_str(ctx, "l10n_dir"))
            .filter(|d| !d.trim().is_empty())
            .map(std::path::PathBuf::from),
        csrf_expected: get_str(ctx, "csrf_expected"),
        csrf_given: get_str(ctx, "csrf_given"),
        admin_session: get_str(ctx, "admin_session") == "1",
        page_url: get_str(ctx, "page_url"),
    })
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn log_for(opts: &Options) -> ModuleLog {
    ModuleLog::for_module(opts, "servers")
}

/// The audit trail and, for a service without a tenant, the adopt form (issue 13). The glue
/// passes `audit_page`, `tab_link`, `addon_link`, `csrf_token` and `assets` in the context; a
/// database problem shows in the row instead of hiding the tab.
fn audit_rows(
    ctx: &client_area::Context,
    context: &ZendHashTable,
    opts: &Options<'_>,
) -> Vec<(String, String)> {
    use acroniscloud_core::features::client_area::admin_audit::{tab_rows, TabLinks};
    let t = Translator::load(&ctx.locale, Domain::Messages, ctx.l10n_dir.as_deref());
    let links = TabLinks {
        tab: get_str(context, "tab_link"),
        addon: get_str(context, "addon_link"),
        csrf_token: get_str(context, "csrf_token"),
        assets: get_str(context, "assets"),
    };
    let page = get_str(context, "audit_page").trim().parse().unwrap_or(1);
    let db = opts.db();
    let db = db.as_ref().map(|d| d as &dyn Db).map_err(Clone::clone);
    tab_rows(
        db,
        ctx.service.service_id,
        &ctx.service.tenant_id,
        page,
        &links,
        &t,
    )
}

#[php_impl]
impl ClientArea {
    /// Runs one page API request. `$request`: method, action, query, content_type, body.
    /// Returns `['status' => int, 'headers' => [[name, value]], 'body' => string]`.
    pub fn handle(
        request: &ZendHashTable,
        context: &ZendHashTable,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Zval> {
        let opts = Options::new(options);
        let (result, exchanges) = guard(|| {
            let req = api_request(request);
            let ctx = build_context(context, &opts)?;
            // Only the usage history and "Refresh now" read the database; without an adapter
            // they answer 500 and every other action still works.
            let db = opts.db().ok();
            let deps = Deps {
                db: db
                    .as_ref()
                    .map(|d| d as &dyn acroniscloud_core::infra::storage::Db),
                now: unix_now(),
            };
            let (resp, ex) = client_area::handle_with(&req, &ctx, deps);
            let headers: Vec<Value> = resp.headers.iter().map(|(k, v)| json!([k, v])).collect();
            Ok((
                json!({"status": resp.status, "headers": headers, "body": resp.body}),
                ex,
            ))
        })?;
        log_for(&opts).write(exchanges);
        Ok(to_zval(&result))
    }

    /// WHMCS `ServiceSingleSignOn` result: `['success' => true, 'redirectTo' => url]` or
    /// `['success' => false, 'errorMsg' => text]`. Never throws.
    pub fn single_sign_on(context: &ZendHashTable, options: Option<&ZendHashTable>) -> Zval {
        let opts = Options::new(options);
        let outcome = contain(|| {
            let ctx = build_context(context, &opts)?;
            let mut exchanges = Vec::new();
            let out = client_area::single_sign_on(&ctx, &mut exchanges);
            Ok::<_, Error>((out, exchanges, ctx.locale))
        });
        let v = match outcome {
            Ok((out, exchanges, locale)) => {
                log_for(&opts).write(exchanges);
                match out {
                    SignOn::Redirect(r) => json!({"success": true, "redirectTo": r.url}),
                    SignOn::Refused(m) => json!({
                        "success": false,
                        "errorMsg": client_errors::translate(&Translator::for_locale(&locale), &m),
                    }),
                }
            }
            // The client sees a short text and a reference; the details go to the file log.
            Err(e) => {
                let logger = opts
                    .config()
                    .map(|c| FileLogger::from_config(&c.logger))
                    .unwrap_or_else(|_| FileLogger::disabled());
                json!({"success": false, "errorMsg": client_errors::refusal(&e, &logger)})
            }
        };
        to_zval(&v)
    }

    /// WHMCS `AdminServicesTabFields`: label → HTML (tenant id, user id, login, live usage).
    pub fn admin_tab(context: &ZendHashTable, options: Option<&ZendHashTable>) -> PhpResult<Zval> {
        let opts = Options::new(options);
        let (rows, exchanges) = guard(|| {
            let ctx = build_context(context, &opts)?;
            let mut exchanges = Vec::new();
            let mut rows = client_area::admin_tab::fields(&ctx, &mut exchanges);
            rows.extend(audit_rows(&ctx, context, &opts));
            Ok((rows, exchanges))
        })?;
        log_for(&opts).write(exchanges);
        let mut m = Map::new();
        for (label, html) in rows {
            m.insert(label, Value::String(html));
        }
        Ok(to_zval(&Value::Object(m)))
    }

    /// The page's texts in `$locale`: `['locale' => code, 'strings' => msgid => text]` (UI
    /// labels plus messages; empty for English, the page shows its msgids).
    pub fn ui_strings(locale: String, l10n_dir: Option<String>) -> Zval {
        let dir = l10n_dir
            .filter(|d| !d.trim().is_empty())
            .map(std::path::PathBuf::from);
        let ui = Translator::load(&locale, Domain::Ui, dir.as_deref());
        let messages = Translator::load(&locale, Domain::Messages, dir.as_deref());
        to_zval(
            &acroniscloud_core::features::admin_api::catalog_actions::ui_strings(&ui, &messages),
        )
    }
}
