//! Billed values against the platform's report: what WHMCS was given for a tenant (its
//! `tbltenant_stats`, converted units) is compared with the per-tenant day stored from the
//! report for the same day, converted the same way the MetricProvider converts it.

use crate::features::usage::provider;
use crate::features::usage::store::UsageStore;
use crate::infra::error::Result;
use serde::Deserialize;

/// One value WHMCS recorded for a tenant.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct BilledValue {
    pub tenant_id: String,
    /// `YYYY-MM-DD` of WHMCS's measurement.
    pub date: String,
    pub metric: String,
    /// A number, or its decimal text: PHP floats reach the core as strings.
    #[serde(deserialize_with = "number_or_text")]
    pub value: f64,
}

fn number_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<f64, D::Error> {
    use serde::de::Error as _;
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| D::Error::custom("the value is not a finite number")),
        serde_json::Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| D::Error::custom(format!("the value {s:?} is not a number"))),
        _ => Err(D::Error::custom("the value must be a number")),
    }
}

/// A metric whose billed value differs from the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub metric: String,
    pub date: String,
    pub billed: f64,
    /// None: the report of that day has no value for the metric (0 is billed as 0).
    pub platform: f64,
}

/// Values closer than this (relative, at least absolute) are equal: WHMCS stores six decimals.
const TOLERANCE: f64 = 1e-6;

fn differs(a: f64, b: f64) -> bool {
    (a - b).abs() > TOLERANCE * a.abs().max(b.abs()).max(1.0)
}

/// The mismatches of one tenant: for each billed value, the stored day WHMCS was given on that
/// date (the latest day on or before it, as the MetricProvider answers). Billed values for a day
/// with nothing stored are not judged (the history was erased or never kept).
pub fn mismatches(
    store: &UsageStore<'_>,
    tenant_id: &str,
    billed: &[&BilledValue],
) -> Result<Vec<Mismatch>> {
    let mut out = Vec::new();
    let mut dates: Vec<&str> = billed.iter().map(|b| b.date.as_str()).collect();
    dates.sort_unstable();
    dates.dedup();
    for date in dates {
        let Some(day) = store.latest_day(tenant_id, date)? else {
            continue;
        };
        let platform = provider::converted(&day.metrics)?;
        for b in billed.iter().filter(|b| b.date == date) {
            let value = platform
                .iter()
                .find(|(m, _)| *m == b.metric)
                .map_or(0.0, |(_, v)| *v);
            if differs(b.value, value) {
                out.push(Mismatch {
                    metric: b.metric.clone(),
                    date: date.to_string(),
                    billed: b.value,
                    platform: value,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_decimals_are_equal_and_more_is_a_difference() {
        assert!(!differs(1.0, 1.000_000_4));
        assert!(differs(1.0, 1.01));
        assert!(!differs(0.0, 0.0));
        assert!(differs(0.0, 0.5));
    }

    #[test]
    fn billed_values_read_numbers_and_decimal_text() {
        let read = |v: serde_json::Value| {
            serde_json::from_value::<BilledValue>(
                serde_json::json!({"tenant_id": "t", "date": "2024-05-31", "metric": "m", "value": v}),
            )
        };
        assert_eq!(read(serde_json::json!(7)).map(|b| b.value).ok(), Some(7.0));
        assert_eq!(
            read(serde_json::json!(" 2.5 ")).map(|b| b.value).ok(),
            Some(2.5)
        );
        assert!(read(serde_json::json!("abc")).is_err());
        assert!(read(serde_json::json!("NaN")).is_err());
        assert!(read(serde_json::Value::Null).is_err());
    }
}
