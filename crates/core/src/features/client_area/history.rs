//! Usage history of a service for the client area (`usage_history`): the billed metrics the
//! product enables, day by day over a window ending today, from the per-tenant days the usage
//! pipeline stores, with each metric's quota from the platform's live usages.
//!
//! Values are in the metric's billing unit (GB, hours, accounts) — the unit the client is
//! invoiced in, so the chart and the invoice agree. A day the pipeline stored no row for is a
//! gap (`None`, drawn as a break in the line): nothing was measured, which is not the same as
//! zero. A stored day without the metric is 0: the report had no usage of it that day.

use crate::features::usage::housekeeping::TenantUsage;
use crate::features::usage::provider::{convert, whmcs_unit};
use crate::infra::error::{Error, Result};
use crate::platform::catalog::{catalog, BillingMetric};
use serde_json::{json, Map, Value};

/// Window when the request names none.
pub const DEFAULT_DAYS: i64 = 30;
/// Longest window a client may ask for.
pub const MAX_DAYS: i64 = 90;

/// One metric's days, oldest first, one point per calendar day of the window.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSeries {
    pub name: String,
    /// English display name (a msgid; the renderer translates it).
    pub display_name: String,
    /// WHMCS billing unit: `gigabytes`, `hours` or `accounts`.
    pub unit: &'static str,
    pub points: Vec<(String, Option<f64>)>,
}

/// A metric's quota as the platform reports it, in the metric's billing unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quota {
    Limited(f64),
    Unlimited,
}

/// The `days` parameter: absent = 30; otherwise a whole number of days from 1 to 90.
pub fn parse_days(v: Option<&Value>) -> std::result::Result<i64, String> {
    let invalid = || format!("The number of days must be a whole number from 1 to {MAX_DAYS}.");
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(DEFAULT_DAYS);
    };
    let n = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if s.trim().is_empty() => return Ok(DEFAULT_DAYS),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
    .ok_or_else(invalid)?;
    if (1..=MAX_DAYS).contains(&n) {
        Ok(n)
    } else {
        Err(invalid())
    }
}

/// The `days` calendar dates ending with `today` (`YYYY-MM-DD`), oldest first.
pub fn window(today: &str, days: i64) -> Result<Vec<String>> {
    let end = chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d")
        .map_err(|_| Error::validation(format!("Invalid date \"{today}\".")))?;
    let mut out: Vec<String> = (0..days.max(1))
        .filter_map(|back| end.checked_sub_signed(chrono::Duration::days(back)))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect();
    out.reverse();
    Ok(out)
}

/// The enabled metrics (in the product's order; names that are no catalog metric are left
/// out) with a point per day of `dates`. `stored` are the tenant's converted days in any order.
pub fn series(
    enabled: &[String],
    stored: &[TenantUsage],
    dates: &[String],
) -> Result<Vec<MetricSeries>> {
    let c = catalog()?;
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for m in enabled.iter().filter_map(|n| c.billing_metric(n)) {
        if seen.contains(&m.system_name.as_str()) {
            continue;
        }
        seen.push(&m.system_name);
        let points = dates
            .iter()
            .map(|date| {
                let day = stored.iter().find(|d| &d.date == date);
                let value = day.map(|d| {
                    d.values
                        .iter()
                        .find(|(n, _)| *n == m.system_name)
                        .map_or(0.0, |(_, v)| *v)
                });
                (date.clone(), value)
            })
            .collect();
        out.push(MetricSeries {
            name: m.system_name.clone(),
            display_name: m.display_name.clone(),
            unit: whmcs_unit(m),
            points,
        });
    }
    Ok(out)
}

/// Quotas of the series' metrics from the `items` of `GET /tenants/{id}/usages`. A metric named
/// like its offering item takes that item's quota (summed over its rows, one per storage; any
/// unlimited row makes it unlimited). A storage metric of one backend (`pw_storage_acronis`)
/// takes its item's quota only when the tenant has exactly one row of it, since usages do not
/// say which backend a row's storage is on. Metrics without a known quota are absent.
pub fn quotas(list: &[MetricSeries], items: &[Value]) -> Result<Vec<(String, Quota)>> {
    let c = catalog()?;
    let mut out = Vec::new();
    for s in list {
        let Some(m) = c.billing_metric(&s.name) else {
            continue;
        };
        if let Some(q) = metric_quota(m, items) {
            out.push((s.name.clone(), q));
        }
    }
    Ok(out)
}

fn metric_quota(m: &BillingMetric, items: &[Value]) -> Option<Quota> {
    let item = if m.offering_items.contains(&m.system_name) {
        m.system_name.as_str()
    } else {
        m.offering_items.first()?.as_str()
    };
    let rows: Vec<&Value> = items
        .iter()
        .filter(|r| r.get("name").and_then(Value::as_str) == Some(item))
        .filter(|r| {
            r.pointer("/offering_item/status")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                != 0
        })
        .collect();
    if rows.is_empty() || (item != m.system_name && rows.len() != 1) {
        return None;
    }
    let mut total = 0.0;
    for r in rows {
        match r
            .pointer("/offering_item/quota/value")
            .and_then(Value::as_f64)
        {
            Some(v) => total += v,
            None => return Some(Quota::Unlimited),
        }
    }
    Some(Quota::Limited(convert(m, total)))
}

/// The answer of `usage_history`: `{"<metric>": [{date, value, unit}], "quotas": {"<metric>":
/// number | null}}` (null = unlimited; a metric without a known quota has no entry).
pub fn to_json(list: &[MetricSeries], quotas: &[(String, Quota)]) -> Value {
    let mut out = Map::new();
    for s in list {
        let points: Vec<Value> = s
            .points
            .iter()
            .map(|(date, value)| json!({"date": date, "value": value, "unit": s.unit}))
            .collect();
        out.insert(s.name.clone(), Value::Array(points));
    }
    let q: Map<String, Value> = quotas
        .iter()
        .map(|(name, q)| {
            let v = match q {
                Quota::Limited(v) => json!(v),
                Quota::Unlimited => Value::Null,
            };
            (name.clone(), v)
        })
        .collect();
    out.insert("quotas".into(), Value::Object(q));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

    fn day(date: &str, values: &[(&str, f64)]) -> TenantUsage {
        TenantUsage {
            date: date.into(),
            collected_at: 0,
            values: values.iter().map(|(n, v)| ((*n).to_string(), *v)).collect(),
        }
    }

    #[test]
    fn days_default_range_and_errors() {
        assert_eq!(parse_days(None), Ok(30));
        assert_eq!(parse_days(Some(&json!(null))), Ok(30));
        assert_eq!(parse_days(Some(&json!(""))), Ok(30));
        assert_eq!(parse_days(Some(&json!("90"))), Ok(90));
        assert_eq!(parse_days(Some(&json!(7))), Ok(7));
        for bad in [
            json!("0"),
            json!(91),
            json!("-3"),
            json!("30.5"),
            json!("abc"),
            json!([30]),
        ] {
            let e = parse_days(Some(&bad)).unwrap_err();
            assert_eq!(
                e, "The number of days must be a whole number from 1 to 90.",
                "{bad}"
            );
        }
    }

    #[test]
    fn window_ends_today_oldest_first_across_months() {
        let w = window("2024-03-02", 4).unwrap();
        assert_eq!(w, ["2024-02-28", "2024-02-29", "2024-03-01", "2024-03-02"]);
        assert_eq!(window("2024-05-31", 90).unwrap().len(), 90);
        assert!(window("31.05.2024", 3).is_err());
    }

    #[test]
    fn gaps_are_missing_points_and_absent_metrics_are_zero() {
        let dates = window("2024-05-31", 3).unwrap();
        let stored = vec![
            day("2024-05-31", &[("pw_workstations", 4.0)]),
            day("2024-05-29", &[("pw_storage_acronis", 5.0)]),
            day("2024-04-01", &[("pw_workstations", 99.0)]),
        ];
        let enabled = vec![
            "pw_workstations".to_string(),
            "nonsense".into(),
            "pw_storage_acronis".into(),
            "pw_workstations".into(),
        ];
        let s = series(&enabled, &stored, &dates).unwrap();
        assert_eq!(s.len(), 2, "unknown and repeated names are dropped");
        assert_eq!(s[0].name, "pw_workstations");
        assert_eq!(s[0].unit, "accounts");
        assert_eq!(
            s[0].points,
            vec![
                ("2024-05-29".to_string(), Some(0.0)),
                ("2024-05-30".to_string(), None),
                ("2024-05-31".to_string(), Some(4.0)),
            ]
        );
        assert_eq!(s[1].unit, "gigabytes");
        assert_eq!(s[1].points[0].1, Some(5.0));
    }

    fn usage_row(name: &str, quota: Value, status: i64) -> Value {
        json!({"name": name, "value": 1, "offering_item": {"status": status, "quota": {"value": quota}}})
    }

    #[test]
    fn quotas_convert_to_the_billing_unit() {
        let dates = window("2024-05-31", 1).unwrap();
        let enabled: Vec<String> = [
            "pw_workstations",
            "pw_storage_acronis",
            "pw_compute_points",
            "pw_servers",
            "pw_vms",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        let s = series(&enabled, &[], &dates).unwrap();
        let items = vec![
            usage_row("pw_workstations", json!(10), 1),
            usage_row("pw_storage", json!(100.0 * GIB), 1),
            usage_row("pw_compute_points", json!(7200), 1),
            usage_row("pw_servers", Value::Null, 1),
            usage_row("pw_vms", json!(3), 0),
        ];
        let q = quotas(&s, &items).unwrap();
        assert_eq!(
            q,
            vec![
                ("pw_workstations".to_string(), Quota::Limited(10.0)),
                ("pw_storage_acronis".to_string(), Quota::Limited(100.0)),
                ("pw_compute_points".to_string(), Quota::Limited(2.0)),
                ("pw_servers".to_string(), Quota::Unlimited),
            ]
        );
        let two_storages = vec![
            usage_row("pw_storage", json!(GIB), 1),
            usage_row("pw_storage", json!(GIB), 1),
        ];
        assert!(quotas(&s, &two_storages).unwrap().is_empty());
        let v = to_json(&s, &q);
        assert_eq!(
            v["pw_storage_acronis"],
            json!([{"date": "2024-05-31", "value": null, "unit": "gigabytes"}])
        );
        assert_eq!(
            v["quotas"],
            json!({"pw_workstations": 10.0, "pw_storage_acronis": 100.0,
            "pw_compute_points": 2.0, "pw_servers": null})
        );
    }
}
