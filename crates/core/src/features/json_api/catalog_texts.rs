//! The catalog's display texts in the caller's language, served by both JSON APIs (the
//! admin page's and the client area's `l10n` action).

use crate::infra::i18n::Translator;
use crate::platform::catalog::catalog;
use crate::Result;
use serde_json::{json, Map, Value};

/// Display texts of the catalog translated to the caller's locale (English msgids when there
/// is no translation).
pub fn l10n(t: &Translator) -> Result<Value> {
    let cat = catalog()?;
    let tr = |s: &str| Value::String(t.translate(s));
    let opt = |s: &Option<String>| s.as_deref().map_or(Value::Null, tr);
    let titled = |title: &str, description: &Option<String>| json!({"title": tr(title), "description": opt(description)});
    let apps: Map<String, Value> = cat
        .applications
        .iter()
        .map(|a| (a.kind.clone(), titled(&a.title, &a.description)))
        .collect();
    let editions: Map<String, Value> = cat
        .editions
        .iter()
        .map(|e| (e.name.clone(), titled(&e.title, &e.description)))
        .collect();
    let mut items = Map::new();
    let mut options = Map::new();
    for o in &cat.offering_items {
        items.insert(o.name.clone(), tr(&o.friendly_name));
        let c = &o.configurable_option;
        options.insert(
            o.name.clone(),
            json!({"friendly_name": tr(&c.friendly_name), "unit_name": tr(&c.measurement_unit_name)}),
        );
    }
    let fields: Map<String, Value> = cat
        .custom_fields
        .iter()
        .map(|f| {
            let texts =
                json!({"friendly_name": tr(&f.friendly_name), "description": tr(&f.description)});
            (f.name.clone(), texts)
        })
        .collect();
    let notes: Map<String, Value> = cat
        .notifications
        .iter()
        .map(|n| (n.kind.clone(), tr(&n.title)))
        .collect();
    let metrics: Map<String, Value> = cat
        .billing_metrics
        .iter()
        .map(|m| (m.system_name.clone(), tr(&m.display_name)))
        .collect();
    Ok(json!({
        "locale": t.locale().unwrap_or("en"),
        "applications": apps,
        "editions": editions,
        "offering_items": items,
        "configurable_options": options,
        "custom_fields": fields,
        "notifications": notes,
        "billing_metrics": metrics,
    }))
}
