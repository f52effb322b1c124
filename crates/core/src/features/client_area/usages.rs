//! Current usage for the client area (docs/behaviour.md §E.2 `get_usages`): the Cloud's usage
//! rows reduced to the countable items the catalog knows, in catalog order, per application.
//! Each item carries its catalog `resource_type` (`data`, `local`, `cloud` or null) so the page
//! can group it under "Data sources", "Local backup" and "Cloud resources" (§E.1).

use crate::platform::catalog::Catalog;
use serde_json::{json, Value};

/// `[{application_type, offering_items: [{name, measurement_unit, usage_value, quota_value,
/// resource_type}]}]`
/// from the `items` of `GET /tenants/{id}/usages`. Rows without an offering item, unknown to the
/// catalog, switched off (status 0) or on/off features are left out.
pub fn group(catalog: &Catalog, items: &[Value]) -> Value {
    let mut rows: Vec<((u32, usize), &str, Value)> = Vec::new();
    for row in items {
        let Some(oi) = row.get("offering_item").filter(|o| o.is_object()) else {
            continue;
        };
        if oi.get("status").and_then(Value::as_i64).unwrap_or(0) == 0 {
            continue;
        }
        let name = row.get("name").and_then(Value::as_str).unwrap_or_default();
        let Some(pos) = catalog.offering_items.iter().position(|o| o.name == name) else {
            continue;
        };
        let Some(meta) = catalog.offering_items.get(pos) else {
            continue;
        };
        if meta.is_feature() {
            continue;
        }
        let app_order = catalog
            .application(&meta.application)
            .map_or(u32::MAX, |a| a.sort_priority);
        rows.push((
            (app_order, pos),
            meta.application.as_str(),
            json!({
                "name": name,
                "measurement_unit": row.get("measurement_unit").cloned().unwrap_or(Value::Null),
                "usage_value": row.get("value").cloned().unwrap_or(Value::Null),
                "quota_value": oi.pointer("/quota/value").cloned().unwrap_or(Value::Null),
                "resource_type": meta.resource_type,
            }),
        ));
    }
    // Stable: two rows of one item (one per storage) keep the Cloud's order.
    rows.sort_by_key(|(order, _, _)| *order);
    let mut groups: Vec<(&str, Vec<Value>)> = Vec::new();
    for (_, app, item) in rows {
        match groups.iter_mut().find(|(a, _)| *a == app) {
            Some((_, list)) => list.push(item),
            None => groups.push((app, vec![item])),
        }
    }
    Value::Array(
        groups
            .into_iter()
            .map(|(app, list)| json!({"application_type": app, "offering_items": list}))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::catalog::catalog;

    fn usage(name: &str, unit: &str, value: i64, status: i64, quota: Value) -> Value {
        json!({"name": name, "measurement_unit": unit, "value": value,
            "offering_item": {"status": status, "quota": {"value": quota, "overage": 0, "version": 1}}})
    }

    #[test]
    fn l60_countable_catalog_items_in_catalog_order() {
        let items = vec![
            usage(
                "pw_storage",
                "bytes",
                5_368_709_120,
                1,
                json!(107_374_182_400_i64),
            ),
            usage("pw_o365_mailboxes", "n/a", 0, 1, Value::Null),
            usage("pw_workstations", "quantity", 3, 1, json!(10)),
            usage("unknown_item", "quantity", 1, 1, Value::Null),
            json!({"name": "pw_servers", "measurement_unit": "quantity", "value": 1}),
            usage("pw_vms", "quantity", 2, 0, Value::Null),
        ];
        assert_eq!(
            group(catalog().unwrap(), &items),
            json!([{"application_type": "backup", "offering_items": [
                {"name": "pw_workstations", "measurement_unit": "quantity", "usage_value": 3, "quota_value": 10, "resource_type": "data"},
                {"name": "pw_storage", "measurement_unit": "bytes", "usage_value": 5_368_709_120_i64, "quota_value": 107_374_182_400_i64, "resource_type": "cloud"}
            ]}])
        );
    }

    #[test]
    fn applications_follow_catalog_priority_and_unlimited_is_null() {
        let c = catalog().unwrap();
        let files = c
            .offering_items
            .iter()
            .find(|o| o.application == "files_cloud" && !o.is_feature())
            .unwrap();
        let items = vec![
            usage(&files.name, &files.measurement_unit, 1, 1, Value::Null),
            usage("pw_workstations", "quantity", 3, 1, Value::Null),
        ];
        let v = group(c, &items);
        assert_eq!(v[0]["application_type"], "backup");
        assert_eq!(v[1]["application_type"], "files_cloud");
        assert_eq!(v[0]["offering_items"][0]["quota_value"], Value::Null);
        assert_eq!(group(c, &[]), json!([]));
    }
}
