//! Admin JSON actions about one WHMCS service (issue 13): its audit trail (`audit`), the
//! tenant search of the adopt form (`adopt_search`) and the adoption itself
//! (`adopt_tenant`). They pass the same guards as every admin action (session, addon access,
//! CSRF on POST) and act through the provisioning [`Host`], so WHMCS-side writes (custom
//! fields) go through the same glue as the module callbacks.

use super::dispatch::Context;
use super::envelope::{from_error, parse_body, require_method, ApiRequest, ApiResponse};
use super::guard::check;
use crate::features::audit::{Actor, SqlAudit};
use crate::features::provisioning::adopt::{self, AdoptRequest};
use crate::features::provisioning::progress_store::SqlProgress;
use crate::features::provisioning::{self, Host, ServiceInput};
use crate::features::templates::SqlTemplates;
use crate::infra::error::Error;
use crate::infra::i18n::{Domain, Translator};
use crate::infra::storage::Db;
use serde_json::{json, Value};

/// (action, the one HTTP method it accepts).
const ACTIONS: &[(&str, &str)] = &[
    ("audit", "GET"),
    ("adopt_search", "GET"),
    ("adopt_tenant", "POST"),
];

/// True for the actions of this module.
pub fn is_action(action: &str) -> bool {
    ACTIONS.iter().any(|(a, _)| *a == action)
}

/// What the glue found for the request's `service_id`.
pub struct Service<'h> {
    /// The service as the module callbacks see it; `None`: no Acronis service has that id.
    pub input: Option<ServiceInput>,
    pub host: &'h mut dyn Host,
}

/// A query or body value as text.
fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn truthy(v: Option<&Value>) -> bool {
    matches!(
        text(v).to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

fn unknown_service(req: &ApiRequest) -> ApiResponse {
    let id = text(req.query.get("service_id"));
    ApiResponse::error(
        404,
        &format!("There is no Acronis Cyber Cloud service with the ID \"{id}\"."),
        Some(json!({"error_code": "service_not_found"})),
    )
}

/// Handles a request for one of [`ACTIONS`]; `None` for any other action.
pub fn handle(
    req: &ApiRequest,
    ctx: &Context,
    db: &dyn Db,
    service: Service<'_>,
) -> Option<ApiResponse> {
    let (action, method) = ACTIONS.iter().find(|(a, _)| *a == req.action)?;
    let resp = (|| {
        require_method(req, method)?;
        check(&ctx.caller, &req.method)?;
        let input = service.input.ok_or_else(|| unknown_service(req))?;
        let fail = |e: Error| from_error(&e);
        let audit = SqlAudit::open(db).map_err(fail)?;
        if *action == "audit" {
            let page = text(req.query.get("page")).parse().unwrap_or(1);
            return audit
                .page(input.service_id, page)
                .map(|p| ApiResponse::ok(&json!(p)))
                .map_err(fail);
        }
        let templates = SqlTemplates::open(db).map_err(fail)?;
        let progress = SqlProgress::open(db).map_err(fail)?;
        let mut pctx = provisioning::Context {
            config: &ctx.config,
            templates: &templates,
            progress: &progress,
            host: service.host,
            audit: &audit,
            actor: Actor::new(req.action.clone(), ctx.caller.admin_id),
        };
        if *action == "adopt_search" {
            let server = provisioning::server_of(&pctx, &input).map_err(fail)?;
            let q = text(req.query.get("q"));
            return adopt::search(&mut pctx, server, &q)
                .map(|found| ApiResponse::ok(&json!({"tenants": found})))
                .map_err(fail);
        }
        let body = parse_body(req)?;
        let wanted = AdoptRequest {
            tenant_id: text(body.get("tenant_id")),
            user_id: text(body.get("user_id")),
            dry_run: truthy(body.get("dry_run")),
        };
        let t = Translator::load(&ctx.locale, Domain::Messages, ctx.l10n_dir.as_deref());
        adopt::adopt(&mut pctx, &input, &wanted)
            .map(|plan| {
                let mut answer = json!(plan);
                if let Some(o) = answer.as_object_mut() {
                    o.insert("summary".into(), json!(plan.summary(&t)));
                }
                ApiResponse::ok(&answer)
            })
            .map_err(fail)
    })();
    Some(resp.unwrap_or_else(|e| e))
}
