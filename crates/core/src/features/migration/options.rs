//! Renames the v1 configurable options of a product to the `<item>:<unit>:|<name>` format the
//! module reads (docs/behaviour.md §I.2 step 2). Pure.

use super::Warnings;
use crate::features::templates::TenantKind;
use crate::platform::catalog::Catalog;
use serde::{Deserialize, Serialize};

/// v1 option names (exact match) and the offering item each one sold.
pub const V1_OPTIONS: &[(&str, &str)] = &[
    ("Workstations", "workstations"),
    ("Cloud Storage", "storage"),
    ("Servers", "servers"),
    ("Virtual Machines", "vms"),
    ("Local Storage", "local_storage"),
    ("Mobile Devices", "mobiles"),
    ("Microsoft 365 Mailboxes", "mailboxes"),
    ("Websites", "websites"),
    ("Web Hosting Servers", "web_hosting_servers"),
];

/// A configurable option linked to a v1 product (`tblproductconfigoptions` row, its group's
/// name and the name of its first sub-option, which carried the unit in v1).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct V1Option {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub first_sub: String,
}

/// New `optionname` of one option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionRename {
    pub id: i64,
    pub optionname: String,
}

/// Unit name for a byte item from the sub-option name (`gb`, `tb`, `mb`, any case).
fn byte_unit(sub: &str) -> Option<&'static str> {
    match sub.trim().to_lowercase().as_str() {
        "gb" => Some("gigabytes"),
        "tb" => Some("terabytes"),
        "mb" => Some("megabytes"),
        _ => None,
    }
}

/// The rename of `option` when it is a v1 option, else `None` (left as it is).
pub fn rename(
    catalog: &Catalog,
    option: &V1Option,
    kind: TenantKind,
    product: &str,
    warnings: &mut Warnings,
) -> Option<OptionRename> {
    let (_, item) = V1_OPTIONS.iter().find(|(n, _)| *n == option.name)?;
    let meta = catalog.offering_item(item)?;
    let unit = if meta.measurement_unit == "bytes" {
        byte_unit(&option.first_sub).unwrap_or_else(|| {
            warnings.push(format!(
                "The unsupported unit of measure \"{}\" was specified for the configurable option \"{}\" in the group \"{}\". It was changed to GB during the upgrade.",
                option.first_sub, option.name, option.group
            ));
            "gigabytes"
        })
    } else {
        meta.configurable_option.measurement_unit.as_str()
    };
    if kind == TenantKind::Partner && meta.needs_infra_component {
        warnings.push(format!(
            "Configurable option \"{}\" from group {} cannot be used for product {product} without infrastructure component ID specified. Please update or remove the configurable option.",
            option.name, option.group
        ));
    }
    Some(OptionRename {
        id: option.id,
        optionname: format!("{item}:{unit}:|{}", meta.configurable_option.friendly_name),
    })
}
