//! The admin JSON API of the addon (module-behaviour.md §D): transport rules in `envelope`,
//! wizard data sources in `catalog_actions`, template CRUD in `templates` (with TemplateStore).

pub mod envelope;

pub use envelope::{from_error, parse_body, require_method, ApiRequest, ApiResponse};
