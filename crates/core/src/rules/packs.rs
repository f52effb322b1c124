//! Advanced protection packs (manual 6.1 "Select services": Advanced Backup, Management,
//! Security, Email Security, Disaster Recovery, File Sync & Share) as offering items.
//!
//! A pack is not a platform object of its own: it is a set of offering items that the
//! catalog marks with `pack: <wire name>` (see docs/offering-items.md for where each name
//! comes from). A template "ticks" a pack in `advanced_packs`; these rules decide which pack
//! items that tick enables:
//!
//! * a pack item listed *active* in the template is enabled with the template's quota;
//! * when the template lists **no** item of a ticked pack, every item of the pack (for the
//!   active editions) is enabled without a quota (unlimited): ticking the pack alone gives the
//!   customer the pack, as the wizard's checkbox promises. Once the admin configures some of
//!   the pack's items, exactly those are enabled (the wizard sends only chosen items);
//! * a pack item of a pack that is **not** ticked is never enabled from the template, even
//!   if listed active: the pack checkbox is the switch, the item list only sets quotas.
//!
//! Pack items bought through configurable options are not affected: an option is a purchase
//! of that item (manual 6.7 upsell) and goes through the ordinary option rules.

use crate::infra::error::Result;
use crate::platform::catalog::{catalog, OfferingItem as Meta};
use crate::rules::templates::model::{OfferingItem, Status, TemplateData, ADVANCED_PACKS};

/// English title of a pack (a product name, shown as is in every language).
pub fn pack_title(pack: &str) -> Option<&'static str> {
    Some(match pack {
        "advanced_backup" => "Advanced Backup",
        "advanced_management" => "Advanced Management",
        "advanced_security" => "Advanced Security",
        "advanced_email_security" => "Advanced Email Security",
        "advanced_disaster_recovery" => "Advanced Disaster Recovery",
        "advanced_files_cloud" => "Advanced File Sync & Share",
        _ => return None,
    })
}

/// The pack an offering item belongs to, `None` for base items and unknown names.
pub fn pack_of(item: &str) -> Option<&'static str> {
    let meta = catalog().ok()?.offering_item(item)?;
    let pack = meta.pack.as_deref()?;
    ADVANCED_PACKS.iter().map(|(p, _)| *p).find(|p| *p == pack)
}

/// Catalog items of one pack, in catalog order.
pub fn items_of(pack: &str) -> Result<Vec<&'static Meta>> {
    Ok(catalog()?
        .offering_items
        .iter()
        .filter(|o| o.pack.as_deref() == Some(pack))
        .collect())
}

fn ticked(t: &TemplateData, pack: &str) -> bool {
    t.advanced_packs.iter().any(|p| p == pack)
}

/// True when the template may enable `item`: base items always, pack items only when their
/// pack is ticked.
pub fn allowed_by_template(t: &TemplateData, item: &str) -> bool {
    pack_of(item).is_none_or(|p| ticked(t, p))
}

/// Editions a pack item must match: an item with an edition belongs to that edition of its
/// application; the template must have that edition active.
fn edition_active(t: &TemplateData, meta: &Meta) -> bool {
    t.applications
        .iter()
        .filter(|a| a.status == Status::Active && a.kind == meta.application)
        .any(|a| match meta.edition.as_deref() {
            None => true,
            Some(e) => a
                .editions
                .iter()
                .any(|x| x.status == Status::Active && x.name == e),
        })
}

fn listed(t: &TemplateData, name: &str) -> bool {
    t.applications
        .iter()
        .flat_map(|a| a.offering_items.iter())
        .any(|i| i.name == name)
}

/// Pack items a ticked pack adds on top of the template's list: when the template mentions
/// none of the pack's items, every item of the pack for the template's active application
/// editions, as an active template item without a quota (unlimited).
pub fn implied_items(t: &TemplateData) -> Result<Vec<OfferingItem>> {
    let mut out = Vec::new();
    for pack in &t.advanced_packs {
        let items = items_of(pack)?;
        if items.iter().any(|m| listed(t, &m.name)) {
            continue;
        }
        for meta in items {
            if edition_active(t, meta) {
                out.push(OfferingItem {
                    name: meta.name.clone(),
                    infra_id: None,
                    status: Status::Active,
                    measurement_unit: meta.measurement_unit.clone(),
                    quota_value: None,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::templates::model::TenantKind;

    fn item(name: &str, status: Status, quota: Option<i64>) -> OfferingItem {
        OfferingItem {
            name: name.into(),
            infra_id: None,
            status,
            measurement_unit: "quantity".into(),
            quota_value: quota,
        }
    }

    fn template(packs: &[&str], items: Vec<OfferingItem>) -> TemplateData {
        TemplateData::builder("T", TenantKind::Customer)
            .advanced_packs(packs)
            .application("backup", &["per_workload"], items)
            .build()
    }

    #[test]
    fn every_pack_has_items_and_every_pack_item_a_known_pack() {
        for (pack, app) in ADVANCED_PACKS {
            let items = items_of(pack).unwrap();
            assert!(!items.is_empty(), "{pack}");
            assert!(items.iter().all(|i| i.application == *app), "{pack}");
            assert!(pack_title(pack).is_some());
        }
        for o in &catalog().unwrap().offering_items {
            if let Some(p) = &o.pack {
                assert_eq!(pack_of(&o.name), Some(p.as_str()), "{}", o.name);
                assert!(o.name_status.is_some(), "{}: source status", o.name);
            }
        }
    }

    #[test]
    fn base_items_are_not_pack_items() {
        assert_eq!(pack_of("pw_workstations"), None);
        assert_eq!(pack_of("nope"), None);
        assert_eq!(pack_of("pw_adv_backup_servers"), Some("advanced_backup"));
        assert_eq!(pack_of("omnivoice_users"), None);
    }

    #[test]
    fn pack_items_need_their_pack_ticked() {
        let t = template(&["advanced_security"], vec![]);
        assert!(allowed_by_template(&t, "pw_workstations"));
        assert!(allowed_by_template(&t, "pw_adv_security_workloads"));
        assert!(!allowed_by_template(&t, "pw_adv_backup_servers"));
    }

    fn implied_names(t: &TemplateData) -> Vec<String> {
        implied_items(t)
            .unwrap()
            .into_iter()
            .map(|i| i.name)
            .collect()
    }

    #[test]
    fn ticked_pack_without_configured_items_implies_all_items_of_the_active_edition() {
        let t = template(&["advanced_disaster_recovery"], vec![]);
        assert_eq!(
            implied_names(&t),
            [
                "pw_adv_dr_storage",
                "pw_adv_dr_compute_points",
                "pw_adv_dr_public_ips",
                "pw_adv_dr_cloud_servers"
            ]
        );
        assert!(implied_items(&t)
            .unwrap()
            .iter()
            .all(|i| i.quota_value.is_none() && i.status == Status::Active));
    }

    #[test]
    fn configured_pack_items_are_exactly_what_the_pack_enables() {
        let t = template(
            &["advanced_disaster_recovery", "advanced_security"],
            vec![item("pw_adv_dr_public_ips", Status::Active, Some(3))],
        );
        assert_eq!(implied_names(&t), ["pw_adv_security_workloads"]);
    }

    #[test]
    fn no_pack_ticked_implies_nothing() {
        let t = template(&[], vec![]);
        assert!(implied_items(&t).unwrap().is_empty());
    }

    #[test]
    fn files_cloud_pack_needs_files_cloud_active() {
        let t = template(&["advanced_files_cloud"], vec![]);
        assert!(implied_items(&t).unwrap().is_empty());
    }
}
