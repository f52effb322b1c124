//! The admin JSON API of the addon (module-behaviour.md §D): transport rules in `envelope`,
//! access and CSRF checks in `guard`, server-scoped data sources in `servers`; template CRUD
//! joins with the TemplateStore.

pub mod catalog_actions;
pub mod dispatch;
pub mod envelope;
pub mod guard;
pub mod servers;
pub mod templates;

pub use envelope::{from_error, parse_body, require_method, ApiRequest, ApiResponse};
