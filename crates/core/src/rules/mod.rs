//! Business rules: pure functions over plain data, no I/O. A rule may read the platform's
//! data types and the infrastructure, never a feature.

pub mod config_options;
pub mod packs;
pub mod quotas;
pub mod templates;
pub mod upgrade_rules;
