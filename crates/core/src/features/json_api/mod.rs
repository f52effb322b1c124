//! What the two JSON APIs (the addon's admin page and the client area) share: the HTTP
//! envelope (request, response, error body), the access and CSRF guard, the localisation of
//! error envelopes and the catalog's display texts.

pub mod catalog_texts;
pub mod envelope;
pub mod guard;
pub mod localize;

pub use envelope::{from_error, parse_body, require_method, ApiRequest, ApiResponse};
