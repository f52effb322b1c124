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
    let mut apps = Map::new();
    for a in &cat.applications {
        apps.insert(
            a.kind.clone(),
            json!({"title": tr(&a.title), "description": opt(&a.description)}),
        );
    }
    let mut editions = Map::new();
    for e in &cat.editions {
        editions.insert(
            e.name.clone(),
            json!({"title": tr(&e.title), "description": opt(&e.description)}),
        );
    }
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
    let mut fields = Map::new();
    for f in &cat.custom_fields {
        fields.insert(
            f.name.clone(),
            json!({"friendly_name": tr(&f.friendly_name), "description": tr(&f.description)}),
        );
    }
    let mut notes = Map::new();
    for n in &cat.notifications {
        notes.insert(n.kind.clone(), tr(&n.title));
    }
    let mut metrics = Map::new();
    for m in &cat.billing_metrics {
        metrics.insert(m.system_name.clone(), tr(&m.display_name));
    }
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
