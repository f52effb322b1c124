//! SQLite backend of [`TemplateStorage`]: one file, WAL mode (readers never block the writer),
//! `busy_timeout` so concurrent PHP workers wait instead of failing, `BEGIN IMMEDIATE` for
//! every write so two writers never deadlock on a lock upgrade. A file that is not ours is
//! never written to.

use super::migrations;
use super::model::{
    Application, Edition, ImportReport, ManagementMode, Mode, OfferingItem, ReferenceRows, Status,
    Template, TemplateData, TemplateSummary, TenantKind, UserRole,
};
use super::storage::TemplateStorage;
use super::{TemplateError, TemplateResult};
use crate::error::{Error, Result};
use rusqlite::{
    params, Connection, DatabaseName, OptionalExtension, Transaction, TransactionBehavior,
};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// Default wait for a lock held by another writer.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const OUR_TABLES: &[&str] = &[
    "templates",
    "template_applications",
    "template_offering_items",
    "sqlite_sequence",
];

/// Template store in a single SQLite file.
pub struct SqliteStorage {
    conn: Mutex<Connection>,
    path: PathBuf,
}

fn db_err(e: rusqlite::Error) -> TemplateError {
    TemplateError::Other(Error::internal(format!("Template database error: {e}")))
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

fn not_ours(path: &Path, why: &str) -> Error {
    Error::config(format!(
        "The file {} is not a valid template database ({why}). It was left untouched: move it \
         away or restore it from a backup, or point templates.database to another file.",
        path.display()
    ))
}

/// The directory of a database file, created when missing (`what` names the database in the
/// error).
pub(crate) fn database_dir<'p>(path: &'p Path, what: &str) -> Result<&'p Path> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::config(format!(
                "Cannot create the directory {} for the {what}: {e}",
                dir.display()
            ))
        })?;
    }
    Ok(dir)
}

/// Sets WAL journal mode. The mode is persistent, so a file already in WAL mode needs no
/// switch; the switch itself needs a moment with no other connection in the file and SQLite
/// does not run the busy handler for it, so "database is locked" is retried here until the
/// busy timeout (several workers opening a fresh file at once hit this).
pub(crate) fn switch_to_wal(conn: &Connection, busy_timeout: Duration) -> rusqlite::Result<String> {
    let current: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    if current.eq_ignore_ascii_case("wal") {
        return Ok(current);
    }
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(2);
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && started.elapsed() < busy_timeout =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

impl SqliteStorage {
    /// Opens (creating file, directory and schema when missing) with the default busy timeout.
    pub fn open(path: &Path) -> Result<SqliteStorage> {
        Self::open_with_timeout(path, DEFAULT_BUSY_TIMEOUT)
    }

    /// Opens the database named by the `templates` section of config.yaml (`config_dir` =
    /// directory of config.yaml, against which a relative path is resolved).
    pub fn from_config(
        cfg: &crate::config::TemplatesConfig,
        config_dir: &Path,
        storage_dir: Option<&Path>,
    ) -> Result<SqliteStorage> {
        Self::open_with_timeout(
            &cfg.database_path(config_dir, storage_dir),
            Duration::from_millis(cfg.busy_timeout_ms),
        )
    }

    /// Opens with an explicit lock wait.
    pub fn open_with_timeout(path: &Path, busy_timeout: Duration) -> Result<SqliteStorage> {
        let shown = path.display().to_string();
        if path.is_dir() {
            return Err(Error::config(format!(
                "The template database path {shown} is a directory; set templates.database to a file path."
            )));
        }
        let dir = database_dir(path, "template database")?;
        Self::check_header(path)?;
        let mut conn = Connection::open(path).map_err(|e| {
            Error::config(format!(
                "Cannot open the template database {shown}: {e}. Check that the web server and \
                 cron users can write to {}.",
                dir.display()
            ))
        })?;
        conn.busy_timeout(busy_timeout)
            .and_then(|_| conn.pragma_update(None, "foreign_keys", "ON"))
            .map_err(|e| Error::internal(format!("Cannot configure {shown}: {e}")))?;
        if conn.is_readonly(DatabaseName::Main).unwrap_or(true) {
            return Err(Error::config(format!(
                "The template database {shown} is read-only. Check that the web server and cron \
                 users can write to it and to {}.",
                dir.display()
            )));
        }
        Self::check_content(&conn, path)?;
        let mode = switch_to_wal(&conn, busy_timeout).map_err(|e| {
            Error::config(format!(
                "Cannot switch the template database {shown} to WAL mode: {e}. Check that \
                 the directory {} is writable.",
                dir.display()
            ))
        })?;
        if !mode.eq_ignore_ascii_case("wal") {
            log::warn!("template database {shown}: journal mode is {mode}, not WAL");
        }
        migrations::migrate(&mut conn, &shown)?;
        Ok(SqliteStorage {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The checked, migrated connection, for other tables of the same file (provisioning
    /// progress records).
    pub(crate) fn into_connection(self) -> Result<Connection> {
        self.conn
            .into_inner()
            .map_err(|_| Error::internal("template database lock poisoned"))
    }

    /// Refuses a non-empty file that does not start with the SQLite header, before SQLite
    /// could touch it.
    fn check_header(path: &Path) -> Result<()> {
        let mut file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(Error::config(format!(
                    "Cannot read the template database {}: {e}",
                    path.display()
                )))
            }
        };
        let mut header = Vec::with_capacity(16);
        file.by_ref()
            .take(16)
            .read_to_end(&mut header)
            .map_err(|e| {
                Error::config(format!(
                    "Cannot read the template database {}: {e}",
                    path.display()
                ))
            })?;
        if !header.is_empty() && header.as_slice() != b"SQLite format 3\0" {
            return Err(not_ours(path, "not an SQLite file"));
        }
        Ok(())
    }

    /// Refuses damaged files and SQLite files that belong to something else.
    fn check_content(conn: &Connection, path: &Path) -> Result<()> {
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| not_ours(path, &e.to_string()))?;
        if check != "ok" {
            return Err(not_ours(path, &format!("integrity check: {check}")));
        }
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| not_ours(path, &e.to_string()))?;
        if version == 0 {
            let mut stmt = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
                .map_err(|e| not_ours(path, &e.to_string()))?;
            let names = stmt
                .query_map([], |r| r.get::<_, String>(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| not_ours(path, &e.to_string()))?;
            if let Some(other) = names.iter().find(|n| !OUR_TABLES.contains(&n.as_str())) {
                return Err(not_ours(
                    path,
                    &format!("it holds the foreign table \"{other}\""),
                ));
            }
        }
        Ok(())
    }

    fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> TemplateResult<T>,
    ) -> TemplateResult<T> {
        let mut guard = self
            .conn
            .lock()
            .map_err(|_| Error::internal("template database connection lock poisoned"))?;
        f(&mut guard)
    }

    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> TemplateResult<T>) -> TemplateResult<T> {
        self.with_conn(|conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db_err)?;
            let out = f(&tx)?;
            tx.commit().map_err(db_err)?;
            Ok(out)
        })
    }
}

fn parse_enum<T>(value: &str, parse: fn(&str) -> Option<T>, column: &str) -> TemplateResult<T> {
    parse(value).ok_or_else(|| {
        TemplateError::Other(Error::internal(format!(
            "Template database holds an invalid {column} \"{value}\""
        )))
    })
}

fn load(conn: &Connection, id: i64) -> TemplateResult<Option<Template>> {
    type Row = (
        String,
        String,
        i64,
        String,
        String,
        String,
        String,
        bool,
        bool,
        String,
        String,
        String,
    );
    let row: Option<Row> = conn
        .query_row(
            "SELECT name, description, server_id, tenant_kind, user_role, mode, management_mode,
                    two_factor_auth, enhanced_security, advanced_packs, created_at, updated_at
             FROM templates WHERE id = ?1 AND deleted_at IS NULL",
            [id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                ))
            },
        )
        .optional()
        .map_err(db_err)?;
    let Some((
        name,
        description,
        server_id,
        kind,
        role,
        mode,
        mgmt,
        tfa,
        enh,
        packs,
        created,
        updated,
    )) = row
    else {
        return Ok(None);
    };
    let advanced_packs: Vec<String> = serde_json::from_str(&packs).map_err(|e| {
        TemplateError::Other(Error::internal(format!(
            "Template database holds invalid advanced packs: {e}"
        )))
    })?;
    Ok(Some(Template {
        id,
        data: TemplateData {
            name,
            description,
            server_id,
            tenant_kind: parse_enum(&kind, TenantKind::parse, "tenant kind")?,
            user_role: parse_enum(&role, UserRole::parse, "user role")?,
            mode: parse_enum(&mode, Mode::parse, "mode")?,
            management_mode: parse_enum(&mgmt, ManagementMode::parse, "management mode")?,
            two_factor_auth: tfa,
            enhanced_security: enh,
            advanced_packs,
            applications: load_tree(conn, id)?,
        },
        created_at: created,
        updated_at: updated,
    }))
}

fn load_tree(conn: &Connection, template_id: i64) -> TemplateResult<Vec<Application>> {
    let mut apps_stmt = conn
        .prepare(
            "SELECT id, type, status, editions FROM template_applications
             WHERE template_id = ?1 ORDER BY position, id",
        )
        .map_err(db_err)?;
    let rows = apps_stmt
        .query_map([template_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(db_err)?;
    let mut items_stmt = conn
        .prepare(
            "SELECT name, infra_id, status, measurement_unit, quota_value
             FROM template_offering_items WHERE application_id = ?1 ORDER BY position, id",
        )
        .map_err(db_err)?;
    let mut apps = Vec::with_capacity(rows.len());
    for (app_id, kind, status, editions) in rows {
        let editions: Vec<Edition> = serde_json::from_str(&editions).map_err(|e| {
            TemplateError::Other(Error::internal(format!(
                "Template database holds invalid editions: {e}"
            )))
        })?;
        let raw_items = items_stmt
            .query_map([app_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(db_err)?;
        let mut offering_items = Vec::with_capacity(raw_items.len());
        for (name, infra_id, st, unit, quota) in raw_items {
            offering_items.push(OfferingItem {
                name,
                infra_id,
                status: parse_enum(&st, Status::parse, "status")?,
                measurement_unit: unit,
                quota_value: quota,
            });
        }
        apps.push(Application {
            kind,
            editions,
            status: parse_enum(&status, Status::parse, "status")?,
            offering_items,
        });
    }
    Ok(apps)
}

fn insert_tree(tx: &Transaction<'_>, template_id: i64, apps: &[Application]) -> TemplateResult<()> {
    let mut app_stmt = tx
        .prepare_cached(
            "INSERT INTO template_applications (template_id, position, type, status, editions)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(db_err)?;
    let mut item_stmt = tx
        .prepare_cached(
            "INSERT INTO template_offering_items
               (application_id, position, name, infra_id, status, measurement_unit, quota_value)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(db_err)?;
    for (pos, app) in apps.iter().enumerate() {
        let editions = serde_json::to_string(&app.editions)
            .map_err(|e| TemplateError::Other(Error::internal(e.to_string())))?;
        app_stmt
            .execute(params![
                template_id,
                pos as i64,
                app.kind,
                app.status.as_str(),
                editions
            ])
            .map_err(db_err)?;
        let app_id = tx.last_insert_rowid();
        for (ipos, item) in app.offering_items.iter().enumerate() {
            item_stmt
                .execute(params![
                    app_id,
                    ipos as i64,
                    item.name,
                    item.infra_id,
                    item.status.as_str(),
                    item.measurement_unit,
                    item.quota_value
                ])
                .map_err(db_err)?;
        }
    }
    Ok(())
}

fn insert_template(
    tx: &Transaction<'_>,
    id: Option<i64>,
    data: &TemplateData,
    created_at: &str,
    updated_at: &str,
    deleted_at: Option<&str>,
) -> TemplateResult<i64> {
    let packs = serde_json::to_string(&data.advanced_packs)
        .map_err(|e| TemplateError::Other(Error::internal(e.to_string())))?;
    tx.execute(
        "INSERT INTO templates (id, name, description, server_id, tenant_kind, user_role, mode,
            management_mode, two_factor_auth, enhanced_security, advanced_packs,
            created_at, updated_at, deleted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            id,
            data.name,
            data.description,
            data.server_id,
            data.tenant_kind.as_str(),
            data.user_role.as_str(),
            data.mode.as_str(),
            data.management_mode.as_str(),
            data.two_factor_auth,
            data.enhanced_security,
            packs,
            created_at,
            updated_at,
            deleted_at
        ],
    )
    .map_err(db_err)?;
    let new_id = tx.last_insert_rowid();
    insert_tree(tx, new_id, &data.applications)?;
    Ok(new_id)
}

fn exists_live(conn: &Connection, id: i64) -> TemplateResult<bool> {
    conn.query_row(
        "SELECT 1 FROM templates WHERE id = ?1 AND deleted_at IS NULL",
        [id],
        |_| Ok(()),
    )
    .optional()
    .map(|r| r.is_some())
    .map_err(db_err)
}

impl TemplateStorage for SqliteStorage {
    fn list(&self) -> TemplateResult<Vec<TemplateSummary>> {
        self.with_conn(|conn| {
            let mut stmt = conn
                .prepare(
                    "SELECT id, name, description, server_id, tenant_kind, user_role
                     FROM templates WHERE deleted_at IS NULL ORDER BY id",
                )
                .map_err(db_err)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(db_err)?;
            rows.into_iter()
                .map(|(id, name, description, server_id, kind, role)| {
                    Ok(TemplateSummary {
                        id,
                        name,
                        description,
                        server_id,
                        tenant_kind: parse_enum(&kind, TenantKind::parse, "tenant kind")?,
                        user_role: parse_enum(&role, UserRole::parse, "user role")?,
                    })
                })
                .collect()
        })
    }

    fn get(&self, id: i64) -> TemplateResult<Option<Template>> {
        self.with_conn(|conn| load(conn, id))
    }

    fn create(&self, data: &TemplateData) -> TemplateResult<i64> {
        let ts = now();
        self.write(|tx| insert_template(tx, None, data, &ts, &ts, None))
    }

    fn update(&self, id: i64, data: &TemplateData) -> TemplateResult<Template> {
        self.write(|tx| {
            if !exists_live(tx, id)? {
                return Err(TemplateError::NotFound(id));
            }
            let packs = serde_json::to_string(&data.advanced_packs)
                .map_err(|e| TemplateError::Other(Error::internal(e.to_string())))?;
            tx.execute(
                "UPDATE templates SET name = ?2, description = ?3, server_id = ?4,
                    tenant_kind = ?5, user_role = ?6, mode = ?7, management_mode = ?8,
                    two_factor_auth = ?9, enhanced_security = ?10, advanced_packs = ?11,
                    updated_at = ?12
                 WHERE id = ?1",
                params![
                    id,
                    data.name,
                    data.description,
                    data.server_id,
                    data.tenant_kind.as_str(),
                    data.user_role.as_str(),
                    data.mode.as_str(),
                    data.management_mode.as_str(),
                    data.two_factor_auth,
                    data.enhanced_security,
                    packs,
                    now()
                ],
            )
            .map_err(db_err)?;
            tx.execute(
                "DELETE FROM template_applications WHERE template_id = ?1",
                [id],
            )
            .map_err(db_err)?;
            insert_tree(tx, id, &data.applications)?;
            load(tx, id)?.ok_or(TemplateError::NotFound(id))
        })
    }

    fn soft_delete(&self, id: i64, used_by_products: &[String]) -> TemplateResult<()> {
        self.write(|tx| {
            if !exists_live(tx, id)? {
                return Err(TemplateError::NotFound(id));
            }
            if !used_by_products.is_empty() {
                return Err(TemplateError::InUse {
                    id,
                    products: used_by_products.to_vec(),
                });
            }
            tx.execute(
                "UPDATE templates SET deleted_at = ?2 WHERE id = ?1",
                params![id, now()],
            )
            .map_err(db_err)?;
            Ok(())
        })
    }

    fn copy(&self, id: i64, new_name: &str) -> TemplateResult<i64> {
        let ts = now();
        self.write(|tx| {
            let mut source = load(tx, id)?.ok_or(TemplateError::NotFound(id))?;
            source.data.name = new_name.to_string();
            insert_template(tx, None, &source.data, &ts, &ts, None)
        })
    }

    fn import_reference(&self, rows: &ReferenceRows) -> TemplateResult<ImportReport> {
        let ts = now();
        self.write(|tx| {
            let mut report = ImportReport::default();
            for t in &rows.templates {
                let present = tx
                    .query_row("SELECT 1 FROM templates WHERE id = ?1", [t.id], |_| Ok(()))
                    .optional()
                    .map_err(db_err)?
                    .is_some();
                if present {
                    report.skipped.push(t.id);
                    continue;
                }
                let invalid = |what: &str, value: &str| {
                    TemplateError::Other(Error::validation(format!(
                        "Cannot import template {}: invalid {what} \"{value}\"",
                        t.id
                    )))
                };
                let mut apps_rows: Vec<_> = rows
                    .applications
                    .iter()
                    .filter(|a| a.template_id == t.id)
                    .collect();
                apps_rows.sort_by_key(|a| a.id);
                let mut applications = Vec::with_capacity(apps_rows.len());
                for a in apps_rows {
                    let editions: Vec<Edition> = if a.editions.trim().is_empty() {
                        Vec::new()
                    } else {
                        serde_json::from_str(&a.editions)
                            .map_err(|_| invalid("editions", &a.editions))?
                    };
                    let mut item_rows: Vec<_> = rows
                        .offering_items
                        .iter()
                        .filter(|i| i.template_application_id == a.id)
                        .collect();
                    item_rows.sort_by_key(|i| i.id);
                    let mut offering_items = Vec::with_capacity(item_rows.len());
                    for i in item_rows {
                        offering_items.push(OfferingItem {
                            name: i.name.clone(),
                            infra_id: i.infra_id.clone().filter(|s| !s.is_empty()),
                            status: Status::parse(&i.status)
                                .ok_or_else(|| invalid("offering item status", &i.status))?,
                            measurement_unit: i.measurement_unit.clone(),
                            quota_value: i.quota_value,
                        });
                    }
                    applications.push(Application {
                        kind: a.kind.clone(),
                        editions,
                        status: Status::parse(&a.status)
                            .ok_or_else(|| invalid("application status", &a.status))?,
                        offering_items,
                    });
                }
                let data = TemplateData {
                    name: t.name.clone(),
                    description: t.description.clone(),
                    server_id: t.server_id,
                    tenant_kind: TenantKind::parse(&t.tenant_kind)
                        .ok_or_else(|| invalid("tenant kind", &t.tenant_kind))?,
                    user_role: UserRole::parse(&t.user_role)
                        .ok_or_else(|| invalid("user role", &t.user_role))?,
                    // 2.x had no such settings: production pricing was derived from the product.
                    mode: Mode::Production,
                    management_mode: ManagementMode::SelfService,
                    two_factor_auth: false,
                    enhanced_security: false,
                    advanced_packs: Vec::new(),
                    applications,
                };
                insert_template(
                    tx,
                    Some(t.id),
                    &data,
                    t.created_at.as_deref().unwrap_or(&ts),
                    t.updated_at.as_deref().unwrap_or(&ts),
                    t.deleted_at.as_deref(),
                )?;
                report.imported.push(t.id);
            }
            Ok(report)
        })
    }
}
