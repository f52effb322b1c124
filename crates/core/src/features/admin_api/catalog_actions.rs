//! Wizard data sources that join platform facts with the catalog (docs/behaviour.md §D.2):
//! `get_applications`, `get_offering_items`, `l10n`.

pub use crate::features::json_api::catalog_texts::l10n;
use crate::infra::i18n::Translator;
use crate::platform::catalog::catalog;
use crate::platform::connection::Connection;
use crate::platform::root_facts::Platform;
use crate::Result;
use serde_json::{json, Value};

/// Applications enabled for the root tenant that a template may use, in catalog order, with
/// the editions the root tenant has items of.
pub fn get_applications(conn: &mut Connection) -> Result<Value> {
    let cat = catalog()?;
    let mut p = Platform::new(conn);
    let apps = p.root_applications()?;
    let items = p.root_offering_items()?;
    let mut out: Vec<(u32, Value)> = Vec::new();
    for app in &apps {
        let Some(meta) = cat.application(&app.kind) else {
            continue;
        };
        if meta.tenant_kinds.is_empty() {
            continue;
        }
        let mut editions: Vec<(u32, String)> = Vec::new();
        for item in items.iter().filter(|i| i.application_id == app.id) {
            let edition = cat
                .offering_item(&item.name)
                .and_then(|m| m.edition.as_deref())
                .and_then(|e| cat.edition(e));
            if let Some(e) = edition {
                if !editions.iter().any(|(_, n)| n == &e.name) {
                    editions.push((e.sort_priority, e.name.clone()));
                }
            }
        }
        editions.sort();
        out.push((
            meta.sort_priority,
            json!({
                "type": app.kind,
                "editions": editions.into_iter().map(|(_, n)| n).collect::<Vec<_>>(),
                "tenant_kinds": meta.tenant_kinds,
            }),
        ));
    }
    out.sort_by_key(|(p, _)| *p);
    Ok(Value::Array(out.into_iter().map(|(_, v)| v).collect()))
}

/// Root-tenant offering items a child can get, in catalog order, with what the wizard shows.
pub fn get_offering_items(conn: &mut Connection) -> Result<Value> {
    let cat = catalog()?;
    let mut p = Platform::new(conn);
    let items = p.root_offering_items()?;
    let for_customer = p.available_for_child("customer")?;
    let for_partner = p.available_for_child("partner")?;
    let infras = p.root_infras()?;
    let available = |list: &[crate::platform::root_facts::OfferingItem],
                     i: &crate::platform::root_facts::OfferingItem| {
        list.iter()
            .any(|a| a.name == i.name && a.infra_id == i.infra_id)
    };
    let mut out: Vec<(u32, Value)> = Vec::new();
    for item in items.iter().filter(|i| i.status != 0) {
        let Some(meta) = cat.offering_item(&item.name) else {
            continue;
        };
        let mut kinds = Vec::new();
        if available(&for_customer, item) {
            kinds.push("customer");
        }
        if available(&for_partner, item) {
            kinds.push("partner");
        }
        if kinds.is_empty() {
            continue;
        }
        let location = item
            .infra_id
            .as_ref()
            .and_then(|id| infras.iter().find(|i| &i.id == id))
            .and_then(|i| i.location_id.clone());
        out.push((
            meta.sort_priority,
            json!({
                "name": item.name,
                "application_type": meta.application,
                "edition": item.edition,
                "resource_type": meta.resource_type,
                "tenant_kinds": kinds,
                "infra_id": item.infra_id,
                "location_id": location,
                "capability": meta.capability,
                "measurement_unit": meta.measurement_unit,
                "child_offering_items": meta.child_offering_items,
                "pack": meta.pack,
            }),
        ));
    }
    out.sort_by_key(|(p, _)| *p);
    Ok(Value::Array(out.into_iter().map(|(_, v)| v).collect()))
}

/// `ui_strings`: the admin app's `msgid -> msgstr` table for the caller's locale (empty for
/// English: the app shows its msgids).
/// The admin UI's string table: its own labels plus the server-side messages (the UI repeats
/// some validation messages client-side, e.g. "The name field is required.").
pub fn ui_strings(ui: &Translator, messages: &Translator) -> Value {
    let mut strings = messages.entries();
    strings.extend(ui.entries());
    json!({"locale": ui.locale().unwrap_or("en"), "strings": strings})
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn l10n_covers_the_catalog() {
        let v = super::l10n(&Translator::english()).unwrap();
        assert_eq!(
            v["applications"]["backup"]["title"]
                .as_str()
                .map(|s| !s.is_empty()),
            Some(true)
        );
        assert_eq!(v["offering_items"].as_object().unwrap().len(), 238);
        assert!(v["editions"]["per_workload"].is_object());
        assert_eq!(v["locale"], "en");
    }

    #[test]
    fn l10n_and_ui_strings_translate() {
        let v = super::l10n(&Translator::for_locale("german")).unwrap();
        assert_eq!(v["locale"], "de_DE");
        assert_eq!(v["notifications"]["quota"], "Kontingentüberschreitung");
        let ui = super::ui_strings(
            &Translator::load("de", crate::infra::i18n::Domain::Ui, None),
            &Translator::for_locale("de"),
        );
        assert_eq!(ui["strings"]["Save"], "Speichern");
        assert_eq!(
            ui["strings"]["The name field is required."], "Das Feld „Name“ ist erforderlich.",
            "validation messages the UI repeats are included"
        );
        assert_eq!(
            super::ui_strings(&Translator::english(), &Translator::english())["strings"],
            json!({})
        );
    }
}
