//! `CreateAccount` / `ChangePackage` orchestration (docs/behaviour.md §A.4, docs/platform-calls.md):
//! checks that need no platform call first, then tenant, services and quotas,
//! pricing mode, administrator and roles. Each id is saved the moment the platform returns
//! it and the progress record follows every step, so a re-run after any failure converges.

use super::progress::{Progress, Step};
use super::run::{load_template, Run};
use super::{contact, customer_tag, field, locale, messages, session, Context};
use super::{ChangeOutcome, ServiceInput};
use crate::infra::error::{Error, Result};
use crate::platform::http::Method;
use crate::platform::tenants::{self, Tenant};
use crate::rules::templates::model::{Mode, TemplateData};
use crate::rules::upgrade_rules::{self, TenantState};
use serde_json::{json, Value};

/// Why provisioning runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Create,
    Change,
}

impl Run<'_, '_> {
    /// Saves custom fields through the host.
    pub fn save(&mut self, changes: &[(&str, Option<&str>)]) -> Result<()> {
        self.ctx.host.save_fields(changes)
    }

    /// Records that `step` is finished.
    pub fn finished(&mut self, step: Step) -> Result<()> {
        self.progress.step = step;
        self.ctx.progress.put(&self.progress)
    }

    /// True when this module created the tenant, so the template's immutable settings
    /// (management mode, 2FA) are ours to enforce.
    pub fn ours(&self) -> bool {
        self.progress.module_tenant
    }

    fn run(&mut self, purpose: Purpose) -> Result<()> {
        let root = self.conn.root_tenant_id()?;
        self.preflight()?;
        let tenant = self.tenant(purpose, &root)?;
        self.progress.tenant_id = tenant.id.clone();
        self.finished(Step::TenantCreated)?;
        let tenant = self.apply_security(tenant)?;
        self.apply_offering(&tenant, &root)?;
        self.finished(Step::ServicesApplied)?;
        self.set_pricing(&tenant)?;
        self.finished(Step::PricingSet)?;
        let user = self.ensure_user(&tenant)?;
        if self.login_field != user.login {
            self.save(&[(field::CLOUD_LOGIN, Some(&user.login))])?;
            self.login_field = user.login.clone();
        }
        self.set_roles(&tenant, &user)?;
        self.finished(Step::RolesSet)?;
        self.finished(Step::Done)
    }

    /// The stored tenant (checked and re-synced), or the one a lost create made, or a new one.
    fn tenant(&mut self, purpose: Purpose, root: &str) -> Result<Tenant> {
        let stored = self.input.fields.tenant_id.trim().to_string();
        if !stored.is_empty() {
            let t = tenants::get(self.conn, &stored)?
                .ok_or_else(|| tenants::not_found(self.conn, &stored))?;
            if purpose == Purpose::Change {
                self.check_change(&t)?;
            } else {
                self.check_kind(&t)?;
            }
            return self.update_tenant(t, root);
        }
        for attempt in 0..NAME_ATTEMPTS {
            let children = tenants::children(self.conn, root)?;
            if let Some(found) = children
                .iter()
                .find(|c| customer_tag::names_service(c.customer_id.as_deref(), self.input))
                .cloned()
            {
                // A create whose answer was lost: adopt instead of creating a second tenant.
                self.check_kind(&found)?;
                self.save(&[(field::TENANT_ID, Some(&found.id))])?;
                self.mark_ours(&found.id)?;
                return self.update_tenant(found, root);
            }
            match self.create_tenant(root, &children) {
                Ok(t) => {
                    self.save(&[(field::TENANT_ID, Some(&t.id))])?;
                    self.mark_ours(&t.id)?;
                    return Ok(t);
                }
                // Another request took the name between the listing and the create (two
                // orders of the same company at once): list again and pick the next name.
                Err(e) if e.http_status() == Some(409) && attempt + 1 < NAME_ATTEMPTS => {}
                Err(e) => return Err(e),
            }
        }
        Err(Error::internal("tenant name retries exhausted"))
    }

    /// Every check of the order that needs no write, before the first write: the requested
    /// login and the activation password of a service without a user, and the services and
    /// quotas of the template and the configurable options against the root tenant. Bad input
    /// then creates nothing on the platform (issue 4; the reference created the tenant first).
    fn preflight(&mut self) -> Result<()> {
        if self.input.fields.user_id.trim().is_empty() {
            if self.input.activation.trim() == "password"
                && self.input.fields.cloud_password.is_empty()
            {
                return Err(Error::validation(messages::PASSWORD_REQUIRED));
            }
            let wanted = self.input.fields.cloud_login.trim();
            if !wanted.is_empty() {
                if !crate::platform::users::valid_login(wanted) {
                    return Err(Error::validation(messages::LOGIN_INVALID));
                }
                // With a stored tenant the login may be our own user's (a lost `POST /users`):
                // `ensure_user` sorts that out.
                if self.input.fields.tenant_id.trim().is_empty()
                    && !crate::platform::users::login_is_free(self.conn, wanted)?
                {
                    return Err(Error::validation(messages::login_taken(wanted)));
                }
            }
        }
        self.offering_plan(&[]).map(|_| ())
    }

    /// A tenant this run created or adopted is the module's from now on.
    fn mark_ours(&mut self, tenant_id: &str) -> Result<()> {
        self.progress.tenant_id = tenant_id.to_string();
        self.progress.module_tenant = true;
        self.finished(Step::TenantCreated)?;
        self.previous = Some(self.progress.clone());
        Ok(())
    }

    /// T2.
    fn check_kind(&self, t: &Tenant) -> Result<()> {
        let wanted = self.template.tenant_kind.as_str();
        if t.kind != wanted {
            return Err(Error::validation(messages::tenant_kind_changed(
                &t.kind, wanted, &t.id,
            )));
        }
        Ok(())
    }

    /// Manual 6.5.1 before any write: against the stored template when this module
    /// provisioned the service, else the reference's T2 (T3 was checked before connecting).
    fn check_change(&mut self, t: &Tenant) -> Result<()> {
        let old = self
            .previous
            .as_ref()
            .and_then(|p| self.ctx.templates.get(p.template_id).ok().flatten());
        let Some(old) = old else {
            return self.check_kind(t);
        };
        let kind = match t.kind.as_str() {
            "partner" => crate::rules::templates::model::TenantKind::Partner,
            "customer" => crate::rules::templates::model::TenantKind::Customer,
            _ => return self.check_kind(t),
        };
        let pricing = self.pricing(&t.id)?;
        let state = TenantState {
            tenant_id: t.id.clone(),
            kind,
            pricing_mode: if pricing.0 == "trial" {
                Mode::Trial
            } else {
                Mode::Production
            },
            server_id: self.progress.server_id,
        };
        let plan = upgrade_rules::plan_change(&old.data, self.template, &state)?;
        self.warnings.extend(plan.warnings);
        if let Some(p) = &self.previous {
            if let Some(w) = upgrade_rules::option_group_warning(
                &p.option_groups,
                &self.input.config_option_groups,
            ) {
                self.warnings.push(w);
            }
        }
        Ok(())
    }

    /// `GET /tenants/{id}/pricing` → (mode, version).
    fn pricing(&mut self, tenant_id: &str) -> Result<(String, i64)> {
        let v = self.conn.call(
            Method::Get,
            &format!("/api/2/tenants/{tenant_id}/pricing"),
            &[],
            None,
        )?;
        let mode = v.get("mode").and_then(Value::as_str).ok_or_else(|| {
            crate::platform::error_answer::unexpected("GET /api/2/tenants/{id}/pricing", "no mode")
        })?;
        let version = v.get("version").and_then(Value::as_i64).unwrap_or_default();
        Ok((mode.to_string(), version))
    }

    /// §B.3: trial for a trial template or a free product, else production; written only when
    /// it differs, one retry after a version conflict. A tenant already in production (the
    /// platform switches trial tenants after 30 days, manual 6.1) is left there: the platform
    /// refuses production → trial, and a re-run CreateAccount must not fail on it.
    fn set_pricing(&mut self, t: &Tenant) -> Result<()> {
        let free = self.input.pay_type.as_deref() == Some("free");
        let wanted = if self.template.mode == Mode::Trial || free {
            "trial"
        } else {
            "production"
        };
        for attempt in 0..2 {
            let (mode, version) = self.pricing(&t.id)?;
            if mode == wanted || mode == "production" {
                return Ok(());
            }
            match self.conn.call(
                Method::Put,
                &format!("/api/2/tenants/{}/pricing", t.id),
                &[],
                Some(json!({"mode": wanted, "version": version})),
            ) {
                Err(e) if e.http_status() == Some(409) && attempt == 0 => continue,
                other => return other.map(|_| ()),
            }
        }
        Ok(())
    }
}

/// How often a tenant create is tried again with a fresh unique name after a name conflict.
const NAME_ATTEMPTS: usize = 3;

/// Shared path of `create_account` and `change_package`.
pub fn provision(
    ctx: &mut Context<'_>,
    input: &ServiceInput,
    purpose: Purpose,
) -> Result<ChangeOutcome> {
    let (template_id, template) = load_template(ctx, &input.template_id)?;
    let contact = contact::of(&input.client)?;
    if input.pay_type.is_none() {
        return Err(Error::validation(messages::product_not_found(
            input.product_id,
        )));
    }
    let server_id = server_of(ctx, input, &template)?;
    let previous = ctx.progress.get(input.service_id)?;
    let stored_id = input.fields.tenant_id.trim();
    let module_tenant = previous
        .as_ref()
        .is_some_and(|p| p.module_tenant && p.tenant_id == stored_id);
    let progress = Progress {
        service_id: input.service_id,
        server_id,
        template_id,
        tenant_id: input.fields.tenant_id.trim().to_string(),
        user_id: input.fields.user_id.trim().to_string(),
        step: Step::TenantCreated,
        option_groups: input.config_option_groups.clone(),
        module_tenant,
    };
    session::with_connection(ctx, server_id, |ctx, conn| {
        let mut run = Run {
            ctx,
            conn,
            input,
            template_id,
            template: &template,
            contact,
            language: locale::normalise(&input.client.locale),
            previous,
            progress,
            login_field: input.fields.cloud_login.trim().to_string(),
            warnings: Vec::new(),
            facts: None,
        };
        run.run(purpose)?;
        Ok(ChangeOutcome {
            warnings: run.warnings,
        })
    })
}

/// The template's server: a service without a server gets it assigned; a service with a
/// tenant cannot move to another server (its tenant lives on the old one).
fn server_of(ctx: &mut Context<'_>, input: &ServiceInput, template: &TemplateData) -> Result<i64> {
    let stored_tenant = !input.fields.tenant_id.trim().is_empty();
    match input.server_id {
        Some(s) if s == template.server_id => Ok(s),
        Some(s) if stored_tenant => Err(Error::validation(messages::server_changed(
            &s.to_string(),
            template.server_id,
        ))),
        _ => {
            ctx.host.assign_server(template.server_id)?;
            Ok(template.server_id)
        }
    }
}
