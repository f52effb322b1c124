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

/// The addon's `_activate` answer: `{status: "success", description}` with the import's
/// counts when an earlier version's templates were found, or `{status: "error", description}`.
pub fn activation_answer(prepared: &Result<Imported>, t: &Translator) -> Value {
    match prepared {
        Ok(report) if report.templates.is_empty() => json!({
            "status": "success",
            "description": t.translate("Acronis Cyber Cloud addon activated successfully."),
        }),
        Ok(report) => json!({
            "status": "success",
            "description": t.tr(
                "Acronis Cyber Cloud addon activated successfully. Templates imported from the previous version: {0}; already present: {1}.",
                &[&report.templates.len().to_string(), &report.templates_skipped.len().to_string()],
            ),
        }),
        Err(e) => json!({"status": "error", "description": t.translate_message(&e.to_string())}),
    }
}

/// WHMCS `_config()` of the addon: its name, version and settings (module log switches, the
/// moved-services e-mail choice).
pub fn addon_config() -> Value {
    json!({
        "name": "Acronis Cyber Cloud",
        "description": "Acronis Cyber Cloud",
        "version": crate::VERSION,
        "author": "<a href=\"https://www.acronis.com\" target=\"_blank\">Acronis</a>",
        "language": "english",
        "fields": {
            "logging_cloud_api": {"FriendlyName": "Module Log Settings", "Type": "yesno", "Description": "API calls to Acronis Cyber Cloud"},
            "logging_whmcs_api": {"FriendlyName": "", "Type": "yesno", "Description": "API calls to WHMCS platform"},
            "logging_db_query": {"FriendlyName": "", "Type": "yesno", "Description": "Queries to WHMCS database"},
            "move_user_email": {"FriendlyName": "Moved services", "Type": "yesno", "Description": "When a service moves to another client, also change the Acronis administrator user's e-mail to the new client's"},
        },
    })
}
