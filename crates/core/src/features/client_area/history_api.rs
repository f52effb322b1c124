//! The client JSON actions of the usage history (`usage_history`) and of "Refresh now"
//! (`refresh_usages`). They run after the page API's guards (method, CSRF on POST, service id,
//! ownership), see [`super::handle`].

use super::chart::{self, BlockInput};
use super::history::{self, Quota};
use super::refresh::{self, Decision};
use super::{
    client_errors, file_logger, usage_items, usages, with_connection, Context, Deps, Found,
};
use crate::features::admin_api::ApiResponse;
use crate::features::usage::{housekeeping, pipeline};
use crate::infra::i18n::{Domain, Translator};
use crate::infra::storage::Db;
use crate::platform::connection::Connection;
use crate::platform::http::Exchange;
use serde_json::{json, Value};

/// Windows the page's switch offers.
pub const CHOICES: &[i64] = &[30, 90];

type Answer = std::result::Result<ApiResponse, ApiResponse>;

fn store<'a>(deps: &Deps<'a>) -> std::result::Result<&'a dyn Db, ApiResponse> {
    deps.db.ok_or_else(|| {
        ApiResponse::error(
            500,
            "The usage store is not available. Please contact the administrator.",
            None,
        )
    })
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        Some(Value::String(s)) => matches!(s.trim(), "1" | "true" | "yes"),
        _ => false,
    }
}

/// `usage_history` (`days`: 1..=90, default 30; `html=1` adds the rendered block as `html`).
/// One indexed read of the tenant's stored days for all metrics, then one live usages call
/// for the quotas; when that call fails the answer still has the usage (and no quotas).
pub fn usage_history(
    req: &crate::features::admin_api::ApiRequest,
    ctx: &Context,
    deps: Deps,
    exchanges: &mut Vec<Exchange>,
) -> Answer {
    let days = history::parse_days(req.query.get("days"))
        .map_err(|m| ApiResponse::error(400, &m, Some(json!({"allowed": "1-90"}))))?;
    let db = store(&deps)?;
    let s = &ctx.service;
    let today = pipeline::today();
    let fail = |e: crate::Error| client_errors::answer(&e, &file_logger(ctx), "usage history");
    let dates = history::window(&today, days).map_err(fail)?;
    let tenant = s.tenant_id.trim();
    let stored = if tenant.is_empty() || s.enabled_metrics.is_empty() {
        Vec::new()
    } else {
        housekeeping::history(db, tenant, days, &today).map_err(fail)?
    };
    let list = history::series(&s.enabled_metrics, &stored, &dates).map_err(fail)?;
    let (quotas, unavailable) = if list.is_empty() || tenant.is_empty() {
        (Vec::new(), false)
    } else {
        match live_quotas(ctx, &list, exchanges) {
            Some(q) => (q, false),
            None => (Vec::new(), true),
        }
    };
    let mut body = history::to_json(&list, &quotas);
    if truthy(req.query.get("html")) {
        let html = render(ctx, &list, &quotas, days, unavailable);
        if let Some(o) = body.as_object_mut() {
            o.insert("html".into(), Value::String(html));
        }
    }
    Ok(ApiResponse::ok(&body))
}

/// Quotas from the platform's live usages; `None` when the platform cannot be asked (the
/// failure goes to the module's log, the client still gets the stored usage).
fn live_quotas(
    ctx: &Context,
    list: &[history::MetricSeries],
    exchanges: &mut Vec<Exchange>,
) -> Option<Vec<(String, Quota)>> {
    let server = ctx.server.as_ref()?;
    let mut conn = Connection::new(server, ctx.config.clone()).ok()?;
    let items = usage_items(&mut conn, &ctx.service.tenant_id);
    exchanges.append(&mut conn.take_exchanges());
    match items {
        Ok(items) => history::quotas(list, &items).ok(),
        Err(e) => {
            let why = match e {
                Found::Missing(_, m) => m,
                Found::Failed(e) => e.to_string(),
            };
            conn.logger().log(
                crate::infra::logging::Level::Warning,
                &format!(
                    "Usage history of service {}: quotas not loaded: {why}",
                    ctx.service.service_id
                ),
            );
            None
        }
    }
}

/// The block in the client's language: UI texts first, then messages (metric names).
pub fn render(
    ctx: &Context,
    list: &[history::MetricSeries],
    quotas: &[(String, Quota)],
    days: i64,
    quotas_unavailable: bool,
) -> String {
    let dir = ctx.l10n_dir.as_deref();
    let ui = Translator::load(&ctx.locale, Domain::Ui, dir);
    let messages = Translator::load(&ctx.locale, Domain::Messages, dir);
    let tr = |m: &str| {
        let t = ui.translate(m);
        if t == m {
            messages.translate(m)
        } else {
            t
        }
    };
    let input = BlockInput {
        days,
        choices: CHOICES,
        page_url: &ctx.page_url,
        quotas_unavailable,
    };
    chart::block(list, quotas, &input, &tr)
}

/// `refresh_usages` (POST): the live usages again, at most once per service per minute. A
/// refused refresh is 429 with `Retry-After` and says from when the next one is allowed.
pub fn refresh(ctx: &Context, deps: Deps, exchanges: &mut Vec<Exchange>) -> Answer {
    let db = store(&deps)?;
    let s = &ctx.service;
    let decision = refresh::take(db, s.service_id, deps.now)
        .map_err(|e| client_errors::answer(&e, &file_logger(ctx), "refresh limit"))?;
    match decision {
        Decision::Refused { next_at } => {
            let wait = (next_at - deps.now).max(1);
            let at = refresh::utc_text(next_at);
            Err(ApiResponse::error(
                429,
                &format!("Usage was refreshed less than a minute ago. The next refresh is possible at {at} UTC."),
                Some(json!({"error_code": "refresh_rate_limited", "retry_after": wait, "next_refresh_at": at})),
            )
            .with_header("Retry-After", &wait.to_string()))
        }
        Decision::Allowed { next_at } => {
            let now = deps.now;
            with_connection(ctx, exchanges, |conn| {
                Ok(json!({
                    "usages": usages(conn, &s.tenant_id)?,
                    "refreshed_at": refresh::utc_text(now),
                    "next_refresh_at": refresh::utc_text(next_at),
                }))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{handle, handle_with, Service, MODULE};
    use super::*;
    use crate::features::admin_api::ApiRequest;
    use crate::infra::storage::{schema, sqlite::SqliteDb};

    const TENANT: &str = "0b9cbd9e-7d3c-4b8a-9d6e-1f3a5c7e9b21";

    fn ctx() -> Context {
        Context {
            service: Service {
                service_id: 45,
                owner_id: 12,
                client_id: 12,
                module: MODULE.into(),
                tenant_id: TENANT.into(),
                enabled_metrics: vec!["pw_workstations".into()],
                ..Service::default()
            },
            csrf_expected: "tok3n".into(),
            csrf_given: "tok3n".into(),
            ..Context::default()
        }
    }

    fn req(method: &str, action: &str, query: Value) -> ApiRequest {
        ApiRequest {
            method: method.into(),
            action: action.into(),
            query: query.as_object().cloned().unwrap_or_default(),
            content_type: "application/json".into(),
            body: b"{}".to_vec(),
        }
    }

    fn body(r: &ApiResponse) -> Value {
        serde_json::from_str(&r.body).unwrap()
    }

    #[test]
    fn bad_days_are_refused_before_anything_is_read() {
        for days in ["0", "91", "x", "-1"] {
            let (r, ex) = handle(
                &req("GET", "usage_history", json!({"id": "45", "days": days})),
                &ctx(),
            );
            assert_eq!(r.status, 400, "{days}");
            assert_eq!(
                body(&r)["error"]["message"],
                "The number of days must be a whole number from 1 to 90."
            );
            assert!(ex.is_empty());
        }
        let (r, _) = handle(&req("GET", "usage_history", json!({"id": "45"})), &ctx());
        assert_eq!(r.status, 500, "no database: a clear error");
        assert_eq!(
            body(&r)["error"]["message"],
            "The usage store is not available. Please contact the administrator."
        );
    }

    #[test]
    fn history_without_stored_days_is_all_gaps_and_foreign_services_get_nothing() {
        let db = SqliteDb::memory().unwrap();
        schema::ensure(&db).unwrap();
        let deps = Deps {
            db: Some(&db),
            now: 1_000,
        };
        let (r, _) = handle_with(
            &req(
                "GET",
                "usage_history",
                json!({"id": "45", "days": "7", "html": "1"}),
            ),
            &ctx(),
            deps,
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let b = body(&r);
        let points = b["pw_workstations"].as_array().unwrap();
        assert_eq!(points.len(), 7);
        assert!(points
            .iter()
            .all(|p| p["value"].is_null() && p["unit"] == "accounts"));
        assert_eq!(b["quotas"], json!({}), "no server: quotas unknown");
        assert!(b["html"]
            .as_str()
            .unwrap()
            .contains("<svg class=\"acc-chart-svg\""));
        let mut foreign = ctx();
        foreign.service.client_id = 13;
        let (r, _) = handle_with(
            &req("GET", "usage_history", json!({"id": "45"})),
            &foreign,
            deps,
        );
        assert_eq!(r.status, 404);
        assert!(!r.body.contains("pw_workstations"));
    }

    #[test]
    fn refresh_needs_the_csrf_token_and_is_limited_per_service() {
        let db = SqliteDb::memory().unwrap();
        schema::ensure(&db).unwrap();
        let at = |now| Deps { db: Some(&db), now };
        let post = req("POST", "refresh_usages", json!({"id": "45"}));
        let mut no_token = ctx();
        no_token.csrf_given = String::new();
        let (r, _) = handle_with(&post, &no_token, at(1_000));
        assert_eq!(r.status, 403);
        let (r, _) = handle_with(
            &req("GET", "refresh_usages", json!({"id": "45"})),
            &ctx(),
            at(1_000),
        );
        assert_eq!(r.status, 405);
        // Allowed (then 500: this test has no server), and refused for the next minute.
        let (r, _) = handle_with(&post, &ctx(), at(1_000));
        assert_eq!(r.status, 500);
        let (r, _) = handle_with(&post, &ctx(), at(1_030));
        assert_eq!(r.status, 429);
        assert!(r
            .headers
            .contains(&("Retry-After".to_string(), "30".to_string())));
        let b = body(&r);
        assert_eq!(
            b["error"]["message"],
            "Usage was refreshed less than a minute ago. The next refresh is possible at 1970-01-01 00:17:40 UTC."
        );
        assert_eq!(b["error"]["details"]["retry_after"], 30);
        let (r, _) = handle_with(&post, &ctx(), at(1_060));
        assert_ne!(r.status, 429);
    }
}
