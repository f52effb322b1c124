//! One platform connection per provisioning call, built from the WHMCS server record; every
//! API exchange goes to the module log, also when the call failed half-way.

use super::{messages, Context};
use crate::infra::error::{Error, Result};
use crate::platform::connection::Connection;

/// Connects to WHMCS server `server_id` and runs `f`; the exchanges are handed to
/// [`super::Host::exchanges`] whatever `f` returns.
pub fn with_connection<T>(
    ctx: &mut Context<'_>,
    server_id: i64,
    f: impl FnOnce(&mut Context<'_>, &mut Connection) -> Result<T>,
) -> Result<T> {
    let record = ctx
        .host
        .server(server_id)?
        .ok_or_else(|| Error::config(messages::server_missing(server_id)))?;
    let mut conn = Connection::new(&record, ctx.config.clone())?;
    let out = f(ctx, &mut conn);
    ctx.host.exchanges(conn.take_exchanges());
    out
}
