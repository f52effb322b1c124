//! Platform catalogue (applications, editions, offering-item definitions) built
//! from the repository's `catalog/catalog.yaml`, embedded at compile time so the
//! simulator never reads shared files at run time.

use crate::ids::stable_uuid;
use serde::Deserialize;

const CATALOG_YAML: &str = include_str!("../../../catalog/catalog.yaml");

#[derive(Debug, Clone)]
pub struct App {
    pub id: String,
    pub app_type: String,
    pub name: String,
    /// Tenant kinds that may get this application (from the catalogue).
    pub tenant_kinds: Vec<String>,
}

/// Platform item type as it appears on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemType {
    Count,
    Infra,
    Feature,
}

impl ItemType {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemType::Count => "count",
            ItemType::Infra => "infra",
            ItemType::Feature => "feature",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ItemDef {
    pub name: String,
    pub app_type: String,
    pub app_id: String,
    pub edition: Option<String>,
    pub usage_name: String,
    pub item_type: ItemType,
    /// `quantity`, `bytes`, `seconds` or `n/a` (features).
    pub unit: String,
    /// Infra capability an `infra` item binds to (`backup`, `disaster_recovery`, `files_cloud`).
    pub capability: Option<String>,
    pub parent: Option<String>,
    /// Child tenant kinds allowed by `available_for_child`.
    pub child_kinds: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Catalog {
    pub apps: Vec<App>,
    pub editions: Vec<String>,
    pub items: Vec<ItemDef>,
}

#[derive(Deserialize)]
struct RawCatalog {
    applications: Vec<RawApp>,
    editions: Vec<RawEdition>,
    offering_items: Vec<RawItem>,
}
#[derive(Deserialize)]
struct RawApp {
    #[serde(rename = "type")]
    app_type: String,
    title: String,
    #[serde(default)]
    tenant_kinds: Vec<String>,
}
#[derive(Deserialize)]
struct RawEdition {
    name: String,
    #[serde(default)]
    offering_item_count: u32,
}
#[derive(Deserialize)]
struct RawItem {
    name: String,
    application: String,
    edition: Option<String>,
    measurement_unit: String,
    #[serde(rename = "type")]
    item_type: String,
    capability: Option<String>,
    #[serde(default)]
    needs_infra_component: bool,
    parent_offering_item: Option<String>,
}

impl App {
    /// The platform application goes to partners and customers whatever the catalogue says.
    fn from_raw(a: &RawApp) -> App {
        App {
            id: app_id(&a.app_type),
            app_type: a.app_type.clone(),
            name: a.title.clone(),
            tenant_kinds: if a.app_type == "platform" {
                vec!["partner".into(), "customer".into()]
            } else {
                a.tenant_kinds.clone()
            },
        }
    }
}

impl ItemDef {
    /// A catalogue entry as the platform shows it: wire type, unit, usage name (the name
    /// without its edition prefix) and the child kinds its application allows.
    fn from_raw(r: &RawItem, apps: &[App]) -> ItemDef {
        let item_type = if r.item_type == "feature" {
            ItemType::Feature
        } else if r.needs_infra_component {
            ItemType::Infra
        } else {
            ItemType::Count
        };
        let unit = match r.measurement_unit.as_str() {
            "feature" => "n/a".to_string(),
            u => u.to_string(),
        };
        let prefix = edition_prefix(r.edition.as_deref());
        let usage_name = r.name.strip_prefix(prefix).unwrap_or(&r.name).to_string();
        let app_kinds = apps
            .iter()
            .find(|a| a.app_type == r.application)
            .map(|a| a.tenant_kinds.clone())
            .unwrap_or_default();
        // Partner-hosted ("child") storages only make sense for resellers.
        let child_kinds = if r.name.contains("child_storages") {
            app_kinds.into_iter().filter(|k| k == "partner").collect()
        } else {
            app_kinds
        };
        ItemDef {
            name: r.name.clone(),
            app_type: r.application.clone(),
            app_id: app_id(&r.application),
            edition: r.edition.clone(),
            usage_name,
            item_type,
            unit,
            capability: if item_type == ItemType::Infra {
                r.capability.clone()
            } else {
                None
            },
            parent: r.parent_offering_item.clone(),
            child_kinds,
        }
    }
}

/// Name prefix per edition, stripped to obtain `usage_name`.
fn edition_prefix(edition: Option<&str>) -> &'static str {
    match edition {
        Some("per_workload") => "pw_",
        Some("per_gigabyte") => "pg_",
        Some("advanced") => "adv_",
        Some("disaster_recovery") => "dre_",
        Some("cyber_protect_std") => "p_",
        Some("cyber_protect_adv") => "p_adv_",
        Some("cyber_protect_dre") => "p_dre_",
        _ => "",
    }
}

/// Application id: stable across DCs and restarts (derived from the type).
pub fn app_id(app_type: &str) -> String {
    stable_uuid(&format!("application:{app_type}"))
}

impl Catalog {
    pub fn load() -> Result<Catalog, String> {
        let raw: RawCatalog =
            serde_yaml_ng::from_str(CATALOG_YAML).map_err(|e| format!("catalog.yaml: {e}"))?;
        let apps: Vec<App> = raw.applications.iter().map(App::from_raw).collect();
        let editions = raw
            .editions
            .iter()
            .filter(|e| e.offering_item_count > 0)
            .map(|e| e.name.clone())
            .collect();
        let items = raw
            .offering_items
            .iter()
            .map(|r| ItemDef::from_raw(r, &apps))
            .collect();
        Ok(Catalog {
            apps,
            editions,
            items,
        })
    }

    pub fn item(&self, name: &str) -> Option<&ItemDef> {
        self.items.iter().find(|i| i.name == name)
    }
    pub fn app(&self, id: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.id == id)
    }
    pub fn app_by_type(&self, t: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.app_type == t)
    }
}
