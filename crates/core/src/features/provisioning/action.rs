//! The composition root of a provisioning callback: opens the template and progress stores on
//! the WHMCS database and runs the named action. The binding only converts the WHMCS service
//! and passes the database adapter and a [`Host`] for WHMCS-side effects.

use super::progress_store::SqlProgress;
use super::{Context, Host, ServiceInput};
use crate::features::audit::{Actor, SqlAudit};
use crate::features::templates::SqlTemplates;
use crate::infra::config_yaml::Config;
use crate::infra::error::{Error, Result};
use crate::infra::storage::Db;

/// Runs `action` (`create`, `change`, `suspend`, `unsuspend`, `terminate`, `sync_contact`,
/// `move`) for `input`, recording what it changes in the audit trail under `actor`. A change of package's warnings go to [`Host::warn`]. A failure to open the
/// stores is the outer error; the action's own outcome is the inner result.
pub fn run_action(
    action: &str,
    input: &ServiceInput,
    config: &Config,
    db: &dyn Db,
    host: &mut dyn Host,
    actor: Actor,
) -> Result<Result<()>> {
    let templates = SqlTemplates::open(db)?;
    let progress = SqlProgress::open(db)?;
    let audit = SqlAudit::open(db)?;
    let mut ctx = Context {
        config,
        templates: &templates,
        progress: &progress,
        host,
        audit: &audit,
        actor,
    };
    Ok(match action {
        "create" => super::create_account(&mut ctx, input),
        "change" => super::change_package(&mut ctx, input).map(|outcome| {
            for w in &outcome.warnings {
                ctx.host.warn(w);
            }
        }),
        "suspend" => super::suspend(&mut ctx, input),
        "unsuspend" => super::unsuspend(&mut ctx, input),
        "terminate" => super::terminate(&mut ctx, input),
        "sync_contact" => super::sync_contact(&mut ctx, input),
        "move" => super::follow_owner(&mut ctx, input).map(|_| ()),
        other => Err(Error::validation(format!(
            "Unknown provisioning action \"{other}\"."
        ))),
    })
}
