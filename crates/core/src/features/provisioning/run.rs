//! The state of one provisioning run and the service-level reads every step shares (its
//! template, its server, the tenant fields of a re-sync). It sits below the step modules
//! (`flow`, `account`, `offering`, `admin_user`, `contact`, `lifecycle`) so they import it and
//! never each other in a circle.

use super::progress::Progress;
use super::{customer_tag, messages, naming, Context, ServiceInput};
use crate::features::templates::TemplateError;
use crate::infra::error::{Error, Result};
use crate::platform::connection::Connection;
use crate::platform::root_facts::OfferingItem;
use crate::platform::tenants::{self, Contact, Tenant};
use crate::rules::templates::model::TemplateData;
use serde_json::{json, Value};

/// The template named by the product (`configoption1`), J.2 #10 when it does not resolve.
pub fn load_template(ctx: &Context<'_>, raw: &str) -> Result<(i64, TemplateData)> {
    let raw = raw.trim();
    let missing = || Error::validation(messages::template_not_found(raw));
    let id: i64 = raw.parse().map_err(|_| missing())?;
    match ctx.templates.get(id) {
        Ok(Some(t)) => Ok((id, t.data)),
        Ok(None) | Err(TemplateError::NotFound(_)) => Err(missing()),
        Err(TemplateError::Other(e)) => Err(e),
        Err(e) => Err(Error::internal(e.message())),
    }
}

/// Server of a lifecycle or contact call: the service's, else the one it was provisioned on,
/// else its template's.
pub fn server_for(ctx: &Context<'_>, input: &ServiceInput) -> Result<i64> {
    if let Some(s) = input.server_id {
        return Ok(s);
    }
    if let Some(p) = ctx.progress.get(input.service_id)? {
        return Ok(p.server_id);
    }
    load_template(ctx, &input.template_id)
        .map(|(_, t)| t.server_id)
        .map_err(|_| Error::validation(messages::NO_SERVER))
}

/// `PUT /tenants/{id}` fields of a re-sync (§B.2): name kept while it fits the client (else
/// made unique among the siblings under `parent`), `customer_id` merged, contact, language.
pub fn tenant_fields(
    conn: &mut Connection,
    t: &Tenant,
    parent: &str,
    input: &ServiceInput,
    contact: &Contact,
    language: &str,
) -> Result<Value> {
    let base = naming::base_name(&input.client);
    let name = if naming::matches(&t.name, &base) {
        t.name.clone()
    } else {
        let siblings = tenants::children(conn, parent)?;
        naming::unique_name(
            &base,
            siblings
                .iter()
                .filter(|s| s.id != t.id)
                .map(|s| s.name.as_str()),
        )
    };
    let customer_id = customer_tag::merged(t.customer_id.as_deref().unwrap_or_default(), input);
    Ok(json!({
        "customer_id": customer_id,
        "name": name,
        "contact": contact,
        "language": language,
    }))
}

/// State of one provisioning run, shared by the step modules (`account`, `offering`,
/// `admin_user`).
pub struct Run<'r, 'c> {
    pub ctx: &'r mut Context<'c>,
    pub conn: &'r mut Connection,
    pub input: &'r ServiceInput,
    pub template_id: i64,
    pub template: &'r TemplateData,
    pub contact: Contact,
    pub language: String,
    /// Record found before this run (`None`: new service, or one of the reference module).
    pub previous: Option<Progress>,
    /// Record written as steps finish.
    pub progress: Progress,
    /// Current value of the `cloud_login` field.
    pub login_field: String,
    pub warnings: Vec<String>,
    /// Root-tenant facts, read once per run (preflight and apply share them).
    pub facts: Option<RootSnapshot>,
}

/// What `quotas::plan` needs to know about the root tenant, read once per run.
pub struct RootSnapshot {
    pub applications: Vec<crate::platform::root_facts::Application>,
    pub infras: Vec<crate::platform::root_facts::Infra>,
    pub root_items: Vec<OfferingItem>,
    pub available: Vec<OfferingItem>,
}
