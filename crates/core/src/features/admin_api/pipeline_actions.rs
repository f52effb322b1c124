//! The admin actions `pipeline_status` and `reconciliation` (issue 13, "For the admin"): their
//! query parameters, checked before any work, and their answers (JSON, or CSV for the
//! reconciliation export). The pages of the same names render these answers (`pages`).

use super::dispatch::Context;
use super::envelope::{from_error, ApiResponse};
use super::servers;
use crate::features::reconciliation::{self, Filter, Finding, Input, KINDS};
use crate::features::usage::pipeline_status::{
    pipeline_status as read_status, PipelineStatus, StatusClock, StatusServer, DEFAULT_DAYS,
    MAX_DAYS,
};
use crate::infra::i18n::{Domain, Translator};
use crate::infra::storage::Db;
use serde_json::{json, Map, Value};

fn param(query: &Map<String, Value>, name: &str) -> Option<String> {
    match query.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// Optional `server_id`: absent = every server; present = a known Acronis server (400/404).
pub fn server_filter(
    query: &Map<String, Value>,
    ctx: &Context,
) -> Result<Option<i64>, ApiResponse> {
    // An empty value is the page's "All servers".
    let Some(text) = param(query, "server_id") else {
        return Ok(None);
    };
    let id = servers::server_id(Some(&Value::String(text)))?;
    if ctx.servers.iter().any(|s| s.id == id) {
        Ok(Some(id))
    } else {
        Err(servers::unknown_server(id))
    }
}

fn bad_request(message: &str, field: &str) -> ApiResponse {
    ApiResponse::error(
        400,
        message,
        Some(json!({"request_params": {field: message}})),
    )
}

/// `days`: 1–35, default 7.
fn days(query: &Map<String, Value>) -> Result<i64, ApiResponse> {
    match param(query, "days") {
        None => Ok(DEFAULT_DAYS),
        Some(text) => match text.parse::<i64>() {
            Ok(d) if (1..=MAX_DAYS).contains(&d) => Ok(d),
            _ => Err(bad_request(
                "The number of days must be between 1 and 35.",
                "days",
            )),
        },
    }
}

fn no_database() -> ApiResponse {
    ApiResponse::error(
        500,
        "The WHMCS database is not available to the module.",
        Some(json!({"error_code": "usage_storage"})),
    )
}

pub fn ui_translator(ctx: &Context) -> Translator {
    Translator::load(&ctx.locale, Domain::Ui, ctx.l10n_dir.as_deref())
}

/// The status of the servers `server_filter` allows, in the admin's language.
pub fn status_of(
    query: &Map<String, Value>,
    ctx: &Context,
    db: Option<&dyn Db>,
) -> Result<PipelineStatus, ApiResponse> {
    let only = server_filter(query, ctx)?;
    let days = days(query)?;
    let db = db.ok_or_else(no_database)?;
    let list: Vec<StatusServer> = ctx
        .servers
        .iter()
        .filter(|s| only.is_none_or(|id| id == s.id))
        .map(|s| StatusServer {
            id: s.id,
            name: s.name.clone(),
            disabled: s.disabled != 0,
        })
        .collect();
    let clock = StatusClock::current(&ctx.config, days);
    read_status(db, &list, &clock, &ui_translator(ctx)).map_err(|e| from_error(&e))
}

/// `pipeline_status` (GET; `server_id`, `days`).
pub fn pipeline_status(
    query: &Map<String, Value>,
    ctx: &Context,
    db: Option<&dyn Db>,
) -> Result<ApiResponse, ApiResponse> {
    let status = status_of(query, ctx, db)?;
    serde_json::to_value(&status)
        .map(|v| ApiResponse::ok(&v))
        .map_err(|e| ApiResponse::error(500, &format!("Cannot encode the status: {e}"), None))
}

/// The validated reconciliation filter.
pub fn filter_of(query: &Map<String, Value>, ctx: &Context) -> Result<Filter, ApiResponse> {
    let server_id = server_filter(query, ctx)?;
    let kind = param(query, "kind");
    if let Some(k) = &kind {
        if !KINDS.contains(&k.as_str()) {
            return Err(bad_request(
                "Unknown kind of finding. Use one of: orphan_tenant, tenant_missing, tenant_disabled, over_quota, billing_mismatch, server_error.",
                "kind",
            ));
        }
    }
    Ok(Filter { server_id, kind })
}

/// Runs the reconciliation for the filter of `query`.
pub fn findings_of(
    query: &Map<String, Value>,
    ctx: &Context,
    db: Option<&dyn Db>,
    exchanges: &mut Vec<crate::platform::http::Exchange>,
) -> Result<(Filter, Vec<Finding>), ApiResponse> {
    let filter = filter_of(query, ctx)?;
    let enabled: Vec<_> = ctx
        .server_records
        .iter()
        .filter(|r| {
            ctx.servers
                .iter()
                .any(|s| Some(s.id) == r.id && s.disabled == 0)
        })
        .cloned()
        .collect();
    let t = ui_translator(ctx);
    let input = Input {
        servers: &enabled,
        services: &ctx.services,
        billed: &ctx.billed,
        config: &ctx.config,
        filter: &filter,
        t: &t,
    };
    let (found, mut ex) = reconciliation::reconcile(&input, db);
    exchanges.append(&mut ex);
    Ok((filter, found))
}

/// `reconciliation` (GET; `server_id`, `kind`, `format` = `json` | `csv`).
pub fn reconciliation(
    query: &Map<String, Value>,
    ctx: &Context,
    db: Option<&dyn Db>,
    exchanges: &mut Vec<crate::platform::http::Exchange>,
) -> Result<ApiResponse, ApiResponse> {
    let csv = match param(query, "format").as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(bad_request("The format must be json or csv.", "format")),
    };
    let (_, found) = findings_of(query, ctx, db, exchanges)?;
    if csv {
        return Ok(ApiResponse {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "text/csv; charset=utf-8".into()),
                (
                    "Content-Disposition".into(),
                    "attachment; filename=\"acroniscloud-reconciliation.csv\"".into(),
                ),
            ],
            body: reconciliation::export::csv(&found),
        });
    }
    Ok(ApiResponse::ok(
        &json!({ "findings": found, "count": found.len() }),
    ))
}
