//! The admin JSON API of the addon (docs/behaviour.md §D): transport rules and the access and
//! CSRF guard come from `features::json_api`, server-scoped data sources in `servers`; template CRUD
//! joins with the TemplateStore.

pub mod catalog_actions;
pub mod dispatch;
pub mod legacy;
pub mod option_groups;
pub mod pages;
pub mod pipeline_actions;
pub mod servers;
pub mod service_actions;
pub mod templates;

// Transitional aliases: the envelope and the guard moved to `features::json_api`, shared with
// the client area; other branches still name them `admin_api::envelope` / `admin_api::guard`.
pub use crate::features::json_api::{envelope, guard};
pub use crate::features::json_api::{
    from_error, parse_body, require_method, ApiRequest, ApiResponse,
};
