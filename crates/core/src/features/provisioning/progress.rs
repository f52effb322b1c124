//! Progress records of provisioning: which template a service was provisioned with and the
//! last step finished, kept next to the templates (same SQLite file). They make a re-run
//! resume, and let a change of package compare the old template with the new one (manual
//! 6.5.1) even though WHMCS only passes the new product.

use crate::infra::error::Result;

pub use super::progress_store::SqlProgress;

/// Steps of `CreateAccount`, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    TenantCreated,
    ServicesApplied,
    PricingSet,
    UserCreated,
    UserActivated,
    RolesSet,
    Done,
}

impl Step {
    /// Database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::TenantCreated => "tenant_created",
            Step::ServicesApplied => "services_applied",
            Step::PricingSet => "pricing_set",
            Step::UserCreated => "user_created",
            Step::UserActivated => "user_activated",
            Step::RolesSet => "roles_set",
            Step::Done => "done",
        }
    }

    /// Parses the database spelling.
    pub fn parse(s: &str) -> Option<Step> {
        [
            Step::TenantCreated,
            Step::ServicesApplied,
            Step::PricingSet,
            Step::UserCreated,
            Step::UserActivated,
            Step::RolesSet,
            Step::Done,
        ]
        .into_iter()
        .find(|step| step.as_str() == s)
    }
}

/// The record of one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub service_id: i64,
    pub server_id: i64,
    /// Template the tenant was last provisioned (or changed) with.
    pub template_id: i64,
    pub tenant_id: String,
    pub user_id: String,
    pub step: Step,
    /// Configurable-option groups of the product provisioned last (manual 6.5.1 warning on a
    /// change of package).
    pub option_groups: Vec<i64>,
    /// The tenant was created by this module (or adopted after a lost create): the template's
    /// immutable settings (management mode, 2FA) are enforced on it. A tenant of the reference
    /// module keeps what its admin set.
    pub module_tenant: bool,
}

/// Storage of progress records.
pub trait ProgressStore {
    fn get(&self, service_id: i64) -> Result<Option<Progress>>;
    fn put(&self, progress: &Progress) -> Result<()>;
    /// Forgets the service (after terminate).
    fn remove(&self, service_id: i64) -> Result<()>;
}
