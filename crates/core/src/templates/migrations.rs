//! Versioned schema of the template database. `PRAGMA user_version` holds the number of
//! applied migrations; each runs in its own `BEGIN IMMEDIATE` transaction, re-checking the
//! version inside it so concurrent openers apply it once.

use crate::error::{Error, Result};
use rusqlite::{Connection, TransactionBehavior};

/// Migrations in order; never edit a released one, append a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: templates (§C.3 plus the manual's settings), applications, offering items.
    "CREATE TABLE templates (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        server_id INTEGER NOT NULL,
        tenant_kind TEXT NOT NULL CHECK (tenant_kind IN ('partner', 'customer')),
        user_role TEXT NOT NULL CHECK (user_role IN ('admin', 'user')),
        mode TEXT NOT NULL DEFAULT 'production' CHECK (mode IN ('trial', 'production')),
        management_mode TEXT NOT NULL DEFAULT 'self_service'
            CHECK (management_mode IN ('self_service', 'managed_by_service_provider')),
        two_factor_auth INTEGER NOT NULL DEFAULT 0,
        enhanced_security INTEGER NOT NULL DEFAULT 0,
        advanced_packs TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        deleted_at TEXT NULL
    );
    CREATE TABLE template_applications (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        template_id INTEGER NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        type TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
        editions TEXT NOT NULL DEFAULT '[]',
        UNIQUE (template_id, type)
    );
    CREATE TABLE template_offering_items (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        application_id INTEGER NOT NULL REFERENCES template_applications(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        infra_id TEXT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
        measurement_unit TEXT NOT NULL,
        quota_value INTEGER NULL CHECK (quota_value IS NULL OR quota_value >= 0)
    );
    CREATE INDEX template_offering_items_application ON template_offering_items(application_id);",
    // 2: provisioning progress of services (portable SQL: also valid on MySQL).
    "CREATE TABLE provisioning_progress (
        service_id BIGINT NOT NULL PRIMARY KEY,
        server_id BIGINT NOT NULL,
        template_id BIGINT NOT NULL,
        tenant_id VARCHAR(36) NOT NULL DEFAULT '',
        user_id VARCHAR(36) NOT NULL DEFAULT '',
        step VARCHAR(32) NOT NULL,
        option_groups VARCHAR(1024) NOT NULL DEFAULT '',
        module_tenant SMALLINT NOT NULL DEFAULT 0,
        updated_at VARCHAR(19) NOT NULL
    );",
];

/// Schema version this code writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Brings the schema to the latest version; refuses a database from a newer module.
pub fn migrate(conn: &mut Connection, path_label: &str) -> Result<()> {
    run(conn, MIGRATIONS, path_label, "template database")
}

/// Applies `migrations` after the version in `PRAGMA user_version`, one `IMMEDIATE`
/// transaction each (re-checking the version inside it); shared by the module's databases.
pub fn run(conn: &mut Connection, migrations: &[&str], path_label: &str, what: &str) -> Result<()> {
    let sql_err =
        |e: rusqlite::Error| Error::internal(format!("Cannot update the {what} {path_label}: {e}"));
    let latest = migrations.len() as i64;
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_err)?;
        let version = user_version(&tx).map_err(sql_err)?;
        if version > latest {
            return Err(Error::config(format!(
                "The {what} {path_label} has schema version {version}, newer than this module supports ({latest}). Upgrade the module."
            )));
        }
        let Some(sql) = usize::try_from(version)
            .ok()
            .and_then(|v| migrations.get(v))
        else {
            return Ok(());
        };
        tx.execute_batch(sql).map_err(sql_err)?;
        tx.pragma_update(None, "user_version", version + 1)
            .map_err(sql_err)?;
        tx.commit().map_err(sql_err)?;
    }
}
