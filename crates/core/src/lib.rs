//! Business logic of the Acronis Cyber Cloud module for WHMCS. Nothing here knows PHP: the
//! extension crate (`acroniscloud`) is a thin binding over these modules.
//!
//! Four layers, each a folder; dependencies point one way (see `docs/architecture.md`):
//! `features` → `rules` → `platform` → `infra`.

pub mod features;
pub mod infra;
pub mod platform;
pub mod rules;

pub use infra::error::{ApiError, Error, Result};

/// Version of the module (extension and WHMCS files ship together).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
