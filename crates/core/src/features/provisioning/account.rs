//! The service's tenant (docs/behaviour.md §B.1–§B.2): creation under the root tenant with a
//! unique name, re-sync of name/contact/language/`customer_id`, and the template's immutable
//! settings: management mode (`ancestral_access`), two-factor authentication
//! (`/tenants/{id}/mfa/status`) and enhanced security mode (create-only, customers).

use super::run::{tenant_fields, Run};
use super::{customer_tag, naming};
use crate::infra::error::Result;
use crate::platform::http::Method;
use crate::platform::tenants::{self, NewTenant, Tenant};
use crate::rules::templates::model::{ManagementMode, TenantKind};
use serde_json::{json, Value};

impl Run<'_, '_> {
    /// `POST /tenants` under the root, named uniquely among `siblings` (§B.2).
    pub fn create_tenant(&mut self, root: &str, siblings: &[Tenant]) -> Result<Tenant> {
        let base = naming::base_name(&self.input.client);
        let name = naming::unique_name(&base, siblings.iter().map(|s| s.name.as_str()));
        let new = NewTenant {
            name,
            kind: self.template.tenant_kind.as_str().to_string(),
            parent_id: root.to_string(),
            customer_id: customer_tag::merged("", self.input),
            contact: self.contact.clone(),
            language: self.language.clone(),
            enhanced_security: self.template.tenant_kind == TenantKind::Customer
                && self.template.enhanced_security,
        };
        tenants::create(self.conn, &new)
    }

    /// `PUT /tenants/{id}` of a re-sync (§B.2 update row).
    pub fn update_tenant(&mut self, t: Tenant, root: &str) -> Result<Tenant> {
        let parent = t.parent_id.clone().unwrap_or_else(|| root.to_string());
        let fields = tenant_fields(
            self.conn,
            &t,
            &parent,
            self.input,
            &self.contact,
            &self.language,
        )?;
        let mut fields = fields;
        let managed = self.template.management_mode == ManagementMode::ManagedByServiceProvider;
        if self.ours() && t.ancestral_access != Some(managed) {
            // One PUT for the re-sync and the management mode.
            if let Some(obj) = fields.as_object_mut() {
                obj.insert("ancestral_access".into(), json!(managed));
            }
        }
        tenants::update(self.conn, &t, fields)
    }

    /// Management mode and 2FA of the template, for tenants this module provisions (a
    /// reference-module tenant keeps what its admin set). Writes only what differs.
    pub fn apply_security(&mut self, t: Tenant) -> Result<Tenant> {
        if !self.ours() {
            return Ok(t);
        }
        let managed = self.template.management_mode == ManagementMode::ManagedByServiceProvider;
        let t = if t.ancestral_access == Some(managed) {
            t
        } else {
            tenants::update(self.conn, &t, json!({ "ancestral_access": managed }))?
        };
        let path = format!("/api/2/tenants/{}/mfa/status", t.id);
        let status = self.conn.call(Method::Get, &path, &[], None)?;
        let enabled = status
            .get("mfa_status")
            .and_then(Value::as_str)
            .is_some_and(|s| s != "disabled");
        if enabled != self.template.two_factor_auth {
            self.conn.call(
                Method::Put,
                &path,
                &[],
                Some(json!({ "enabled": self.template.two_factor_auth })),
            )?;
        }
        Ok(t)
    }
}
