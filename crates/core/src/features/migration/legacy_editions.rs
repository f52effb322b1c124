//! Assisted switch of services from legacy Cyber Protection editions to the new licensing
//! (manual 6.6.3 "Switching customers to new licensing").
//!
//! The manual's procedure is manual work for the admin: find the products still on legacy
//! editions, pick the new product the table suggests (base billing mode plus advanced packs),
//! check the quotas ("How to set quotas") and place an upgrade order per customer. This
//! module does the looking-up and checking; the addon page shows the result (a dry run) and
//! the WHMCS side then runs ChangePackage service by service.
//!
//! Pure logic: the caller passes the WHMCS rows ([`Inventory`]) and the stored templates.

use crate::features::templates::model::{Mode, Status, TemplateData};
use crate::rules::packs;
use crate::rules::upgrade_rules::{
    self, is_legacy_edition, ChangePlan, TenantState, LEGACY_UPGRADE_PACKS,
};
use serde::{Deserialize, Serialize};

/// A WHMCS service of the module (`tblhosting` joined with its product and client).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ServiceRow {
    pub service_id: i64,
    pub product_id: i64,
    #[serde(default)]
    pub client: String,
    #[serde(default)]
    pub domain: String,
    #[serde(default)]
    pub status: String,
    /// The service's server (`tblhosting.server`).
    pub server_id: i64,
}

/// A WHMCS product of the module with its template (`configoption1`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ProductRow {
    pub product_id: i64,
    pub name: String,
    pub template_id: i64,
}

/// What the WHMCS side knows: services (active or suspended ones) and products.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Inventory {
    #[serde(default)]
    pub services: Vec<ServiceRow>,
    #[serde(default)]
    pub products: Vec<ProductRow>,
}

/// Suggested quota of a pack item (manual 6.6.3 "How to set quotas") next to the one the
/// target template sets; `None` = unlimited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackQuota {
    pub item: String,
    pub suggested: Option<i64>,
    pub target: Option<i64>,
}

/// The proposed switch of one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServicePlan {
    pub service_id: i64,
    pub client: String,
    pub domain: String,
    pub product_id: i64,
    pub product_name: String,
    /// Legacy editions the current template uses.
    pub legacy_editions: Vec<String>,
    /// Packs the manual's table asks for.
    pub suggested_packs: Vec<String>,
    pub target_product_id: Option<i64>,
    pub target_product_name: Option<String>,
    pub packs_to_enable: Vec<String>,
    pub items_to_enable: Vec<String>,
    pub items_to_disable: Vec<String>,
    pub pack_quotas: Vec<PackQuota>,
    pub warnings: Vec<String>,
    /// Why no target could be proposed (English message, translated by the caller).
    pub blocked: Option<String>,
}

/// Legacy editions active in a template (Cyber Protection only: the catalog has no separate
/// File Sync & Share legacy edition).
pub fn legacy_editions(t: &TemplateData) -> Vec<String> {
    t.applications
        .iter()
        .filter(|a| a.status == Status::Active)
        .flat_map(|a| a.editions.iter())
        .filter(|e| e.status == Status::Active && is_legacy_edition(&e.name))
        .map(|e| e.name.clone())
        .collect()
}

/// Packs the manual's table suggests for these legacy editions, in `ADVANCED_PACKS` order.
pub fn suggested_packs(editions: &[String]) -> Vec<String> {
    let wanted: Vec<&str> = LEGACY_UPGRADE_PACKS
        .iter()
        .filter(|(e, _)| editions.iter().any(|x| x == e))
        .flat_map(|(_, p)| p.iter().copied())
        .collect();
    crate::features::templates::model::ADVANCED_PACKS
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| wanted.contains(p))
        .map(str::to_string)
        .collect()
}

/// Workload kind of a legacy item (edition prefix stripped), for the quota rules.
fn workload_of(name: &str) -> &str {
    const PREFIXES: &[&str] = &["p_adv_", "p_dre_", "adv_", "dre_", "p_"];
    PREFIXES
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name)
}

/// Sum of quotas; any unlimited quota makes the sum unlimited.
fn sum(values: &[Option<i64>]) -> Option<i64> {
    values
        .iter()
        .try_fold(0i64, |acc, v| v.map(|v| acc.saturating_add(v)))
}

/// Active legacy items' quotas by workload kind.
fn source_quotas(t: &TemplateData, kinds: &[&str]) -> Vec<Option<i64>> {
    t.applications
        .iter()
        .filter(|a| a.status == Status::Active)
        .flat_map(|a| a.offering_items.iter())
        .filter(|i| i.status == Status::Active && kinds.contains(&workload_of(&i.name)))
        .map(|i| i.quota_value)
        .collect()
}

/// Manual 6.6.3 "How to set quotas": the suggested quota of a pack item from the source
/// template; `None` when the item is not one the table covers.
fn suggested_quota(source: &TemplateData, pack_item: &str) -> Option<Option<i64>> {
    const DEVICES: &[&str] = &["workstations", "servers", "vms", "web_hosting_servers"];
    let suffix = pack_item.split_once("_adv_").map(|(_, s)| s)?;
    let kinds: &[&str] = match suffix {
        "security_workloads" | "management_workloads" => DEVICES,
        "backup_workstations" => &["workstations"],
        "backup_servers" => &["servers"],
        "backup_vms" => &["vms"],
        "backup_web_hosting_servers" => &["web_hosting_servers"],
        "dr_storage" => &["dr_storage"],
        "dr_compute_points" => &["compute_points"],
        "dr_public_ips" => &["public_ips"],
        "dr_cloud_servers" => &["dr_cloud_servers"],
        _ => return None,
    };
    let values = source_quotas(source, kinds);
    Some(if values.is_empty() {
        Some(0)
    } else {
        sum(&values)
    })
}

/// Quota the target template gives a pack item (`None` = unlimited, also for a pack item
/// enabled by ticking the pack alone).
fn target_quota(target: &TemplateData, item: &str) -> Option<i64> {
    target
        .applications
        .iter()
        .flat_map(|a| a.offering_items.iter())
        .find(|i| i.name == item && i.status == Status::Active)
        .and_then(|i| i.quota_value)
}

/// Pack items the target enables, with the suggested and the configured quota.
fn pack_quotas(source: &TemplateData, target: &TemplateData) -> Vec<PackQuota> {
    let implied = packs::implied_items(target).unwrap_or_default();
    let listed = target
        .applications
        .iter()
        .filter(|a| a.status == Status::Active)
        .flat_map(|a| a.offering_items.iter())
        .filter(|i| i.status == Status::Active && packs::allowed_by_template(target, &i.name));
    listed
        .chain(implied.iter())
        .filter(|i| packs::pack_of(&i.name).is_some())
        .filter_map(|i| {
            suggested_quota(source, &i.name).map(|suggested| PackQuota {
                item: i.name.clone(),
                suggested,
                target: target_quota(target, &i.name),
            })
        })
        .collect()
}

/// Warnings for pack quotas lower than the manual's suggestion.
fn quota_warnings(quotas: &[PackQuota]) -> Vec<String> {
    quotas
        .iter()
        .filter(|q| match (q.suggested, q.target) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(s), Some(t)) => t < s,
        })
        .map(|q| format!("The quota of {} is lower than the manual suggests.", q.item))
        .collect()
}

fn tenant_of(service: &ServiceRow, source: &TemplateData) -> TenantState {
    TenantState {
        tenant_id: String::new(),
        kind: source.tenant_kind,
        // The legacy tenant's real mode is read at ChangePackage time; production is the
        // strictest assumption for the dry run (trial → production is allowed, not back).
        pricing_mode: Mode::Production,
        server_id: service.server_id,
    }
}

/// The first product (by id) whose template is free of legacy editions, ticks every
/// suggested pack and passes the upgrade rules of manual 6.5.1/6.6.
fn choose_target<'a>(
    service: &ServiceRow,
    source: &TemplateData,
    packs_wanted: &[String],
    inv: &'a Inventory,
    template: &dyn Fn(i64) -> Option<TemplateData>,
) -> Option<(&'a ProductRow, TemplateData, ChangePlan)> {
    let mut products: Vec<&ProductRow> = inv.products.iter().collect();
    products.sort_by_key(|p| p.product_id);
    products.into_iter().find_map(|p| {
        if p.product_id == service.product_id {
            return None;
        }
        let t = template(p.template_id)?;
        if !legacy_editions(&t).is_empty()
            || !packs_wanted.iter().all(|w| t.advanced_packs.contains(w))
        {
            return None;
        }
        let plan = upgrade_rules::plan_change(source, &t, &tenant_of(service, source)).ok()?;
        Some((p, t, plan))
    })
}

/// The dry run for every service on a legacy edition, in service id order. Services whose
/// product or template is gone, or that use no legacy edition, are left out.
pub fn plan(inv: &Inventory, template: &dyn Fn(i64) -> Option<TemplateData>) -> Vec<ServicePlan> {
    let mut services: Vec<&ServiceRow> = inv.services.iter().collect();
    services.sort_by_key(|s| s.service_id);
    services
        .into_iter()
        .filter_map(|s| plan_service(s, inv, template))
        .collect()
}

/// The dry run of one service; `None` when it is not on a legacy edition.
pub fn plan_service(
    service: &ServiceRow,
    inv: &Inventory,
    template: &dyn Fn(i64) -> Option<TemplateData>,
) -> Option<ServicePlan> {
    let product = inv
        .products
        .iter()
        .find(|p| p.product_id == service.product_id)?;
    let source = template(product.template_id)?;
    let editions = legacy_editions(&source);
    if editions.is_empty() {
        return None;
    }
    let wanted = suggested_packs(&editions);
    let mut out = ServicePlan {
        service_id: service.service_id,
        client: service.client.clone(),
        domain: service.domain.clone(),
        product_id: product.product_id,
        product_name: product.name.clone(),
        legacy_editions: editions,
        suggested_packs: wanted.clone(),
        target_product_id: None,
        target_product_name: None,
        packs_to_enable: vec![],
        items_to_enable: vec![],
        items_to_disable: vec![],
        pack_quotas: vec![],
        warnings: vec![],
        blocked: None,
    };
    match choose_target(service, &source, &wanted, inv, template) {
        Some((p, target, change)) => {
            out.target_product_id = Some(p.product_id);
            out.target_product_name = Some(p.name.clone());
            out.packs_to_enable = change.packs_to_enable;
            out.items_to_enable = change.items_to_enable.into_iter().map(|i| i.name).collect();
            out.items_to_disable = change
                .items_to_disable
                .into_iter()
                .map(|i| i.name)
                .collect();
            out.pack_quotas = pack_quotas(&source, &target);
            out.warnings = change.warnings;
            out.warnings.extend(quota_warnings(&out.pack_quotas));
        }
        None => {
            out.blocked = Some("No product on the new licensing fits this service.".into());
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::templates::model::{OfferingItem, TenantKind};

    fn item(name: &str, quota: Option<i64>) -> OfferingItem {
        OfferingItem {
            name: name.into(),
            infra_id: None,
            status: Status::Active,
            measurement_unit: "quantity".into(),
            quota_value: quota,
        }
    }

    fn template(edition: &str, packs: &[&str], items: Vec<OfferingItem>) -> TemplateData {
        TemplateData::builder(edition, TenantKind::Customer)
            .advanced_packs(packs)
            .application("backup", &[edition], items)
            .build()
    }

    fn service(id: i64, pid: i64) -> ServiceRow {
        ServiceRow {
            service_id: id,
            product_id: pid,
            client: "Acme".into(),
            domain: String::new(),
            status: "Active".into(),
            server_id: 1,
        }
    }

    fn product(id: i64, template: i64) -> ProductRow {
        ProductRow {
            product_id: id,
            name: format!("P{id}"),
            template_id: template,
        }
    }

    fn templates(id: i64) -> Option<TemplateData> {
        match id {
            1 => Some(template(
                "cyber_protect_std",
                &[],
                vec![item("p_workstations", Some(4)), item("p_servers", Some(2))],
            )),
            2 => Some(template(
                "per_workload",
                &["advanced_management", "advanced_security"],
                vec![
                    item("pw_workstations", Some(4)),
                    item("pw_adv_security_workloads", Some(5)),
                ],
            )),
            3 => Some(template("per_workload", &[], vec![])),
            _ => None,
        }
    }

    #[test]
    fn manual_6_6_table_packs() {
        assert_eq!(
            suggested_packs(&["cyber_protect_dre".into()]),
            [
                "advanced_backup",
                "advanced_management",
                "advanced_security",
                "advanced_disaster_recovery"
            ]
        );
        assert!(suggested_packs(&["standard".into()]).is_empty());
    }

    #[test]
    fn legacy_service_gets_the_product_with_the_suggested_packs() {
        let inv = Inventory {
            services: vec![service(11, 1), service(12, 3)],
            products: vec![product(1, 1), product(3, 3), product(2, 2)],
        };
        let plans = plan(&inv, &templates);
        assert_eq!(plans.len(), 1, "the per-workload service is not legacy");
        let p = &plans[0];
        assert_eq!(p.legacy_editions, ["cyber_protect_std"]);
        assert_eq!(p.target_product_id, Some(2), "product 3 lacks the packs");
        assert_eq!(
            p.packs_to_enable,
            ["advanced_management", "advanced_security"]
        );
        assert_eq!(p.items_to_disable, ["p_workstations", "p_servers"]);
        assert!(p.items_to_enable.contains(&"pw_workstations".to_string()));
        // Manual 6.6.3: security and management = 4 + 2; management unconfigured = unlimited.
        let q = |n: &str| p.pack_quotas.iter().find(|q| q.item == n).cloned().unwrap();
        assert_eq!(q("pw_adv_security_workloads").suggested, Some(6));
        assert_eq!(q("pw_adv_security_workloads").target, Some(5));
        assert_eq!(q("pw_adv_management_workloads").target, None);
        assert!(p
            .warnings
            .iter()
            .any(|w| w.contains("pw_adv_security_workloads")));
        assert!(p.blocked.is_none());
    }

    #[test]
    fn no_fitting_product_is_reported_not_guessed() {
        let inv = Inventory {
            services: vec![service(11, 1)],
            products: vec![product(1, 1), product(3, 3)],
        };
        let plans = plan(&inv, &templates);
        assert_eq!(plans[0].target_product_id, None);
        assert!(plans[0].blocked.is_some());
    }

    #[test]
    fn unlimited_source_quota_suggests_unlimited() {
        let source = template("cyber_protect_adv", &[], vec![item("p_adv_servers", None)]);
        assert_eq!(
            suggested_quota(&source, "pw_adv_security_workloads"),
            Some(None)
        );
        assert_eq!(
            suggested_quota(&source, "pw_adv_backup_servers"),
            Some(None)
        );
        assert_eq!(suggested_quota(&source, "pw_adv_backup_vms"), Some(Some(0)));
        assert_eq!(suggested_quota(&source, "pw_workstations"), None);
    }
}
