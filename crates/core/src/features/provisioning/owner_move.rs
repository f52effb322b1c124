//! Moving a service to another client (a limitation of earlier versions; see
//! `docs/audit-adopt-move.md`): WHMCS lets an admin give a service to another client, and the
//! tenant would keep naming the old one (its
//! `customer_id` tag, contact and name) forever. The module stores the owner it last saw per
//! service; whenever a call finds a different owner — the `AdminServiceEdit` hook right after
//! the edit, or any later module callback — it points the tenant at the new client, and the
//! tenant administrator's e-mail too when the admin chose so (addon setting). The move is
//! audited and logged; the service keeps working throughout.

use super::run::{server_for, tenant_fields};
use super::{audit_trail, contact, locale, session, Context, ServiceInput};
use crate::infra::error::Result;
use crate::{platform::tenants, platform::users};
use serde_json::json;

/// Compares the stored owner with the service's client and, when they differ, moves the
/// tenant to the new client. Returns `true` when it moved something. The stored owner
/// changes only after the platform took the change, so a failed move is retried by the next
/// call.
pub fn follow(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<bool> {
    let new = input.client_id;
    if input.service_id <= 0 || new <= 0 {
        return Ok(false);
    }
    let old = match ctx.audit.owner(input.service_id)? {
        None => {
            // First sight of this service (or one provisioned before the module stored
            // owners): its current client is the owner.
            ctx.audit.set_owner(input.service_id, new)?;
            return Ok(false);
        }
        Some(old) if old == new => return Ok(false),
        Some(old) => old,
    };
    let update_user = ctx.host.move_updates_user_email();
    let moved = move_tenant(ctx, input, update_user);
    let email = json!(input.client.email.trim());
    let changes = [
        ("client_id", json!(old), json!(new)),
        ("email", json!(null), email),
    ];
    match &moved {
        Ok(user_updated) => {
            audit_trail::note(ctx, input, "move", &changes, "success");
            ctx.audit.set_owner(input.service_id, new)?;
            let service = input.service_id;
            ctx.host.warn(&if *user_updated {
                format!("The service {service} moved from the client {old} to the client {new}: its Acronis Cyber Cloud tenant and administrator e-mail now name the new client.")
            } else {
                format!("The service {service} moved from the client {old} to the client {new}: its Acronis Cyber Cloud tenant now names the new client.")
            });
            Ok(true)
        }
        Err(e) => {
            audit_trail::note(ctx, input, "move", &changes, &e.to_string());
            Err(e.clone())
        }
    }
}

/// `PUT` the tenant's `customer_id` tag, name and contact for the new client and, when
/// `update_user`, the administrator user's contact (its e-mail). Returns whether the user was
/// updated. A service without a tenant has nothing on the platform to move.
fn move_tenant(ctx: &mut Context<'_>, input: &ServiceInput, update_user: bool) -> Result<bool> {
    let tenant_id = input.fields.tenant_id.trim().to_string();
    let user_id = input.fields.user_id.trim().to_string();
    if tenant_id.is_empty() {
        return Ok(false);
    }
    let contact = contact::of(&input.client)?;
    let language = locale::normalise(&input.client.locale);
    let server_id = server_for(ctx, input)?;
    session::with_connection(ctx, server_id, |_ctx, conn| {
        let t =
            tenants::get(conn, &tenant_id)?.ok_or_else(|| tenants::not_found(conn, &tenant_id))?;
        let parent = t.parent_id.clone().unwrap_or_default();
        let fields = tenant_fields(conn, &t, &parent, input, &contact, &language)?;
        tenants::update(conn, &t, fields)?;
        if !update_user || user_id.is_empty() {
            return Ok(false);
        }
        match users::get(conn, &user_id)? {
            Some(u) => {
                users::update_profile(conn, &u, &language, &contact)?;
                Ok(true)
            }
            None => Ok(false),
        }
    })
}
