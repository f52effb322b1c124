//! The client area of a service (docs/behaviour.md §A.10, §A.11, §E): the page's JSON API,
//! single sign-on and the admin service tab. The PHP glue reads WHMCS (service, client,
//! currency, gateway, custom fields, server row) into [`Service`]; decisions are made here.
//! Ownership is checked here too, so a glue mistake cannot hand out another client's data.

pub mod admin_audit;
pub mod admin_tab;
pub mod chart;
pub mod client_errors;
pub mod format;
pub mod history;
pub mod history_api;
pub mod notifications;
pub mod refresh;
pub mod sso;
pub mod subscription;
pub mod usages;

use crate::features::json_api::localize::localize;
use crate::features::json_api::{parse_body, require_method, ApiRequest, ApiResponse};
use crate::infra::config_yaml::Config;
use crate::infra::error::{Error, Result};
use crate::infra::i18n::{Domain, Translator};
use crate::platform::catalog::catalog;
use crate::platform::connection::Connection;
use crate::platform::http::{Exchange, Method};
use crate::platform::server_settings::ServerRecord;
use serde::Deserialize;
use serde_json::{json, Value};
use subscription::Billing;

/// Module name WHMCS stores for our products (`tblproducts.servertype`).
pub const MODULE: &str = "acroniscloud";

/// What the glue knows about the service and who is asking.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Service {
    /// `$params['serviceid']`.
    pub service_id: i64,
    /// `tblhosting.userid`.
    pub owner_id: i64,
    /// The logged-in client (0 = nobody).
    pub client_id: i64,
    /// `tblproducts.servertype`.
    pub module: String,
    pub product_id: i64,
    pub tenant_id: String,
    pub user_id: String,
    /// `cloud_login` custom field (shown when the Cloud cannot be asked).
    pub cloud_login: String,
    pub billing: Billing,
    /// Billed metrics the product enables (`tblusage_items`), in their order.
    pub enabled_metrics: Vec<String>,
}

/// Everything an action may need.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub service: Service,
    /// The service's server (password decrypted), when it has one.
    pub server: Option<ServerRecord>,
    pub config: Config,
    /// The client's WHMCS language; empty = English.
    pub locale: String,
    pub l10n_dir: Option<std::path::PathBuf>,
    /// The session's CSRF token (WHMCS `generate_token('plain')`); empty = none.
    pub csrf_expected: String,
    /// The token the request carried (`X-CSRF-Token` header, `token` field or query).
    pub csrf_given: String,
    /// True when the request comes from a WHMCS admin session (an admin viewing the service).
    pub admin_session: bool,
    /// URL of the Management page (the usage history's 30/90-day links).
    pub page_url: String,
}

/// What some actions need besides the context: the WHMCS database (usage days, the refresh
/// limit) and the clock (Unix seconds), passed in so tests can set both.
#[derive(Clone, Copy)]
pub struct Deps<'a> {
    pub db: Option<&'a dyn crate::infra::storage::Db>,
    pub now: i64,
}

/// (action, method) of the page's JSON API.
const ACTIONS: &[(&str, &str)] = &[
    ("get_details", "GET"),
    ("update_details", "POST"),
    ("get_subscription", "GET"),
    ("get_usages", "GET"),
    ("usage_history", "GET"),
    ("refresh_usages", "POST"),
    ("l10n", "GET"),
];

const NO_SERVICE: &str = "Client has no service with this id";
const ADMIN_SSO: &str = "Single sign-on is only available in the client area.";

/// True when the logged-in client owns `requested` and it is one of our services.
pub fn owns(s: &Service, requested: i64) -> bool {
    requested > 0
        && requested == s.service_id
        && s.client_id > 0
        && s.owner_id == s.client_id
        && s.module == MODULE
}

fn requested_id(req: &ApiRequest) -> Option<i64> {
    let v = req.query.get("id")?;
    let id = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    id.filter(|i| *i > 0)
}

/// Handles one page API request. Unknown actions are 404: the dedicated AJAX function only
/// serves API calls (the page itself is `ClientAreaManagement`).
pub fn handle(req: &ApiRequest, ctx: &Context) -> (ApiResponse, Vec<Exchange>) {
    handle_with(req, ctx, Deps { db: None, now: 0 })
}

/// [`handle`] with the database and the clock (the extension's entry point).
pub fn handle_with(req: &ApiRequest, ctx: &Context, deps: Deps) -> (ApiResponse, Vec<Exchange>) {
    let mut exchanges = Vec::new();
    let resp = respond(req, ctx, deps, &mut exchanges).unwrap_or_else(|e| e);
    let t = Translator::load(&ctx.locale, Domain::Messages, ctx.l10n_dir.as_deref());
    (client_errors::with_reference(localize(resp, &t)), exchanges)
}

fn respond(
    req: &ApiRequest,
    ctx: &Context,
    deps: Deps,
    exchanges: &mut Vec<Exchange>,
) -> std::result::Result<ApiResponse, ApiResponse> {
    let action = check_access(req, ctx)?;
    let s = &ctx.service;
    match action {
        "get_subscription" => Ok(ApiResponse::ok(&subscription::subscription(&s.billing))),
        "l10n" => {
            let t = Translator::load(&ctx.locale, Domain::Messages, ctx.l10n_dir.as_deref());
            crate::features::json_api::catalog_texts::l10n(&t)
                .map(|v| ApiResponse::ok(&v))
                .map_err(|e| client_errors::answer(&e, &file_logger(ctx), "l10n"))
        }
        "update_details" => update_details_action(req, ctx, exchanges),
        "get_details" => with_connection(ctx, exchanges, |conn| details(conn, s)),
        "usage_history" => history_api::usage_history(req, ctx, deps, exchanges),
        "refresh_usages" => {
            require_tenant(s)?;
            history_api::refresh(ctx, deps, exchanges)
        }
        _ => {
            require_tenant(s)?;
            with_connection(ctx, exchanges, |conn| usages(conn, &s.tenant_id))
        }
    }
}

/// A known action with its method and CSRF token, for a service the logged-in client owns.
/// Returns the action.
fn check_access(req: &ApiRequest, ctx: &Context) -> std::result::Result<&'static str, ApiResponse> {
    let Some((action, method)) = ACTIONS.iter().find(|(a, _)| *a == req.action) else {
        return Err(ApiResponse::error(404, "Unknown action.", None));
    };
    require_method(req, method)?;
    crate::features::json_api::guard::check_csrf(&ctx.csrf_expected, &ctx.csrf_given, method)?;
    let id = requested_id(req).ok_or_else(|| {
        ApiResponse::error(
            400,
            "Service ID must be present.",
            Some(json!({"request_params": {"id": req.query.get("id")}})),
        )
    })?;
    if !owns(&ctx.service, id) {
        // J.2 #20: 404 (the reference answered 500), and nothing about the service.
        return Err(ApiResponse::error(404, NO_SERVICE, None));
    }
    Ok(action)
}

/// `update_details`: the notification groups to keep active, written with the tenant's
/// `version` (optimistic locking).
fn update_details_action(
    req: &ApiRequest,
    ctx: &Context,
    exchanges: &mut Vec<Exchange>,
) -> std::result::Result<ApiResponse, ApiResponse> {
    let version = positive(req.query.get("version"))
        .ok_or_else(|| ApiResponse::error(400, "Version number must be present.", None))?;
    let body = parse_body(req)?;
    let groups = body
        .get("notifications")
        .filter(|n| n.as_array().is_some_and(|a| !a.is_empty()))
        .ok_or_else(|| {
            ApiResponse::error(
                400,
                "POST data parameter \"notifications\" must be present.",
                Some(json!({"request_post_data": body})),
            )
        })?;
    let cat = catalog().map_err(|e| client_errors::answer(&e, &file_logger(ctx), "catalog"))?;
    let active =
        notifications::active_types(cat, groups).map_err(|m| ApiResponse::error(400, &m, None))?;
    let s = &ctx.service;
    with_connection(ctx, exchanges, |conn| {
        update_details(conn, s, version, &active)
    })
}

/// The service's tenant must be known before the platform is asked about it.
fn require_tenant(s: &Service) -> std::result::Result<(), ApiResponse> {
    if s.tenant_id.trim().is_empty() {
        return Err(ApiResponse::error(
            404,
            "Tenant Id is missing from the product's custom fields. Please, activate the purchase.",
            Some(json!({"product_id": s.product_id, "service_id": s.service_id})),
        ));
    }
    Ok(())
}

fn positive(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n| *n > 0)
}

/// The module's file log as configured (for failures before a connection exists).
pub(crate) fn file_logger(ctx: &Context) -> crate::infra::logging::FileLogger {
    crate::infra::logging::FileLogger::from_config(&ctx.config.logger)
}

/// Runs `f` on a connection to the service's server; platform errors keep their status and
/// error code, their text stays in the logs (the client gets a reference).
pub(crate) fn with_connection(
    ctx: &Context,
    exchanges: &mut Vec<Exchange>,
    f: impl FnOnce(&mut Connection) -> std::result::Result<Value, Found>,
) -> std::result::Result<ApiResponse, ApiResponse> {
    let server = ctx.server.as_ref().ok_or_else(|| {
        ApiResponse::error(
            500,
            "The service has no Acronis Cyber Cloud server assigned. Please contact the administrator.",
            None,
        )
    })?;
    let mut conn = Connection::interactive(server, ctx.config.clone())
        .map_err(|e| client_errors::answer(&e, &file_logger(ctx), "connection"))?;
    let out = f(&mut conn);
    exchanges.append(&mut conn.take_exchanges());
    match out {
        Ok(v) => Ok(ApiResponse::ok(&v)),
        Err(Found::Missing(status, msg)) => Err(ApiResponse::error(status, &msg, None)),
        Err(Found::Failed(e)) => Err(client_errors::answer(&e, conn.logger(), "platform call")),
    }
}

/// A lookup that failed because the service is not set up (404 with a message for the client),
/// or because the platform failed.
#[derive(Debug)]
pub enum Found {
    Missing(u16, String),
    Failed(Error),
}

impl From<Error> for Found {
    fn from(e: Error) -> Self {
        Found::Failed(e)
    }
}

/// The Cloud user of the service, checked against the service's tenant.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CloudUser {
    pub id: String,
    pub login: String,
    pub tenant_id: String,
    pub version: i64,
    #[serde(default)]
    pub contact: Option<Value>,
    #[serde(default)]
    pub notifications: Option<Vec<String>>,
}

impl CloudUser {
    pub fn email(&self) -> String {
        self.contact
            .as_ref()
            .and_then(|c| c.get("email"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }
}

/// `GET /users/{user_id}` and the tenant check of §E.2.
pub fn service_user(conn: &mut Connection, s: &Service) -> std::result::Result<CloudUser, Found> {
    let uid = s.user_id.trim();
    if uid.is_empty() {
        return Err(Found::Missing(
            404,
            "User Id is missing from the product's custom fields. Please, contact administrator to activate the purchase.".into(),
        ));
    }
    crate::infra::uuid::require(uid, "user id")?;
    let v = conn.call(Method::Get, &format!("/api/2/users/{uid}"), &[], None)?;
    let user: CloudUser = crate::platform::error_answer::parse_answer(v, "GET /api/2/users/{id}")?;
    if user.tenant_id != s.tenant_id.trim() {
        return Err(Found::Missing(
            404,
            "Cloud user tenant does not match tenant id set in purchase.".into(),
        ));
    }
    Ok(user)
}

/// `kind` of the user's tenant.
pub fn tenant_kind(conn: &mut Connection, tenant_id: &str) -> Result<String> {
    let t = conn.tenant(tenant_id)?;
    Ok(t.get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string())
}

fn details_json(conn: &mut Connection, user: &CloudUser) -> std::result::Result<Value, Found> {
    let kind = tenant_kind(conn, &user.tenant_id)?;
    let cat = catalog()?;
    Ok(json!({
        "login": user.login,
        "email": user.email(),
        "tenant_kind": kind,
        "notifications": notifications::expand(cat, user.notifications.as_deref()),
        "version": user.version,
    }))
}

/// `get_details`: login, e-mail, tenant kind, notifications, version.
pub fn details(conn: &mut Connection, s: &Service) -> std::result::Result<Value, Found> {
    let user = service_user(conn, s)?;
    details_json(conn, &user)
}

/// `update_details`: replaces the user's notifications; `version` is the one the page loaded
/// (a stale page gets the platform's 409).
pub fn update_details(
    conn: &mut Connection,
    s: &Service,
    version: i64,
    active: &[String],
) -> std::result::Result<Value, Found> {
    let user = service_user(conn, s)?;
    let v = conn.call(
        Method::Put,
        &format!("/api/2/users/{}", user.id),
        &[],
        Some(json!({"notifications": active, "version": version})),
    )?;
    let updated: CloudUser =
        crate::platform::error_answer::parse_answer(v, "PUT /api/2/users/{id}")?;
    details_json(conn, &updated)
}

/// `get_usages`: the tenant's usage grouped for the page.
pub fn usages(conn: &mut Connection, tenant_id: &str) -> std::result::Result<Value, Found> {
    let items = usage_items(conn, tenant_id)?;
    Ok(usages::group(catalog()?, &items))
}

/// The `items` of `GET /tenants/{id}/usages` (the platform's live usages call).
pub fn usage_items(
    conn: &mut Connection,
    tenant_id: &str,
) -> std::result::Result<Vec<Value>, Found> {
    crate::infra::uuid::require(tenant_id.trim(), "tenant id")?;
    let v = conn.call(
        Method::Get,
        &format!("/api/2/tenants/{}/usages", tenant_id.trim()),
        &[],
        None,
    )?;
    Ok(v.get("items")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default())
}

/// Outcome of `ServiceSingleSignOn`: WHMCS's `{success, redirectTo}` or `{errorMsg}`.
#[derive(Debug, Clone, PartialEq)]
pub enum SignOn {
    Redirect(sso::Redirect),
    Refused(String),
}

/// Single sign-on for the logged-in client: ownership, then a one-time login for the
/// service's Cloud user; the plain console URL when that is not possible.
pub fn single_sign_on(ctx: &Context, exchanges: &mut Vec<Exchange>) -> SignOn {
    let s = &ctx.service;
    if s.client_id <= 0 && ctx.admin_session {
        // The one-time login is the client's own console session: an admin who opens the
        // service in WHMCS must not land in the customer's console as that customer.
        return SignOn::Refused(ADMIN_SSO.into());
    }
    if !owns(s, s.service_id) {
        return SignOn::Refused(NO_SERVICE.into());
    }
    let Some(server) = ctx.server.as_ref() else {
        return SignOn::Refused(
            "The service has no Acronis Cyber Cloud server assigned. Please contact the administrator."
                .into(),
        );
    };
    let mut conn = match Connection::interactive(server, ctx.config.clone()) {
        Ok(c) => c,
        Err(e) => return SignOn::Refused(client_errors::refusal(&e, &file_logger(ctx))),
    };
    let out = match conn.base_url() {
        Err(e) => SignOn::Refused(client_errors::refusal(&e, conn.logger())),
        Ok(base) => {
            let login = service_user(&mut conn, s).and_then(|u| {
                let kind = tenant_kind(&mut conn, &u.tenant_id)?;
                Ok((u.login, kind))
            });
            match login {
                Ok((login, kind)) => {
                    SignOn::Redirect(sso::redirect(&mut conn, &base, &login, &kind))
                }
                Err(Found::Missing(_, m)) => SignOn::Redirect(sso::Redirect {
                    url: base,
                    fallback_reason: Some(m),
                }),
                Err(Found::Failed(e)) => SignOn::Redirect(sso::Redirect {
                    url: base,
                    fallback_reason: Some(e.to_string()),
                }),
            }
        }
    };
    if let SignOn::Redirect(r) = &out {
        if let Some(reason) = &r.fallback_reason {
            conn.logger().log(
                crate::infra::logging::Level::Warning,
                &format!(
                    "Single sign-on for service {} falls back to the console URL: {reason}",
                    s.service_id
                ),
            );
        }
    }
    exchanges.append(&mut conn.take_exchanges());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> Service {
        Service {
            service_id: 45,
            owner_id: 12,
            client_id: 12,
            module: MODULE.into(),
            ..Service::default()
        }
    }

    fn get(action: &str, query: Value) -> ApiRequest {
        ApiRequest {
            method: "GET".into(),
            action: action.into(),
            query: query.as_object().cloned().unwrap_or_default(),
            ..ApiRequest::default()
        }
    }

    fn ctx(s: Service) -> Context {
        Context {
            service: s,
            csrf_expected: "tok3n".into(),
            csrf_given: "tok3n".into(),
            ..Context::default()
        }
    }

    fn body(r: &ApiResponse) -> Value {
        serde_json::from_str(&r.body).unwrap()
    }

    #[test]
    fn ownership() {
        assert!(owns(&service(), 45));
        assert!(!owns(&service(), 46));
        let mut s = service();
        s.client_id = 13;
        assert!(!owns(&s, 45));
        s = service();
        s.module = "cpanel".into();
        assert!(!owns(&s, 45));
        s = service();
        s.client_id = 0;
        s.owner_id = 0;
        assert!(!owns(&s, 45));
    }

    #[test]
    fn l61_foreign_service_is_404_without_data() {
        let mut s = service();
        s.client_id = 13;
        s.billing.product_name = "Secret product".into();
        let (r, ex) = handle(&get("get_subscription", json!({"id": "45"})), &ctx(s));
        assert_eq!(r.status, 404);
        assert_eq!(body(&r)["error"]["message"], NO_SERVICE);
        assert!(!r.body.contains("Secret"));
        assert!(ex.is_empty());
    }

    #[test]
    fn missing_id_method_and_unknown_action() {
        let (r, _) = handle(&get("get_subscription", json!({})), &ctx(service()));
        assert_eq!(r.status, 400);
        assert_eq!(body(&r)["error"]["message"], "Service ID must be present.");
        let (r, _) = handle(
            &get("get_subscription", json!({"id": "x"})),
            &ctx(service()),
        );
        assert_eq!(r.status, 400);
        let (r, _) = handle(&get("update_details", json!({"id": "45"})), &ctx(service()));
        assert_eq!(r.status, 405);
        let (r, _) = handle(&get("drop_tables", json!({"id": "45"})), &ctx(service()));
        assert_eq!(r.status, 404);
    }

    /// Security finding 1: a state-changing POST without the page's token is refused before
    /// anything else is read, even when the host did not check it.
    #[test]
    fn update_details_without_the_csrf_token_is_refused() {
        let post = ApiRequest {
            method: "POST".into(),
            action: "update_details".into(),
            query: json!({"id": "45", "version": "3"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            content_type: "application/json".into(),
            body: br#"{"notifications":[]}"#.to_vec(),
        };
        for (expected, given) in [("tok3n", ""), ("tok3n", "tok3N"), ("", "")] {
            let mut c = ctx(service());
            c.csrf_expected = expected.into();
            c.csrf_given = given.into();
            let (r, ex) = handle(&post, &c);
            assert_eq!(r.status, 403, "{expected:?}/{given:?}");
            assert_eq!(
                body(&r)["error"]["details"]["error_code"],
                "csrf_token_invalid"
            );
            assert!(ex.is_empty());
        }
        let (r, _) = handle(&post, &ctx(service()));
        assert_eq!(
            r.status, 400,
            "with the token the request reaches validation"
        );
        let mut c = ctx(service());
        c.csrf_given = String::new();
        let (r, _) = handle(&get("get_subscription", json!({"id": "45"})), &c);
        assert_eq!(r.status, 200, "reads need no token");
    }

    #[test]
    fn update_details_checks_version_and_body_before_any_call() {
        let post = |query: Value, body: &str| ApiRequest {
            method: "POST".into(),
            action: "update_details".into(),
            query: query.as_object().cloned().unwrap_or_default(),
            content_type: "application/json".into(),
            body: body.as_bytes().to_vec(),
        };
        let (r, _) = handle(&post(json!({"id": "45"}), "{}"), &ctx(service()));
        assert_eq!(r.status, 400);
        assert_eq!(
            body(&r)["error"]["message"],
            "Version number must be present."
        );
        let (r, _) = handle(
            &post(
                json!({"id": "45", "version": "3"}),
                r#"{"notifications":[]}"#,
            ),
            &ctx(service()),
        );
        assert_eq!(r.status, 400);
        assert_eq!(
            body(&r)["error"]["message"],
            "POST data parameter \"notifications\" must be present."
        );
        let bad = r#"{"notifications":[{"application_type":"backup","items":[{"type":"backup_critical","status":"active"}]}]}"#;
        let (r, _) = handle(
            &post(json!({"id": "45", "version": "3"}), bad),
            &ctx(service()),
        );
        assert_eq!(r.status, 400, "J.2 #20: validation is a client error");
        assert_eq!(
            body(&r)["error"]["message"],
            "Notification has invalid type \"backup_critical\""
        );
    }

    #[test]
    fn l60_missing_tenant_id_and_no_server() {
        let (r, _) = handle(&get("get_usages", json!({"id": "45"})), &ctx(service()));
        assert_eq!(r.status, 404);
        assert_eq!(
            body(&r)["error"],
            json!({"code": 404, "message": "Tenant Id is missing from the product's custom fields. Please, activate the purchase.",
                "details": {"product_id": 0, "service_id": 45}})
        );
        let (r, _) = handle(&get("get_details", json!({"id": "45"})), &ctx(service()));
        assert_eq!(r.status, 500);
    }

    #[test]
    fn l63_subscription_and_l10n() {
        let mut s = service();
        s.billing.billing_cycle = "Free Account".into();
        let (r, _) = handle(&get("get_subscription", json!({"id": 45})), &ctx(s.clone()));
        assert_eq!(body(&r)["billing_cycle"], "free");
        let mut c = ctx(s);
        c.locale = "german".into();
        let (r, _) = handle(&get("l10n", json!({"id": "45"})), &c);
        assert_eq!(
            body(&r)["notifications"]["quota"],
            "Kontingentüberschreitung"
        );
    }

    #[test]
    fn sso_is_refused_to_an_admin_session_without_a_client() {
        let mut c = ctx(Service {
            service_id: 5,
            owner_id: 9,
            client_id: 0,
            ..Service::default()
        });
        c.admin_session = true;
        let mut ex = Vec::new();
        assert_eq!(
            single_sign_on(&c, &mut ex),
            SignOn::Refused(ADMIN_SSO.into())
        );
        assert!(ex.is_empty(), "no platform call");
    }

    #[test]
    fn sso_refuses_foreign_services() {
        let mut s = service();
        s.client_id = 13;
        let mut ex = Vec::new();
        assert_eq!(
            single_sign_on(&ctx(s), &mut ex),
            SignOn::Refused(NO_SERVICE.into())
        );
    }
}
