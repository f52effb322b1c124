//! Features: each composes platform calls and rules behind ports for storage and for WHMCS
//! effects. The binding crate calls only into this layer (and the infrastructure).

pub mod admin_api;
pub mod audit;
pub mod client_area;
pub mod json_api;
pub mod migration;
pub mod product_settings;
pub mod provisioning;
pub mod reconciliation;
pub mod server_hooks;
pub mod templates;
pub mod usage;
