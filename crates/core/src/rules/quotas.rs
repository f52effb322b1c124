//! Offering items and quotas a service should get (docs/behaviour.md §B.4–§B.6, manual
//! 6.3 "Configurable options" tables and 6.8 "overage_ratio"). Pure logic: the caller reads the
//! template, `$params['configoptions']` and the root tenant's facts, this module decides which
//! items to enable (with quota and overage in the platform's units) and which to disable.
//!
//! Deliberate choices on the reference quirks (§J.2):
//!
//! * **#1** — an infrastructure id in a configurable-option name must be a lower-case UUID
//!   (the platform's only spelling); anything else non-empty is rejected with the reference's
//!   intended message.
//! * **#2** — the "requires the enabled application" message of an option names the option
//!   (the reference leaves a literal `{3}`).
//! * **#24** — WHMCS passes only `name → value`, not the option type, so a ticked Yes/No
//!   option is value 1. An option whose *name* carries the unit `feature` enables the item
//!   without a quota (the manual's "Enabled" row); an option with a countable unit
//!   (`…:quantity:`) adds its value (1 when a Yes/No box is ticked), as in the reference.
//!   Admins wanting "enable, template quota applies" must use the `feature` unit.
//! * **#25** — options whose value is 0 still get the checks on their *name* (item known,
//!   unit known, infra id a UUID: configuration mistakes an admin must see), but none of the
//!   checks against the platform: the manual's troubleshooting advice is to "set 0 for the
//!   items that are not compatible with that template", which only works if a 0 option is
//!   inert.

use crate::infra::error::{Error, Result};
use crate::platform::catalog::{catalog, Catalog, OfferingItem as Meta, UnitKind};
use crate::platform::root_facts::{
    Application as PlatformApp, Infra, OfferingItem as PlatformItem,
};
use crate::rules::templates::model::{Status, TemplateData, TenantKind};
use std::collections::HashSet;

/// Unit name of on/off items.
pub const FEATURE: &str = "feature";

/// Message of a failed parent/child dependency check (§B.6, never translated).
pub const DEPENDENCY_ERROR: &str =
    "The selected configurable option(s) belong to one or more offering items that are disabled.";

/// Quota sent with an enabled item. `value` is in the platform unit (bytes, seconds,
/// quantity); `None` = unlimited.
#[derive(Debug, Clone, PartialEq)]
pub struct Quota {
    pub value: Option<i64>,
    /// Allowed usage above `value` (hard quota − soft quota); 0 for partners.
    pub overage: f64,
}

/// An offering item to enable (`status: 1`). `quota: None` = no quota sent (feature items,
/// or a feature-unit option without a template quota: "enabled, unlimited").
#[derive(Debug, Clone, PartialEq)]
pub struct WantedItem {
    /// Application type (`backup`, `files_cloud`, …).
    pub application: String,
    /// Platform id of that application.
    pub application_id: String,
    pub name: String,
    pub infra_id: Option<String>,
    pub quota: Option<Quota>,
}

/// An active tenant item to switch off (`status: 0`, no quota).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisabledItem {
    pub application_id: String,
    pub name: String,
    pub infra_id: Option<String>,
}

/// What to apply to the tenant: applications to bind, items to enable (in this order first in
/// the `PUT`), then items to disable.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OfferingPlan {
    /// Application types to enable: template applications first, then those of option items.
    pub applications: Vec<String>,
    pub enable: Vec<WantedItem>,
    pub disable: Vec<DisabledItem>,
}

/// Facts about the root tenant the checks need (read by the caller through `Platform`).
#[derive(Debug, Clone, Copy)]
pub struct RootFacts<'a> {
    /// `GET /applications`: id and type of every platform application.
    pub applications: &'a [PlatformApp],
    /// Infrastructure components of the root tenant.
    pub infras: &'a [Infra],
    /// Offering items of the root tenant, every edition.
    pub offering_items: &'a [PlatformItem],
    /// Root items a child of the service's tenant kind may get.
    pub available_for_child: &'a [PlatformItem],
}

/// Everything [`plan`] needs.
#[derive(Debug, Clone, Copy)]
pub struct QuotaRequest<'a> {
    /// Template id, used in messages.
    pub template_id: i64,
    pub template: &'a TemplateData,
    /// `$params['configoptions']` in WHMCS order: option name (already cut at `|`) → value
    /// (quantity, or 1/0 for Yes/No).
    pub config_options: &'a [(String, i64)],
    /// Names (cut at `|`, trimmed) of the product's Yes/No options (`optiontype` 3 in
    /// `tblproductconfigoptions`): a ticked one enables its item with the template's quota.
    pub yes_no_options: &'a [String],
    pub tenant_kind: TenantKind,
    /// `overage_ratio` from config.yaml (values below 1 count as 1).
    pub overage_ratio: f64,
    pub root: RootFacts<'a>,
    /// Current items of the tenant (`GET /tenants/{id}/offering_items?edition=*`); empty for a
    /// new tenant.
    pub current: &'a [PlatformItem],
}

/// The three `:`-separated parts of a configurable-option name, trimmed (missing = empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionName {
    pub item: String,
    pub unit: String,
    pub infra_id: String,
}

/// Parses `<offering_item>:<unit>:<infra_id>` (anything after a `|` is ignored).
pub fn parse_option_name(name: &str) -> OptionName {
    let head = name.split('|').next().unwrap_or_default();
    let mut parts = head.splitn(3, ':').map(str::trim);
    OptionName {
        item: parts.next().unwrap_or_default().to_string(),
        unit: parts.next().unwrap_or_default().to_string(),
        infra_id: parts.next().unwrap_or_default().to_string(),
    }
}

/// The ratio actually used: `overage_ratio` clamped to ≥ 1 (NaN/infinite → 1).
pub fn effective_ratio(ratio: f64) -> f64 {
    if ratio.is_finite() && ratio > 1.0 {
        ratio
    } else {
        1.0
    }
}

/// Overage for a soft quota: `value × (ratio − 1)` for customers, 0 for partners.
pub fn overage(value: i64, ratio: f64, kind: TenantKind) -> f64 {
    match kind {
        TenantKind::Partner => 0.0,
        TenantKind::Customer => value as f64 * (effective_ratio(ratio) - 1.0),
    }
}

/// Size of one unit in the family's base unit (bytes: binary multiples; seconds).
fn unit_factor(unit: &str) -> Option<(UnitKind, i128)> {
    Some(match unit {
        "quantity" => (UnitKind::Quantity, 1),
        "bytes" => (UnitKind::Storage, 1),
        "kilobytes" => (UnitKind::Storage, 1 << 10),
        "megabytes" => (UnitKind::Storage, 1 << 20),
        "gigabytes" => (UnitKind::Storage, 1 << 30),
        "terabytes" => (UnitKind::Storage, 1 << 40),
        "seconds" => (UnitKind::Time, 1),
        "minutes" => (UnitKind::Time, 60),
        "hours" => (UnitKind::Time, 3_600),
        "days" => (UnitKind::Time, 86_400),
        _ => return None,
    })
}

/// Converts a quota between units of one family (1 KB = 1024 B; 1 h = 3600 s). Converting to
/// a larger unit rounds down.
pub fn convert(value: i64, from: &str, to: &str) -> Result<i64> {
    let (Some((kf, ff)), Some((kt, ft))) = (unit_factor(from), unit_factor(to)) else {
        return Err(Error::validation(format!(
            "Unable to convert the measurement unit \"{from}\" to \"{to}\"."
        )));
    };
    if kf != kt {
        return Err(Error::validation(format!(
            "Unable to convert the measurement unit \"{from}\" to \"{to}\"."
        )));
    }
    let out = i128::from(value) * ff / ft;
    i64::try_from(out).map_err(|_| {
        Error::validation(format!(
            "The quota {value} {from} is too large for the measurement unit \"{to}\"."
        ))
    })
}

fn norm(infra: Option<&str>) -> Option<&str> {
    infra.filter(|s| !s.is_empty())
}

fn same_item(p: &PlatformItem, name: &str, infra: Option<&str>) -> bool {
    p.name == name && norm(p.infra_id.as_deref()) == norm(infra)
}

/// The Cloud's unit of an item (root item unit, else the catalog's) and whether it is a
/// feature.
fn cloud_unit<'a>(root: &'a PlatformItem, meta: &'a Meta) -> (&'a str, bool) {
    let unit = if root.measurement_unit.is_empty() {
        meta.measurement_unit.as_str()
    } else {
        root.measurement_unit.as_str()
    };
    (unit, root.kind == FEATURE || unit == FEATURE)
}

fn app_id<'a>(root: &'a RootFacts<'_>, kind: &str) -> Option<&'a str> {
    root.applications
        .iter()
        .find(|a| a.kind == kind)
        .map(|a| a.id.as_str())
}

/// Where a wanted item comes from. Both sources pass the same platform checks; only the
/// messages differ, naming what the admin has to edit.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// The template with this id.
    Template(i64),
    /// The configurable option with this name.
    Option(&'a str),
}

impl Source<'_> {
    fn application_disabled(self, name: &str, application: &str) -> Error {
        Error::validation(match self {
            Source::Template(tid) => format!(
                "The offering item \"{name}\" requires the enabled application \"{}\". Please enable this application for your root tenant or edit the template {tid}.",
                application
            ),
            Source::Option(opt) => format!(
                "The offering item \"{name}\" requires the enabled application \"{}\". Please enable this application for your root tenant or edit the configurable option \"{opt}\" for the product.",
                application
            ),
        })
    }

    fn unknown_infra(self, name: &str, infra: &str) -> Error {
        Error::validation(match self {
            Source::Template(tid) => format!(
                "The unknown infrastructure component \"{infra}\" is used for the offering item \"{name}\". Please enable this infrastructure component for your root tenant or edit the template {tid}."
            ),
            Source::Option(opt) => format!(
                "An unknown infrastructure component \"{infra}\". Please enable this infrastructure component for your root tenant or edit the configurable option \"{opt}\"."
            ),
        })
    }

    fn item_disabled(self, name: &str) -> Error {
        Error::validation(match self {
            Source::Template(tid) => format!(
                "The offering item \"{name}\" is not enabled. Please enable this offering item for your root tenant or edit the template {tid}."
            ),
            Source::Option(opt) => format!(
                "The offering item \"{name}\" is not enabled. Please enable this offering item for your root tenant or edit the configurable option \"{opt}\" for the product."
            ),
        })
    }

    fn not_for_child(self, name: &str, kind: TenantKind) -> Error {
        Error::validation(match self {
            Source::Template(tid) => format!(
                "Cannot enable offering items \"{name}\" for a tenant of type \"{}\". Please remove or edit the template {tid}.",
                kind.as_str()
            ),
            Source::Option(opt) => format!(
                "Cannot enable offering items \"{name}\" for a tenant of type \"{}\". Please remove or edit the configurable option \"{opt}\".",
                kind.as_str()
            ),
        })
    }

    fn quota_on_feature(self, name: &str, unit: &str) -> Error {
        Error::validation(match self {
            Source::Template(tid) => format!(
                "Unable to specify any quota for the feature offering item \"{name}\". Please change the measurement unit \"{unit}\" to \"{FEATURE}\" for the template {tid}."
            ),
            Source::Option(opt) => format!(
                "Unable to specify any quota for the feature offering item \"{name}\". Please change the measurement unit \"{unit}\" to \"{FEATURE}\" for the configurable option \"{opt}\"."
            ),
        })
    }

    fn unit_mismatch(self, name: &str, unit: &str, cloud: &str) -> Error {
        Error::validation(match self {
            Source::Template(tid) => format!(
                "Unable to convert the measurement unit \"{unit}\" from the template to the measurement unit \"{cloud}\" for the offering item \"{name}\" in the template {tid}."
            ),
            Source::Option(opt) => format!(
                "Unable to convert the configurable option measurement unit \"{unit}\" to the offering item measurement unit \"{cloud}\" for the configurable option \"{opt}\"."
            ),
        })
    }
}

/// The platform checks both sources share (§B.4 and §B.5 steps 4–8): the application is
/// enabled, the infrastructure is known, the root tenant has the item enabled and may give it
/// to the child. Returns the application id and the root tenant's item.
fn platform_item<'r>(
    req: &'r QuotaRequest<'_>,
    src: Source<'_>,
    meta: &Meta,
    name: &str,
    infra: Option<&str>,
) -> Result<(&'r str, &'r PlatformItem)> {
    let application_id = app_id(&req.root, &meta.application)
        .ok_or_else(|| src.application_disabled(name, &meta.application))?;
    if let Some(infra) = infra {
        if !req.root.infras.iter().any(|i| i.id == infra) {
            return Err(src.unknown_infra(name, infra));
        }
    }
    let root_item = req
        .root
        .offering_items
        .iter()
        .find(|p| p.enabled() && same_item(p, name, infra))
        .ok_or_else(|| src.item_disabled(name))?;
    if !req
        .root
        .available_for_child
        .iter()
        .any(|p| same_item(p, name, infra))
    {
        return Err(src.not_for_child(name, req.tenant_kind));
    }
    Ok((application_id, root_item))
}

/// The Cloud's unit for a quota given in `unit` (of `kind`): refused when the platform's item
/// is a feature or its unit cannot be converted.
fn quota_unit<'m>(
    cat: &Catalog,
    src: Source<'_>,
    (root_item, meta): (&'m PlatformItem, &'m Meta),
    name: &str,
    (unit, kind): (&str, UnitKind),
) -> Result<&'m str> {
    let (cloud, cloud_feature) = cloud_unit(root_item, meta);
    if cloud_feature {
        return Err(src.quota_on_feature(name, unit));
    }
    if cat.unit_kind(cloud) != Some(kind) {
        return Err(src.unit_mismatch(name, unit, cloud));
    }
    Ok(cloud)
}

/// §B.4: items of the active template applications (active items only).
pub fn template_items(req: &QuotaRequest<'_>) -> Result<Vec<WantedItem>> {
    // Pack items count only when their pack is ticked; a ticked pack adds its unlisted items.
    let implied = crate::rules::packs::implied_items(req.template)?;
    active_template_items(req.template)
        .filter(|i| crate::rules::packs::allowed_by_template(req.template, &i.name))
        .chain(implied.iter())
        .map(|item| template_item(req, item))
        .collect()
}

/// One active item of the template, checked against the catalog and the platform.
fn template_item(
    req: &QuotaRequest<'_>,
    item: &crate::rules::templates::model::OfferingItem,
) -> Result<WantedItem> {
    let cat = catalog()?;
    let tid = req.template_id;
    let src = Source::Template(tid);
    let name = item.name.as_str();
    let unit = item.measurement_unit.as_str();
    let infra = norm(item.infra_id.as_deref());
    let meta = cat.offering_item(name).ok_or_else(|| {
        Error::validation(format!(
            "The unsupported offering item \"{name}\" is used for the template {tid}."
        ))
    })?;
    let Some(kind) = cat.unit_kind(unit) else {
        return Err(Error::validation(format!(
            "The unsupported measurement unit \"{unit}\" is used for the offering item \"{name}\" in the template {tid}."
        )));
    };
    let (application_id, root_item) = platform_item(req, src, meta, name, infra)?;
    let quota = if kind == UnitKind::Feature {
        None
    } else {
        let cloud = quota_unit(cat, src, (root_item, meta), name, (unit, kind))?;
        Some(match item.quota_value {
            None => Quota {
                value: None,
                overage: 0.0,
            },
            Some(v) => {
                let value = convert(v, unit, cloud)?;
                Quota {
                    value: Some(value),
                    overage: overage(value, req.overage_ratio, req.tenant_kind),
                }
            }
        })
    };
    Ok(WantedItem {
        application: meta.application.clone(),
        application_id: application_id.to_string(),
        name: name.to_string(),
        infra_id: infra.map(str::to_string),
        quota,
    })
}

fn active_apps(
    t: &TemplateData,
) -> impl Iterator<Item = &crate::rules::templates::model::Application> {
    t.applications.iter().filter(|a| a.status == Status::Active)
}

fn active_template_items(
    t: &TemplateData,
) -> impl Iterator<Item = &crate::rules::templates::model::OfferingItem> {
    active_apps(t).flat_map(|a| {
        a.offering_items
            .iter()
            .filter(|i| i.status == Status::Active)
    })
}

/// §B.5 step 5 for customers: the infra of an option without one, taken from the template
/// (active items of active applications) or, for disaster recovery, from the backup location.
fn resolve_infra(req: &QuotaRequest<'_>, cat: &Catalog, meta: &Meta, opt: &str) -> Result<String> {
    let same_name: Vec<_> = active_template_items(req.template)
        .filter(|i| i.name == meta.name)
        .collect();
    if same_name.len() > 1 {
        return Err(Error::validation(format!(
            "There are several infrastructure components which are associated with the offering item \"{}\".",
            meta.name
        )));
    }
    if let Some(infra) = same_name.first().and_then(|i| norm(i.infra_id.as_deref())) {
        return Ok(infra.to_string());
    }
    let capability_infra = |cap: &str| {
        active_template_items(req.template).find_map(|i| {
            let has = cat
                .offering_item(&i.name)
                .is_some_and(|m| m.capability.as_deref() == Some(cap));
            norm(i.infra_id.as_deref()).filter(|_| has)
        })
    };
    if meta.capability.as_deref() == Some("disaster_recovery") {
        if let Some(infra) = capability_infra("disaster_recovery") {
            return Ok(infra.to_string());
        }
        let location = capability_infra("backup").and_then(|b| {
            req.root
                .infras
                .iter()
                .find(|i| i.id == b)
                .and_then(|i| i.location_id.as_deref())
        });
        if let Some(location) = location {
            let dr: Vec<_> = req
                .root
                .infras
                .iter()
                .filter(|i| {
                    i.location_id.as_deref() == Some(location)
                        && i.capabilities.iter().any(|c| c == "disaster_recovery")
                })
                .collect();
            if dr.len() > 1 {
                return Err(Error::validation(format!(
                    "There are several infrastructure components with capability \"disaster_recovery\" in the location \"{location}\"."
                )));
            }
            if let Some(i) = dr.first() {
                return Ok(i.id.clone());
            }
        }
    }
    Err(Error::validation(format!(
        "Cannot resolve the infrastructure component ID for the configurable option \"{opt}\". Please specify the ID for the configurable option or enable the offering item \"{}\" for the template {}.",
        meta.friendly_name, req.template_id
    )))
}

/// §B.5: items contributed by the configurable options (zero-valued options produce none).
pub fn option_items(req: &QuotaRequest<'_>) -> Result<Vec<WantedItem>> {
    let mut out = Vec::new();
    for (full, value) in req.config_options {
        if let Some(item) = option_item(req, full, *value)? {
            out.push(item);
        }
    }
    Ok(out)
}

/// One configurable option: its name checked even for value 0 (§J.2 #25), then, when it
/// buys something, checked against the platform and turned into a quota.
fn option_item(req: &QuotaRequest<'_>, full: &str, value: i64) -> Result<Option<WantedItem>> {
    let cat = catalog()?;
    let opt = full.split('|').next().unwrap_or_default().trim();
    let parsed = parse_option_name(opt);
    let (name, unit) = (parsed.item.as_str(), parsed.unit.as_str());
    // 1–3: the option name itself (checked even for value 0, §J.2 #25).
    let meta = cat.offering_item(name).ok_or_else(|| {
        Error::validation(format!(
            "The unsupported offering item \"{name}\" is used for the configurable option \"{opt}\"."
        ))
    })?;
    let Some(kind) = cat.unit_kind(unit) else {
        return Err(Error::validation(format!(
            "The unsupported measurement unit \"{unit}\" is used for the configurable option \"{opt}\"."
        )));
    };
    if !parsed.infra_id.is_empty() && !crate::infra::uuid::is_uuid(&parsed.infra_id) {
        return Err(Error::validation(format!(
            "The invalid infrastructure component ID \"{}\" is specified for the configurable option \"{opt}\". Please specify UUID or leave blank.",
            parsed.infra_id
        )));
    }
    if value < 0 {
        return Err(Error::validation(format!(
            "The value {value} of the configurable option \"{opt}\" cannot be negative."
        )));
    }
    if value == 0 {
        return Ok(None);
    }
    // 4–8: against the platform.
    let src = Source::Option(opt);
    let Some(application_id) = app_id(&req.root, &meta.application) else {
        return Err(src.application_disabled(name, &meta.application));
    };
    let infra = option_infra(req, cat, meta, opt, &parsed.infra_id)?;
    let (_, root_item) = platform_item(req, src, meta, name, infra.as_deref())?;
    // 10–11: the quota.
    let quota = if kind == UnitKind::Feature {
        None
    } else if req.yes_no_options.iter().any(|n| n == opt) {
        yes_no_on_countable(req, name, infra.as_deref(), opt)?;
        None
    } else {
        let cloud = quota_unit(cat, src, (root_item, meta), name, (unit, kind))?;
        let v = convert(value, unit, cloud)?;
        Some(Quota {
            value: Some(v),
            overage: overage(v, req.overage_ratio, req.tenant_kind),
        })
    };
    Ok(Some(WantedItem {
        application: meta.application.clone(),
        application_id: application_id.to_string(),
        name: name.to_string(),
        infra_id: infra,
        quota,
    }))
}

/// §B.5 step 5: the option's infrastructure: the one it names, else (items with a capability)
/// required of partners and resolved for customers, else none.
fn option_infra(
    req: &QuotaRequest<'_>,
    cat: &Catalog,
    meta: &Meta,
    opt: &str,
    named: &str,
) -> Result<Option<String>> {
    if !named.is_empty() {
        return Ok(Some(named.to_string()));
    }
    if meta.capability.is_none() {
        return Ok(None);
    }
    match req.tenant_kind {
        TenantKind::Partner => Err(Error::validation(format!(
            "The infrastructure component ID is required for the configurable option \"{opt}\". Please specify the ID for the configurable option."
        ))),
        TenantKind::Customer => resolve_infra(req, cat, meta, opt).map(Some),
    }
}

/// Manual 6.3: a ticked Yes/No option on a countable item enables the item "in accordance with
/// the quota defined in the template" — it adds no quota of its own (the reference added 1,
/// docs/behaviour.md §J.2 #24). An item the template does not define has no such quota, so
/// the option is refused rather than enabling the item without any limit.
fn yes_no_on_countable(
    req: &QuotaRequest<'_>,
    name: &str,
    infra: Option<&str>,
    opt: &str,
) -> Result<()> {
    let in_template = active_template_items(req.template)
        .any(|i| i.name == name && norm(i.infra_id.as_deref()) == norm(infra));
    if in_template {
        return Ok(());
    }
    Err(Error::validation(format!(
        "The Yes/No configurable option \"{opt}\" enables the offering item \"{name}\" with the quota of the template {}, but the template does not contain this offering item. Please add the offering item to the template or use a quantity option.",
        req.template_id
    )))
}

/// §B.6 merge by name + infra id, first-seen order: any unlimited contributor makes the quota
/// unlimited, otherwise numeric quotas add up; contributors without quota are ignored (none
/// with a quota → no quota). Overages of numeric contributors add up (an unlimited one adds 0).
pub fn merge(items: impl IntoIterator<Item = WantedItem>) -> Vec<WantedItem> {
    let mut out: Vec<WantedItem> = Vec::new();
    for item in items {
        let Some(existing) = out
            .iter_mut()
            .find(|e| e.name == item.name && e.infra_id == item.infra_id)
        else {
            out.push(item);
            continue;
        };
        existing.quota = match (existing.quota.take(), item.quota) {
            (None, q) | (q, None) => q,
            (Some(a), Some(b)) => Some(Quota {
                value: match (a.value, b.value) {
                    (Some(x), Some(y)) => Some(x.saturating_add(y)),
                    _ => None,
                },
                overage: a.overage + b.overage,
            }),
        };
    }
    out
}

/// §B.6 dependency check: an item with a catalog parent needs that parent enabled too.
pub fn check_dependencies(items: &[WantedItem]) -> Result<()> {
    let cat = catalog()?;
    let names: HashSet<&str> = items.iter().map(|i| i.name.as_str()).collect();
    for item in items {
        let mut parents: Vec<&str> = cat
            .offering_items
            .iter()
            .filter(|p| p.child_offering_items.contains(&item.name))
            .map(|p| p.name.as_str())
            .collect();
        if let Some(p) = cat
            .offering_item(&item.name)
            .and_then(|m| m.parent_offering_item.as_deref())
        {
            parents.push(p);
        }
        if !parents.is_empty() && !parents.iter().any(|p| names.contains(p)) {
            return Err(Error::validation(DEPENDENCY_ERROR));
        }
    }
    Ok(())
}

/// §B.6 apply step 2: active current items known to the catalog and not wanted.
pub fn items_to_disable(
    enable: &[WantedItem],
    current: &[PlatformItem],
) -> Result<Vec<DisabledItem>> {
    let cat = catalog()?;
    Ok(current
        .iter()
        .filter(|c| c.enabled() && cat.offering_item(&c.name).is_some())
        .filter(|c| {
            !enable
                .iter()
                .any(|e| same_item(c, &e.name, e.infra_id.as_deref()))
        })
        .map(|c| DisabledItem {
            application_id: c.application_id.clone(),
            name: c.name.clone(),
            infra_id: norm(c.infra_id.as_deref()).map(str::to_string),
        })
        .collect())
}

/// The whole computation: template items, option items, merge (options first, as the
/// reference), dependency check, applications to bind and items to disable.
pub fn plan(req: &QuotaRequest<'_>) -> Result<OfferingPlan> {
    let from_template = template_items(req)?;
    let from_options = option_items(req)?;
    let mut applications: Vec<String> = Vec::new();
    let app_types = active_apps(req.template)
        .map(|a| a.kind.as_str())
        .chain(from_options.iter().map(|i| i.application.as_str()));
    for kind in app_types {
        if !applications.iter().any(|a| a == kind) {
            applications.push(kind.to_string());
        }
    }
    let enable = merge(from_options.into_iter().chain(from_template));
    check_dependencies(&enable)?;
    let disable = items_to_disable(&enable, req.current)?;
    Ok(OfferingPlan {
        applications,
        enable,
        disable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::templates::model::OfferingItem as TItem;

    const IB: &str = "0b1c2d3e-0000-4000-8000-000000000001"; // backup, location L1
    const IDR: &str = "0b1c2d3e-0000-4000-8000-000000000002"; // disaster recovery, L1
    const IFC: &str = "0b1c2d3e-0000-4000-8000-000000000003"; // files cloud
    const GB: i64 = 1 << 30;

    fn infra(id: &str, caps: &[&str]) -> Infra {
        Infra {
            id: id.into(),
            name: String::new(),
            location_id: Some("L1".into()),
            capabilities: caps.iter().map(|c| c.to_string()).collect(),
            platform_owned: true,
            backend_type: None,
        }
    }

    fn root_item(name: &str, infra: Option<&str>, unit: &str) -> PlatformItem {
        PlatformItem {
            application_id: "app-backup".into(),
            name: name.into(),
            edition: None,
            status: 1,
            kind: if unit == FEATURE { "feature" } else { "count" }.into(),
            infra_id: infra.map(str::to_string),
            measurement_unit: unit.into(),
            quota: None,
        }
    }

    struct Fixture {
        apps: Vec<PlatformApp>,
        infras: Vec<Infra>,
        items: Vec<PlatformItem>,
        current: Vec<PlatformItem>,
    }

    fn fixture() -> Fixture {
        Fixture {
            apps: ["backup", "files_cloud"]
                .iter()
                .map(|k| PlatformApp {
                    id: format!("app-{k}"),
                    kind: k.to_string(),
                    name: None,
                })
                .collect(),
            infras: vec![
                infra(IB, &["backup"]),
                infra(IDR, &["disaster_recovery"]),
                infra(IFC, &["files_cloud"]),
            ],
            items: vec![
                root_item("pw_workstations", None, "quantity"),
                root_item("pw_servers", None, "quantity"),
                root_item("pw_storage", Some(IB), "bytes"),
                root_item("pw_dr_storage", Some(IDR), "bytes"),
                root_item("pw_o365_seats", None, "quantity"),
                root_item("pw_o365_mailboxes", None, FEATURE),
                root_item("pw_child_storages", None, FEATURE),
                root_item("fc_storage", Some(IFC), "bytes"),
            ],
            current: Vec::new(),
        }
    }

    fn titem(name: &str, infra: Option<&str>, unit: &str, quota: Option<i64>) -> TItem {
        TItem {
            name: name.into(),
            infra_id: infra.map(str::to_string),
            status: Status::Active,
            measurement_unit: unit.into(),
            quota_value: quota,
        }
    }

    fn template(kind: TenantKind, items: Vec<TItem>) -> TemplateData {
        TemplateData::builder("T", kind)
            .application("backup", &[], items)
            .build()
    }

    fn opts(list: &[(&str, i64)]) -> Vec<(String, i64)> {
        list.iter().map(|(n, v)| (n.to_string(), *v)).collect()
    }

    fn run(
        f: &Fixture,
        t: &TemplateData,
        options: &[(String, i64)],
        ratio: f64,
    ) -> Result<OfferingPlan> {
        run_typed(f, t, options, &[], ratio)
    }

    /// [`run`] with the names of the options WHMCS declares as Yes/No.
    fn run_typed(
        f: &Fixture,
        t: &TemplateData,
        options: &[(String, i64)],
        yes_no: &[String],
        ratio: f64,
    ) -> Result<OfferingPlan> {
        plan(&QuotaRequest {
            template_id: 7,
            template: t,
            config_options: options,
            yes_no_options: yes_no,
            tenant_kind: t.tenant_kind,
            overage_ratio: ratio,
            root: RootFacts {
                applications: &f.apps,
                infras: &f.infras,
                offering_items: &f.items,
                available_for_child: &f.items,
            },
            current: &f.current,
        })
    }

    fn quota(p: &OfferingPlan, name: &str) -> Option<Option<Quota>> {
        p.enable
            .iter()
            .find(|i| i.name == name)
            .map(|i| i.quota.clone())
    }

    fn limit(value: i64, overage: f64) -> Option<Option<Quota>> {
        Some(Some(Quota {
            value: Some(value),
            overage,
        }))
    }

    fn unlimited(overage: f64) -> Option<Option<Quota>> {
        Some(Some(Quota {
            value: None,
            overage,
        }))
    }

    fn err(r: Result<OfferingPlan>) -> String {
        match r {
            Err(Error::Validation(m)) => m,
            other => format!("not a validation error: {other:?}"),
        }
    }

    fn customer(items: Vec<TItem>) -> TemplateData {
        template(TenantKind::Customer, items)
    }

    // --- unit conversions -------------------------------------------------------------

    #[test]
    fn storage_units_are_binary_multiples() {
        assert_eq!(convert(1, "kilobytes", "bytes"), Ok(1024));
        assert_eq!(convert(50, "gigabytes", "bytes"), Ok(53_687_091_200));
        assert_eq!(convert(2, "terabytes", "gigabytes"), Ok(2048));
        assert_eq!(convert(1536, "megabytes", "gigabytes"), Ok(1));
    }

    #[test]
    fn time_units_convert_to_seconds() {
        assert_eq!(convert(2, "hours", "seconds"), Ok(7200));
        assert_eq!(convert(1, "days", "minutes"), Ok(1440));
        assert_eq!(convert(5, "quantity", "quantity"), Ok(5));
    }

    #[test]
    fn units_of_different_families_do_not_convert() {
        assert!(convert(1, "hours", "bytes").is_err());
        assert!(convert(1, "parsecs", "bytes").is_err());
        assert!(convert(i64::MAX, "terabytes", "bytes").is_err());
    }

    // --- overage ratio (manual 6.8) -----------------------------------------------------

    #[test]
    fn manual_overage_example_workstations_10_ratio_1_5() {
        let f = fixture();
        let t = customer(vec![titem("pw_workstations", None, "quantity", Some(10))]);
        let p = run(&f, &t, &[], 1.5).unwrap();
        assert_eq!(quota(&p, "pw_workstations"), limit(10, 5.0));
    }

    #[test]
    fn option_adds_to_quota_and_overage() {
        let f = fixture();
        let t = customer(vec![titem("pw_workstations", None, "quantity", Some(10))]);
        let o = opts(&[("pw_workstations:quantity:", 4)]);
        let p = run(&f, &t, &o, 1.5).unwrap();
        assert_eq!(quota(&p, "pw_workstations"), limit(14, 7.0));
    }

    #[test]
    fn partner_gets_no_overage() {
        let f = fixture();
        let t = template(
            TenantKind::Partner,
            vec![titem("pw_workstations", None, "quantity", Some(10))],
        );
        let p = run(&f, &t, &[], 3.0).unwrap();
        assert_eq!(quota(&p, "pw_workstations"), limit(10, 0.0));
    }

    #[test]
    fn ratio_below_one_counts_as_one() {
        assert_eq!(effective_ratio(0.5), 1.0);
        assert_eq!(effective_ratio(f64::NAN), 1.0);
        assert_eq!(effective_ratio(2.0), 2.0);
        let f = fixture();
        let t = customer(vec![titem("pw_workstations", None, "quantity", Some(10))]);
        let p = run(&f, &t, &[], 0.5).unwrap();
        assert_eq!(quota(&p, "pw_workstations"), limit(10, 0.0));
    }

    // --- manual 6.3, countable items ------------------------------------------------------

    #[test]
    fn template_quota_converted_to_platform_unit() {
        let f = fixture();
        let t = customer(vec![titem("pw_storage", Some(IB), "gigabytes", Some(100))]);
        let p = run(&f, &t, &[], 1.0).unwrap();
        assert_eq!(quota(&p, "pw_storage"), limit(100 * GB, 0.0));
        assert_eq!(p.enable[0].infra_id.as_deref(), Some(IB));
        assert_eq!(p.enable[0].application_id, "app-backup");
        assert_eq!(p.applications, vec!["backup".to_string()]);
    }

    #[test]
    fn gigabytes_option_adds_to_template_storage() {
        let f = fixture();
        let t = customer(vec![titem("pw_storage", Some(IB), "bytes", Some(10 * GB))]);
        let o = opts(&[("pw_storage:gigabytes:", 50)]);
        let p = run(&f, &t, &o, 1.0).unwrap();
        assert_eq!(p.enable.len(), 1);
        assert_eq!(quota(&p, "pw_storage"), limit(60 * GB, 0.0));
    }

    #[test]
    fn template_disabled_option_limit_y_gives_y() {
        let f = fixture();
        let t = customer(vec![titem("pw_storage", Some(IB), "bytes", Some(GB))]);
        let o = opts(&[("pw_servers:quantity:", 3)]);
        let p = run(&f, &t, &o, 1.0).unwrap();
        assert_eq!(quota(&p, "pw_servers"), limit(3, 0.0));
    }

    #[test]
    fn template_limit_zero_option_y_gives_y() {
        let f = fixture();
        let t = customer(vec![titem("pw_servers", None, "quantity", Some(0))]);
        let o = opts(&[("pw_servers:quantity:", 3)]);
        let p = run(&f, &t, &o, 1.0).unwrap();
        assert_eq!(quota(&p, "pw_servers"), limit(3, 0.0));
    }

    #[test]
    fn option_zero_keeps_template_value_or_disabled() {
        let f = fixture();
        let t = customer(vec![titem("pw_servers", None, "quantity", Some(5))]);
        let o = opts(&[
            ("pw_servers:quantity:", 0),
            ("pw_workstations:quantity:", 0),
        ]);
        let p = run(&f, &t, &o, 1.0).unwrap();
        assert_eq!(quota(&p, "pw_servers"), limit(5, 0.0));
        assert_eq!(quota(&p, "pw_workstations"), None);
    }

    #[test]
    fn unlimited_template_quota_wins() {
        let f = fixture();
        let t = customer(vec![titem("pw_servers", None, "quantity", None)]);
        let o = opts(&[("pw_servers:quantity:", 3)]);
        let p = run(&f, &t, &o, 2.0).unwrap();
        // The option's overage stays in the sum (reference), the quota is unlimited.
        assert_eq!(quota(&p, "pw_servers"), unlimited(3.0));
    }

    #[test]
    fn feature_option_without_template_enables_unlimited_without_quota() {
        let f = fixture();
        let t = customer(vec![]);
        let o = opts(&[("pw_servers:feature:", 1)]);
        let p = run(&f, &t, &o, 1.0).unwrap();
        assert_eq!(quota(&p, "pw_servers"), Some(None));
    }

    #[test]
    fn feature_option_keeps_template_limit() {
        let f = fixture();
        let t = customer(vec![titem("pw_servers", None, "quantity", Some(4))]);
        let o = opts(&[("pw_servers:feature:", 1)]);
        let p = run(&f, &t, &o, 1.0).unwrap();
        assert_eq!(quota(&p, "pw_servers"), limit(4, 0.0));
    }

    #[test]
    fn ticked_yes_no_with_quantity_unit_adds_one() {
        let f = fixture();
        let t = customer(vec![titem("pw_servers", None, "quantity", Some(4))]);
        let o = opts(&[("pw_servers:quantity:", 1)]);
        let p = run(&f, &t, &o, 1.0).unwrap();
        assert_eq!(quota(&p, "pw_servers"), limit(5, 0.0));
    }

    #[test]
    fn ticked_yes_no_option_on_countable_item_uses_the_template_quota() {
        let f = fixture();
        let t = customer(vec![titem("pw_servers", None, "quantity", Some(4))]);
        let o = opts(&[("pw_servers:quantity:", 1)]);
        let yes_no = vec!["pw_servers:quantity:".to_string()];
        let p = run_typed(&f, &t, &o, &yes_no, 1.0).unwrap();
        assert_eq!(quota(&p, "pw_servers"), limit(4, 0.0), "no +1 (J.2 #24)");
        let unticked = opts(&[("pw_servers:quantity:", 0)]);
        let p = run_typed(&f, &t, &unticked, &yes_no, 1.0).unwrap();
        assert_eq!(quota(&p, "pw_servers"), limit(4, 0.0));
    }

    #[test]
    fn ticked_yes_no_option_on_an_item_outside_the_template_is_refused() {
        let f = fixture();
        let t = customer(vec![]);
        let o = opts(&[("pw_servers:quantity:", 1)]);
        let yes_no = vec!["pw_servers:quantity:".to_string()];
        let m = err(run_typed(&f, &t, &o, &yes_no, 1.0));
        assert!(m.contains("does not contain this offering item"), "{m}");
    }

    // --- manual 6.3, uncountable items ------------------------------------------------------

    #[test]
    fn yes_no_feature_enables_without_quota() {
        let f = fixture();
        let t = customer(vec![]);
        let o = opts(&[("pw_child_storages:feature:", 1)]);
        let p = run(&f, &t, &o, 1.5).unwrap();
        assert_eq!(quota(&p, "pw_child_storages"), Some(None));
    }

    #[test]
    fn feature_enabled_by_template_stays_enabled_when_option_unticked() {
        let f = fixture();
        let t = customer(vec![titem("pw_child_storages", None, FEATURE, None)]);
        let o = opts(&[("pw_child_storages:feature:", 0)]);
        let p = run(&f, &t, &o, 1.0).unwrap();
        assert_eq!(quota(&p, "pw_child_storages"), Some(None));
        assert_eq!(p.enable.len(), 1);
    }

    #[test]
    fn quota_on_feature_item_is_rejected() {
        let f = fixture();
        let o = opts(&[("pw_child_storages:quantity:", 2)]);
        let m = err(run(&f, &customer(vec![]), &o, 1.0));
        assert_eq!(m, "Unable to specify any quota for the feature offering item \"pw_child_storages\". Please change the measurement unit \"quantity\" to \"feature\" for the configurable option \"pw_child_storages:quantity:\".");
        let t = customer(vec![titem("pw_child_storages", None, "quantity", Some(1))]);
        assert!(err(run(&f, &t, &[], 1.0)).starts_with("Unable to specify any quota"));
    }

    // --- option-name checks -----------------------------------------------------------------

    #[test]
    fn option_name_parts_are_trimmed() {
        assert_eq!(
            parse_option_name(" pw_storage : gigabytes : abc |Cloud Storage"),
            OptionName {
                item: "pw_storage".into(),
                unit: "gigabytes".into(),
                infra_id: "abc".into()
            }
        );
        assert_eq!(parse_option_name("x").unit, "");
    }

    #[test]
    fn non_uuid_infra_in_option_is_rejected() {
        let f = fixture();
        let o = opts(&[("pw_storage:gigabytes:not-a-uuid", 0)]);
        assert_eq!(
            err(run(&f, &customer(vec![]), &o, 1.0)),
            "The invalid infrastructure component ID \"not-a-uuid\" is specified for the configurable option \"pw_storage:gigabytes:not-a-uuid\". Please specify UUID or leave blank."
        );
    }

    #[test]
    fn unknown_item_and_unit_are_rejected_even_at_zero() {
        let f = fixture();
        let o = opts(&[("nope:quantity:", 0)]);
        assert_eq!(
            err(run(&f, &customer(vec![]), &o, 1.0)),
            "The unsupported offering item \"nope\" is used for the configurable option \"nope:quantity:\"."
        );
        let o = opts(&[("pw_servers:parsecs:", 0)]);
        assert_eq!(
            err(run(&f, &customer(vec![]), &o, 1.0)),
            "The unsupported measurement unit \"parsecs\" is used for the configurable option \"pw_servers:parsecs:\"."
        );
    }

    #[test]
    fn zero_option_skips_platform_checks() {
        let mut f = fixture();
        f.items.retain(|i| i.name != "pw_servers");
        let o = opts(&[("pw_servers:quantity:", 0)]);
        assert!(run(&f, &customer(vec![]), &o, 1.0).is_ok());
        let o = opts(&[("pw_servers:quantity:", 2)]);
        assert_eq!(
            err(run(&f, &customer(vec![]), &o, 1.0)),
            "The offering item \"pw_servers\" is not enabled. Please enable this offering item for your root tenant or edit the configurable option \"pw_servers:quantity:\" for the product."
        );
    }

    #[test]
    fn option_unit_of_other_family_is_rejected() {
        let f = fixture();
        let o = opts(&[("pw_storage:hours:", 2)]);
        let t = customer(vec![titem("pw_storage", Some(IB), "bytes", None)]);
        assert_eq!(
            err(run(&f, &t, &o, 1.0)),
            "Unable to convert the configurable option measurement unit \"hours\" to the offering item measurement unit \"bytes\" for the configurable option \"pw_storage:hours:\"."
        );
    }

    #[test]
    fn missing_application_names_the_option() {
        let mut f = fixture();
        f.apps.retain(|a| a.kind != "files_cloud");
        let o = opts(&[(&format!("fc_storage:gigabytes:{IFC}"), 5)]);
        assert_eq!(
            err(run(&f, &customer(vec![]), &o, 1.0)),
            format!("The offering item \"fc_storage\" requires the enabled application \"files_cloud\". Please enable this application for your root tenant or edit the configurable option \"fc_storage:gigabytes:{IFC}\" for the product.")
        );
    }

    // --- infrastructure components ----------------------------------------------------------

    #[test]
    fn customer_option_takes_infra_from_template_item() {
        let f = fixture();
        let t = customer(vec![titem("pw_storage", Some(IB), "bytes", Some(GB))]);
        let o = opts(&[("pw_storage:gigabytes:", 1)]);
        let p = run(&f, &t, &o, 1.0).unwrap();
        assert_eq!(p.enable.len(), 1);
        assert_eq!(quota(&p, "pw_storage"), limit(2 * GB, 0.0));
    }

    #[test]
    fn partner_option_needs_explicit_infra() {
        let f = fixture();
        let t = template(TenantKind::Partner, vec![]);
        let o = opts(&[("pw_storage:gigabytes:", 1)]);
        assert_eq!(
            err(run(&f, &t, &o, 1.0)),
            "The infrastructure component ID is required for the configurable option \"pw_storage:gigabytes:\". Please specify the ID for the configurable option."
        );
        let o = opts(&[(&format!("pw_storage:gigabytes:{IB}"), 1)]);
        let p = run(&f, &t, &o, 1.0).unwrap();
        assert_eq!(p.enable[0].infra_id.as_deref(), Some(IB));
    }

    #[test]
    fn files_cloud_option_without_template_item_cannot_resolve_infra() {
        let f = fixture();
        let o = opts(&[("fc_storage:gigabytes:", 1)]);
        assert_eq!(
            err(run(&f, &customer(vec![]), &o, 1.0)),
            "Cannot resolve the infrastructure component ID for the configurable option \"fc_storage:gigabytes:\". Please specify the ID for the configurable option or enable the offering item \"Cloud storage\" for the template 7."
        );
    }

    #[test]
    fn dr_option_uses_dr_infra_in_backup_location() {
        let f = fixture();
        let t = customer(vec![titem("pw_storage", Some(IB), "bytes", Some(GB))]);
        let o = opts(&[("pw_dr_storage:gigabytes:", 2)]);
        let p = run(&f, &t, &o, 1.0).unwrap();
        let dr = p.enable.iter().find(|i| i.name == "pw_dr_storage").unwrap();
        assert_eq!(dr.infra_id.as_deref(), Some(IDR));
        assert_eq!(
            dr.quota,
            Some(Quota {
                value: Some(2 * GB),
                overage: 0.0
            })
        );
    }

    #[test]
    fn two_dr_infras_in_location_are_ambiguous() {
        let mut f = fixture();
        f.infras.push(infra(
            "0b1c2d3e-0000-4000-8000-000000000009",
            &["disaster_recovery"],
        ));
        let t = customer(vec![titem("pw_storage", Some(IB), "bytes", Some(GB))]);
        let o = opts(&[("pw_dr_storage:gigabytes:", 2)]);
        assert_eq!(
            err(run(&f, &t, &o, 1.0)),
            "There are several infrastructure components with capability \"disaster_recovery\" in the location \"L1\"."
        );
    }

    #[test]
    fn unknown_infra_in_option_is_rejected() {
        let f = fixture();
        let other = "0b1c2d3e-0000-4000-8000-0000000000ff";
        let o = opts(&[(&format!("pw_storage:gigabytes:{other}"), 1)]);
        assert_eq!(
            err(run(&f, &customer(vec![]), &o, 1.0)),
            format!("An unknown infrastructure component \"{other}\". Please enable this infrastructure component for your root tenant or edit the configurable option \"pw_storage:gigabytes:{other}\".")
        );
    }

    // --- template checks --------------------------------------------------------------------

    #[test]
    fn template_checks_name_the_template() {
        let f = fixture();
        let t = customer(vec![titem("nope", None, "quantity", Some(1))]);
        assert_eq!(
            err(run(&f, &t, &[], 1.0)),
            "The unsupported offering item \"nope\" is used for the template 7."
        );
        let t = customer(vec![titem("pw_servers", None, "parsecs", Some(1))]);
        assert_eq!(
            err(run(&f, &t, &[], 1.0)),
            "The unsupported measurement unit \"parsecs\" is used for the offering item \"pw_servers\" in the template 7."
        );
        let t = customer(vec![titem("pw_storage", Some(IDR), "bytes", Some(1))]);
        assert_eq!(
            err(run(&f, &t, &[], 1.0)),
            "The offering item \"pw_storage\" is not enabled. Please enable this offering item for your root tenant or edit the template 7."
        );
        let t = customer(vec![titem("pw_servers", None, "hours", Some(1))]);
        assert_eq!(
            err(run(&f, &t, &[], 1.0)),
            "Unable to convert the measurement unit \"hours\" from the template to the measurement unit \"quantity\" for the offering item \"pw_servers\" in the template 7."
        );
    }

    #[test]
    fn item_not_available_for_child_is_rejected() {
        let f = fixture();
        let t = customer(vec![titem("pw_servers", None, "quantity", Some(1))]);
        let avail: Vec<PlatformItem> = f
            .items
            .iter()
            .filter(|i| i.name != "pw_servers")
            .cloned()
            .collect();
        let r = plan(&QuotaRequest {
            template_id: 7,
            template: &t,
            config_options: &[],
            yes_no_options: &[],
            tenant_kind: TenantKind::Customer,
            overage_ratio: 1.0,
            root: RootFacts {
                applications: &f.apps,
                infras: &f.infras,
                offering_items: &f.items,
                available_for_child: &avail,
            },
            current: &[],
        });
        assert_eq!(
            err(r),
            "Cannot enable offering items \"pw_servers\" for a tenant of type \"customer\". Please remove or edit the template 7."
        );
    }

    #[test]
    fn inactive_template_items_are_not_provisioned() {
        let f = fixture();
        let mut item = titem("pw_servers", None, "quantity", Some(1));
        item.status = Status::Inactive;
        let p = run(&f, &customer(vec![item]), &[], 1.0).unwrap();
        assert!(p.enable.is_empty());
    }

    // --- dependencies and apply list -----------------------------------------------------------

    #[test]
    fn child_without_parent_fails_dependency_check() {
        let f = fixture();
        let o = opts(&[("pw_o365_mailboxes:feature:", 1)]);
        assert_eq!(err(run(&f, &customer(vec![]), &o, 1.0)), DEPENDENCY_ERROR);
        let o = opts(&[
            ("pw_o365_mailboxes:feature:", 1),
            ("pw_o365_seats:quantity:", 5),
        ]);
        assert!(run(&f, &customer(vec![]), &o, 1.0).is_ok());
    }

    #[test]
    fn active_unwanted_catalog_items_are_disabled() {
        let mut f = fixture();
        let mut off = root_item("pw_workstations", None, "quantity");
        off.status = 0;
        f.current = vec![
            root_item("pw_servers", None, "quantity"),
            root_item("pw_storage", Some(IB), "bytes"),
            root_item("not_in_catalog", None, "quantity"),
            off,
        ];
        let t = customer(vec![titem("pw_servers", None, "quantity", Some(1))]);
        let p = run(&f, &t, &[], 1.0).unwrap();
        assert_eq!(
            p.disable,
            vec![DisabledItem {
                application_id: "app-backup".into(),
                name: "pw_storage".into(),
                infra_id: Some(IB.into()),
            }]
        );
    }

    #[test]
    fn option_applications_join_template_applications() {
        let f = fixture();
        let o = opts(&[(&format!("fc_storage:gigabytes:{IFC}"), 5)]);
        let p = run(&f, &customer(vec![]), &o, 1.0).unwrap();
        assert_eq!(
            p.applications,
            vec!["backup".to_string(), "files_cloud".to_string()]
        );
        assert_eq!(p.enable[0].application_id, "app-files_cloud");
    }
}
