//! Decisions that turn a v1 product's module settings into a template (docs/behaviour.md
//! §I.2 step 3, fix J.2 #23). Pure: the Cloud facts come in as [`Facts`].

use super::Warnings;
use crate::features::templates::{OfferingItem, Status, TemplateData, TenantKind, UserRole};
use crate::infra::error::{Error, Result};
use crate::platform::catalog::Catalog;

/// v1 module settings (`configoptionN`) that held quotas, with the offering item each becomes.
pub const QUOTA_SETTINGS: &[(u8, &str)] = &[
    (1, "workstations"),
    (2, "storage"),
    (3, "servers"),
    (5, "vms"),
    (6, "local_storage"),
    (7, "mobiles"),
    (9, "mailboxes"),
    (13, "websites"),
    (14, "web_hosting_servers"),
];

/// The only v1 activation method the module keeps (`configoption11`).
pub const V1_EMAIL_ACTIVATION: &str = "Send an email message";

/// A v1 product as stored in `tblproducts`; `settings[0]` is `configoption1`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct V1Product {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `configoption1..24` in order.
    #[serde(default)]
    pub settings: Vec<String>,
}

impl V1Product {
    /// `configoption<n>`, trimmed; empty when absent.
    pub fn setting(&self, n: u8) -> &str {
        usize::from(n)
            .checked_sub(1)
            .and_then(|i| self.settings.get(i))
            .map_or("", |s| s.trim())
    }

    /// Sets `configoption<n>` (fixtures).
    pub fn set(&mut self, n: u8, value: &str) {
        let i = usize::from(n.max(1)) - 1;
        if self.settings.len() <= i {
            self.settings.resize(i + 1, String::new());
        }
        if let Some(slot) = self.settings.get_mut(i) {
            *slot = value.to_string();
        }
    }
}

/// What `configoption4` ("Storage", `[<server name>] <infra name> (<host>)`) names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageSetting {
    pub server_name: String,
    pub infra_name: String,
}

/// Splits the "Storage" setting. The `(<host>)` suffix is optional: only the server and the
/// infrastructure names matter.
pub fn parse_storage(product: &V1Product) -> Result<StorageSetting> {
    let raw = product.setting(4);
    let name = &product.name;
    let (server, rest) = raw
        .strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .filter(|(s, _)| !s.trim().is_empty())
        .ok_or_else(|| {
            Error::validation(format!(
                "Invalid infrastructure component name. Please update module setting \"Storage\" in product {name}."
            ))
        })?;
    let rest = rest.trim();
    let infra = match rest.rfind('(') {
        Some(i) if rest.ends_with(')') => rest.get(..i).unwrap_or(""),
        _ => rest,
    };
    if infra.trim().is_empty() {
        return Err(Error::validation(format!(
            "Invalid data center name. Please update module setting \"Storage\" in product {name}."
        )));
    }
    Ok(StorageSetting {
        server_name: server.trim().to_string(),
        infra_name: infra.trim().to_string(),
    })
}

/// Tenant kind from "Account type" (`configoption8`).
pub fn tenant_kind(product: &V1Product) -> Result<TenantKind> {
    let raw = product.setting(8);
    TenantKind::parse(&raw.to_lowercase()).ok_or_else(|| {
        Error::validation(format!(
            "Unsupported account type \"{raw}\" is specified for module setting \"Account type\". Please update the setting in product {}.",
            product.name
        ))
    })
}

/// Role of the first user: partners always get an admin; customers follow "Administrator
/// permission" (`configoption10`), least privilege when it holds anything else.
pub fn user_role(product: &V1Product, kind: TenantKind, warnings: &mut Warnings) -> UserRole {
    if kind == TenantKind::Partner {
        return UserRole::Admin;
    }
    match product.setting(10) {
        "enabled" => UserRole::Admin,
        "disabled" => UserRole::User,
        other => {
            warnings.push(format!(
                "Invalid value \"{other}\" is specified for module setting \"Administrator permission\". Administrator privileges will be disabled for product {}.",
                product.name
            ));
            UserRole::User
        }
    }
}

/// A quota setting: `None` = skip the item (empty), `Some(None)` = unlimited.
pub fn quota(
    raw: &str,
    setting: &str,
    product: &str,
    warnings: &mut Warnings,
) -> Option<Option<i64>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    if raw.eq_ignore_ascii_case("unlimited") {
        return Some(None);
    }
    let value = match raw.parse::<i64>() {
        Ok(v) => v,
        Err(_) => {
            // PHP's intval: the leading integer, 0 when there is none.
            let sign = usize::from(raw.starts_with('-') || raw.starts_with('+'));
            let digits: String = raw
                .chars()
                .skip(sign)
                .take_while(char::is_ascii_digit)
                .collect();
            let v = digits.parse::<i64>().unwrap_or(0);
            let v = if raw.starts_with('-') { -v } else { v };
            warnings.push(format!(
                "Value \"{raw}\" of module setting \"{setting}\" was converted to {v}. Please define the value in template for product {product}."
            ));
            v
        }
    };
    Some((value >= 0).then_some(value))
}

/// Bytes in one unit of a v1 storage unit (`gb`, `tb`, `mb`); `None` for anything else.
pub fn unit_bytes(unit: &str) -> Option<i64> {
    match unit.trim().to_lowercase().as_str() {
        "mb" | "megabytes" => Some(1 << 20),
        "gb" | "gigabytes" => Some(1 << 30),
        "tb" | "terabytes" => Some(1 << 40),
        _ => None,
    }
}

/// Cloud facts a product's template depends on, for the product's tenant kind.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// WHMCS id of the server named in the "Storage" setting.
    pub server_id: i64,
    /// Name of the root tenant (messages).
    pub root_name: String,
    /// `(name, infra_id)` of the root items available for a child of the kind.
    pub available: Vec<(String, Option<String>)>,
    /// `(id, name)` of the root infrastructure components with the `backup` capability.
    pub backup_infras: Vec<(String, String)>,
}

impl Facts {
    fn available(&self, name: &str, infra: Option<&str>) -> bool {
        self.available
            .iter()
            .any(|(n, i)| n == name && (infra.is_none() || i.as_deref() == infra))
    }
}

fn item(catalog: &Catalog, name: &str, infra: Option<String>, quota: Option<i64>) -> OfferingItem {
    let unit = catalog
        .offering_item(name)
        .map_or("quantity", |i| i.measurement_unit.as_str());
    OfferingItem {
        name: name.to_string(),
        infra_id: infra,
        status: Status::Active,
        measurement_unit: unit.to_string(),
        quota_value: if unit == "feature" { None } else { quota },
    }
}

/// Builds the template of a v1 product: one `backup` application, edition `standard`, the
/// offering items of the quota settings that the root tenant offers to children of the kind.
pub fn template(
    catalog: &Catalog,
    product: &V1Product,
    storage: &StorageSetting,
    kind: TenantKind,
    facts: &Facts,
    warnings: &mut Warnings,
) -> Result<TemplateData> {
    let pname = product.name.as_str();
    let role = user_role(product, kind, warnings);
    let source = ItemSource {
        catalog,
        storage,
        kind,
        facts,
        pname,
    };
    let unit = product.setting(12);
    // Asked (and warned about) once, at the first item counted in bytes.
    let mut per_unit: Option<i64> = None;
    let mut items = Vec::new();
    for (n, name) in QUOTA_SETTINGS {
        let meta = catalog.offering_item(name);
        let friendly = meta.map_or(*name, |m| m.friendly_name.as_str());
        let setting = meta.map_or(*name, |m| m.configurable_option.friendly_name.as_str());
        let Some(mut value) = quota(product.setting(*n), setting, pname, warnings) else {
            continue;
        };
        if !facts.available(name, None) {
            warnings.push(not_enabled(friendly, name, &facts.root_name, pname));
            continue;
        }
        if meta.is_some_and(|m| m.measurement_unit == "bytes") {
            let bytes = *per_unit.get_or_insert_with(|| storage_unit(unit, pname, warnings));
            value = value.map(|v| v.saturating_mul(bytes));
        }
        items.extend(source.items_for(name, friendly, value, warnings)?);
    }
    Ok(TemplateData::builder(&product.name, kind)
        .description(&product.description)
        .server(facts.server_id)
        .user_role(role)
        .application("backup", &["standard"], items)
        .build())
}

/// Bytes per unit of the "Measure storage in" setting; an unknown unit counts as GB, with a
/// warning.
fn storage_unit(unit: &str, pname: &str, warnings: &mut Warnings) -> i64 {
    unit_bytes(unit).unwrap_or_else(|| {
        warnings.push(format!(
            "The unsupported unit of measure \"{unit}\" was specified for the module setting \"Measure storage in\" in the product \"{pname}\". It was changed to GB during the upgrade."
        ));
        1 << 30
    })
}

/// What the offering items of one v1 product are built from.
struct ItemSource<'a> {
    catalog: &'a Catalog,
    storage: &'a StorageSetting,
    kind: TenantKind,
    facts: &'a Facts,
    pname: &'a str,
}

impl ItemSource<'_> {
    /// The items one quota setting gives: storage goes to each backup infrastructure (with
    /// `child_storages`), mailboxes bring their Microsoft 365 companions.
    fn items_for(
        &self,
        name: &str,
        friendly: &str,
        value: Option<i64>,
        warnings: &mut Warnings,
    ) -> Result<Vec<OfferingItem>> {
        let (catalog, facts) = (self.catalog, self.facts);
        let mut items = Vec::new();
        match name {
            "storage" => {
                for (id, _) in storage_infras(facts, self.storage, self.kind, self.pname)? {
                    if facts.available(name, Some(id)) {
                        items.push(item(catalog, name, Some(id.clone()), value));
                    } else {
                        warnings.push(not_enabled(friendly, name, &facts.root_name, self.pname));
                    }
                }
                if facts.available("child_storages", None) {
                    items.push(item(catalog, "child_storages", None, None));
                }
            }
            "mailboxes" => {
                items.push(item(catalog, name, None, value));
                // J.2 #23: each companion item is checked on its own.
                for extra in ["o365_mailboxes", "o365_onedrive", "o365_sharepoint_sites"] {
                    if facts.available(extra, None) {
                        items.push(item(catalog, extra, None, None));
                    }
                }
            }
            _ => items.push(item(catalog, name, None, value)),
        }
        Ok(items)
    }
}

/// The backup infrastructures a v1 product's storage quota goes to: all of them for
/// partners; for customers the one the product's "Storage" setting names, which must exist.
fn storage_infras<'f>(
    facts: &'f Facts,
    storage: &StorageSetting,
    kind: TenantKind,
    pname: &str,
) -> Result<Vec<&'f (String, String)>> {
    match kind {
        TenantKind::Partner => Ok(facts.backup_infras.iter().collect()),
        TenantKind::Customer => {
            let found: Vec<_> = facts
                .backup_infras
                .iter()
                .filter(|(_, n)| n == &storage.infra_name)
                .take(1)
                .collect();
            if found.is_empty() {
                return Err(Error::validation(format!(
                    "Cannot find an infrastructure component with the name \"{}\" in Acronis Cyber Cloud. Please open the product \"{pname}\" and update the module setting \"Storage\".",
                    storage.infra_name
                )));
            }
            Ok(found)
        }
    }
}

fn not_enabled(friendly: &str, name: &str, root: &str, product: &str) -> String {
    format!(
        "Offering item \"{friendly}\" ({name}) is not enabled for your root tenant \"{root}\". This offering item will be disabled in the new template related product {product}."
    )
}

/// The activation method is always e-mail now; another v1 method is reported.
pub fn activation_warning(product: &V1Product) -> Option<String> {
    let method = product.setting(11);
    (method != V1_EMAIL_ACTIVATION).then(|| {
        format!(
            "Activation method \"{method}\" will be replaced with \"{V1_EMAIL_ACTIVATION}\" for product {}.",
            product.name
        )
    })
}
