//! Progress records of provisioning: which template a service was provisioned with and the
//! last step finished, kept next to the templates (same SQLite file). They make a re-run
//! resume, and let a change of package compare the old template with the new one (manual
//! 6.5.1) even though WHMCS only passes the new product.

use crate::error::Result;

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
}

/// Storage of progress records.
pub trait ProgressStore {
    fn get(&self, service_id: i64) -> Result<Option<Progress>>;
    fn put(&self, progress: &Progress) -> Result<()>;
    /// Forgets the service (after terminate).
    fn remove(&self, service_id: i64) -> Result<()>;
}
