//! What WHMCS's usage billing gets (docs/behaviour.md §F.5): the catalog metrics (the
//! reference's 43 plus the advanced-pack and Omnivoice metrics of manual 6.4.3) with
//! display name, type and unit, and raw report values converted to the metric's unit.

use crate::infra::error::Result;
use crate::infra::i18n::Translator;
use crate::platform::catalog::{catalog, BillingMetric};

/// A metric as the MetricProvider declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricDefinition {
    pub name: String,
    pub display_name: String,
    /// `snapshot` or `month`.
    pub kind: String,
    /// WHMCS unit: `accounts`, `gigabytes` or `hours`.
    pub unit: &'static str,
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// WHMCS unit of a catalog metric (F.5: `metric_unit` when present, else `unit`).
pub fn whmcs_unit(m: &BillingMetric) -> &'static str {
    match m.metric_unit.as_deref().unwrap_or(m.unit.as_str()) {
        "gigabytes" | "bytes" => "gigabytes",
        "hours" | "seconds" => "hours",
        _ => "accounts",
    }
}

/// A raw report value (bytes, seconds, counts) in the metric's WHMCS unit.
pub fn convert(m: &BillingMetric, raw: f64) -> f64 {
    match (m.unit.as_str(), whmcs_unit(m)) {
        ("bytes", "gigabytes") => raw / GIB,
        ("seconds", "hours") => raw / 3600.0,
        _ => raw,
    }
}

/// The catalog's billing metrics in catalog order, display names in `t`'s language.
pub fn definitions(t: &Translator) -> Result<Vec<MetricDefinition>> {
    Ok(catalog()?
        .billing_metrics
        .iter()
        .map(|m| MetricDefinition {
            name: m.system_name.clone(),
            display_name: t.translate(&m.display_name),
            kind: m.kind.clone(),
            unit: whmcs_unit(m),
        })
        .collect())
}

/// Raw values of known metrics converted for WHMCS; names that are no catalog metric are
/// dropped (the reference drops them too: WHMCS could not bill them).
pub fn converted(raw: &[(String, f64)]) -> Result<Vec<(String, f64)>> {
    let c = catalog()?;
    Ok(raw
        .iter()
        .filter_map(|(name, v)| {
            c.billing_metric(name)
                .map(|m| (name.clone(), convert(m, *v)))
        })
        .collect())
}

/// A converted value with its unit for people: `15.00 GB`, `2.5 hours`, `4`.
pub fn format_value(value: f64, unit: &str) -> String {
    let trimmed = |v: f64| {
        let t = format!("{v:.2}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    match unit {
        "gigabytes" => format!("{value:.2} GB"),
        "hours" => {
            let t = trimmed(value);
            let word = if t == "1" { "hour" } else { "hours" };
            format!("{t} {word}")
        }
        _ => trimmed(value),
    }
}

/// One enabled metric of a service as the client area and the admin tab show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceMetric {
    pub name: String,
    pub display_name: String,
    pub unit: &'static str,
    /// Converted value; `None` when the day has none for this metric.
    pub value: Option<f64>,
    /// `value` with its unit, `-` without one.
    pub text: String,
}

/// The enabled metrics (in the given order; names that are no catalog metric are left out)
/// with the converted values of one day.
pub fn service_metrics(
    enabled: &[String],
    values: &[(String, f64)],
    t: &Translator,
) -> Result<Vec<ServiceMetric>> {
    let c = catalog()?;
    Ok(enabled
        .iter()
        .filter_map(|name| c.billing_metric(name))
        .map(|m| {
            let unit = whmcs_unit(m);
            let value = values
                .iter()
                .find(|(n, _)| *n == m.system_name)
                .map(|(_, v)| *v);
            ServiceMetric {
                name: m.system_name.clone(),
                display_name: t.translate(&m.display_name),
                unit,
                value,
                text: value.map_or_else(|| "-".to_string(), |v| format_value(v, unit)),
            }
        })
        .collect())
}

/// The `metrics` command's label: `"<offering item>: <friendly name>"` for a catalog offering
/// item name, else the raw metric name.
pub fn label(metric: &str) -> String {
    match catalog().ok().and_then(|c| c.offering_item(metric)) {
        Some(item) => format!("{}: {}", item.name, item.friendly_name),
        None => metric.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_metrics_in_catalog_order_with_units() {
        let d = definitions(&Translator::english()).unwrap();
        assert_eq!(d.len(), 68);
        assert_eq!(d[0].name, "pw_p_ess_workstations");
        assert_eq!(d[0].unit, "accounts");
        let storage = d.iter().find(|m| m.name == "pw_storage_acronis").unwrap();
        assert_eq!(
            (storage.unit, storage.kind.as_str()),
            ("gigabytes", "snapshot")
        );
        let cp = d.iter().find(|m| m.name == "pw_compute_points").unwrap();
        assert_eq!((cp.unit, cp.kind.as_str()), ("hours", "month"));
    }

    /// Manual 6.4.3: "Per workload: <Advanced Pack Name> - *", "Per GB: <Advanced Pack
    /// Name> - *", "Omnivoice *"; pack names are product names, kept in every language.
    #[test]
    fn manual_6_4_3_pack_and_omnivoice_metric_names() {
        let en = definitions(&Translator::english()).unwrap();
        let name = |n: &str| {
            en.iter()
                .find(|m| m.name == n)
                .unwrap()
                .display_name
                .clone()
        };
        assert_eq!(
            name("pw_adv_backup_workstations"),
            "Per workload: Advanced Backup - Workstations"
        );
        assert_eq!(
            name("pg_adv_security_workloads"),
            "Per GB: Advanced Security - Workloads"
        );
        assert_eq!(name("omnivoice_users"), "Omnivoice - Users");
        let dr = en.iter().find(|m| m.name == "pw_adv_dr_storage").unwrap();
        assert_eq!((dr.unit, dr.kind.as_str()), ("gigabytes", "snapshot"));
        let cp = en
            .iter()
            .find(|m| m.name == "pg_adv_dr_compute_points")
            .unwrap();
        assert_eq!((cp.unit, cp.kind.as_str()), ("hours", "month"));
        for item in catalog().unwrap().offering_items.iter() {
            let Some(pack) = item.pack.as_deref() else {
                continue;
            };
            let title = crate::rules::packs::pack_title(pack).unwrap();
            let shown = name(&item.name);
            let prefixed = ["Per workload: ", "Per GB: ", "Per user: "]
                .iter()
                .any(|p| shown.starts_with(&format!("{p}{title} - ")));
            assert!(prefixed, "{}: {shown}", item.name);
        }
        let de = definitions(&Translator::for_locale("german")).unwrap();
        let de_name = |n: &str| {
            de.iter()
                .find(|m| m.name == n)
                .unwrap()
                .display_name
                .clone()
        };
        assert_eq!(
            de_name("pw_adv_backup_workstations"),
            "Pro Workload: Advanced Backup - Arbeitsstationen"
        );
        assert_eq!(
            de_name("omnivoice_phone_numbers"),
            "Omnivoice - Telefonnummern"
        );
    }

    #[test]
    fn worked_example_of_f4_converts_bytes_and_seconds() {
        let out = converted(&[
            ("pw_storage_acronis".into(), 5_368_709_120.0),
            ("pw_compute_points".into(), 7200.0),
            ("pw_workstations".into(), 4.0),
            ("pg_child_storages_acronis".into(), 1.0),
        ])
        .unwrap();
        assert_eq!(
            out,
            vec![
                ("pw_storage_acronis".to_string(), 5.0),
                ("pw_compute_points".to_string(), 2.0),
                ("pw_workstations".to_string(), 4.0),
            ]
        );
    }

    #[test]
    fn values_are_shown_with_their_units() {
        assert_eq!(format_value(15.0, "gigabytes"), "15.00 GB");
        assert_eq!(format_value(2.5, "hours"), "2.5 hours");
        assert_eq!(format_value(1.0, "hours"), "1 hour");
        assert_eq!(format_value(4.0, "accounts"), "4");
        let rows = service_metrics(
            &[
                "pw_storage_acronis".into(),
                "nonsense".into(),
                "pw_workstations".into(),
            ],
            &[("pw_storage_acronis".into(), 15.0)],
            &Translator::english(),
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].text.as_str(), rows[0].unit),
            ("15.00 GB", "gigabytes")
        );
        assert_eq!((rows[1].value, rows[1].text.as_str()), (None, "-"));
    }

    #[test]
    fn labels_name_offering_items() {
        assert_eq!(
            label("pw_workstations"),
            "pw_workstations: Cyber Backup Standard - Workstations"
        );
        assert_eq!(label("pw_storage_acronis"), "pw_storage_acronis");
    }
}
