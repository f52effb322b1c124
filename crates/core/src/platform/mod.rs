//! The Acronis platform client: the HTTP transport, the token cache, an authenticated
//! connection, one module per API resource, the static catalog, and the parsing of error
//! answers. It knows nothing of WHMCS features or business rules.

pub mod catalog;
pub mod connection;
pub mod error_answer;
pub mod http;
pub mod messages;
pub mod retry_policy;
pub mod root_facts;
pub mod server_settings;
pub mod tags;
pub mod tenants;
pub mod token_cache;
pub mod users;

/// Transitional: the root-tenant reads lived in `crate::platform` itself before the layer
/// folders; other branches still name them `crate::platform::Platform` etc.
pub use root_facts::*;
