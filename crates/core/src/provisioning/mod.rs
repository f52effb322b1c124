//! Provisioning of one WHMCS service (module-behaviour.md §A.4–§A.8, §B): create or re-sync the
//! tenant, its services and quotas, its administrator; change package; suspend, unsuspend,
//! terminate; push client contact changes. Everything WHMCS-side (custom fields, the server
//! row, the module log) is reached through [`Host`], so this module stays free of PHP and is
//! tested in process against the simulator.
//!
//! Every multi-step operation is written to be re-run: each id is saved through
//! [`Host::save_fields`] as soon as the platform returns it, and the progress record
//! ([`progress`]) remembers the template the service was provisioned with and the last step
//! finished, so a second `CreateAccount` after any failure finishes the job instead of
//! creating a second tenant or user.

pub mod input;
pub mod progress;

pub use input::{ClientDetails, ServiceFields, ServiceInput};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::http::Exchange;
use crate::server::ServerRecord;
use crate::templates::TemplateStorage;

/// Custom-field names of a service (module-behaviour.md §A.3).
pub mod field {
    pub const TENANT_ID: &str = "tenant_id";
    pub const USER_ID: &str = "user_id";
    pub const CLOUD_LOGIN: &str = "cloud_login";
    pub const CLOUD_PASSWORD: &str = "cloud_password";
}

/// What provisioning needs from WHMCS, implemented by the binding with PHP callbacks and by
/// tests with plain Rust.
pub trait Host {
    /// The WHMCS server `id` if it exists and has type `acroniscloud` (password decrypted).
    fn server(&mut self, id: i64) -> Result<Option<ServerRecord>>;
    /// Points the service at server `id` (`tblhosting.server`), §A.4 step 2.
    fn assign_server(&mut self, id: i64) -> Result<()>;
    /// Writes service custom fields at once (`None` deletes the value; deleting a value that
    /// does not exist is not an error, J.2 #9).
    fn save_fields(&mut self, changes: &[(&str, Option<&str>)]) -> Result<()>;
    /// API exchanges of a finished (or failed) operation, for the module log.
    fn exchanges(&mut self, exchanges: Vec<Exchange>);
    /// A non-fatal problem worth the admin's attention (logged as a warning).
    fn warn(&mut self, message: &str);
}

/// Shared state of one provisioning call.
pub struct Context<'a> {
    pub config: &'a Config,
    pub templates: &'a dyn TemplateStorage,
    pub progress: &'a dyn progress::ProgressStore,
    pub host: &'a mut dyn Host,
}

/// Outcome of a successful change of package: admin-facing warnings (e.g. different option
/// groups) that did not stop the change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangeOutcome {
    pub warnings: Vec<String>,
}

/// `CreateAccount` (§A.4): provisions a new service or re-syncs an existing one.
pub fn create_account(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    let _ = (ctx, input);
    Err(Error::internal("create_account: not built yet"))
}

/// `ChangePackage` (§B.10, manual 6.5.1).
pub fn change_package(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<ChangeOutcome> {
    let _ = (ctx, input);
    Err(Error::internal("change_package: not built yet"))
}

/// `SuspendAccount` (§A.5).
pub fn suspend(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    let _ = (ctx, input);
    Err(Error::internal("suspend: not built yet"))
}

/// `UnsuspendAccount` (§A.6).
pub fn unsuspend(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    let _ = (ctx, input);
    Err(Error::internal("unsuspend: not built yet"))
}

/// `TerminateAccount` and hook `ServiceDelete` (§A.7, §A.8).
pub fn terminate(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    let _ = (ctx, input);
    Err(Error::internal("terminate: not built yet"))
}

/// Hook `ClientEdit` for one service (§B.9; `input.whmcs_version` is `None`, so the tenant's
/// stored `whmcs-version` is kept, J.2 #22).
pub fn sync_contact(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    let _ = (ctx, input);
    Err(Error::internal("sync_contact: not built yet"))
}

/// The string WHMCS shows as the module result (§A.4 error mapping): `success`, the message
/// of a module-detected problem, the JSON of the platform's `error.details` (else of the whole
/// answer) for a platform error, or `Error: <message>` for anything else.
pub fn whmcs_result(result: &Result<()>) -> String {
    match result {
        Ok(()) => "success".to_string(),
        Err(e) => e.to_string(),
    }
}
