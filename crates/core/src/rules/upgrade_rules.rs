//! Upgrade/downgrade (WHMCS `ChangePackage`) rules: decides, before anything is sent to the
//! platform, whether a service may move from one service template to another and what the
//! move changes.
//!
//! Sources: manual 6.5.1 "Setting up product switch" (requirements table: template, server,
//! configurable options group), manual 6.6 "Switching customers to new licensing" (legacy →
//! advanced licensing paths), docs/behaviour.md §B.10 (enforcement, error texts T2/T3) and
//! §J.1 #4 (applications are never unbound on downgrade, only offering items are disabled).
//!
//! Pure logic: no I/O. A refusal is `Error::Validation` with an admin-facing text that ends
//! with [`NOTHING_CHANGED`], because the check runs before any platform call.

use crate::infra::error::{Error, Result};
use crate::rules::templates::model::{ManagementMode, Mode, Status, TemplateData, TenantKind};
use std::collections::BTreeSet;

/// Appended to every refusal: the rules run before any Cloud call.
pub const NOTHING_CHANGED: &str = "Nothing was changed in Acronis Cyber Cloud.";

/// Legacy (per-device) editions of the catalog (`editions[].legacy: true`, manual 6.6).
pub const LEGACY_EDITIONS: &[&str] = &[
    "standard",
    "advanced",
    "disaster_recovery",
    "cyber_protect_std",
    "cyber_protect_adv",
    "cyber_protect_dre",
];

/// Manual 6.6.3 step 2 table: advanced packs the new (advanced licensing) template should
/// enable so that a customer on a legacy edition keeps the same functionality.
pub const LEGACY_UPGRADE_PACKS: &[(&str, &[&str])] = &[
    ("standard", &[]),
    ("advanced", &["advanced_backup", "advanced_management"]),
    (
        "disaster_recovery",
        &[
            "advanced_backup",
            "advanced_management",
            "advanced_disaster_recovery",
        ],
    ),
    (
        "cyber_protect_std",
        &["advanced_management", "advanced_security"],
    ),
    (
        "cyber_protect_adv",
        &[
            "advanced_backup",
            "advanced_management",
            "advanced_security",
        ],
    ),
    (
        "cyber_protect_dre",
        &[
            "advanced_backup",
            "advanced_management",
            "advanced_disaster_recovery",
            "advanced_security",
        ],
    ),
];

/// True for an edition of the legacy licensing (manual 6.6).
pub fn is_legacy_edition(name: &str) -> bool {
    LEGACY_EDITIONS.contains(&name)
}

/// The tenant as it is now, as known to the service (custom fields, Cloud answers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantState {
    /// Cloud tenant id stored in the service's `tenant_id` field.
    pub tenant_id: String,
    /// Kind of the existing Cloud tenant.
    pub kind: TenantKind,
    /// Current Cloud pricing mode (`GET /tenants/{id}/pricing`, §B.3).
    pub pricing_mode: Mode,
    /// WHMCS server of the order (the service's server).
    pub server_id: i64,
}

/// An edition of an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditionRef {
    /// Application type (e.g. `backup`).
    pub application: String,
    /// Edition name (e.g. `per_workload`).
    pub edition: String,
}

/// An offering item with the infrastructure component it uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRef {
    pub application: String,
    pub name: String,
    pub infra_id: Option<String>,
}

/// What an allowed upgrade/downgrade does on the platform.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangePlan {
    /// New pricing mode to write (`PUT /tenants/{id}/pricing`); `None` = keep.
    pub switch_pricing_to: Option<Mode>,
    /// True when the change moves legacy editions to advanced licensing (manual 6.6).
    pub licensing_migration: bool,
    /// Editions that become active.
    pub editions_to_enable: Vec<EditionRef>,
    /// Editions that stop being offered (only legacy ones can, manual 6.6).
    pub editions_to_disable: Vec<EditionRef>,
    /// Applications active in the new template only (to bind).
    pub applications_to_enable: Vec<String>,
    /// Applications active in the old template only: kept bound, their items disabled (§J.1 #4).
    pub applications_left_bound: Vec<String>,
    /// Offering items active in the new template only.
    pub items_to_enable: Vec<ItemRef>,
    /// Offering items active in the old template only: disabled in the Cloud (§B.10).
    pub items_to_disable: Vec<ItemRef>,
    /// Advanced packs switched on.
    pub packs_to_enable: Vec<String>,
    /// Advanced packs switched off.
    pub packs_to_disable: Vec<String>,
    /// Admin-facing notes about side effects that do not block the change.
    pub warnings: Vec<String>,
}

fn refuse(reason: String) -> Error {
    Error::Validation(format!("{reason} {NOTHING_CHANGED}"))
}

fn mode_label(mode: Mode) -> &'static str {
    match mode {
        Mode::Trial => "Trial",
        Mode::Production => "Production",
    }
}

fn management_label(mode: ManagementMode) -> &'static str {
    match mode {
        ManagementMode::SelfService => "Self-Service",
        ManagementMode::ManagedByServiceProvider => "Managed by Service Provider",
    }
}

fn on_off(b: bool) -> &'static str {
    if b {
        "enabled"
    } else {
        "disabled"
    }
}

/// Application types active in a template, in template order.
fn active_apps(t: &TemplateData) -> Vec<&str> {
    t.applications
        .iter()
        .filter(|a| a.status == Status::Active)
        .map(|a| a.kind.as_str())
        .collect()
}

/// Active editions of an active application.
fn active_editions<'a>(t: &'a TemplateData, app: &str) -> Vec<&'a str> {
    t.applications
        .iter()
        .filter(|a| a.status == Status::Active && a.kind == app)
        .flat_map(|a| a.editions.iter())
        .filter(|e| e.status == Status::Active)
        .map(|e| e.name.as_str())
        .collect()
}

/// Active offering items of active applications.
fn active_items(t: &TemplateData) -> Vec<ItemRef> {
    t.applications
        .iter()
        .filter(|a| a.status == Status::Active)
        .flat_map(|a| {
            a.offering_items
                .iter()
                .filter(|i| i.status == Status::Active)
                .map(move |i| ItemRef {
                    application: a.kind.clone(),
                    name: i.name.clone(),
                    infra_id: i.infra_id.clone(),
                })
        })
        .collect()
}

/// Infrastructure components (locations/storages) used by an active application.
fn infra_of<'a>(t: &'a TemplateData, app: &str) -> BTreeSet<&'a str> {
    t.applications
        .iter()
        .filter(|a| a.status == Status::Active && a.kind == app)
        .flat_map(|a| a.offering_items.iter())
        .filter(|i| i.status == Status::Active)
        .filter_map(|i| i.infra_id.as_deref())
        .collect()
}

fn join(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Pricing mode the new template asks for: partners are always production (`model::Mode`),
/// customers follow the template's Mode (manual 6.1).
fn wanted_mode(t: &TemplateData) -> Mode {
    match t.tenant_kind {
        TenantKind::Partner => Mode::Production,
        TenantKind::Customer => t.mode,
    }
}

/// Manual 6.5.1, Server: "The same server". Error T3 of §B.10 (the order's server against the
/// new template's server), also refused when the two templates use different servers.
fn check_server(old: &TemplateData, new: &TemplateData, tenant: &TenantState) -> Result<()> {
    let used = if new.server_id != tenant.server_id {
        new.server_id
    } else if old.server_id != tenant.server_id {
        old.server_id
    } else {
        return Ok(());
    };
    Err(refuse(format!(
        "Product upgrade/downgrade cannot be performed using a different server than the order \
         (order server: {}, used server: {used}). Please, during upgrade/downgrade of an order, \
         make sure that the server used in the product's template or in the configurable \
         options is the same as the one in the order.",
        tenant.server_id
    )))
}

/// Manual 6.5.1, Template: "The same tenant type". Error T2 of §B.10.
fn check_tenant_kind(old: &TemplateData, new: &TemplateData, tenant: &TenantState) -> Result<()> {
    let from = if tenant.kind != new.tenant_kind {
        tenant.kind
    } else if old.tenant_kind != new.tenant_kind {
        old.tenant_kind
    } else {
        return Ok(());
    };
    Err(refuse(format!(
        "Unable to change the tenant type from \"{}\" to \"{}\" for the tenant \"{}\". Please \
         use another template for the product.",
        from.as_str(),
        new.tenant_kind.as_str(),
        tenant.tenant_id
    )))
}

/// Manual 6.5.1, Template: "Management mode should be the same" (immutable, §B.1).
fn check_management_mode(old: &TemplateData, new: &TemplateData) -> Result<()> {
    if old.management_mode == new.management_mode {
        return Ok(());
    }
    Err(refuse(format!(
        "Product upgrade/downgrade cannot change the management mode from \"{}\" to \"{}\". \
         Please use a template with the same management mode.",
        management_label(old.management_mode),
        management_label(new.management_mode)
    )))
}

/// Manual 6.5.1, Template: "2FA setting should be the same" (immutable, §B.1).
fn check_two_factor(old: &TemplateData, new: &TemplateData) -> Result<()> {
    if old.two_factor_auth == new.two_factor_auth {
        return Ok(());
    }
    Err(refuse(format!(
        "Product upgrade/downgrade cannot change the two-factor authentication setting \
         (currently {}, new template {}). Please use a template with the same two-factor \
         authentication setting.",
        on_off(old.two_factor_auth),
        on_off(new.two_factor_auth)
    )))
}

/// Manual 6.5.1, Template: "For customer type templates, it is possible to upgrade from trial
/// to production template, but not from production to trial". Only that template change is
/// refused. A tenant the platform already put in production (manual 6.1: trial becomes
/// production after 30 days) stays there whatever the new template says: a trial template then
/// only changes resources, and no pricing write is planned (the platform refuses
/// production → trial).
fn check_pricing(
    old: &TemplateData,
    new: &TemplateData,
    tenant: &TenantState,
) -> Result<Option<Mode>> {
    let wanted = wanted_mode(new);
    if wanted_mode(old) == Mode::Production && wanted == Mode::Trial {
        return Err(refuse(format!(
            "Product upgrade/downgrade cannot switch the tenant \"{}\" from {} to {} mode: only \
             a switch from trial to production is possible. Please use a template in \
             production mode.",
            tenant.tenant_id,
            mode_label(Mode::Production),
            mode_label(Mode::Trial)
        )));
    }
    if tenant.pricing_mode == Mode::Production {
        return Ok(None);
    }
    Ok((tenant.pricing_mode != wanted).then_some(wanted))
}

/// Manual 6.5.1, Template: "The same location and storage(s) selected": for every application
/// active in both templates the set of infrastructure components must be equal.
fn check_locations(old: &TemplateData, new: &TemplateData) -> Result<()> {
    let new_apps = active_apps(new);
    for app in active_apps(old)
        .into_iter()
        .filter(|a| new_apps.contains(a))
    {
        let before = infra_of(old, app);
        let after = infra_of(new, app);
        if before != after {
            let before: Vec<&str> = before.into_iter().collect();
            let after: Vec<&str> = after.into_iter().collect();
            return Err(refuse(format!(
                "Product upgrade/downgrade cannot change the location or storage of the \
                 application \"{app}\" (current: [{}], new template: [{}]). Please use a \
                 template with the same location and storage(s).",
                join(&before),
                join(&after)
            )));
        }
    }
    Ok(())
}

/// Manual 6.5.1, Template: "The same edition", relaxed by manual 6.6 (switching to new
/// licensing): an edition may only go away when it is legacy, and only non-legacy editions may
/// be added. Fills the edition part of the plan.
fn check_editions(old: &TemplateData, new: &TemplateData, plan: &mut ChangePlan) -> Result<()> {
    let new_apps = active_apps(new);
    for app in active_apps(old)
        .into_iter()
        .filter(|a| new_apps.contains(a))
    {
        let before = active_editions(old, app);
        let after = active_editions(new, app);
        let removed = not_in(&before, &after);
        let added = not_in(&after, &before);
        if removed.is_empty() && added.is_empty() {
            continue;
        }
        refuse_legacy_added(app, &added)?;
        refuse_current_removed(app, &removed)?;
        if !removed.is_empty() {
            plan.licensing_migration = true;
            warn_legacy_removed(new, app, &removed, &mut plan.warnings);
        }
        plan.editions_to_disable.extend(edition_refs(app, &removed));
        plan.editions_to_enable.extend(edition_refs(app, &added));
    }
    Ok(())
}

/// The editions of `these` that `others` lacks, in the order of `these`.
fn not_in<'a>(these: &[&'a str], others: &[&str]) -> Vec<&'a str> {
    these
        .iter()
        .copied()
        .filter(|e| !others.contains(e))
        .collect()
}

fn edition_refs<'a>(app: &'a str, editions: &'a [&str]) -> impl Iterator<Item = EditionRef> + 'a {
    editions.iter().map(move |e| EditionRef {
        application: app.to_owned(),
        edition: (*e).to_owned(),
    })
}

/// A switch back to the legacy licensing is not possible (manual 6.6).
fn refuse_legacy_added(app: &str, added: &[&str]) -> Result<()> {
    let legacy_added: Vec<&str> = added
        .iter()
        .copied()
        .filter(|e| is_legacy_edition(e))
        .collect();
    if legacy_added.is_empty() {
        return Ok(());
    }
    Err(refuse(format!(
        "Product upgrade/downgrade cannot switch the application \"{app}\" to the legacy \
         edition(s) {}: a switch to the legacy licensing is not possible. Please use a \
         template with the same edition or with the advanced licensing.",
        join(&legacy_added)
    )))
}

/// Only legacy editions may go away (replaced by the advanced licensing); a current one must
/// stay ("The same edition").
fn refuse_current_removed(app: &str, removed: &[&str]) -> Result<()> {
    let current_removed: Vec<&str> = removed
        .iter()
        .copied()
        .filter(|e| !is_legacy_edition(e))
        .collect();
    if current_removed.is_empty() {
        return Ok(());
    }
    Err(refuse(format!(
        "Product upgrade/downgrade cannot change the edition of the application \
         \"{app}\" (edition(s) {} missing in the new template). The same edition is \
         required; only legacy editions can be replaced by the advanced licensing. \
         Please use a template with the same edition.",
        join(&current_removed)
    )))
}

/// Side effects of removing legacy editions that do not block the change: a partner's end
/// customers may still use them (manual 6.6.2, step 4); a customer should get the advanced
/// packs of the tested upgrade path (manual 6.6.3, step 2).
fn warn_legacy_removed(
    new: &TemplateData,
    app: &str,
    removed: &[&str],
    warnings: &mut Vec<String>,
) {
    if new.tenant_kind == TenantKind::Partner {
        warnings.push(format!(
            "The legacy edition(s) {} of the application \"{app}\" are removed from the \
             partner: if some end customers still use them, the change may fail or their \
             services may be disabled (manual 6.6.2, step 4).",
            join(removed)
        ));
        return;
    }
    for edition in removed {
        let missing: Vec<&str> = LEGACY_UPGRADE_PACKS
            .iter()
            .filter(|(legacy, _)| legacy == edition)
            .flat_map(|(_, packs)| packs.iter().copied())
            .filter(|p| !new.advanced_packs.iter().any(|n| n == p))
            .collect();
        if !missing.is_empty() {
            warnings.push(format!(
                "The legacy edition \"{edition}\" is replaced without the advanced \
                 pack(s) {} of the tested upgrade path: some services could be \
                 disabled (manual 6.6.3, step 2).",
                join(&missing)
            ));
        }
    }
}

/// Applications, offering items and packs that change (§B.10 "same edition" row, §J.1 #4).
fn diff_services(old: &TemplateData, new: &TemplateData, plan: &mut ChangePlan) {
    let old_apps = active_apps(old);
    let new_apps = active_apps(new);
    plan.applications_to_enable = new_apps
        .iter()
        .filter(|a| !old_apps.contains(a))
        .map(|a| (*a).to_owned())
        .collect();
    plan.applications_left_bound = old_apps
        .iter()
        .filter(|a| !new_apps.contains(a))
        .map(|a| (*a).to_owned())
        .collect();
    let old_items = active_items(old);
    let new_items = active_items(new);
    let same = |a: &ItemRef, b: &ItemRef| a.application == b.application && a.name == b.name;
    plan.items_to_disable = old_items
        .iter()
        .filter(|o| !new_items.iter().any(|n| same(o, n)))
        .cloned()
        .collect();
    plan.items_to_enable = new_items
        .iter()
        .filter(|n| !old_items.iter().any(|o| same(o, n)))
        .cloned()
        .collect();
    plan.packs_to_enable = new
        .advanced_packs
        .iter()
        .filter(|p| !old.advanced_packs.contains(p))
        .cloned()
        .collect();
    plan.packs_to_disable = old
        .advanced_packs
        .iter()
        .filter(|p| !new.advanced_packs.contains(p))
        .cloned()
        .collect();
    if !plan.items_to_disable.is_empty() {
        plan.warnings.push(format!(
            "{} offering item(s) of the current product are not in the new template and will be \
             disabled; this fails in Acronis Cyber Cloud if they are still in use.",
            plan.items_to_disable.len()
        ));
    }
}

/// Decides whether a service provisioned from `old` may switch to `new` (manual 6.5.1 and 6.6,
/// docs/behaviour.md §B.10). Checks, in order: server, tenant type, management mode, 2FA,
/// trial/production, location and storage(s), editions. Returns the changes to apply, or
/// `Error::Validation` saying why the change is refused and that nothing was changed.
pub fn plan_change(
    old: &TemplateData,
    new: &TemplateData,
    tenant: &TenantState,
) -> Result<ChangePlan> {
    check_server(old, new, tenant)?;
    check_tenant_kind(old, new, tenant)?;
    check_management_mode(old, new)?;
    check_two_factor(old, new)?;
    let switch_pricing_to = check_pricing(old, new, tenant)?;
    check_locations(old, new)?;
    let mut plan = ChangePlan {
        switch_pricing_to,
        ..ChangePlan::default()
    };
    check_editions(old, new, &mut plan)?;
    diff_services(old, new, &mut plan);
    Ok(plan)
}

/// Manual 6.5.1, Configurable Options Group: "The same Configurable Options group assigned to
/// both products". Not a refusal: with different groups the source group's options are
/// unprovided and the target group is not provided (it can be purchased later). Returns the
/// admin warning when the groups differ (order ignored).
pub fn option_group_warning(old_groups: &[i64], new_groups: &[i64]) -> Option<String> {
    let before: BTreeSet<i64> = old_groups.iter().copied().collect();
    let after: BTreeSet<i64> = new_groups.iter().copied().collect();
    (before != after).then(|| {
        "The current and the new product use different configurable option groups: the \
         resources bought with the current options are removed, and the options of the new \
         product are not provided until they are purchased (manual 6.5.1)."
            .to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::templates::model::{Application, Edition, OfferingItem};

    const STORAGE: &str = "66d7d7b2-4844-4ebd-b467-d407f7234bb1";
    const OTHER_STORAGE: &str = "11111111-2222-4333-8444-555555555555";
    const TID: &str = "44444444-0000-4000-8000-000000000001";

    fn item(name: &str, infra: Option<&str>) -> OfferingItem {
        OfferingItem {
            name: name.into(),
            infra_id: infra.map(Into::into),
            status: Status::Active,
            measurement_unit: "quantity".into(),
            quota_value: None,
        }
    }

    fn backup(edition: &str, items: Vec<OfferingItem>) -> Application {
        Application {
            kind: "backup".into(),
            editions: vec![Edition {
                name: edition.into(),
                status: Status::Active,
            }],
            status: Status::Active,
            offering_items: items,
        }
    }

    fn template(kind: TenantKind, edition: &str) -> TemplateData {
        TemplateData::builder("t", kind)
            .with_application(backup(
                edition,
                vec![
                    item(&format!("{edition}_servers"), None),
                    item(&format!("{edition}_storage"), Some(STORAGE)),
                ],
            ))
            .build()
    }

    fn tenant(kind: TenantKind, mode: Mode) -> TenantState {
        TenantState {
            tenant_id: TID.into(),
            kind,
            pricing_mode: mode,
            server_id: 1,
        }
    }

    fn refusal(r: Result<ChangePlan>) -> String {
        match r {
            Err(Error::Validation(m)) => {
                assert!(m.ends_with(NOTHING_CHANGED), "{m}");
                m
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn same_template_changes_nothing() {
        let t = template(TenantKind::Customer, "per_workload");
        let plan = plan_change(&t, &t, &tenant(TenantKind::Customer, Mode::Production)).unwrap();
        assert_eq!(plan, ChangePlan::default());
    }

    #[test]
    fn customer_to_partner_is_refused() {
        let old = template(TenantKind::Customer, "per_workload");
        let new = template(TenantKind::Partner, "per_workload");
        let m = refusal(plan_change(
            &old,
            &new,
            &tenant(TenantKind::Customer, Mode::Production),
        ));
        assert!(m.starts_with(&format!(
            "Unable to change the tenant type from \"customer\" to \"partner\" for the tenant \
             \"{TID}\". Please use another template for the product."
        )));
    }

    #[test]
    fn partner_to_customer_is_refused() {
        let old = template(TenantKind::Partner, "per_workload");
        let new = template(TenantKind::Customer, "per_workload");
        let m = refusal(plan_change(
            &old,
            &new,
            &tenant(TenantKind::Partner, Mode::Production),
        ));
        assert!(m.contains("from \"partner\" to \"customer\""), "{m}");
    }

    #[test]
    fn other_server_is_refused() {
        let old = template(TenantKind::Customer, "per_workload");
        let mut new = old.clone();
        new.server_id = 2;
        let m = refusal(plan_change(
            &old,
            &new,
            &tenant(TenantKind::Customer, Mode::Production),
        ));
        assert!(m.starts_with(
            "Product upgrade/downgrade cannot be performed using a different server than the \
             order (order server: 1, used server: 2)."
        ));
    }

    #[test]
    fn trial_to_production_is_allowed_once() {
        let mut old = template(TenantKind::Customer, "per_workload");
        old.mode = Mode::Trial;
        let new = template(TenantKind::Customer, "per_workload");
        let plan = plan_change(&old, &new, &tenant(TenantKind::Customer, Mode::Trial)).unwrap();
        assert_eq!(plan.switch_pricing_to, Some(Mode::Production));
        // Once in production: nothing more to switch, and the way back is closed.
        let again =
            plan_change(&new, &new, &tenant(TenantKind::Customer, Mode::Production)).unwrap();
        assert_eq!(again.switch_pricing_to, None);
        refusal(plan_change(
            &new,
            &old,
            &tenant(TenantKind::Customer, Mode::Production),
        ));
    }

    #[test]
    fn tenant_switched_to_production_by_the_platform_stays_there() {
        // Manual 6.1: trial becomes production after 30 days; the template is still trial.
        let mut trial = template(TenantKind::Customer, "per_workload");
        trial.mode = Mode::Trial;
        let in_production = tenant(TenantKind::Customer, Mode::Production);
        let same = plan_change(&trial, &trial, &in_production).unwrap();
        assert_eq!(same.switch_pricing_to, None, "no pricing write");
        // Another trial template with more resources goes through too.
        let mut bigger = trial.clone();
        bigger.name = "Trial, more".into();
        if let Some(i) = bigger.applications[0].offering_items.first_mut() {
            i.quota_value = Some(50);
        }
        let other = plan_change(&trial, &bigger, &in_production).unwrap();
        assert_eq!(other.switch_pricing_to, None);
    }

    #[test]
    fn production_to_trial_is_refused() {
        let old = template(TenantKind::Customer, "per_workload");
        let mut new = old.clone();
        new.mode = Mode::Trial;
        // Refused by the template rule even if the Cloud tenant still reports trial.
        for state in [Mode::Production, Mode::Trial] {
            let m = refusal(plan_change(
                &old,
                &new,
                &tenant(TenantKind::Customer, state),
            ));
            assert!(m.contains("only a switch from trial to production"), "{m}");
        }
    }

    #[test]
    fn partner_is_always_production() {
        let old = template(TenantKind::Partner, "per_workload");
        let mut new = old.clone();
        new.mode = Mode::Trial;
        let plan = plan_change(&old, &new, &tenant(TenantKind::Partner, Mode::Trial)).unwrap();
        assert_eq!(plan.switch_pricing_to, Some(Mode::Production));
    }

    #[test]
    fn management_mode_change_is_refused() {
        let old = template(TenantKind::Customer, "per_workload");
        let mut new = old.clone();
        new.management_mode = ManagementMode::ManagedByServiceProvider;
        let m = refusal(plan_change(
            &old,
            &new,
            &tenant(TenantKind::Customer, Mode::Production),
        ));
        assert!(
            m.contains("\"Self-Service\" to \"Managed by Service Provider\""),
            "{m}"
        );
    }

    #[test]
    fn two_factor_change_is_refused() {
        let old = template(TenantKind::Customer, "per_workload");
        let mut new = old.clone();
        new.two_factor_auth = true;
        let m = refusal(plan_change(
            &old,
            &new,
            &tenant(TenantKind::Customer, Mode::Production),
        ));
        assert!(m.contains("two-factor authentication"), "{m}");
    }

    #[test]
    fn other_location_or_storage_is_refused() {
        let old = template(TenantKind::Customer, "per_workload");
        let mut new = old.clone();
        for app in &mut new.applications {
            for i in &mut app.offering_items {
                if i.infra_id.is_some() {
                    i.infra_id = Some(OTHER_STORAGE.into());
                }
            }
        }
        let m = refusal(plan_change(
            &old,
            &new,
            &tenant(TenantKind::Customer, Mode::Production),
        ));
        assert!(m.contains(OTHER_STORAGE) && m.contains(STORAGE), "{m}");
    }

    #[test]
    fn edition_switch_for_customer_is_refused() {
        let old = template(TenantKind::Customer, "per_workload");
        let new = template(TenantKind::Customer, "per_gigabyte");
        let m = refusal(plan_change(
            &old,
            &new,
            &tenant(TenantKind::Customer, Mode::Production),
        ));
        assert!(m.contains("\"per_workload\""), "{m}");
    }

    #[test]
    fn edition_switch_for_customer_from_legacy_to_new_licensing_is_allowed() {
        let old = template(TenantKind::Customer, "cyber_protect_std");
        let mut new = template(TenantKind::Customer, "per_workload");
        new.advanced_packs = vec!["advanced_management".into(), "advanced_security".into()];
        let plan =
            plan_change(&old, &new, &tenant(TenantKind::Customer, Mode::Production)).unwrap();
        assert!(plan.licensing_migration);
        assert_eq!(
            plan.editions_to_disable,
            vec![EditionRef {
                application: "backup".into(),
                edition: "cyber_protect_std".into()
            }]
        );
        assert_eq!(plan.editions_to_enable.len(), 1);
        let disabled: Vec<&str> = plan
            .items_to_disable
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        assert_eq!(
            disabled,
            ["cyber_protect_std_servers", "cyber_protect_std_storage"]
        );
        assert_eq!(plan.items_to_enable.len(), 2);
        assert_eq!(plan.packs_to_enable.len(), 2);
        // Only the generic "items will be disabled" note: the tested path's packs are there.
        assert_eq!(plan.warnings.len(), 1);
    }

    #[test]
    fn legacy_switch_without_tested_packs_warns() {
        let old = template(TenantKind::Customer, "cyber_protect_dre");
        let new = template(TenantKind::Customer, "per_workload");
        let plan =
            plan_change(&old, &new, &tenant(TenantKind::Customer, Mode::Production)).unwrap();
        assert!(
            plan.warnings
                .iter()
                .any(|w| w.contains("\"advanced_disaster_recovery\"")),
            "{:?}",
            plan.warnings
        );
    }

    #[test]
    fn switch_to_legacy_edition_is_refused() {
        let old = template(TenantKind::Customer, "per_workload");
        let new = template(TenantKind::Customer, "standard");
        let m = refusal(plan_change(
            &old,
            &new,
            &tenant(TenantKind::Customer, Mode::Production),
        ));
        assert!(m.contains("legacy"), "{m}");
    }

    #[test]
    fn partner_gets_new_licensing_added_next_to_legacy() {
        // Manual 6.6.2 step 2: add advanced licensing, keep legacy for now.
        let old = template(TenantKind::Partner, "standard");
        let mut new = old.clone();
        if let Some(app) = new.applications.first_mut() {
            app.editions.push(Edition {
                name: "per_workload".into(),
                status: Status::Active,
            });
            app.offering_items.push(item("pw_servers", None));
        }
        let plan = plan_change(&old, &new, &tenant(TenantKind::Partner, Mode::Production)).unwrap();
        assert!(!plan.licensing_migration);
        assert!(plan.editions_to_disable.is_empty());
        assert_eq!(plan.editions_to_enable.len(), 1);
        assert_eq!(plan.items_to_enable.len(), 1);
        assert!(plan.items_to_disable.is_empty());
        assert!(plan.warnings.is_empty());

        // Step 4: move the partner to the product without legacy offerings.
        let mut final_t = new.clone();
        if let Some(app) = final_t.applications.first_mut() {
            app.editions.retain(|e| e.name != "standard");
            app.offering_items
                .retain(|i| !i.name.starts_with("standard_"));
            app.offering_items.push(item("pw_storage", Some(STORAGE)));
        }
        let plan = plan_change(
            &new,
            &final_t,
            &tenant(TenantKind::Partner, Mode::Production),
        )
        .unwrap();
        assert!(plan.licensing_migration);
        assert!(plan.warnings.iter().any(|w| w.contains("6.6.2")));
    }

    #[test]
    fn removed_application_stays_bound_and_its_items_are_disabled() {
        let old = template(TenantKind::Customer, "per_workload");
        let mut new = old.clone();
        new.applications.push(Application {
            kind: "notary".into(),
            editions: vec![],
            status: Status::Active,
            offering_items: vec![item("notary_storage", None)],
        });
        let plan =
            plan_change(&new, &old, &tenant(TenantKind::Customer, Mode::Production)).unwrap();
        assert_eq!(plan.applications_left_bound, ["notary"]);
        assert_eq!(plan.items_to_disable.len(), 1);
        let up = plan_change(&old, &new, &tenant(TenantKind::Customer, Mode::Production)).unwrap();
        assert_eq!(up.applications_to_enable, ["notary"]);
    }

    #[test]
    fn different_option_group_is_allowed_with_warning() {
        assert_eq!(option_group_warning(&[3, 4], &[4, 3]), None);
        assert!(option_group_warning(&[3], &[5])
            .is_some_and(|w| w.contains("configurable option groups")));
    }

    #[test]
    fn legacy_editions_match_catalog() {
        let catalog = crate::platform::catalog::catalog().unwrap();
        for e in &catalog.editions {
            assert_eq!(is_legacy_edition(&e.name), e.legacy, "{}", e.name);
        }
        for (legacy, packs) in LEGACY_UPGRADE_PACKS {
            assert!(is_legacy_edition(legacy));
            for p in *packs {
                assert!(crate::rules::templates::model::ADVANCED_PACKS
                    .iter()
                    .any(|(name, _)| name == p));
            }
        }
    }
}
