//! Admin actions of the legacy-editions page (manual 6.6.3): `legacy_plan` is the dry run,
//! `legacy_switch` checks the chosen services again and switches those that may be, one
//! service at a time through ChangePackage (`features/migration/legacy_switch.rs`, with the
//! WHMCS effects through the glue's [`SwitchHost`]). The guard (session, role, CSRF on POST)
//! has run in `dispatch` before these are called.

use super::dispatch::Context;
use super::envelope::{parse_body, ApiRequest, ApiResponse};
use crate::features::migration::legacy_editions::{self, ServicePlan};
use crate::features::migration::legacy_switch::{self, Move, SwitchHost};
use crate::features::templates::{SqlTemplates, TemplateData, TemplateStorage};
use crate::infra::i18n::{Domain, Translator};
use crate::infra::storage::Db;
use serde_json::{json, Value};

/// Most services one `legacy_switch` request may name: each runs a ChangePackage with
/// several platform calls, and the admin sees the results only when all are done.
pub const MAX_SERVICES_PER_SWITCH: usize = 50;

/// Runs `legacy_plan` or `legacy_switch`; the switch needs the WHMCS effects (`host`).
pub fn handle(
    action: &str,
    req: &ApiRequest,
    ctx: &Context,
    db: Option<&dyn Db>,
    host: Option<&mut dyn SwitchHost>,
) -> Result<ApiResponse, ApiResponse> {
    let db = db.ok_or_else(|| {
        ApiResponse::error(
            500,
            "The WHMCS database is not available to the module.",
            Some(json!({"error_code": "template_storage"})),
        )
    })?;
    let store =
        SqlTemplates::open(db).map_err(|e| ApiResponse::error(500, &e.to_string(), None))?;
    let lookup = |id: i64| -> Option<TemplateData> {
        TemplateStorage::get(&store, id)
            .ok()
            .flatten()
            .map(|t| t.data)
    };
    let t = Translator::load(&ctx.locale, Domain::Messages, ctx.l10n_dir.as_deref());
    if action == "legacy_plan" {
        let plans = legacy_editions::plan(&ctx.legacy, &lookup);
        let list: Vec<Value> = plans.iter().map(|p| localized(p, &t)).collect();
        return Ok(ApiResponse::ok(&json!({ "services": list })));
    }
    let host = host.ok_or_else(|| {
        ApiResponse::error(500, "The WHMCS side cannot switch products here.", None)
    })?;
    let ids = service_ids(req)?;
    let mut moves = Vec::new();
    let mut results = Vec::new();
    for id in ids {
        match switchable(ctx, id, &lookup) {
            Ok((service_id, product_id)) => moves.push(Move {
                service_id,
                product_id,
            }),
            Err(message) => results.push(json!({
                "service_id": id, "ok": false, "message": t.translate_message(&message),
            })),
        }
    }
    let switched = legacy_switch::apply(&moves, host);
    results.extend(switched.into_iter().map(|mut r| {
        if !r.ok {
            r.message = t.translate_message(&r.message);
        }
        json!(r)
    }));
    Ok(ApiResponse::ok(&json!({ "results": results })))
}

/// `{"service_ids": [1, 2]}`: positive, distinct, at most [`MAX_SERVICES_PER_SWITCH`].
fn service_ids(req: &ApiRequest) -> Result<Vec<i64>, ApiResponse> {
    let body = parse_body(req)?;
    let bad = || {
        ApiResponse::error(
            422,
            "Select the services to switch.",
            Some(json!({"errors": {"service_ids": ["Select the services to switch."]}})),
        )
    };
    let list = body
        .get("service_ids")
        .and_then(Value::as_array)
        .ok_or_else(bad)?;
    let mut ids: Vec<i64> = Vec::new();
    for v in list {
        let id = v.as_i64().filter(|i| *i > 0).ok_or_else(bad)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() || ids.len() > MAX_SERVICES_PER_SWITCH {
        return Err(bad());
    }
    Ok(ids)
}

/// The product move of one service, or why it cannot be switched (English).
fn switchable(
    ctx: &Context,
    id: i64,
    lookup: &dyn Fn(i64) -> Option<TemplateData>,
) -> Result<(i64, i64), String> {
    let service = ctx
        .legacy
        .services
        .iter()
        .find(|s| s.service_id == id)
        .ok_or_else(|| "The service does not exist or is not active.".to_string())?;
    let plan = legacy_editions::plan_service(service, &ctx.legacy, lookup)
        .ok_or_else(|| "The service no longer uses a legacy edition.".to_string())?;
    match (plan.target_product_id, plan.blocked) {
        (Some(pid), _) => Ok((id, pid)),
        (None, Some(why)) => Err(why),
        (None, None) => Err("The service no longer uses a legacy edition.".to_string()),
    }
}

/// A plan as JSON with its admin texts in the admin's language.
fn localized(p: &ServicePlan, t: &Translator) -> Value {
    let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
    if let Some(obj) = v.as_object_mut() {
        if let Some(b) = &p.blocked {
            obj.insert("blocked".into(), json!(t.translate_message(b)));
        }
        let warnings: Vec<String> = p.warnings.iter().map(|w| t.translate_message(w)).collect();
        obj.insert("warnings".into(), json!(warnings));
    }
    v
}
