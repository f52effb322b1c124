//! Notification settings of the client area (docs/behaviour.md §E.2): the Cloud keeps a flat
//! list of active types, the page shows every catalog notification grouped by application.

use crate::platform::catalog::Catalog;
use serde_json::{json, Value};

/// Every catalog notification grouped by application (catalog order), `active` when the user
/// has it. `None` (the user object has no `notifications` property) gives an empty list.
pub fn expand(catalog: &Catalog, active: Option<&[String]>) -> Value {
    let Some(active) = active else {
        return json!([]);
    };
    let mut notes: Vec<_> = catalog.notifications.iter().enumerate().collect();
    notes.sort_by_key(|(i, n)| (n.sort_priority, *i));
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    for (_, n) in notes {
        let status = if active.iter().any(|a| a == &n.kind) {
            "active"
        } else {
            "inactive"
        };
        let item = json!({"type": n.kind, "status": status});
        match groups
            .iter_mut()
            .find(|(app, _)| *app == n.application_type)
        {
            Some((_, items)) => items.push(item),
            None => groups.push((n.application_type.clone(), vec![item])),
        }
    }
    Value::Array(
        groups
            .into_iter()
            .map(|(app, items)| json!({"application_type": app, "items": items}))
            .collect(),
    )
}

/// The flat list of active types from the page's groups, or the first validation message.
/// Unknown application types or notification types, a type filed under another application
/// and statuses other than active/inactive are refused (the Cloud would accept anything).
pub fn active_types(catalog: &Catalog, groups: &Value) -> Result<Vec<String>, String> {
    let Some(groups) = groups.as_array() else {
        return Err("POST data parameter \"notifications\" must be present.".into());
    };
    let mut active = Vec::new();
    for group in groups {
        let app = text(group.get("application_type"));
        if !catalog
            .notifications
            .iter()
            .any(|n| n.application_type == app)
        {
            return Err(format!(
                "Notifications have invalid application type \"{app}\""
            ));
        }
        let items = group.get("items").and_then(Value::as_array);
        for item in items.map(Vec::as_slice).unwrap_or_default() {
            let kind = text(item.get("type"));
            let Some(note) = catalog.notification(&kind) else {
                return Err(format!("Notification has invalid type \"{kind}\""));
            };
            if note.application_type != app {
                return Err(format!(
                    "Notification \"{kind}\" does not belong to application \"{app}\""
                ));
            }
            match text(item.get("status")).as_str() {
                "active" => {
                    if !active.contains(&kind) {
                        active.push(kind);
                    }
                }
                "inactive" => {}
                other => {
                    return Err(format!(
                        "Cannot set status {other} for notification {kind}. Allowed statuses: active,inactive"
                    ))
                }
            }
        }
    }
    Ok(active)
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::catalog::catalog;

    #[test]
    fn l58_expands_every_catalog_notification_in_order() {
        let active = vec!["backup_error".to_string(), "quota".to_string()];
        let v = expand(catalog().unwrap(), Some(&active));
        assert_eq!(
            v,
            json!([
                {"application_type": "backup", "items": [
                    {"type": "backup_info", "status": "inactive"},
                    {"type": "backup_error", "status": "active"},
                    {"type": "backup_warning", "status": "inactive"},
                    {"type": "backup_daily_report", "status": "inactive"}]},
                {"application_type": "platform", "items": [
                    {"type": "quota", "status": "active"},
                    {"type": "reports", "status": "inactive"}]}
            ])
        );
        assert_eq!(expand(catalog().unwrap(), None), json!([]));
    }

    #[test]
    fn l59_active_types_in_page_order() {
        let groups = json!([
            {"application_type": "backup", "items": [
                {"type": "backup_info", "status": "active"},
                {"type": "backup_error", "status": "active"},
                {"type": "backup_warning", "status": "inactive"}]},
            {"application_type": "platform", "items": [{"type": "quota", "status": "inactive"}]}
        ]);
        assert_eq!(
            active_types(catalog().unwrap(), &groups).unwrap(),
            vec!["backup_info", "backup_error"]
        );
    }

    #[test]
    fn invalid_groups_are_refused_with_the_reference_messages() {
        let c = catalog().unwrap();
        let one = |app: &str, kind: &str, status: &str| {
            active_types(
                c,
                &json!([{"application_type": app, "items": [{"type": kind, "status": status}]}]),
            )
            .unwrap_err()
        };
        assert_eq!(
            one("backup", "backup_critical", "active"),
            "Notification has invalid type \"backup_critical\""
        );
        assert_eq!(
            one("files", "quota", "active"),
            "Notifications have invalid application type \"files\""
        );
        assert_eq!(
            one("backup", "quota", "active"),
            "Notification \"quota\" does not belong to application \"backup\""
        );
        assert_eq!(
            one("backup", "backup_info", "on"),
            "Cannot set status on for notification backup_info. Allowed statuses: active,inactive"
        );
        assert!(active_types(c, &json!("x")).is_err());
    }
}
