//! Business logic of the Acronis Cyber Cloud module for WHMCS. Nothing here knows PHP: the
//! extension crate (`acroniscloud`) is a thin binding over these modules.
//!
//! Four layers, each a folder; dependencies point one way (see `docs/architecture.md`):
//! `features` → `rules` → `platform` → `infra`.

pub mod features;
pub mod infra;
pub mod platform;
pub mod rules;

// Transitional aliases: the flat module paths from before the layer folders (`crate::usage`,
// `acroniscloud_core::config`, …) keep compiling while other branches merge. New code uses the
// layer paths; these are removed once every branch is merged.
pub use features::{
    admin_api, audit, client_area, migration, product_settings, provisioning, reconciliation,
    server_hooks, templates, usage,
};
pub use infra::{
    config_yaml as config, error, hashing, i18n, logging, markup, masking, storage, uuid,
};
pub use platform::{
    catalog, connection, error_answer as api_error, http, retry_policy, server_settings as server,
    tags, tenants, token_cache as auth, users,
};
pub use rules::{config_options, packs, quotas, upgrade_rules};

pub use infra::error::{ApiError, Error, Result};

/// Version of the module (extension and WHMCS files ship together).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
