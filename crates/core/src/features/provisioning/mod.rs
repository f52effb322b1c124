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
pub mod adopt;
pub mod audit_trail;
pub mod change_rollback;
pub mod contact;
pub mod customer_tag;
mod flow;
pub mod input;
mod lifecycle;
pub mod locale;
pub mod messages;
pub mod naming;
mod offering;
pub mod owner_move;
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
    /// WHMCS services whose `tenant_id` custom field holds `tenant_id` (adoption refuses a
    /// tenant another service already uses). Hosts without a WHMCS database know none.
    fn services_with_tenant(&mut self, _tenant_id: &str) -> Result<Vec<i64>> {
        Ok(Vec::new())
    }
    /// The addon setting "update the administrator's e-mail when a service moves to another
    /// client" ([`owner_move`]); off unless the host says otherwise.
    fn move_updates_user_email(&self) -> bool {
        false
    }
}

/// Shared state of one provisioning call.
pub struct Context<'a> {
    pub config: &'a Config,
    pub templates: &'a dyn TemplateStorage,
    pub progress: &'a dyn progress::ProgressStore,
    pub host: &'a mut dyn Host,
    /// Where every change is recorded ([`audit_trail::audited`]).
    pub audit: &'a dyn crate::features::audit::Recorder,
    /// The WHMCS action (and admin) on whose behalf the module acts.
    pub actor: crate::features::audit::Actor,
}

/// Outcome of a successful change of package: admin-facing warnings (e.g. different option
/// groups) that did not stop the change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangeOutcome {
    pub warnings: Vec<String>,
}

/// `CreateAccount` (§A.4): provisions a new service or re-syncs an existing one.
pub fn create_account(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    audit_trail::audited(ctx, input, "create", |ctx| {
        flow::provision(ctx, input, Purpose::Create).map(|_| ())
    })
}

/// `ChangePackage` (§B.10, manual 6.5.1): the create path with the new product, refused
/// before any write when the old and new templates are incompatible.
pub fn change_package(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<ChangeOutcome> {
    audit_trail::audited(ctx, input, "change", |ctx| {
        flow::provision(ctx, input, Purpose::Change)
    })
}

/// The Acronis server of a service: its own, else the one it was provisioned on, else its
/// template's.
pub fn server_of(ctx: &Context<'_>, input: &ServiceInput) -> Result<i64> {
    run::server_for(ctx, input)
}

/// `SuspendAccount` (§A.5).
pub fn suspend(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    audit_trail::audited(ctx, input, "suspend", |ctx| lifecycle::suspend(ctx, input))
}

/// `UnsuspendAccount` (§A.6).
pub fn unsuspend(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    audit_trail::audited(ctx, input, "unsuspend", |ctx| {
        lifecycle::unsuspend(ctx, input)
    })
}

/// `TerminateAccount` and hook `ServiceDelete` (§A.7, §A.8).
pub fn terminate(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    audit_trail::audited(ctx, input, "terminate", |ctx| {
        lifecycle::terminate(ctx, input)
    })
}

/// Hook `AdminServiceEdit` (and the start of every other call, see
/// [`audit_trail::audited`]): follows a move of the service to another client.
pub fn follow_owner(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<bool> {
    owner_move::follow(ctx, input)
}

/// Hook `ClientEdit` for one service (§B.9; `input.whmcs_version` is `None`, so the tenant's
/// stored `whmcs-version` is kept, J.2 #22).
pub fn sync_contact(ctx: &mut Context<'_>, input: &ServiceInput) -> Result<()> {
    audit_trail::audited(ctx, input, "sync_contact", |ctx| contact::sync(ctx, input))
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

/// True when a failed `action` should leave a banner for the person who triggered it (§A.14):
/// only purchases and upgrades, and only outside the admin area — an admin sees the result
/// on the service page — except the client upgrade page, which WHMCS runs with admin
/// privileges on the client's behalf.
pub fn error_banner_wanted(
    action: &str,
    failed: bool,
    admin_area: bool,
    request_uri: &str,
) -> bool {
    failed
        && matches!(action, "create" | "change")
        && (!admin_area || request_uri.contains("/clientsupgrade.php"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a14_banner_only_for_failed_purchases_outside_the_admin_area() {
        assert!(error_banner_wanted("create", true, false, "/cart.php"));
        assert!(error_banner_wanted(
            "change",
            true,
            true,
            "/admin/clientsupgrade.php?id=1"
        ));
        assert!(!error_banner_wanted(
            "create",
            true,
            true,
            "/admin/clientsservices.php"
        ));
        assert!(!error_banner_wanted("create", false, false, "/cart.php"));
        assert!(!error_banner_wanted("suspend", true, false, "/cron.php"));
    }
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
