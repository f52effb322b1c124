//! Provisioning of one WHMCS service (docs/behaviour.md §A.4–§A.8, §B): create or re-sync the
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

mod account;
mod action;
mod admin_user;
pub mod contact;
pub mod customer_tag;
mod flow;
pub mod input;
mod lifecycle;
pub mod locale;
pub mod messages;
pub mod naming;
mod offering;
pub mod progress;
pub mod progress_store;
mod run;
mod session;

pub use action::run_action;
pub use input::{ClientDetails, ServiceFields, ServiceInput};

use crate::features::templates::TemplateStorage;
use crate::infra::config_yaml::Config;
use crate::infra::error::{Error, Result};
use crate::platform::http::Exchange;
use crate::platform::server_settings::ServerRecord;
use flow::Purpose;

/// Custom-field names of a service (docs/behaviour.md §A.3).
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
    flow::provision(ctx, input, Purpose::Create).map(|_| ())
}

/// `ChangePackage` (§B.10, manual 6.5.1): the create path with the new product, refused
/// before any write when the old and new templates are incompatible.
pub fn change_package(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<ChangeOutcome> {
    flow::provision(ctx, input, Purpose::Change)
}

/// `SuspendAccount` (§A.5).
pub fn suspend(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    lifecycle::suspend(ctx, input)
}

/// `UnsuspendAccount` (§A.6).
pub fn unsuspend(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    lifecycle::unsuspend(ctx, input)
}

/// `TerminateAccount` and hook `ServiceDelete` (§A.7, §A.8).
pub fn terminate(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    lifecycle::terminate(ctx, input)
}

/// Hook `ClientEdit` for one service (§B.9; `input.whmcs_version` is `None`, so the tenant's
/// stored `whmcs-version` is kept, J.2 #22).
pub fn sync_contact(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    contact::sync(ctx, input)
}

/// The string WHMCS shows as the module result (§A.4 error mapping): `success`, the message
/// of a module-detected problem, the JSON of the platform's `error.details` (else of the whole
/// answer) for a platform error, or `Error: <message>` for anything else.
pub fn whmcs_result(result: &Result<()>) -> String {
    match result {
        Ok(()) => "success".to_string(),
        Err(Error::Validation(m)) | Err(Error::Config(m)) => m.clone(),
        // The platform is down or throttling: say so and that a re-run is safe, instead of
        // showing only `{"info": …}` as the reference did.
        Err(Error::Api(e)) if e.status >= 500 || e.status == 429 => format!(
            "Error: Acronis Cyber Cloud answered HTTP {} ({}) to {}. Nothing is lost: run the command again later.",
            e.status, e.message, e.call
        ),
        Err(Error::Api(e)) => match (&e.details, &e.body) {
            (Some(details), _) => details.clone(),
            (None, Some(body)) => body.clone(),
            (None, None) => format!("Error: {}", e.message),
        },
        Err(e) => format!("Error: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::error::ApiError;

    fn api(details: Option<&str>, body: Option<&str>) -> Result<()> {
        Err(Error::Api(Box::new(ApiError {
            status: 400,
            code: None,
            message: "Bad Request".into(),
            details: details.map(str::to_string),
            body: body.map(str::to_string),
            request_id: None,
            call: "POST /api/2/tenants".into(),
        })))
    }

    #[test]
    fn result_strings() {
        assert_eq!(whmcs_result(&Ok(())), "success");
        assert_eq!(
            whmcs_result(&Err(Error::validation(messages::EMAIL_REQUIRED))),
            messages::EMAIL_REQUIRED
        );
        assert_eq!(
            whmcs_result(&api(Some(r#"{"name":"too long"}"#), Some("{}"))),
            r#"{"name":"too long"}"#
        );
        assert_eq!(
            whmcs_result(&api(None, Some(r#"{"error":{"code":500}}"#))),
            r#"{"error":{"code":500}}"#
        );
        assert_eq!(whmcs_result(&api(None, None)), "Error: Bad Request");
        let mut down = api(Some("{}"), None);
        if let Err(Error::Api(e)) = &mut down {
            e.status = 503;
            e.message = "Service unavailable".into();
        }
        assert_eq!(
            whmcs_result(&down),
            "Error: Acronis Cyber Cloud answered HTTP 503 (Service unavailable) to POST /api/2/tenants. Nothing is lost: run the command again later."
        );
        assert_eq!(
            whmcs_result(&Err(Error::transport("timed out"))),
            "Error: timed out"
        );
    }
}
