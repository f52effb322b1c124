//! Infrastructure: what every layer stands on and that knows nothing of Acronis or WHMCS
//! features — the error type, config.yaml, the log file, secret masking, the database,
//! translations and small helpers. Nothing here imports a layer above.

pub mod config_yaml;
pub mod error;
pub mod hashing;
pub mod i18n;
pub mod logging;
pub mod markup;
pub mod masking;
pub mod storage;
pub mod uuid;
