//! Service templates: model, validation against the platform, persistent storage.
//!
//! Typical use by the admin API:
//! * `create_template(&store, &platform, &body)` → new id;
//! * `update_template(&store, &platform, id, &body, stored_server_exists)` → stored template;
//!   build `platform` from [`server_for_update`] (the stored server unless it is gone);
//! * `delete_template(&store, id, &product_names_using_it)`;
//! * `copy_template(&store, id, new_name)`.
//!
//! Every failure is a [`TemplateError`], which knows its HTTP status, message, error code and
//! details (§D.1 envelope).

pub mod sql_store;
pub mod storage;

/// The template model, its validation and its error type are rules (pure, no I/O); they are
/// re-exported here because a template operation speaks them.
pub use crate::rules::templates::{model, validate};
pub use crate::rules::templates::{
    TemplateError, TemplateResult, CODE_IS_USED, CODE_NOT_FOUND, IN_USE_REFERENCE_MESSAGE,
};

pub use model::{
    Application, Edition, ImportReport, ManagementMode, Mode, OfferingItem, ReferenceApplication,
    ReferenceOfferingItem, ReferenceRows, ReferenceTemplate, Status, Template, TemplateData,
    TemplateSummary, TenantKind, UserRole, ADVANCED_PACKS,
};
pub use sql_store::SqlTemplates;
pub use storage::TemplateStorage;
pub use validate::{
    validate_template, Operation, PlatformFacts, PlatformView, RootOfferingItem, ValidationErrors,
};

use crate::infra::error::Error;
use serde_json::Value;

/// Validates a `create_template` body and stores it; returns the new id.
pub fn create_template(
    store: &dyn TemplateStorage,
    platform: &dyn PlatformView,
    input: &Value,
) -> TemplateResult<i64> {
    let data = validate_template(input, platform, Operation::Create)?;
    store.create(&data)
}

/// Server whose platform facts validate an update: the stored one, or the body's
/// `server_id` when the stored server no longer exists (§C.2 immutability).
pub fn server_for_update(
    stored: &Template,
    input: &Value,
    stored_server_exists: bool,
) -> Option<i64> {
    if stored_server_exists {
        return Some(stored.data.server_id);
    }
    validate::integer(input.get("server_id")?).filter(|id| *id >= 1)
}

/// Validates an `update_template` body against the stored template and replaces the
/// template's name, description and tree (plus the server when the stored one is gone).
pub fn update_template(
    store: &dyn TemplateStorage,
    platform: &dyn PlatformView,
    id: i64,
    input: &Value,
    stored_server_exists: bool,
) -> TemplateResult<Template> {
    let not_found = || {
        TemplateError::Other(Error::internal(format!(
            "Cannot update template: No model was found with Id \"{id}\""
        )))
    };
    let stored = store.get(id)?.ok_or_else(not_found)?;
    let id_exists = |other: i64| other == id || matches!(store.get(other), Ok(Some(_)));
    let data = validate_template(
        input,
        platform,
        Operation::Update {
            stored: &stored,
            stored_server_exists,
            id_exists: &id_exists,
        },
    )?;
    store.update(id, &data).map_err(|e| match e {
        TemplateError::NotFound(_) => not_found(),
        other => other,
    })
}

/// Soft-deletes a template unless products (their names given by the caller, who reads
/// WHMCS's product table) still use it.
pub fn delete_template(
    store: &dyn TemplateStorage,
    id: i64,
    products_using: &[String],
) -> TemplateResult<()> {
    store.soft_delete(id, products_using)
}

/// Copies a template under a new name (validated like `name`); returns the new id.
pub fn copy_template(store: &dyn TemplateStorage, id: i64, new_name: &str) -> TemplateResult<i64> {
    let mut errors = ValidationErrors::default();
    let name = validate::name_rule(&Value::String(new_name.to_string()), &mut errors);
    match name {
        Some(n) if errors.is_empty() => store.copy(id, &n),
        _ => Err(TemplateError::Invalid(errors)),
    }
}
