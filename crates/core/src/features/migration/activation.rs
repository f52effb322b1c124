//! What the addon's `_activate` and `_upgrade` do to storage, in order: refuse a database user
//! without the rights the module needs, create or bring the module's tables to this version
//! (a 2.x installation's tables are upgraded in place) and import an earlier version's SQLite
//! files once. The binding only finds the database adapter and the files' paths.

use super::sqlite_import::{import_sqlite_files, Imported};
use super::{migrate, summary, V1Input};
use crate::features::templates::SqlTemplates;
use crate::infra::config_yaml::Config;
use crate::infra::error::{Error, Result};
use crate::infra::i18n::Translator;
use crate::infra::storage::{privileges, schema, Db};
use crate::platform::http::Exchange;
use serde_json::{json, Value};
use std::path::Path;

/// Prepares storage for this version. `previous_version`: the version WHMCS had installed
/// (`None` on a first activation). `templates_file`/`usage_file`: an earlier version's SQLite
/// files (missing files are not an error).
pub fn prepare_storage(
    db: &dyn Db,
    previous_version: Option<&str>,
    templates_file: &Path,
    usage_file: &Path,
) -> Result<Imported> {
    let (user, lacking) = privileges::missing(db)?;
    if !lacking.is_empty() {
        return Err(privileges::missing_rights_error(&user, &lacking));
    }
    schema::ensure(db)?;
    if let Some(v) = previous_version {
        schema::upgrade_from_2x(db, v)?;
    }
    import_sqlite_files(db, templates_file, usage_file)
}

/// The module-v1 migration of `_activate` as the addon answers it: `{status: "info",
/// description, plan}` with the WHMCS rows to write, or `{status: "error", description}`.
/// `input` is what the glue read of the v1 installation (see [`V1Input`]); the exchanges
/// with the platform are returned for the module log.
pub fn migrate_legacy(
    input: Value,
    config: &Config,
    db: &dyn Db,
    t: &Translator,
) -> (Value, Vec<Exchange>) {
    let planned = serde_json::from_value::<V1Input>(input)
        .map_err(|e| Error::internal(format!("Invalid migration input: {e}")))
        .and_then(|data| {
            let store = SqlTemplates::open(db)?;
            Ok(migrate(&data, config, &store, crate::VERSION))
        });
    match planned {
        Ok((Ok(plan), exchanges)) => (
            json!({"status": "info", "description": summary(&plan.warnings, t), "plan": plan}),
            exchanges,
        ),
        Ok((Err(e), exchanges)) => (migration_failed(&e, t), exchanges),
        Err(e) => (migration_failed(&e, t), Vec::new()),
    }
}

/// The answer of a migration that could not run (also for a failure before it started, such
/// as a broken config.yaml or a missing database adapter).
pub fn migration_failed(e: &Error, t: &Translator) -> Value {
    json!({
        "status": "error",
        "description": t.tr(
            "Cannot upgrade products and services. Error: {0}",
            &[&t.translate_message(&e.to_string())],
        ),
    })
}
