//! Contact of the tenant and its user (docs/behaviour.md §B.2) and the `ClientEdit` hook
//! that pushes a changed contact to the platform (§B.9, docs/platform-calls.md).

use super::input::{ClientDetails, ServiceInput};
use super::run::{server_for, tenant_fields};
use super::{locale, messages, session, Context};
use crate::infra::error::{Error, Result};
use crate::platform::tenants::{self, Contact};
use crate::platform::users;

/// The platform contact of a WHMCS client; the e-mail is required (the user's login mail).
pub fn of(client: &ClientDetails) -> Result<Contact> {
    if client.email.trim().is_empty() {
        return Err(Error::validation(messages::EMAIL_REQUIRED));
    }
    Ok(Contact {
        email: client.email.trim().to_string(),
        firstname: client.firstname.clone(),
        lastname: client.lastname.clone(),
        address1: client.address1.clone(),
        address2: client.address2.clone(),
        city: client.city.clone(),
        state: client.state.clone(),
        zipcode: client.postcode.clone(),
        country: client.country.clone(),
        phone: client.phonenumber.clone(),
    })
}

/// §B.9 for one service: `PUT` the tenant (name rule, `customer_id` keeping the stored WHMCS
/// version when the hook has none) and the user (language, contact). Missing ids are warnings.
pub fn sync(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    let tenant_id = input.fields.tenant_id.trim().to_string();
    let user_id = input.fields.user_id.trim().to_string();
    if tenant_id.is_empty() {
        ctx.host.warn(&format!(
            "The contact of the service {} was not sent to Acronis Cyber Cloud: the service has no tenant.",
            input.service_id
        ));
    }
    if user_id.is_empty() {
        ctx.host.warn(&format!(
            "The contact of the service {} was not sent to the Acronis Cyber Cloud user: the service has no user.",
            input.service_id
        ));
    }
    if tenant_id.is_empty() && user_id.is_empty() {
        return Ok(());
    }
    let contact = of(&input.client)?;
    let language = locale::normalise(&input.client.locale);
    let server_id = server_for(ctx, input)?;
    session::with_connection(ctx, server_id, |_ctx, conn| {
        if !tenant_id.is_empty() {
            let t = tenants::get(conn, &tenant_id)?
                .ok_or_else(|| tenants::not_found(conn, &tenant_id))?;
            let parent = t.parent_id.clone().unwrap_or_default();
            let fields = tenant_fields(conn, &t, &parent, input, &contact, &language)?;
            tenants::update(conn, &t, fields)?;
        }
        if !user_id.is_empty() {
            let u = users::get(conn, &user_id)?
                .ok_or_else(|| Error::validation(messages::user_not_found(&user_id)))?;
            users::update_profile(conn, &u, &language, &contact)?;
        }
        Ok(())
    })
}
