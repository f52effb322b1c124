//! Storage interface for templates. Callers only see this trait so another backend (e.g.
//! WHMCS's MySQL) can replace the SQLite one without touching them.

use super::model::{ImportReport, ReferenceRows, Template, TemplateData, TemplateSummary};
use super::TemplateResult;

/// Persistent template store.
pub trait TemplateStorage {
    /// Non-deleted templates, by id.
    fn list(&self) -> TemplateResult<Vec<TemplateSummary>>;

    /// A non-deleted template with its tree; `None` when missing or deleted.
    fn get(&self, id: i64) -> TemplateResult<Option<Template>>;

    /// Stores a new template and its tree atomically; returns its id.
    fn create(&self, data: &TemplateData) -> TemplateResult<i64>;

    /// Replaces every stored field with `data` and the tree in one transaction (immutability is
    /// the validator's job). `NotFound` when missing or deleted.
    fn update(&self, id: i64, data: &TemplateData) -> TemplateResult<Template>;

    /// Soft-deletes; refused with `InUse` when `used_by_products` (names) is not empty,
    /// `NotFound` when missing or already deleted.
    fn soft_delete(&self, id: i64, used_by_products: &[String]) -> TemplateResult<()>;

    /// Copies a non-deleted template under a new name; returns the new id.
    fn copy(&self, id: i64, new_name: &str) -> TemplateResult<i64>;

    /// Imports the reference module's rows keeping their ids, in one transaction; templates
    /// whose id already exists are skipped, so the import can be repeated.
    fn import_reference(&self, rows: &ReferenceRows) -> TemplateResult<ImportReport>;
}
