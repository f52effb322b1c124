//! Adopting an existing tenant (issue 13): a WHMCS service without a `tenant_id` takes over a
//! tenant that already exists under its server's root, so a provider can bring existing
//! Acronis customers into WHMCS without re-creating them. Nothing on the tenant changes but
//! its `customer_id` tags; services and quotas are applied on the next ChangePackage or
//! re-sync, when the admin chooses to.
//!
//! Every check runs before the first write, and a dry run stops after them with the plan.

use super::progress::{Progress, Step};
use super::run::load_template;
use super::{audit_trail, customer_tag, field, session, Context, ServiceInput};
use crate::features::templates::model::{Status, TemplateData};
use crate::infra::error::{Error, Result};
use crate::infra::i18n::Translator;
use crate::platform::connection::Connection;
use crate::platform::tenants::{self, Tenant};
use crate::platform::users;
use crate::platform::Platform;
use serde::Serialize;
use serde_json::{json, Value};

/// What the admin asked for.
#[derive(Debug, Clone, Default)]
pub struct AdoptRequest {
    pub tenant_id: String,
    /// The tenant's administrator to link as the service's user (optional).
    pub user_id: String,
    pub dry_run: bool,
}

/// What an adoption does (or, for a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdoptPlan {
    pub dry_run: bool,
    pub tenant: Value,
    pub user: Option<Value>,
    /// Custom fields written to the service.
    pub fields: Value,
    /// The tenant's `customer_id` after the adoption.
    pub customer_id: String,
    /// Template applications not bound to the tenant yet: the next re-sync binds them.
    pub applications_to_bind: Vec<String>,
}

impl AdoptPlan {
    /// The plan in sentences for the admin tab, in the admin's language (the JSON keeps every
    /// detail for scripts).
    pub fn summary(&self, t: &Translator) -> Vec<String> {
        let text = |v: &Value, key: &str| {
            v.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let mut lines = vec![if self.dry_run {
            t.translate("Dry run: nothing was changed. An adoption would do the following.")
        } else {
            t.translate("The tenant was adopted.")
        }];
        let tenant = &self.tenant;
        let (name, kind, id) = (
            text(tenant, "name"),
            text(tenant, "kind"),
            text(tenant, "id"),
        );
        lines.push(t.tr("Tenant: {0} ({1}, {2}).", &[&name, &kind, &id]));
        match &self.user {
            Some(u) => lines.push(t.tr(
                "Service user: {0} ({1}).",
                &[&text(u, "login"), &text(u, "id")],
            )),
            None => lines.push(t.translate("No user is linked to the service.")),
        }
        lines.push(t.tr(
            "The tenant's customer tag becomes: {0}.",
            &[&self.customer_id],
        ));
        if !self.applications_to_bind.is_empty() {
            let apps = self.applications_to_bind.join(", ");
            lines.push(t.tr("Applications bound at the next re-sync: {0}.", &[&apps]));
        }
        lines
    }
}

/// A tenant found by [`search`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub enabled: bool,
    /// The WHMCS service its tags name, when one does.
    pub service_id: Option<String>,
}

const NOT_FREE: &str =
    "The service already has a tenant. Only a service without a tenant ID can adopt a tenant.";

fn refused(msg: String) -> Error {
    Error::validation(msg)
}

/// Checks and, unless it is a dry run, adopts `req.tenant_id` for the service.
pub fn adopt(ctx: &mut Context<'_>, input: &ServiceInput, req: &AdoptRequest) -> Result<AdoptPlan> {
    let (tenant_id, user_id) = check_request(input, req)?;
    let (template_id, template) = load_template(ctx, &input.template_id)?;
    let server_id = input.server_id.unwrap_or(template.server_id);
    if server_id != template.server_id {
        return Err(Error::validation(super::messages::server_changed(
            &server_id.to_string(),
            template.server_id,
        )));
    }
    let users_of_tenant = ctx.host.services_with_tenant(&tenant_id)?;
    if let Some(other) = users_of_tenant.iter().find(|s| **s != input.service_id) {
        return Err(used_by(&tenant_id, other));
    }
    let plan = session::with_connection(ctx, server_id, |_ctx, conn| {
        check(conn, input, &template, &tenant_id, &user_id, req.dry_run)
    })?;
    if req.dry_run {
        return Ok(plan);
    }
    save_fields(ctx, &plan, &tenant_id, &user_id)?;
    ctx.progress.put(&Progress {
        service_id: input.service_id,
        server_id,
        template_id,
        tenant_id: tenant_id.clone(),
        user_id: user_id.clone(),
        step: Step::Done,
        option_groups: input.config_option_groups.clone(),
        // Not ours: the template's immutable settings (management mode, 2FA) stay as the
        // provider set them before the adoption.
        module_tenant: false,
    })?;
    note_adoption(ctx, input, &plan, &tenant_id, &user_id, template_id);
    Ok(plan)
}

/// Only a service without a tenant may adopt one; the ids must be UUIDs (the user is optional).
/// Returns the trimmed tenant and user ids.
fn check_request(input: &ServiceInput, req: &AdoptRequest) -> Result<(String, String)> {
    if !input.fields.tenant_id.trim().is_empty() {
        return Err(Error::validation(NOT_FREE));
    }
    let tenant_id = req.tenant_id.trim().to_string();
    crate::infra::uuid::require(&tenant_id, "tenant id")?;
    let user_id = req.user_id.trim().to_string();
    if !user_id.is_empty() {
        crate::infra::uuid::require(&user_id, "user id")?;
    }
    Ok((tenant_id, user_id))
}

fn used_by(tenant_id: &str, service: impl std::fmt::Display) -> Error {
    refused(format!(
        "The tenant \"{tenant_id}\" is already used by the WHMCS service {service}."
    ))
}

/// The service's custom fields: the tenant, and with a user its id and login.
fn save_fields(
    ctx: &mut Context<'_>,
    plan: &AdoptPlan,
    tenant_id: &str,
    user_id: &str,
) -> Result<()> {
    let mut saves: Vec<(&str, Option<&str>)> = vec![(field::TENANT_ID, Some(tenant_id))];
    let login = plan
        .user
        .as_ref()
        .and_then(|u| u.get("login"))
        .and_then(Value::as_str)
        .map(str::to_string);
    if !user_id.is_empty() {
        saves.push((field::USER_ID, Some(user_id)));
        if let Some(l) = &login {
            saves.push((field::CLOUD_LOGIN, Some(l)));
        }
    }
    ctx.host.save_fields(&saves)
}

fn note_adoption(
    ctx: &mut Context<'_>,
    input: &ServiceInput,
    plan: &AdoptPlan,
    tenant_id: &str,
    user_id: &str,
    template_id: i64,
) {
    audit_trail::note(
        ctx,
        input,
        "adopt",
        &[
            (field::TENANT_ID, json!(""), json!(tenant_id)),
            (
                field::USER_ID,
                json!(input.fields.user_id.trim()),
                json!(user_id),
            ),
            (
                "customer_id",
                plan.tenant
                    .get("customer_id")
                    .cloned()
                    .unwrap_or(Value::Null),
                json!(plan.customer_id),
            ),
            ("template_id", Value::Null, json!(template_id)),
        ],
        "success",
    );
}

/// The checks, then the tag write (skipped for a dry run).
fn check(
    conn: &mut Connection,
    input: &ServiceInput,
    template: &TemplateData,
    tenant_id: &str,
    user_id: &str,
    dry_run: bool,
) -> Result<AdoptPlan> {
    let tenant = check_tenant(conn, input, template, tenant_id)?;
    let applications_to_bind = check_offering(conn, template, &tenant)?;
    let user = check_user(conn, &tenant, user_id)?;
    let customer_id =
        customer_tag::merged(tenant.customer_id.as_deref().unwrap_or_default(), input);
    if !dry_run {
        tenants::update(conn, &tenant, json!({"customer_id": customer_id}))?;
    }
    Ok(AdoptPlan {
        dry_run,
        tenant: json!({"id": tenant.id, "name": tenant.name, "kind": tenant.kind,
            "enabled": tenant.enabled, "customer_id": tenant.customer_id}),
        fields: json!({"tenant_id": tenant.id, "user_id": user_id,
            "cloud_login": user.as_ref().and_then(|u| u.get("login").cloned())}),
        user,
        customer_id,
        applications_to_bind,
    })
}

/// The tenant exists below the server's root, no other service's tags name it, and it is of
/// the kind the template creates.
fn check_tenant(
    conn: &mut Connection,
    input: &ServiceInput,
    template: &TemplateData,
    tenant_id: &str,
) -> Result<Tenant> {
    let root = conn.root_tenant_id()?;
    let tenant = tenants::get(conn, tenant_id)?.ok_or_else(|| {
        refused(format!(
            "The tenant \"{tenant_id}\" does not exist on this Acronis Cyber Cloud server."
        ))
    })?;
    if tenant.id == root || !under(conn, &tenant, &root)? {
        return Err(refused(format!(
            "The tenant \"{tenant_id}\" is not under the root tenant of the service's server."
        )));
    }
    if let Some(other) =
        customer_tag::foreign_service(tenant.customer_id.as_deref(), input.service_id)
    {
        return Err(used_by(tenant_id, other));
    }
    let wanted = template.tenant_kind.as_str();
    if tenant.kind != wanted {
        return Err(refused(format!(
            "The tenant \"{tenant_id}\" is a {} tenant, but the product's template creates {wanted} tenants.",
            tenant.kind
        )));
    }
    Ok(tenant)
}

/// The user to link, when one is given: it must exist and belong to the tenant.
fn check_user(conn: &mut Connection, tenant: &Tenant, user_id: &str) -> Result<Option<Value>> {
    if user_id.is_empty() {
        return Ok(None);
    }
    let u = users::get(conn, user_id)?
        .ok_or_else(|| Error::validation(super::messages::user_not_found(user_id)))?;
    if u.tenant_id != tenant.id {
        return Err(Error::validation(super::messages::user_of_other_tenant(
            user_id, &tenant.id,
        )));
    }
    Ok(Some(json!({"id": u.id, "login": u.login})))
}

/// True when `root` is an ancestor of `t` (at most 16 levels are walked).
fn under(conn: &mut Connection, t: &Tenant, root: &str) -> Result<bool> {
    let mut parent = t.parent_id.clone();
    for _ in 0..16 {
        match parent {
            Some(p) if p == root => return Ok(true),
            Some(p) if !p.is_empty() => {
                parent = tenants::get(conn, &p)?.and_then(|a| a.parent_id);
            }
            _ => return Ok(false),
        }
    }
    Ok(false)
}

/// Applications and editions: every application bound to the tenant must be active in the
/// template, and every edition its enabled items use must be one of the template's (the
/// module would otherwise manage a tenant it cannot describe). Returns the template's
/// applications that are not bound yet.
fn check_offering(
    conn: &mut Connection,
    template: &TemplateData,
    tenant: &Tenant,
) -> Result<Vec<String>> {
    let apps = Platform::new(conn).applications()?;
    let kind_of = |id: &str| {
        apps.iter()
            .find(|a| a.id == id)
            .map_or_else(|| id.to_string(), |a| a.kind.clone())
    };
    let bound: Vec<String> = tenants::bound_applications(conn, &tenant.id)?
        .iter()
        .map(|id| kind_of(id))
        .collect();
    let active = |kind: &str| {
        template
            .applications
            .iter()
            .find(|a| a.kind == kind && a.status == Status::Active)
    };
    if let Some(extra) = bound.iter().find(|k| active(k).is_none()) {
        return Err(refused(format!(
            "The tenant \"{}\" uses the application \"{extra}\", which the product's template does not offer.",
            tenant.id
        )));
    }
    for item in tenants::offering_items(conn, &tenant.id)?
        .iter()
        .filter(|i| i.status == 1)
    {
        let Some(edition) = item
            .edition
            .as_deref()
            .filter(|e| !e.is_empty() && *e != "*")
        else {
            continue;
        };
        let app = kind_of(&item.application_id);
        let offered = active(&app).is_some_and(|a| {
            a.editions
                .iter()
                .any(|e| e.name == edition && e.status == Status::Active)
        });
        if !offered {
            return Err(refused(format!(
                "The tenant \"{}\" uses the edition \"{edition}\" of \"{app}\", which the product's template does not offer.",
                tenant.id
            )));
        }
    }
    Ok(template
        .applications
        .iter()
        .filter(|a| a.status == Status::Active && !bound.contains(&a.kind))
        .map(|a| a.kind.clone())
        .collect())
}

/// Tenants under the server's root whose name contains `query` (case-insensitive) or whose id
/// is `query`, at most 50, for the adopt form.
pub fn search(ctx: &mut Context<'_>, server_id: i64, query: &str) -> Result<Vec<Candidate>> {
    let q = query.trim().to_lowercase();
    session::with_connection(ctx, server_id, |_ctx, conn| {
        let root = conn.root_tenant_id()?;
        let mut found: Vec<Candidate> = Vec::new();
        if crate::infra::uuid::is_uuid(&q) {
            if let Some(t) = tenants::get(conn, &q)? {
                if t.id != root && under(conn, &t, &root)? {
                    found.push(candidate(&t));
                }
            }
            return Ok(found);
        }
        for t in tenants::children(conn, &root)? {
            if t.kind != "folder" && (q.is_empty() || t.name.to_lowercase().contains(&q)) {
                found.push(candidate(&t));
            }
            if found.len() >= 50 {
                break;
            }
        }
        Ok(found)
    })
}

fn candidate(t: &Tenant) -> Candidate {
    Candidate {
        id: t.id.clone(),
        name: t.name.clone(),
        kind: t.kind.clone(),
        enabled: t.enabled,
        service_id: customer_tag::value(
            t.customer_id.as_deref().unwrap_or_default(),
            customer_tag::SERVICE_ID,
        )
        .filter(|s| !s.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan(dry_run: bool, user: Option<Value>, apps: &[&str]) -> AdoptPlan {
        AdoptPlan {
            dry_run,
            tenant: json!({"id": "t-1", "name": "Acme", "kind": "customer"}),
            user,
            fields: json!({}),
            customer_id: "whmcs-service-id=7".into(),
            applications_to_bind: apps.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn the_plan_reads_as_sentences_in_the_admin_language() {
        let en = Translator::english();
        let dry = plan(true, None, &[]).summary(&en);
        assert_eq!(
            dry,
            [
                "Dry run: nothing was changed. An adoption would do the following.",
                "Tenant: Acme (customer, t-1).",
                "No user is linked to the service.",
                "The tenant's customer tag becomes: whmcs-service-id=7.",
            ]
        );
        let user = Some(json!({"id": "u-1", "login": "alice"}));
        let done = plan(false, user, &["backup"]).summary(&en);
        assert_eq!(done[0], "The tenant was adopted.");
        assert_eq!(done[2], "Service user: alice (u-1).");
        assert_eq!(done[4], "Applications bound at the next re-sync: backup.");
        let de = plan(true, None, &[]).summary(&Translator::for_locale("de"));
        assert!(de[0].starts_with("Probelauf"), "{de:?}");
    }
}
