//! The answers of `AcronisCloud\UsageMetrics` as JSON documents: what the cron, manage.php,
//! WHMCS's MetricProvider and the service pages receive. They are built here so the binding
//! only converts a document to a PHP array, and the shapes are tested without PHP.

use super::housekeeping::{self, Erased, Flushed, TenantUsage};
use super::pipeline::today;
use super::provider;
use super::summarize::Summary;
use crate::infra::error::Result;
use crate::infra::i18n::Translator;
use crate::infra::storage::Db;
use serde_json::{json, Map, Value};

/// `{metric: value}` in the given order.
pub fn values_json(values: &[(String, f64)]) -> Value {
    Value::Object(
        values
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect::<Map<String, Value>>(),
    )
}

/// `{date, collected_at, values: {metric: value}}` of one tenant's day.
pub fn tenant_usage_json(u: &TenantUsage) -> Value {
    json!({"date": u.date, "collected_at": u.collected_at, "values": values_json(&u.values)})
}

pub fn erased_json(e: &Erased) -> Value {
    json!({"erased": e.erased, "history_deleted": e.history_deleted, "warnings": e.warnings})
}

pub fn flushed_json(f: &Flushed) -> Value {
    json!({"reports": f.reports, "files": f.files, "tenant_rows": f.tenant_rows})
}

pub fn summary_json(s: &Summary) -> Value {
    json!({
        "rows": s.rows,
        "bad_rows": s.bad_rows,
        "tenants": s.tenants,
        "seconds": s.seconds,
        "errors": s.errors,
        "infra_lookups": s.infra_lookups,
    })
}

/// The `metrics` command: `{tenant: {label: raw value}}` of today.
pub fn todays_metrics(db: &dyn Db, today: &str) -> Result<Value> {
    let days = housekeeping::todays_raw(db, today)?;
    Ok(Value::Object(
        days.into_iter()
            .map(|(t, values)| (t, values_json(&values)))
            .collect(),
    ))
}

/// The catalog's billing metrics: `[{name, display_name, type, unit}]`.
pub fn definitions(t: &Translator) -> Result<Value> {
    let defs = provider::definitions(t)?;
    Ok(Value::Array(
        defs.into_iter()
            .map(|d| {
                json!({"name": d.name, "display_name": d.display_name, "type": d.kind, "unit": d.unit})
            })
            .collect(),
    ))
}

/// One page of `usage()`: `{tenant: {date, collected_at, values}}` of the latest day on or
/// before today; tenants without values are absent.
pub fn usage_page(db: &dyn Db, tenants: &[String]) -> Result<Value> {
    let found = housekeeping::usage(db, tenants, &today())?;
    Ok(Value::Object(
        found
            .into_iter()
            .map(|(t, u)| (t, tenant_usage_json(&u)))
            .collect(),
    ))
}

/// A service's enabled metrics (in that order) with the tenant's latest values:
/// `{date: ?string, rows: [{name, display_name, unit, value: ?float, text}]}`.
pub fn service_usage(
    db: &dyn Db,
    tenant_id: &str,
    enabled: &[String],
    t: &Translator,
) -> Result<Value> {
    let tenant = tenant_id.trim();
    let day = if tenant.is_empty() {
        None
    } else {
        housekeeping::usage(db, &[tenant.to_string()], &today())?
            .into_iter()
            .next()
            .map(|(_, u)| u)
    };
    let values = day
        .as_ref()
        .map(|u| u.values.as_slice())
        .unwrap_or_default();
    let rows = provider::service_metrics(enabled, values, t)?;
    Ok(json!({
        "date": day.map(|u| u.date),
        "rows": rows.into_iter().map(|r| json!({
            "name": r.name, "display_name": r.display_name, "unit": r.unit,
            "value": r.value, "text": r.text,
        })).collect::<Vec<_>>(),
    }))
}

/// A tenant's last `days` days with values, newest first.
pub fn history(db: &dyn Db, tenant_id: &str, days: i64) -> Result<Value> {
    let list = housekeeping::history(db, tenant_id.trim(), days, &today())?;
    Ok(Value::Array(list.iter().map(tenant_usage_json).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_order_and_days_their_shape() {
        let u = TenantUsage {
            date: "2026-12-01".into(),
            collected_at: 7,
            values: vec![("b".into(), 2.5), ("a".into(), 1.0)],
        };
        let j = tenant_usage_json(&u);
        assert_eq!(j["date"], "2026-12-01");
        assert_eq!(j["collected_at"], 7);
        assert_eq!(j["values"]["b"], 2.5);
        let keys: Vec<&String> = j["values"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["b", "a"]);
    }

    #[test]
    fn a_service_without_a_tenant_has_no_day_and_dashes() {
        let db = crate::infra::storage::sqlite::SqliteDb::memory().unwrap();
        let t = Translator::english();
        let names: Vec<String> = provider::definitions(&t)
            .unwrap()
            .into_iter()
            .take(2)
            .map(|d| d.name)
            .collect();
        let j = service_usage(&db, "  ", &names, &t).unwrap();
        assert!(j["date"].is_null());
        let rows = j["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows
            .iter()
            .all(|r| r["text"] == "-" && r["value"].is_null()));
    }
}
