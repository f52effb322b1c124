//! Services and quotas of the tenant (docs/behaviour.md §B.4–§B.6, docs/platform-calls.md):
//! `quotas::plan` decides, this module binds the applications (top-down from below the
//! root), enables missing items on intermediate ancestors, and sends one
//! `PUT /tenants/{id}/offering_items` with the current quota versions (one retry after a
//! version conflict, with versions read again).

use super::run::{RootSnapshot, Run};
use crate::infra::error::Result;
use crate::platform::http::Method;
use crate::platform::root_facts::{OfferingItem, Platform};
use crate::platform::tenants::{self, Tenant};
use crate::rules::quotas::{self, OfferingPlan, QuotaRequest, RootFacts};
use serde_json::{json, Value};

fn same(item: &OfferingItem, name: &str, infra: Option<&str>) -> bool {
    let norm = |s: Option<&str>| s.filter(|x| !x.is_empty()).map(str::to_string);
    item.name == name && norm(item.infra_id.as_deref()) == norm(infra)
}

impl Run<'_, '_> {
    /// Items of a tenant, every edition.
    fn items_of(&mut self, tenant_id: &str) -> Result<Vec<OfferingItem>> {
        tenants::offering_items(self.conn, tenant_id)
    }

    /// Ancestors of `t` strictly below the root, top-down (empty for a child of the root).
    fn ancestors(&mut self, t: &Tenant, root: &str) -> Result<Vec<Tenant>> {
        let mut chain = Vec::new();
        let mut parent = t.parent_id.clone();
        while let Some(p) = parent.filter(|p| p != root && !p.is_empty()) {
            if chain.len() > 16 {
                break;
            }
            let Some(a) = tenants::get(self.conn, &p)? else {
                break;
            };
            parent = a.parent_id.clone();
            chain.push(a);
        }
        chain.reverse();
        Ok(chain)
    }

    fn bound_apps(&mut self, tenant_id: &str) -> Result<Vec<String>> {
        tenants::bound_applications(self.conn, tenant_id)
    }

    fn put_items(&mut self, tenant_id: &str, items: Vec<Value>) -> Result<Value> {
        self.conn.call(
            Method::Put,
            &format!("/api/2/tenants/{tenant_id}/offering_items"),
            &[],
            Some(json!({ "offering_items": items })),
        )
    }

    /// The §B.4–§B.6 decision for a tenant whose current items are `current` (`[]` for the
    /// preflight of a new tenant).
    pub fn offering_plan(&mut self, current: &[OfferingItem]) -> Result<OfferingPlan> {
        let kind = self.template.tenant_kind;
        if self.facts.is_none() {
            let mut p = Platform::new(self.conn);
            self.facts = Some(RootSnapshot {
                applications: p.applications()?,
                infras: p.root_infras()?,
                root_items: p.root_offering_items()?,
                available: p.available_for_child(kind.as_str())?,
            });
        }
        let Some(f) = self.facts.as_ref() else {
            return Err(crate::infra::error::Error::internal("root facts missing"));
        };
        quotas::plan(&QuotaRequest {
            template_id: self.template_id,
            template: self.template,
            config_options: &self.input.config_options,
            yes_no_options: &self.input.yes_no_options,
            tenant_kind: kind,
            overage_ratio: self.ctx.config.product.overage_ratio,
            root: RootFacts {
                applications: &f.applications,
                infras: &f.infras,
                offering_items: &f.root_items,
                available_for_child: &f.available,
            },
            current,
        })
    }

    /// The whole §B.6 apply sequence for `t`.
    pub fn apply_offering(&mut self, t: &Tenant, root: &str) -> Result<()> {
        let current = self.items_of(&t.id)?;
        let plan = self.offering_plan(&current)?;
        let applications = self
            .facts
            .as_ref()
            .map(|f| f.applications.clone())
            .unwrap_or_default();
        let ancestors = self.ancestors(t, root)?;
        for app_type in &plan.applications {
            let Some(app) = applications.iter().find(|a| &a.kind == app_type) else {
                continue;
            };
            let app_id = app.id.clone();
            for tenant_id in ancestors
                .iter()
                .map(|a| a.id.clone())
                .chain(std::iter::once(t.id.clone()))
            {
                if !self.bound_apps(&tenant_id)?.contains(&app_id) {
                    self.conn.call(
                        Method::Post,
                        &format!("/api/2/applications/{app_id}/bindings/tenants/{tenant_id}"),
                        &[],
                        None,
                    )?;
                }
            }
        }
        self.enable_on_ancestors(&plan, &ancestors)?;
        for attempt in 0..2 {
            let current = self.items_of(&t.id)?;
            let body = Self::offering_body(&plan, &current);
            match self.put_items(&t.id, body) {
                Err(e) if e.http_status() == Some(409) && attempt == 0 => continue,
                other => return other.map(|_| ()),
            }
        }
        Ok(())
    }

    /// Wanted items an intermediate ancestor has but keeps disabled: `status 1`, no quota.
    fn enable_on_ancestors(&mut self, plan: &OfferingPlan, ancestors: &[Tenant]) -> Result<()> {
        for a in ancestors {
            let theirs = self.items_of(&a.id)?;
            let missing: Vec<Value> = plan
                .enable
                .iter()
                .filter(|w| {
                    theirs
                        .iter()
                        .any(|i| same(i, &w.name, w.infra_id.as_deref()) && !i.enabled())
                })
                .map(|w| {
                    let mut item =
                        json!({"application_id": w.application_id, "name": w.name, "status": 1});
                    if let (Some(obj), Some(infra)) = (item.as_object_mut(), &w.infra_id) {
                        obj.insert("infra_id".into(), json!(infra));
                    }
                    item
                })
                .collect();
            if !missing.is_empty() {
                self.put_items(&a.id, missing)?;
            }
        }
        Ok(())
    }

    /// Enable items first (quota with the tenant's current quota version, 0 when none), then
    /// the items to disable (no quota).
    fn offering_body(plan: &OfferingPlan, current: &[OfferingItem]) -> Vec<Value> {
        let mut out = Vec::with_capacity(plan.enable.len() + plan.disable.len());
        for w in &plan.enable {
            let mut item = json!({"application_id": w.application_id, "name": w.name, "status": 1});
            let Some(obj) = item.as_object_mut() else {
                continue;
            };
            if let Some(infra) = &w.infra_id {
                obj.insert("infra_id".into(), json!(infra));
            }
            if let Some(q) = &w.quota {
                let version = current
                    .iter()
                    .find(|c| same(c, &w.name, w.infra_id.as_deref()))
                    .and_then(|c| c.quota.as_ref())
                    .map_or(0, |q| q.version);
                obj.insert(
                    "quota".into(),
                    json!({"value": q.value, "overage": q.overage, "version": version}),
                );
            }
            out.push(item);
        }
        for d in &plan.disable {
            let mut item = json!({"application_id": d.application_id, "name": d.name, "status": 0});
            if let (Some(obj), Some(infra)) = (item.as_object_mut(), &d.infra_id) {
                obj.insert("infra_id".into(), json!(infra));
            }
            out.push(item);
        }
        out
    }
}
