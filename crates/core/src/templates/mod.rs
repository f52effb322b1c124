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

pub mod model;
pub mod sql_store;
pub mod storage;
pub mod validate;

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

use crate::error::Error;
use serde_json::{json, Value};
use std::fmt;

/// Error code of the "template still used by products" refusal.
pub const CODE_IS_USED: &str = "service_template_is_used";
/// Error code of "no such template".
pub const CODE_NOT_FOUND: &str = "service_template_not_found";
/// Wording of the reference implementation and scenario L52 (the manual's longer wording,
/// listing products, is [`TemplateError::message`]).
pub const IN_USE_REFERENCE_MESSAGE: &str =
    "Cannot delete template because it is still used by products.";

/// Failure of a template operation.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateError {
    /// Input failed validation (422, field → messages).
    Invalid(ValidationErrors),
    /// No non-deleted template with this id.
    NotFound(i64),
    /// Deletion refused: products (names) still use the template.
    InUse { id: i64, products: Vec<String> },
    /// `create` received a body with an `id`.
    IdOnCreate,
    /// Anything else (storage, platform, bug).
    Other(Error),
}

/// Result of template operations.
pub type TemplateResult<T> = std::result::Result<T, TemplateError>;

impl From<Error> for TemplateError {
    fn from(e: Error) -> Self {
        TemplateError::Other(e)
    }
}

impl TemplateError {
    /// HTTP status for the admin API (§D.3).
    pub fn http_status(&self) -> u16 {
        match self {
            TemplateError::Invalid(_) => 422,
            TemplateError::NotFound(_) | TemplateError::InUse { .. } => 400,
            TemplateError::IdOnCreate => 500,
            TemplateError::Other(e) => e.http_status().unwrap_or(500),
        }
    }

    /// Module error code (`details.error_code`), when the failure has one.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            TemplateError::NotFound(_) => Some(CODE_NOT_FOUND),
            TemplateError::InUse { .. } => Some(CODE_IS_USED),
            _ => None,
        }
    }

    /// Text shown to the admin.
    pub fn message(&self) -> String {
        match self {
            TemplateError::Invalid(_) => "Invalid template data.".into(),
            TemplateError::NotFound(_) => "No template was found with the provided id.".into(),
            TemplateError::InUse { products, .. } => format!(
                "Cannot delete template because it is still used by the following products: {}.",
                products.join(", ")
            ),
            TemplateError::IdOnCreate => {
                "Cannot create template with set \"id\". Maybe you wanted to update instead?".into()
            }
            TemplateError::Other(e) => e.to_string(),
        }
    }

    /// `details` of the error envelope, `None` when empty.
    pub fn details(&self) -> Option<Value> {
        match self {
            TemplateError::Invalid(errors) => Some(json!({ "errors": errors })),
            TemplateError::NotFound(id) => Some(json!({
                "request_params": { "template_id": id },
                "error_code": CODE_NOT_FOUND,
            })),
            TemplateError::InUse { products, .. } => Some(json!({
                "products": products,
                "error_code": CODE_IS_USED,
            })),
            _ => None,
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for TemplateError {}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_envelope_parts() {
        let e = TemplateError::InUse {
            id: 7,
            products: vec!["Acronis PW 100".into(), "B".into()],
        };
        assert_eq!(e.http_status(), 400);
        assert_eq!(e.code(), Some("service_template_is_used"));
        assert_eq!(
            e.message(),
            "Cannot delete template because it is still used by the following products: Acronis PW 100, B."
        );
        assert_eq!(
            e.details().unwrap(),
            json!({"products":["Acronis PW 100","B"],"error_code":"service_template_is_used"})
        );
        let nf = TemplateError::NotFound(9);
        assert_eq!(nf.code(), Some("service_template_not_found"));
        assert_eq!(
            nf.details().unwrap()["request_params"]["template_id"],
            json!(9)
        );
        assert_eq!(TemplateError::IdOnCreate.http_status(), 500);
    }
}
