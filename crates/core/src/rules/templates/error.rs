//! The one failure type of template operations: it knows its HTTP status, message, error code
//! and details, so both the admin API and the validation rules speak it.

use super::validate::ValidationErrors;
use crate::infra::error::Error;
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
