//! Business logic of the Acronis Cyber Cloud module for WHMCS. Nothing here knows PHP: the
//! extension crate (`acroniscloud`) is a thin binding over these modules.

pub mod admin_api;
pub mod api_error;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod client_area;
pub mod config;
pub mod config_options;
pub mod connection;
pub mod error;
pub mod hashing;
pub mod http;
pub mod i18n;
pub mod logging;
pub mod markup;
pub mod masking;
pub mod migration;
pub mod packs;
pub mod platform;
pub mod product_settings;
pub mod provisioning;
pub mod quotas;
pub mod reconciliation;
pub mod retry_policy;
pub mod server;
pub mod server_hooks;
pub mod storage;
pub mod tags;
pub mod templates;
pub mod tenants;
pub mod upgrade_rules;
pub mod usage;
pub mod users;
pub mod uuid;

pub use error::{ApiError, Error, Result};

/// Version of the module (extension and WHMCS files ship together).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
