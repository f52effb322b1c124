//! Routes an admin API request to its action: method check, access/CSRF guard, then the
//! action. Unknown or missing actions are not API calls: the caller renders the admin page.

use super::catalog_actions;
use super::pipeline_actions;
use super::servers::{self, ServerSummary};
use super::templates;
use crate::features::json_api::envelope::{
    from_error, parse_body, require_method, ApiRequest, ApiResponse,
};
use crate::features::json_api::guard::{check, Caller};
// Transitional alias: `localize` moved to `features::json_api` (shared with the client area).
pub use crate::features::json_api::localize::localize;
use crate::features::templates::SqlTemplates;
use crate::infra::config_yaml::Config;
use crate::infra::i18n::{Domain, Translator};
use crate::infra::storage::Db;
use crate::platform::connection::Connection;
use crate::platform::server_settings::ServerRecord;

/// Everything the WHMCS side knows that an action may need.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub caller: Caller,
    /// All servers of type `acroniscloud`.
    pub servers: Vec<ServerSummary>,
    /// The server named by `server_id` (password decrypted), when it exists.
    pub server: Option<ServerRecord>,
    /// Every `acroniscloud` server (passwords decrypted), for template create/update, whose
    /// server is named in the body or by the stored template.
    pub server_records: Vec<ServerRecord>,
    /// Names of the products whose template is `template_id` (for delete protection).
    pub products_using: Vec<String>,
    pub config: Config,
    /// The admin's WHMCS language (`german`, `de_DE`…); empty = English.
    pub locale: String,
    /// Optional directory of edited `.po` files that win over the built-in ones.
    pub l10n_dir: Option<std::path::PathBuf>,
    /// Services and products of the module, for the legacy-editions page (manual 6.6).
    pub legacy: crate::features::migration::legacy_editions::Inventory,
    /// Services of Acronis products (reconciliation only).
    pub services: Vec<crate::features::reconciliation::ServiceRef>,
    /// What WHMCS recorded per tenant and metric (reconciliation only).
    pub billed: Vec<crate::features::reconciliation::BilledValue>,
    /// `addonmodules.php?module=acroniscloud` as WHMCS gives it (links of the pages).
    pub module_link: String,
    /// URL of the addon's assets folder (the pages' stylesheet).
    pub assets: String,
}

/// (action, the one HTTP method it accepts).
const ACTIONS: &[(&str, &str)] = &[
    ("list_servers", "GET"),
    ("get_applications", "GET"),
    ("get_offering_items", "GET"),
    ("get_locations", "GET"),
    ("l10n", "GET"),
    ("ui_strings", "GET"),
    ("create_options", "POST"),
    ("list_templates", "GET"),
    ("get_template", "GET"),
    ("create_template", "POST"),
    ("update_template", "POST"),
    ("delete_template", "POST"),
    ("copy_template", "POST"),
    ("legacy_plan", "GET"),
    ("legacy_switch", "POST"),
    ("pipeline_status", "GET"),
    ("reconciliation", "GET"),
];

/// Actions that need every server's credentials in the context.
pub fn needs_server_records(action: &str) -> bool {
    matches!(
        action,
        "create_template" | "update_template" | "create_options" | "reconciliation"
    )
}

/// True when `action` is an API action (anything else renders the page).
pub fn is_api_action(action: &str) -> bool {
    ACTIONS.iter().any(|(a, _)| *a == action) || super::service_actions::is_action(action)
}

/// Handles one API request; `None` when `req.action` is not an API action. `switch_host`:
/// the WHMCS effects of `legacy_switch` (the only action that changes WHMCS rows itself).
pub fn handle(
    req: &ApiRequest,
    ctx: &Context,
    db: Option<&dyn Db>,
    switch_host: Option<&mut dyn crate::features::migration::legacy_switch::SwitchHost>,
) -> Option<(ApiResponse, Vec<crate::platform::http::Exchange>)> {
    let (action, method) = ACTIONS.iter().find(|(a, _)| *a == req.action)?;
    let mut exchanges = Vec::new();
    let resp = (|| {
        require_method(req, method)?;
        check(&ctx.caller, &req.method)?;
        match *action {
            "list_servers" => Ok(ApiResponse::ok(&servers::list_servers(&ctx.servers))),
            "ui_strings" => Ok(ApiResponse::ok(&catalog_actions::ui_strings(
                &translator(ctx, Domain::Ui),
                &translator(ctx, Domain::Messages),
            ))),
            "l10n" => catalog_actions::l10n(&translator(ctx, Domain::Messages))
                .map(|v| ApiResponse::ok(&v))
                .map_err(|e| from_error(&e)),
            "get_locations" | "get_applications" | "get_offering_items" => {
                let mut conn = connect(req, ctx)?;
                let out = match *action {
                    "get_locations" => servers::get_locations(&mut conn),
                    "get_applications" => catalog_actions::get_applications(&mut conn),
                    _ => catalog_actions::get_offering_items(&mut conn),
                };
                exchanges = conn.take_exchanges();
                out.map(|v| ApiResponse::ok(&v)).map_err(|e| from_error(&e))
            }
            "create_options" => create_options(req, ctx, db, &mut exchanges),
            "legacy_plan" | "legacy_switch" => {
                super::legacy::handle(action, req, ctx, db, switch_host)
            }
            "pipeline_status" => pipeline_actions::pipeline_status(&req.query, ctx, db),
            "reconciliation" => {
                pipeline_actions::reconciliation(&req.query, ctx, db, &mut exchanges)
            }
            "list_templates" | "get_template" | "create_template" | "update_template"
            | "delete_template" | "copy_template" => {
                template_action(action, req, ctx, db, &mut exchanges)
            }
            _ => Err(ApiResponse::error(404, "Unknown action.", None)),
        }
    })();
    let resp = resp.unwrap_or_else(|e| e);
    Some((
        localize(resp, &translator(ctx, Domain::Messages)),
        exchanges,
    ))
}

fn translator(ctx: &Context, domain: Domain) -> Translator {
    Translator::load(&ctx.locale, domain, ctx.l10n_dir.as_deref())
}

fn open_store(db: &dyn Db) -> Result<SqlTemplates<'_>, ApiResponse> {
    SqlTemplates::open(db).map_err(|e| {
        ApiResponse::error(
            500,
            &e.to_string(),
            Some(serde_json::json!({"error_code": "template_storage"})),
        )
    })
}

fn server_record(ctx: &Context, id: i64) -> Option<&ServerRecord> {
    ctx.server_records
        .iter()
        .chain(ctx.server.iter())
        .find(|s| s.id == Some(id))
}

/// Validation facts of server `id`: an unusable server is a `server_id` validation error.
fn facts_of(
    ctx: &Context,
    id: Option<i64>,
    exchanges: &mut Vec<crate::platform::http::Exchange>,
) -> Result<crate::features::templates::PlatformFacts, ApiResponse> {
    let record = id
        .and_then(|id| server_record(ctx, id))
        .ok_or_else(|| templates::server_unusable("The selected server does not exist."))?;
    let mut conn = Connection::interactive(record, ctx.config.clone())
        .map_err(|e| templates::server_unusable(&e.to_string()))?;
    let facts = templates::platform_facts(&mut conn);
    exchanges.append(&mut conn.take_exchanges());
    facts.map_err(|e| from_error(&e))
}

fn template_action(
    action: &str,
    req: &ApiRequest,
    ctx: &Context,
    db: Option<&dyn Db>,
    exchanges: &mut Vec<crate::platform::http::Exchange>,
) -> Result<ApiResponse, ApiResponse> {
    let db = db.ok_or_else(|| {
        ApiResponse::error(
            500,
            "The WHMCS database is not available to the module.",
            Some(serde_json::json!({"error_code": "template_storage"})),
        )
    })?;
    let store = open_store(db)?;
    match action {
        "list_templates" => Ok(templates::list(&store)),
        "get_template" => templates::get(&store, req),
        "copy_template" => templates::copy(&store, req),
        "delete_template" => {
            let id = templates::template_id(req)?;
            Ok(templates::delete(&store, id, &ctx.products_using))
        }
        "create_template" => {
            let body = parse_body(req)?;
            let facts = facts_of(ctx, templates::body_server_id(&body), exchanges)?;
            Ok(templates::create(&store, &facts, &body))
        }
        _ => {
            let id = templates::template_id(req)?;
            let body = parse_body(req)?;
            let stored = crate::features::templates::TemplateStorage::get(&store, id)
                .map_err(|e| templates::error(&e))?
                .ok_or_else(|| {
                    ApiResponse::error(
                        500,
                        &format!("Cannot update template: No model was found with Id \"{id}\""),
                        None,
                    )
                })?;
            let exists = ctx.servers.iter().any(|s| s.id == stored.data.server_id);
            let server = crate::features::templates::server_for_update(&stored, &body, exists);
            let facts = facts_of(ctx, server, exchanges)?;
            Ok(templates::update(&store, &facts, id, &body, exists))
        }
    }
}

/// `create_options` (§D.4): validates, plans the options and writes the configurable option
/// group into WHMCS's tables in one transaction (`option_groups`); answers `{id}`.
fn create_options(
    req: &ApiRequest,
    ctx: &Context,
    db: Option<&dyn Db>,
    exchanges: &mut Vec<crate::platform::http::Exchange>,
) -> Result<ApiResponse, ApiResponse> {
    let planned = plan_options(req, ctx, exchanges)?;
    let db = db.ok_or_else(|| {
        ApiResponse::error(
            500,
            "The WHMCS database is not available to the module.",
            None,
        )
    })?;
    let product_id = req
        .query
        .get("product_id")
        .and_then(|v| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok()))
        .unwrap_or(0);
    super::option_groups::write(db, &planned, product_id)
        .map(|id| ApiResponse::ok(&serde_json::json!({ "id": id })))
        .map_err(|e| from_error(&e))
}

/// Validates the request and plans the group from the server's offering items.
fn plan_options(
    req: &ApiRequest,
    ctx: &Context,
    exchanges: &mut Vec<crate::platform::http::Exchange>,
) -> Result<super::option_groups::GroupPlan, ApiResponse> {
    use crate::platform::root_facts::Platform;
    use crate::rules::config_options::{plan, validate_request};
    use serde_json::json;
    let invalid = |errors: serde_json::Value| {
        ApiResponse::error(
            422,
            "Invalid configurable option data.",
            Some(json!({"errors": errors})),
        )
    };
    let body = parse_body(req)?;
    let id = body
        .get("server_id")
        .and_then(|v| v.as_i64().or_else(|| v.as_str()?.trim().parse().ok()))
        .filter(|i| *i >= 1);
    let record = id.and_then(|id| server_record(ctx, id));
    let Some(record) = record else {
        return Err(match validate_request(&body, &[]) {
            Err(e) if e.contains_key("server_id") || e.contains_key("name") => {
                invalid(serde_json::Value::Object(e))
            }
            _ => invalid(json!({"server_id": ["The selected server is invalid."]})),
        });
    };
    let mut conn = Connection::interactive(record, ctx.config.clone())
        .map_err(|e| invalid(json!({"server_id": [e.to_string()]})))?;
    type Planned = std::result::Result<super::option_groups::GroupPlan, ApiResponse>;
    let result = (|| -> crate::Result<Planned> {
        let mut p = Platform::new(&mut conn);
        let editions = p.editions()?;
        let request = match validate_request(&body, &editions) {
            Ok(r) => r,
            Err(e) => return Ok(Err(invalid(serde_json::Value::Object(e)))),
        };
        let items = p.root_offering_items()?;
        let for_customer = p.available_for_child("customer")?;
        let infras = p.root_infras()?;
        let locations = p.root_locations()?;
        let planned = plan(&request.edition, &items, &for_customer, &infras, &locations)?;
        Ok(Ok(super::option_groups::GroupPlan {
            name: request.name,
            description: request.description,
            options: planned,
        }))
    })();
    *exchanges = conn.take_exchanges();
    match result {
        Ok(r) => r,
        Err(e) => Err(invalid(json!({"server_id": [e.to_string()]}))),
    }
}

/// The connection for `server_id`: 400 when absent, 404 when unknown, 400 when incomplete.
fn connect(req: &ApiRequest, ctx: &Context) -> Result<Connection, ApiResponse> {
    let id = servers::server_id(req.query.get("server_id"))?;
    let record = ctx
        .server
        .as_ref()
        .filter(|s| s.id == Some(id))
        .ok_or_else(|| servers::unknown_server(id))?;
    Connection::interactive(record, ctx.config.clone()).map_err(|e| from_error(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> Context {
        Context {
            caller: Caller {
                admin_id: 1,
                role_id: 1,
                allowed_roles: vec![1],
                csrf_expected: "t".into(),
                csrf_given: String::new(),
            },
            servers: vec![ServerSummary {
                id: 4,
                name: "EU".into(),
                hostname: "h".into(),
                disabled: 0,
            }],
            ..Context::default()
        }
    }

    fn get(action: &str, query: serde_json::Value) -> ApiRequest {
        ApiRequest {
            method: "GET".into(),
            action: action.into(),
            query: query.as_object().cloned().unwrap_or_default(),
            ..ApiRequest::default()
        }
    }

    #[test]
    fn page_actions_are_not_handled() {
        assert!(handle(&get("", json!({})), &ctx(), None, None).is_none());
        assert!(handle(&get("index", json!({})), &ctx(), None, None).is_none());
    }

    #[test]
    fn list_servers_answers_json() {
        let (r, _) = handle(&get("list_servers", json!({})), &ctx(), None, None).unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&r.body).unwrap()[0]["id"],
            4
        );
    }

    #[test]
    fn method_then_access_then_server() {
        let mut post = get("list_servers", json!({}));
        post.method = "POST".into();
        assert_eq!(handle(&post, &ctx(), None, None).unwrap().0.status, 405);
        let mut c = ctx();
        c.caller.admin_id = 0;
        assert_eq!(
            handle(&get("list_servers", json!({})), &c, None, None)
                .unwrap()
                .0
                .status,
            401
        );
        assert_eq!(
            handle(&get("get_locations", json!({})), &ctx(), None, None)
                .unwrap()
                .0
                .status,
            400
        );
        assert_eq!(
            handle(
                &get("get_locations", json!({"server_id": "9"})),
                &ctx(),
                None,
                None
            )
            .unwrap()
            .0
            .status,
            404
        );
    }

    #[test]
    fn errors_and_validation_messages_follow_the_admin_locale() {
        let mut c = ctx();
        c.locale = "german".into();
        let (r, _) = handle(&get("get_locations", json!({})), &c, None, None).unwrap();
        assert_eq!(r.status, 400);
        let en = handle(&get("get_locations", json!({})), &ctx(), None, None)
            .unwrap()
            .0;
        assert_ne!(r.body, en.body);
        let resp = ApiResponse::error(
            422,
            "Invalid template data.",
            Some(json!({"errors": {"name": ["The name field is required."],
                "server_id": "Please specify Hostname for server 3."}})),
        );
        let v: serde_json::Value =
            serde_json::from_str(&localize(resp, &Translator::for_locale("de")).body).unwrap();
        assert_eq!(v["error"]["message"], "Ungültige Vorlagendaten.");
        assert_eq!(
            v["error"]["details"]["errors"]["name"][0],
            "Das Feld „Name“ ist erforderlich."
        );
        assert!(v["error"]["details"]["errors"]["server_id"]
            .as_str()
            .unwrap()
            .contains('3'));
        let (ui, _) = handle(&get("ui_strings", json!({})), &c, None, None).unwrap();
        assert!(ui.body.contains("Speichern"));
    }
}
