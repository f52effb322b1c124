//! The module's tables in the WHMCS database and their version.
//!
//! The four tables of the 2.x module (`acroniscloud_service_templates`, `…_applications`,
//! `…_offering_items`, `acroniscloud_service_reports`) and its unused blob cache
//! (`acroniscloud_service_report_storage`) keep their names and columns, so an installation of
//! the 2.x module is used in place. Everything this module adds is additive: nullable columns
//! or columns with defaults on those tables, and tables of its own (per-tenant usage days,
//! provisioning progress, leases, the schema version). [`ensure`] creates what is missing and
//! adds what an older layout lacks; it is idempotent, because MySQL commits DDL at once and a
//! half-run upgrade must be finishable by simply running it again.
//!
//! Every table is InnoDB with a primary key (a Galera cluster needs both), utf8mb4.

use super::{map_db, Db, Dialect, Value};
use crate::infra::error::{Error, Result};
use std::collections::{HashMap, HashSet};

/// The layout this code reads and writes. Raise it (and describe the change in
/// `docs/storage.md`) whenever a table or column is added.
/// Version 2: `ordered_at`, `ready_at`, `downloaded_at` on the reports (step durations of the
/// usage billing status page).
/// Version 3: the audit trail (`acroniscloud_audit`) and the stored owner of each service
/// (`acroniscloud_service_owners`).
pub const SCHEMA_VERSION: i64 = 3;

/// Name of the version row in `acroniscloud_schema`.
const SCHEMA_COMPONENT: &str = "schema";

const MYSQL_TABLE_OPTIONS: &str =
    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

/// One table: how to create it in each dialect, and the columns a table created by an
/// older version may lack.
struct Table {
    name: &'static str,
    mysql: &'static str,
    sqlite: &'static str,
    /// `(column, MySQL definition, SQLite definition)`.
    added: &'static [(&'static str, &'static str, &'static str)],
}

const TABLES: &[Table] = &[
    Table {
        name: "acroniscloud_service_templates",
        mysql: "id INT UNSIGNED NOT NULL AUTO_INCREMENT,
            name VARCHAR(255) NOT NULL,
            description VARCHAR(1024) NOT NULL,
            server_id INT UNSIGNED NOT NULL,
            tenant_kind ENUM('partner','customer') NOT NULL,
            user_role ENUM('user','admin') NOT NULL,
            deleted_at TIMESTAMP NULL DEFAULT NULL,
            created_at TIMESTAMP NULL DEFAULT NULL,
            updated_at TIMESTAMP NULL DEFAULT NULL,
            PRIMARY KEY (id)",
        sqlite: "id INTEGER PRIMARY KEY AUTOINCREMENT,
            name VARCHAR(255) NOT NULL,
            description VARCHAR(1024) NOT NULL,
            server_id INTEGER NOT NULL,
            tenant_kind VARCHAR(16) NOT NULL CHECK (tenant_kind IN ('partner','customer')),
            user_role VARCHAR(16) NOT NULL CHECK (user_role IN ('user','admin')),
            deleted_at DATETIME NULL,
            created_at DATETIME NULL,
            updated_at DATETIME NULL",
        added: &[
            ("mode", "VARCHAR(16) NULL", "VARCHAR(16) NULL"),
            ("management_mode", "VARCHAR(32) NULL", "VARCHAR(32) NULL"),
            ("two_factor_auth", "TINYINT(1) NULL", "INTEGER NULL"),
            ("enhanced_security", "TINYINT(1) NULL", "INTEGER NULL"),
            ("advanced_packs", "TEXT NULL", "TEXT NULL"),
        ],
    },
    Table {
        name: "acroniscloud_service_template_applications",
        mysql: "id INT UNSIGNED NOT NULL AUTO_INCREMENT,
            type VARCHAR(255) NOT NULL,
            editions VARCHAR(1024) NOT NULL,
            status ENUM('active','inactive') NOT NULL,
            template_id INT UNSIGNED NOT NULL,
            PRIMARY KEY (id),
            UNIQUE KEY application_template_id_type_unique (template_id, type),
            CONSTRAINT application_template_id_foreign FOREIGN KEY (template_id)
                REFERENCES acroniscloud_service_templates (id) ON DELETE CASCADE",
        sqlite: "id INTEGER PRIMARY KEY AUTOINCREMENT,
            type VARCHAR(255) NOT NULL,
            editions VARCHAR(1024) NOT NULL,
            status VARCHAR(16) NOT NULL CHECK (status IN ('active','inactive')),
            template_id INTEGER NOT NULL REFERENCES acroniscloud_service_templates (id) ON DELETE CASCADE,
            CONSTRAINT application_template_id_type_unique UNIQUE (template_id, type)",
        added: &[],
    },
    Table {
        name: "acroniscloud_service_template_offering_items",
        mysql: "id INT UNSIGNED NOT NULL AUTO_INCREMENT,
            name VARCHAR(255) NOT NULL,
            infra_id VARCHAR(36) NULL,
            status ENUM('active','inactive') NOT NULL,
            measurement_unit VARCHAR(255) NOT NULL,
            quota_value BIGINT UNSIGNED NULL,
            template_application_id INT UNSIGNED NOT NULL,
            PRIMARY KEY (id),
            KEY template_application_id_foreign (template_application_id),
            CONSTRAINT template_application_id_foreign FOREIGN KEY (template_application_id)
                REFERENCES acroniscloud_service_template_applications (id) ON DELETE CASCADE",
        sqlite: "id INTEGER PRIMARY KEY AUTOINCREMENT,
            name VARCHAR(255) NOT NULL,
            infra_id VARCHAR(36) NULL,
            status VARCHAR(16) NOT NULL CHECK (status IN ('active','inactive')),
            measurement_unit VARCHAR(255) NOT NULL,
            quota_value BIGINT NULL CHECK (quota_value IS NULL OR quota_value >= 0),
            template_application_id INTEGER NOT NULL
                REFERENCES acroniscloud_service_template_applications (id) ON DELETE CASCADE",
        added: &[],
    },
    Table {
        name: "acroniscloud_service_reports",
        // `status` is signed: the error status is -1 (the 2.x layout's UNSIGNED column
        // refuses it in strict mode; `ensure` widens it).
        mysql: "id INT UNSIGNED NOT NULL AUTO_INCREMENT,
            date DATE NOT NULL,
            datacenter_id INT UNSIGNED NOT NULL,
            status INT NOT NULL,
            report_id VARCHAR(36) NULL,
            stored_report_id VARCHAR(36) NULL,
            file_path VARCHAR(255) NULL,
            instance_id INT UNSIGNED NULL,
            created_at TIMESTAMP NULL DEFAULT NULL,
            updated_at TIMESTAMP NULL DEFAULT NULL,
            PRIMARY KEY (id),
            KEY acroniscloud_service_reports_day (datacenter_id, date)",
        sqlite: "id INTEGER PRIMARY KEY AUTOINCREMENT,
            date DATE NOT NULL,
            datacenter_id INTEGER NOT NULL,
            status INTEGER NOT NULL,
            report_id VARCHAR(36) NULL,
            stored_report_id VARCHAR(36) NULL,
            file_path VARCHAR(255) NULL,
            instance_id INTEGER NULL,
            created_at DATETIME NULL,
            updated_at DATETIME NULL",
        added: &[
            ("rows_read", "INT NOT NULL DEFAULT 0", "INTEGER NOT NULL DEFAULT 0"),
            ("bad_rows", "INT NOT NULL DEFAULT 0", "INTEGER NOT NULL DEFAULT 0"),
            ("tenants", "INT NOT NULL DEFAULT 0", "INTEGER NOT NULL DEFAULT 0"),
            ("failures", "INT NOT NULL DEFAULT 0", "INTEGER NOT NULL DEFAULT 0"),
            ("message", "TEXT NULL", "TEXT NULL"),
            ("last_poll_at", "BIGINT NOT NULL DEFAULT 0", "INTEGER NOT NULL DEFAULT 0"),
            ("aggregated_at", "BIGINT NOT NULL DEFAULT 0", "INTEGER NOT NULL DEFAULT 0"),
            // Schema 2: when each step finished (Unix time; NULL = not yet, or a row of an
            // earlier version), for the status page's step durations.
            ("ordered_at", "BIGINT NULL", "INTEGER NULL"),
            ("ready_at", "BIGINT NULL", "INTEGER NULL"),
            ("downloaded_at", "BIGINT NULL", "INTEGER NULL"),
        ],
    },
    Table {
        name: "acroniscloud_service_report_storage",
        mysql: "id INT UNSIGNED NOT NULL AUTO_INCREMENT,
            `key` VARCHAR(100) NOT NULL,
            value LONGTEXT NOT NULL,
            created_at TIMESTAMP NULL DEFAULT NULL,
            updated_at TIMESTAMP NULL DEFAULT NULL,
            PRIMARY KEY (id),
            UNIQUE KEY acroniscloud_service_report_storage_key_unique (`key`)",
        sqlite: "id INTEGER PRIMARY KEY AUTOINCREMENT,
            \"key\" VARCHAR(100) NOT NULL UNIQUE,
            value TEXT NOT NULL,
            created_at DATETIME NULL,
            updated_at DATETIME NULL",
        added: &[],
    },
    Table {
        name: "acroniscloud_usage_tenant_days",
        mysql: "tenant_id VARCHAR(36) NOT NULL,
            date DATE NOT NULL,
            server_id INT UNSIGNED NOT NULL,
            report_row INT UNSIGNED NOT NULL,
            metrics TEXT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, date),
            KEY acroniscloud_usage_tenant_days_day (date, server_id)",
        sqlite: "tenant_id VARCHAR(36) NOT NULL,
            date DATE NOT NULL,
            server_id INTEGER NOT NULL,
            report_row INTEGER NOT NULL,
            metrics TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, date)",
        added: &[],
    },
    Table {
        name: "acroniscloud_provisioning_progress",
        mysql: "service_id INT UNSIGNED NOT NULL,
            server_id INT UNSIGNED NOT NULL,
            template_id INT UNSIGNED NOT NULL,
            tenant_id VARCHAR(36) NOT NULL DEFAULT '',
            user_id VARCHAR(36) NOT NULL DEFAULT '',
            step VARCHAR(32) NOT NULL,
            option_groups VARCHAR(1024) NOT NULL DEFAULT '',
            module_tenant TINYINT(1) NOT NULL DEFAULT 0,
            updated_at TIMESTAMP NULL DEFAULT NULL,
            PRIMARY KEY (service_id)",
        sqlite: "service_id INTEGER NOT NULL PRIMARY KEY,
            server_id INTEGER NOT NULL,
            template_id INTEGER NOT NULL,
            tenant_id VARCHAR(36) NOT NULL DEFAULT '',
            user_id VARCHAR(36) NOT NULL DEFAULT '',
            step VARCHAR(32) NOT NULL,
            option_groups VARCHAR(1024) NOT NULL DEFAULT '',
            module_tenant INTEGER NOT NULL DEFAULT 0,
            updated_at DATETIME NULL",
        added: &[],
    },
    Table {
        name: "acroniscloud_leases",
        mysql: "name VARCHAR(191) NOT NULL,
            owner VARCHAR(64) NULL,
            expires_at BIGINT NOT NULL DEFAULT 0,
            PRIMARY KEY (name)",
        sqlite: "name VARCHAR(191) NOT NULL PRIMARY KEY,
            owner VARCHAR(64) NULL,
            expires_at INTEGER NOT NULL DEFAULT 0",
        added: &[],
    },
    // Version 3: the audit trail and the stored owner of each service.
    Table {
        name: "acroniscloud_audit",
        mysql: "id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
            service_id INT UNSIGNED NOT NULL,
            created_at BIGINT NOT NULL,
            actor VARCHAR(64) NOT NULL,
            admin_id INT UNSIGNED NOT NULL DEFAULT 0,
            action VARCHAR(32) NOT NULL,
            before_json MEDIUMTEXT NOT NULL,
            after_json MEDIUMTEXT NOT NULL,
            state_json MEDIUMTEXT NOT NULL,
            result TEXT NOT NULL,
            PRIMARY KEY (id),
            KEY acroniscloud_audit_service (service_id, created_at),
            KEY acroniscloud_audit_time (created_at)",
        sqlite: "id INTEGER PRIMARY KEY AUTOINCREMENT,
            service_id INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            actor VARCHAR(64) NOT NULL,
            admin_id INTEGER NOT NULL DEFAULT 0,
            action VARCHAR(32) NOT NULL,
            before_json TEXT NOT NULL,
            after_json TEXT NOT NULL,
            state_json TEXT NOT NULL,
            result TEXT NOT NULL",
        added: &[],
    },
    Table {
        name: "acroniscloud_service_owners",
        mysql: "service_id INT UNSIGNED NOT NULL,
            client_id INT UNSIGNED NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (service_id)",
        sqlite: "service_id INTEGER NOT NULL PRIMARY KEY,
            client_id INTEGER NOT NULL,
            updated_at INTEGER NOT NULL",
        added: &[],
    },
    Table {
        name: "acroniscloud_schema",
        mysql: "component VARCHAR(64) NOT NULL,
            version INT NOT NULL,
            updated_at TIMESTAMP NULL DEFAULT NULL,
            PRIMARY KEY (component)",
        sqlite: "component VARCHAR(64) NOT NULL PRIMARY KEY,
            version INTEGER NOT NULL,
            updated_at DATETIME NULL",
        added: &[],
    },
];

/// Secondary indexes SQLite needs as separate statements (MySQL declares them inline).
const SQLITE_INDEXES: &[&str] = &[
    "CREATE INDEX IF NOT EXISTS acroniscloud_service_reports_day ON acroniscloud_service_reports (datacenter_id, date)",
    "CREATE INDEX IF NOT EXISTS acroniscloud_usage_tenant_days_day ON acroniscloud_usage_tenant_days (date, server_id)",
    "CREATE INDEX IF NOT EXISTS acroniscloud_audit_service ON acroniscloud_audit (service_id, created_at)",
    "CREATE INDEX IF NOT EXISTS acroniscloud_audit_time ON acroniscloud_audit (created_at)",
    "CREATE INDEX IF NOT EXISTS template_application_id_foreign ON acroniscloud_service_template_offering_items (template_application_id)",
];

/// Names of every table the module owns (the uninstall chapter lists them).
pub fn table_names() -> Vec<&'static str> {
    TABLES.iter().map(|t| t.name).collect()
}

/// Existing `acroniscloud_*` tables with their columns: column name → declared type.
fn existing(db: &dyn Db) -> Result<HashMap<String, HashMap<String, String>>> {
    let mut out: HashMap<String, HashMap<String, String>> = HashMap::new();
    match db.dialect() {
        Dialect::MySql => {
            let rows = db
                .query(
                    "SELECT TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS ty \
                     FROM information_schema.COLUMNS \
                     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'acroniscloud\\_%'",
                    &[],
                )
                .map_err(map_db("Reading the module's tables"))?;
            for r in rows {
                out.entry(r.text("t").to_ascii_lowercase())
                    .or_default()
                    .insert(
                        r.text("c").to_ascii_lowercase(),
                        r.text("ty").to_ascii_lowercase(),
                    );
            }
        }
        Dialect::Sqlite => {
            let tables = db
                .query(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'acroniscloud\\_%' ESCAPE '\\'",
                    &[],
                )
                .map_err(map_db("Reading the module's tables"))?;
            for t in tables {
                let name = t.text("name");
                let cols = db
                    .query(
                        &format!("PRAGMA table_info(\"{}\")", name.replace('"', "")),
                        &[],
                    )
                    .map_err(map_db("Reading the module's tables"))?;
                let entry = out.entry(name.to_ascii_lowercase()).or_default();
                for c in cols {
                    entry.insert(
                        c.text("name").to_ascii_lowercase(),
                        c.text("type").to_ascii_lowercase(),
                    );
                }
            }
        }
    }
    Ok(out)
}

/// The recorded schema version; `None` when the version table or row does not exist yet.
pub fn recorded_version(db: &dyn Db) -> Result<Option<i64>> {
    let tables = existing(db)?;
    if !tables.contains_key("acroniscloud_schema") {
        return Ok(None);
    }
    let rows = db
        .query(
            "SELECT version FROM acroniscloud_schema WHERE component = ?",
            &[Value::from(SCHEMA_COMPONENT)],
        )
        .map_err(map_db("Reading the module's schema version"))?;
    Ok(rows.first().map(|r| r.int("version")))
}

/// Refuses a database written by a newer module: this code would misread it.
fn refuse_newer(version: i64) -> Error {
    Error::config(format!(
        "The module's tables in the WHMCS database have schema version {version}, newer than \
         this module knows ({SCHEMA_VERSION}). Nothing was changed. Install the module version \
         that wrote them (or a newer one)."
    ))
}

/// What [`ensure`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EnsureReport {
    pub created: Vec<String>,
    pub columns_added: Vec<String>,
    /// Tables that existed before (a 2.x installation or an earlier run).
    pub found: Vec<String>,
    pub previous_version: Option<i64>,
}

/// Creates missing tables, adds missing columns, widens the 2.x columns that are too narrow,
/// and records [`SCHEMA_VERSION`]. Refuses (changing nothing) when the recorded version is
/// newer than this code.
pub fn ensure(db: &dyn Db) -> Result<EnsureReport> {
    let previous_version = recorded_version(db)?;
    if let Some(v) = previous_version.filter(|v| *v > SCHEMA_VERSION) {
        return Err(refuse_newer(v));
    }
    let tables = existing(db)?;
    let mut report = EnsureReport {
        previous_version,
        ..EnsureReport::default()
    };
    for table in TABLES {
        match tables.get(table.name) {
            None => {
                create(db, table)?;
                report.created.push(table.name.to_string());
            }
            Some(columns) => {
                report.found.push(table.name.to_string());
                for added in add_missing(db, table, columns)? {
                    report.columns_added.push(format!("{}.{added}", table.name));
                }
                widen(db, table.name, columns)?;
            }
        }
    }
    if db.dialect() == Dialect::Sqlite {
        for index in SQLITE_INDEXES {
            db.execute(index, &[])
                .map_err(map_db("Creating the module's indexes"))?;
        }
    }
    record_version(db, SCHEMA_VERSION)?;
    Ok(report)
}

fn create(db: &dyn Db, table: &Table) -> Result<()> {
    let (body, options) = match db.dialect() {
        Dialect::MySql => (table.mysql, MYSQL_TABLE_OPTIONS),
        Dialect::Sqlite => (table.sqlite, ""),
    };
    let mut columns = String::from(body);
    for (name, mysql, sqlite) in table.added {
        let def = match db.dialect() {
            Dialect::MySql => mysql,
            Dialect::Sqlite => sqlite,
        };
        columns = insert_column(&columns, name, def, db.dialect());
    }
    db.execute(
        &format!(
            "CREATE TABLE IF NOT EXISTS {} ({columns}) {options}",
            table.name
        ),
        &[],
    )
    .map_err(map_db("Creating the module's tables"))?;
    Ok(())
}

/// Puts an added column before the key definitions of a CREATE body (MySQL wants columns
/// first; SQLite wants them before table constraints too).
fn insert_column(body: &str, name: &str, def: &str, dialect: Dialect) -> String {
    let markers: &[&str] = match dialect {
        Dialect::MySql => &["PRIMARY KEY (", "UNIQUE KEY", "KEY ", "CONSTRAINT"],
        Dialect::Sqlite => &["CONSTRAINT", "PRIMARY KEY ("],
    };
    let cut = markers
        .iter()
        .filter_map(|m| body.find(&format!(",\n            {m}")))
        .min();
    match cut {
        Some(at) => {
            let (head, tail) = body.split_at(at);
            format!("{head},\n            {name} {def}{tail}")
        }
        None => format!("{body},\n            {name} {def}"),
    }
}

fn add_missing(
    db: &dyn Db,
    table: &Table,
    columns: &HashMap<String, String>,
) -> Result<Vec<&'static str>> {
    let mut added = Vec::new();
    for (name, mysql, sqlite) in table.added {
        if columns.contains_key(*name) {
            continue;
        }
        let def = match db.dialect() {
            Dialect::MySql => mysql,
            Dialect::Sqlite => sqlite,
        };
        if let Err(e) = db.execute(
            &format!("ALTER TABLE {} ADD COLUMN {name} {def}", table.name),
            &[],
        ) {
            // Another web node may have added it a moment ago.
            let now = existing(db)?;
            if !now.get(table.name).is_some_and(|c| c.contains_key(*name)) {
                return Err(super::db_error("Adding columns to the module's tables", &e));
            }
            continue;
        }
        added.push(*name);
    }
    Ok(added)
}

/// The 2.x layout's columns that this module needs wider (MySQL only; SQLite types are
/// advisory): application editions (255 before 2.0.0-130) and the report status, which
/// must hold the error status -1.
fn widen(db: &dyn Db, table: &str, columns: &HashMap<String, String>) -> Result<()> {
    if db.dialect() != Dialect::MySql {
        return Ok(());
    }
    let change = match table {
        "acroniscloud_service_template_applications"
            if columns
                .get("editions")
                .is_some_and(|t| t != "varchar(1024)" && t.starts_with("varchar")) =>
        {
            Some("MODIFY editions VARCHAR(1024) NOT NULL")
        }
        "acroniscloud_service_reports"
            if columns
                .get("status")
                .is_some_and(|t| t.contains("unsigned")) =>
        {
            Some("MODIFY status INT NOT NULL")
        }
        _ => None,
    };
    if let Some(change) = change {
        db.execute(&format!("ALTER TABLE {table} {change}"), &[])
            .map_err(map_db("Widening a column of the module's tables"))?;
    }
    Ok(())
}

fn record_version(db: &dyn Db, version: i64) -> Result<()> {
    let sql = match db.dialect() {
        Dialect::MySql => {
            "INSERT INTO acroniscloud_schema (component, version, updated_at) VALUES (?, ?, ?) \
             ON DUPLICATE KEY UPDATE version = VALUES(version), updated_at = VALUES(updated_at)"
        }
        Dialect::Sqlite => {
            "INSERT INTO acroniscloud_schema (component, version, updated_at) VALUES (?, ?, ?) \
             ON CONFLICT (component) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at"
        }
    };
    db.execute(
        sql,
        &[
            Value::from(SCHEMA_COMPONENT),
            Value::Int(version),
            Value::from(super::now_text()),
        ],
    )
    .map_err(map_db("Recording the module's schema version"))?;
    Ok(())
}

/// Before a store is used: the schema must be at this code's version. An older or missing
/// layout (a 2.x installation whose addon was not revisited yet, a fresh database) is brought
/// up to date here, additively; a newer one is refused.
pub fn ready(db: &dyn Db) -> Result<()> {
    let version = match db.query(
        "SELECT version FROM acroniscloud_schema WHERE component = ?",
        &[Value::from(SCHEMA_COMPONENT)],
    ) {
        Ok(rows) => rows.first().map(|r| r.int("version")),
        Err(_) => None,
    };
    match version {
        Some(v) if v == SCHEMA_VERSION => Ok(()),
        Some(v) if v > SCHEMA_VERSION => Err(refuse_newer(v)),
        _ => ensure(db).map(|_| ()),
    }
}

/// `(major, minor, patch, build)` of a module version such as `2.2.0-183`.
fn version_key(v: &str) -> Option<(u32, u32, u32, u32)> {
    let (numbers, build) = v.trim().split_once('-').unwrap_or((v.trim(), "0"));
    let mut parts = numbers.split('.').map(|p| p.trim().parse::<u32>().ok());
    Some((
        parts.next()??,
        parts.next()??,
        parts.next().flatten().unwrap_or(0),
        build.trim().parse().ok()?,
    ))
}

/// The data step of the 2.x module's own upgrade path: reports downloaded by a version before
/// 2.2.0-183 were saved under an older layout, so they are marked "To be deleted" and the
/// next erase removes their files. Only for a previous 2.x version (this module's own
/// versions start at 0.x and have nothing to convert).
pub fn upgrade_from_2x(db: &dyn Db, previous_version: &str) -> Result<u64> {
    let Some(previous) = version_key(previous_version) else {
        return Ok(0);
    };
    if previous.0 != 2 || previous >= (2, 2, 0, 183) {
        return Ok(0);
    }
    db.execute(
        "UPDATE acroniscloud_service_reports SET status = 7 WHERE status = 4",
        &[],
    )
    .map_err(map_db("Marking old reports to be deleted"))
}

/// Tables the module owns that exist now (tests, uninstall notes).
pub fn present_tables(db: &dyn Db) -> Result<HashSet<String>> {
    Ok(existing(db)?.into_keys().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::storage::sqlite::SqliteDb;

    #[test]
    fn fresh_database_gets_every_table_and_the_version() {
        let db = SqliteDb::memory().unwrap();
        let report = ensure(&db).unwrap();
        assert_eq!(report.created.len(), TABLES.len());
        assert_eq!(recorded_version(&db).unwrap(), Some(SCHEMA_VERSION));
        let again = ensure(&db).unwrap();
        assert!(again.created.is_empty() && again.columns_added.is_empty());
    }

    /// The version 2 step: a version 1 database gains the audit trail and the owners table,
    /// its rows untouched.
    #[test]
    fn version_1_is_upgraded_with_the_audit_tables() {
        let db = SqliteDb::memory().unwrap();
        ensure(&db).unwrap();
        for t in ["acroniscloud_audit", "acroniscloud_service_owners"] {
            db.execute(&format!("DROP TABLE {t}"), &[]).unwrap();
        }
        record_version(&db, 1).unwrap();
        let report = ensure(&db).unwrap();
        assert_eq!(report.previous_version, Some(1));
        assert_eq!(
            report.created,
            vec!["acroniscloud_audit", "acroniscloud_service_owners"]
        );
        assert_eq!(recorded_version(&db).unwrap(), Some(SCHEMA_VERSION));
    }

    #[test]
    fn a_2x_layout_is_used_in_place_and_gets_the_added_columns() {
        let db = SqliteDb::memory().unwrap();
        db.execute(
            "CREATE TABLE acroniscloud_service_templates (id INTEGER PRIMARY KEY AUTOINCREMENT, \
             name VARCHAR(255) NOT NULL, description VARCHAR(1024) NOT NULL, server_id INTEGER NOT NULL, \
             tenant_kind VARCHAR(16) NOT NULL, user_role VARCHAR(16) NOT NULL, deleted_at DATETIME NULL, \
             created_at DATETIME NULL, updated_at DATETIME NULL, extra_2x_column TEXT NULL)",
            &[],
        )
        .unwrap();
        db.execute(
            "INSERT INTO acroniscloud_service_templates (name, description, server_id, tenant_kind, user_role) \
             VALUES ('old', '', 1, 'customer', 'admin')",
            &[],
        )
        .unwrap();
        let report = ensure(&db).unwrap();
        assert!(report
            .found
            .contains(&"acroniscloud_service_templates".to_string()));
        assert!(report
            .columns_added
            .contains(&"acroniscloud_service_templates.mode".to_string()));
        let rows = db
            .query("SELECT name, mode FROM acroniscloud_service_templates", &[])
            .unwrap();
        assert_eq!(rows[0].text("name"), "old");
        assert_eq!(rows[0].opt_text("mode"), None);
    }

    #[test]
    fn reports_downloaded_before_2_2_0_183_are_marked_to_be_deleted() {
        let db = SqliteDb::memory().unwrap();
        ensure(&db).unwrap();
        db.execute(
            "INSERT INTO acroniscloud_service_reports (date, datacenter_id, status) VALUES ('2024-05-30', 1, 4)",
            &[],
        )
        .unwrap();
        assert_eq!(upgrade_from_2x(&db, "2.2.2-200").unwrap(), 0);
        assert_eq!(upgrade_from_2x(&db, "0.1.0").unwrap(), 0);
        assert_eq!(upgrade_from_2x(&db, "2.1.0-150").unwrap(), 1);
        let rows = db
            .query("SELECT status FROM acroniscloud_service_reports", &[])
            .unwrap();
        assert_eq!(rows[0].int("status"), 7);
    }

    #[test]
    fn a_newer_schema_is_refused_and_left_alone() {
        let db = SqliteDb::memory().unwrap();
        ensure(&db).unwrap();
        db.execute("UPDATE acroniscloud_schema SET version = 99", &[])
            .unwrap();
        let e = ensure(&db).unwrap_err().to_string();
        assert!(e.contains("schema version 99"), "{e}");
        assert!(ready(&db).is_err());
        assert_eq!(recorded_version(&db).unwrap(), Some(99));
    }

    /// The one upgrade step of schema 2: a version-1 reports table gets the nullable step
    /// timestamps; its rows keep their data and read NULL (durations unknown).
    #[test]
    fn schema_1_reports_get_the_step_timestamps_of_schema_2() {
        let db = SqliteDb::memory().unwrap();
        ensure(&db).unwrap();
        for column in ["ordered_at", "ready_at", "downloaded_at"] {
            db.execute(
                &format!("ALTER TABLE acroniscloud_service_reports DROP COLUMN {column}"),
                &[],
            )
            .unwrap();
        }
        db.execute(
            "INSERT INTO acroniscloud_service_reports (date, datacenter_id, status) VALUES ('2024-05-30', 1, 4)",
            &[],
        )
        .unwrap();
        db.execute("UPDATE acroniscloud_schema SET version = 1", &[])
            .unwrap();
        let report = ensure(&db).unwrap();
        for column in ["ordered_at", "ready_at", "downloaded_at"] {
            let name = format!("acroniscloud_service_reports.{column}");
            assert!(report.columns_added.contains(&name), "{name}");
        }
        assert_eq!(recorded_version(&db).unwrap(), Some(SCHEMA_VERSION));
        let rows = db
            .query(
                "SELECT status, ordered_at, ready_at, downloaded_at FROM acroniscloud_service_reports",
                &[],
            )
            .unwrap();
        assert_eq!(rows[0].int("status"), 4);
        assert_eq!(rows[0].opt_text("ordered_at"), None);
    }
}
