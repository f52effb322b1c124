//! Suspend, unsuspend and terminate (docs/behaviour.md §A.5–§A.7, §B.11), idempotent: a
//! repeated call succeeds without changes. None of them touches a tenant whose `customer_id`
//! names another WHMCS service (a mistyped `tenant_id` must not take somebody else down).

use super::run::server_for;
use super::{customer_tag, field, messages, session, Context, ServiceInput};
use crate::infra::error::{Error, Result};
use crate::platform::connection::Connection;
use crate::platform::tenants::{self, Tenant};

fn owned(conn: &mut Connection, input: &ServiceInput, tenant_id: &str) -> Result<Option<Tenant>> {
    let Some(t) = tenants::get(conn, tenant_id)? else {
        return Ok(None);
    };
    if let Some(other) = customer_tag::foreign_service(t.customer_id.as_deref(), input.service_id) {
        return Err(Error::validation(messages::foreign_tenant(
            tenant_id,
            &other,
            input.service_id,
        )));
    }
    Ok(Some(t))
}

fn set_enabled(ctx: &mut Context<'_>, input: &ServiceInput, enabled: bool) -> Result<()> {
    let tenant_id = input.fields.tenant_id.trim().to_string();
    if tenant_id.is_empty() {
        return if enabled {
            Err(Error::validation(messages::UNSUSPEND_UNPROVISIONED))
        } else {
            Ok(())
        };
    }
    let server_id = server_for(ctx, input)?;
    session::with_connection(ctx, server_id, |_ctx, conn| {
        let t =
            owned(conn, input, &tenant_id)?.ok_or_else(|| tenants::not_found(conn, &tenant_id))?;
        tenants::set_enabled_from(conn, t, enabled).map(|_| ())
    })
}

/// §A.5: disable the tenant (nothing to do without one).
pub fn suspend(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    set_enabled(ctx, input, false)
}

/// §A.6: enable the tenant.
pub fn unsuspend(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    set_enabled(ctx, input, true)
}

/// §A.7: disable then delete the tenant (an already deleted one counts as done), clear
/// `tenant_id` and `user_id` (`cloud_login` stays), forget the progress record.
pub fn terminate(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    let tenant_id = input.fields.tenant_id.trim().to_string();
    if !tenant_id.is_empty() {
        let server_id = server_for(ctx, input)?;
        session::with_connection(ctx, server_id, |_ctx, conn| {
            match owned(conn, input, &tenant_id)? {
                Some(t) => tenants::delete_from(conn, t),
                None => Ok(()),
            }
        })?;
    }
    if !tenant_id.is_empty() || !input.fields.user_id.trim().is_empty() {
        ctx.host
            .save_fields(&[(field::TENANT_ID, None), (field::USER_ID, None)])?;
    }
    ctx.progress.remove(input.service_id)
}
