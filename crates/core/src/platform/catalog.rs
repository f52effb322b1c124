//! Typed view of the static platform catalog (`catalog/catalog.yaml`, facts taken from the
//! reference module's meta files). It is embedded at build time so the module never depends on
//! files outside the extension at run time, and parsed once on first use. A broken embedded
//! catalog is a build defect: it surfaces as `Error::Internal` instead of a panic.

use crate::infra::error::{Error, Result};
use once_cell::sync::Lazy;
use serde::Deserialize;
use std::collections::HashMap;

const CATALOG_YAML: &str = include_str!("../../../../catalog/catalog.yaml");

/// An application type (Cloud service) known to the module.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Application {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub description: Option<String>,
    /// Tenant kinds a template may enable it for; empty = never selectable (`platform`).
    pub tenant_kinds: Vec<String>,
    pub selectable_in_templates: bool,
    /// 1-based position; orders UIs and generated options.
    pub sort_priority: u32,
}

/// A billing edition (licensing model) of an application.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Edition {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub legacy: bool,
    pub billing_mode: String,
    /// Application types whose offering items belong to this edition.
    pub applications: Vec<String>,
    pub sort_priority: u32,
}

/// How an offering item is offered as a WHMCS configurable option.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ConfigurableOption {
    pub friendly_name: String,
    /// Unit the client buys in (e.g. `gigabytes` for a `bytes` item).
    pub measurement_unit: String,
    /// Label of the sub-option (e.g. "Gb").
    pub measurement_unit_name: String,
    /// WHMCS option type: 3 = Yes/No, 4 = Quantity.
    pub option_type: u8,
    pub generated_option_name: String,
}

/// An offering item (sellable resource or feature) with its meta information.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OfferingItem {
    pub name: String,
    pub section: String,
    /// Application type the item belongs to.
    pub application: String,
    pub edition: Option<String>,
    pub friendly_name: String,
    /// Unit stored in templates: `quantity`, `feature`, `bytes` or `seconds`.
    pub measurement_unit: String,
    /// `countable` or `feature`.
    #[serde(rename = "type")]
    pub kind: String,
    pub resource_type: Option<String>,
    /// Infrastructure capability needed (`backup`, `disaster_recovery`, `files_cloud`).
    pub capability: Option<String>,
    pub needs_infra_component: bool,
    pub child_offering_items: Vec<String>,
    pub parent_offering_item: Option<String>,
    pub configurable_option: ConfigurableOption,
    pub billing_metric: Option<String>,
    /// Advanced pack (wire name of `templates::model::ADVANCED_PACKS`) the item belongs to:
    /// a template enables it only when that pack is ticked.
    #[serde(default)]
    pub pack: Option<String>,
    /// `inferred` when no public Acronis source names the item (docs/offering-items.md):
    /// the name lives only here, so a correction is one edit of the catalog file.
    #[serde(default)]
    pub name_status: Option<String>,
    pub sort_priority: u32,
}

impl OfferingItem {
    /// True for on/off items that never carry a quota.
    pub fn is_feature(&self) -> bool {
        self.measurement_unit == "feature"
    }
}

/// A product custom field the module maintains in WHMCS.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CustomField {
    pub name: String,
    pub fieldname_stored: String,
    pub friendly_name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub description: String,
    pub validation_regex: String,
    pub admin_only: bool,
    pub required: bool,
    pub show_on_order: bool,
    pub show_on_invoice: bool,
    pub sort_order: u32,
}

/// A user notification type shown in the client area.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Notification {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub application_type: String,
    pub sort_priority: u32,
}

/// A usage metric offered to WHMCS usage billing.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BillingMetric {
    pub system_name: String,
    pub section: String,
    pub display_name: String,
    pub prefix: String,
    /// `snapshot` or `month`.
    #[serde(rename = "type")]
    pub kind: String,
    pub unit: String,
    pub metric_unit: Option<String>,
    pub whmcs_unit: String,
    pub conversion: String,
    pub offering_items: Vec<String>,
    pub sort_priority: u32,
}

/// Unit families; a quota converts only within one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Quantity,
    Feature,
    Storage,
    Time,
}

#[derive(Debug, Deserialize)]
struct MeasurementUnits {
    storage: Vec<String>,
    time: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Constants {
    measurement_units: MeasurementUnits,
}

#[derive(Debug, Deserialize)]
struct Raw {
    constants: Constants,
    applications: Vec<Application>,
    editions: Vec<Edition>,
    offering_items: Vec<OfferingItem>,
    custom_fields: Vec<CustomField>,
    notifications: Vec<Notification>,
    billing_metrics: Vec<BillingMetric>,
}

/// The parsed catalog. Lists keep the catalog order (= display order).
#[derive(Debug)]
pub struct Catalog {
    pub applications: Vec<Application>,
    pub editions: Vec<Edition>,
    pub offering_items: Vec<OfferingItem>,
    pub custom_fields: Vec<CustomField>,
    pub notifications: Vec<Notification>,
    pub billing_metrics: Vec<BillingMetric>,
    storage_units: Vec<String>,
    time_units: Vec<String>,
    app_index: HashMap<String, usize>,
    edition_index: HashMap<String, usize>,
    item_index: HashMap<String, usize>,
    metric_index: HashMap<String, usize>,
}

fn index<T>(list: &[T], key: impl Fn(&T) -> &str) -> HashMap<String, usize> {
    list.iter()
        .enumerate()
        .map(|(i, x)| (key(x).to_string(), i))
        .collect()
}

impl Catalog {
    /// Parses catalog YAML; public so tests and tools can check other catalog files.
    pub fn parse(text: &str) -> Result<Catalog> {
        let raw: Raw = serde_yaml_ng::from_str(text).map_err(|e| {
            Error::internal(format!("The embedded platform catalog is invalid: {e}"))
        })?;
        Ok(Catalog {
            app_index: index(&raw.applications, |a| &a.kind),
            edition_index: index(&raw.editions, |e| &e.name),
            item_index: index(&raw.offering_items, |o| &o.name),
            metric_index: index(&raw.billing_metrics, |m| &m.system_name),
            applications: raw.applications,
            editions: raw.editions,
            offering_items: raw.offering_items,
            custom_fields: raw.custom_fields,
            notifications: raw.notifications,
            billing_metrics: raw.billing_metrics,
            storage_units: raw.constants.measurement_units.storage,
            time_units: raw.constants.measurement_units.time,
        })
    }

    pub fn application(&self, kind: &str) -> Option<&Application> {
        self.app_index
            .get(kind)
            .and_then(|&i| self.applications.get(i))
    }

    pub fn edition(&self, name: &str) -> Option<&Edition> {
        self.edition_index
            .get(name)
            .and_then(|&i| self.editions.get(i))
    }

    pub fn offering_item(&self, name: &str) -> Option<&OfferingItem> {
        self.item_index
            .get(name)
            .and_then(|&i| self.offering_items.get(i))
    }

    pub fn billing_metric(&self, system_name: &str) -> Option<&BillingMetric> {
        self.metric_index
            .get(system_name)
            .and_then(|&i| self.billing_metrics.get(i))
    }

    pub fn custom_field(&self, name: &str) -> Option<&CustomField> {
        self.custom_fields.iter().find(|f| f.name == name)
    }

    pub fn notification(&self, kind: &str) -> Option<&Notification> {
        self.notifications.iter().find(|n| n.kind == kind)
    }

    /// Offering items of one application, in catalog order.
    pub fn offering_items_of<'a>(
        &'a self,
        application: &'a str,
    ) -> impl Iterator<Item = &'a OfferingItem> + 'a {
        self.offering_items
            .iter()
            .filter(move |o| o.application == application)
    }

    /// Family of a measurement unit, `None` when the module does not know the unit.
    pub fn unit_kind(&self, unit: &str) -> Option<UnitKind> {
        match unit {
            "quantity" => Some(UnitKind::Quantity),
            "feature" => Some(UnitKind::Feature),
            u if self.storage_units.iter().any(|s| s == u) => Some(UnitKind::Storage),
            u if self.time_units.iter().any(|s| s == u) => Some(UnitKind::Time),
            _ => None,
        }
    }
}

static CATALOG: Lazy<std::result::Result<Catalog, Error>> =
    Lazy::new(|| Catalog::parse(CATALOG_YAML));

/// The embedded catalog, parsed on first use.
pub fn catalog() -> Result<&'static Catalog> {
    CATALOG.as_ref().map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_count(key: &str) -> usize {
        let line = CATALOG_YAML
            .lines()
            .find(|l| l.starts_with("# Counts:"))
            .unwrap();
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{key}=")))
            .unwrap()
            .parse()
            .unwrap()
    }

    #[test]
    fn embedded_catalog_parses_with_header_counts() {
        let c = catalog().unwrap();
        assert_eq!(c.applications.len(), header_count("applications"));
        assert_eq!(c.editions.len(), header_count("editions"));
        assert_eq!(c.offering_items.len(), header_count("offering_items"));
        assert_eq!(c.custom_fields.len(), header_count("custom_fields"));
        assert_eq!(c.notifications.len(), header_count("notifications"));
        assert_eq!(c.billing_metrics.len(), header_count("billing_metrics"));
        assert_eq!(c.offering_items.len(), 238);
    }

    #[test]
    fn lookups_by_name() {
        let c = catalog().unwrap();
        let item = c.offering_item("pw_storage").unwrap();
        assert_eq!(item.application, "backup");
        assert_eq!(item.measurement_unit, "bytes");
        assert_eq!(item.configurable_option.measurement_unit, "gigabytes");
        assert_eq!(
            c.offering_item("pw_o365_mailboxes")
                .unwrap()
                .parent_offering_item
                .as_deref(),
            Some("pw_o365_seats")
        );
        assert_eq!(c.application("backup").unwrap().sort_priority, 2);
        assert!(c.application("platform").unwrap().tenant_kinds.is_empty());
        assert_eq!(c.edition("per_workload").unwrap().sort_priority, 1);
        assert!(c.offering_item("nope").is_none());
        assert_eq!(c.custom_field("tenant_id").unwrap().sort_order, 3);
        assert_eq!(
            c.notification("quota").unwrap().application_type,
            "platform"
        );
        assert!(c.billing_metric("pw_p_ess_workstations").is_some());
        assert_eq!(c.offering_items_of("notary").count(), 3);
    }

    #[test]
    fn unit_kinds() {
        let c = catalog().unwrap();
        assert_eq!(c.unit_kind("gigabytes"), Some(UnitKind::Storage));
        assert_eq!(c.unit_kind("bytes"), Some(UnitKind::Storage));
        assert_eq!(c.unit_kind("hours"), Some(UnitKind::Time));
        assert_eq!(c.unit_kind("feature"), Some(UnitKind::Feature));
        assert_eq!(c.unit_kind("quantity"), Some(UnitKind::Quantity));
        assert_eq!(c.unit_kind("parsecs"), None);
    }

    #[test]
    fn malformed_catalog_is_an_internal_error() {
        let err = Catalog::parse("applications: 5").unwrap_err();
        assert!(matches!(err, Error::Internal(_)), "{err:?}");
    }
}
