//! One-time import of the SQLite files that earlier versions of this module kept under the
//! WHMCS downloads storage (`templates.sqlite`: templates and provisioning progress;
//! `usage.sqlite`: report rows and per-tenant days). Run by the addon's `_upgrade`; the files
//! are opened read-only and left in place, untouched. Everything is written in one
//! transaction and recorded, so a repeated upgrade imports nothing twice.
//!
//! Template ids are kept (products name their template by id); a template whose id is taken
//! in the WHMCS database is skipped and reported (it came from the 2.x tables, which the
//! earlier version had imported with the same ids).

use crate::features::templates::TemplateError;
use crate::infra::error::{Error, Result};
use crate::infra::storage::sqlite::SqliteDb;
use crate::infra::storage::{
    map_db, now_text, schema, transaction, Db, DbResult, Dialect, Row, TxError, Value,
};
use crate::rules::templates::model::{
    Application, ManagementMode, Mode, OfferingItem, Status, TemplateData, TenantKind, UserRole,
};
use std::collections::HashMap;
use std::path::Path;

const COMPONENT: &str = "sqlite_import";

/// What the import found and wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Imported {
    pub templates: Vec<i64>,
    pub templates_skipped: Vec<i64>,
    pub progress_records: usize,
    pub report_rows: usize,
    pub tenant_days: usize,
    /// True when an earlier upgrade already imported the files.
    pub already_done: bool,
}

fn done(db: &dyn Db) -> Result<bool> {
    let rows = db
        .query(
            "SELECT version FROM acroniscloud_schema WHERE component = ?",
            &[Value::from(COMPONENT)],
        )
        .map_err(map_db("Reading the import record"))?;
    Ok(!rows.is_empty())
}

/// True when `sql` (one `?`: the id) finds a row: a row the import must not overwrite.
fn has_row(db: &dyn Db, sql: &str, id: i64) -> DbResult<bool> {
    Ok(!db.query(sql, &[Value::Int(id)])?.is_empty())
}

fn read(db: &SqliteDb, sql: &str) -> Result<Vec<Row>> {
    db.query(sql, &[])
        .map_err(|e| Error::config(format!("Cannot read an earlier module file: {e}")))
}

fn has_table(db: &SqliteDb, name: &str) -> Result<bool> {
    Ok(!db
        .query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?",
            &[Value::from(name)],
        )
        .map_err(|e| Error::config(format!("Cannot read an earlier module file: {e}")))?
        .is_empty())
}

fn open_file(path: &Path) -> Result<Option<SqliteDb>> {
    if !path.is_file() {
        return Ok(None);
    }
    SqliteDb::open_read_only(path).map(Some).map_err(|e| {
        Error::config(format!(
            "Cannot open the earlier module file {}: {e}",
            path.display()
        ))
    })
}

/// Imports `templates_file` and `usage_file` (each may be missing) into `db` once.
pub fn import_sqlite_files(
    db: &dyn Db,
    templates_file: &Path,
    usage_file: &Path,
) -> Result<Imported> {
    schema::ready(db)?;
    if done(db)? {
        return Ok(Imported {
            already_done: true,
            ..Imported::default()
        });
    }
    let templates = open_file(templates_file)?;
    let usage = open_file(usage_file)?;
    let old = OldData::read(templates.as_ref(), usage.as_ref())?;
    let result = transaction(db, |db| {
        let mut out = Imported::default();
        old.write_templates(db, &mut out)?;
        old.write_progress(db, &mut out)?;
        old.write_usage(db, &mut out)?;
        record(db)?;
        Ok::<_, TxError<TemplateError>>(out)
    });
    result.map_err(|e| match e {
        TxError::Db(e) => crate::infra::storage::db_error("Importing the earlier module files", &e),
        TxError::Abort(e) => Error::internal(e.message()),
    })
}

fn record(db: &dyn Db) -> crate::infra::storage::DbResult<()> {
    db.execute(
        "INSERT INTO acroniscloud_schema (component, version, updated_at) VALUES (?, 1, ?)",
        &[Value::from(COMPONENT), Value::from(now_text())],
    )
    .map(|_| ())
}

/// The rows of the earlier files, read before the transaction starts.
#[derive(Default)]
struct OldData {
    templates: Vec<Row>,
    applications: Vec<Row>,
    items: Vec<Row>,
    progress: Vec<Row>,
    reports: Vec<Row>,
    days: Vec<Row>,
}

impl OldData {
    fn read(templates: Option<&SqliteDb>, usage: Option<&SqliteDb>) -> Result<OldData> {
        let mut data = OldData::default();
        if let Some(t) = templates {
            if has_table(t, "templates")? {
                data.templates = read(t, "SELECT * FROM templates ORDER BY id")?;
                data.applications = read(
                    t,
                    "SELECT * FROM template_applications ORDER BY position, id",
                )?;
                data.items = read(
                    t,
                    "SELECT * FROM template_offering_items ORDER BY position, id",
                )?;
            }
            if has_table(t, "provisioning_progress")? {
                data.progress = read(t, "SELECT * FROM provisioning_progress")?;
            }
        }
        if let Some(u) = usage {
            if has_table(u, "usage_reports")? {
                data.reports = read(u, "SELECT * FROM usage_reports ORDER BY id")?;
                data.days = read(u, "SELECT * FROM usage_tenant_days")?;
            }
        }
        Ok(data)
    }

    fn template_data(&self, t: &Row) -> std::result::Result<TemplateData, TxError<TemplateError>> {
        let id = t.int("id");
        let bad = |what: &str, v: &str| {
            TxError::Abort(TemplateError::Other(Error::validation(format!(
                "Cannot import template {id}: invalid {what} \"{v}\""
            ))))
        };
        let parse_status = |v: String| Status::parse(&v).ok_or_else(|| bad("status", &v));
        let mut applications = Vec::new();
        for a in self
            .applications
            .iter()
            .filter(|a| a.int("template_id") == id)
        {
            let mut offering_items = Vec::new();
            for i in self
                .items
                .iter()
                .filter(|i| i.int("application_id") == a.int("id"))
            {
                offering_items.push(OfferingItem {
                    name: i.text("name"),
                    infra_id: i.opt_text("infra_id"),
                    status: parse_status(i.text("status"))?,
                    measurement_unit: i.text("measurement_unit"),
                    quota_value: i.opt_int("quota_value"),
                });
            }
            let editions = a.text("editions");
            applications.push(Application {
                kind: a.text("type"),
                editions: serde_json::from_str(if editions.trim().is_empty() {
                    "[]"
                } else {
                    &editions
                })
                .map_err(|_| bad("editions", &editions))?,
                status: parse_status(a.text("status"))?,
                offering_items,
            });
        }
        let text = |c: &str| t.text(c);
        Ok(TemplateData {
            name: text("name"),
            description: text("description"),
            server_id: t.int("server_id"),
            tenant_kind: TenantKind::parse(&text("tenant_kind"))
                .ok_or_else(|| bad("tenant kind", &text("tenant_kind")))?,
            user_role: UserRole::parse(&text("user_role"))
                .ok_or_else(|| bad("user role", &text("user_role")))?,
            mode: Mode::parse(&text("mode")).unwrap_or(Mode::Production),
            management_mode: ManagementMode::parse(&text("management_mode"))
                .unwrap_or(ManagementMode::SelfService),
            two_factor_auth: t.int("two_factor_auth") != 0,
            enhanced_security: t.int("enhanced_security") != 0,
            advanced_packs: serde_json::from_str(&text("advanced_packs")).unwrap_or_default(),
            applications,
        })
    }

    fn write_templates(
        &self,
        db: &dyn Db,
        out: &mut Imported,
    ) -> std::result::Result<(), TxError<TemplateError>> {
        for t in &self.templates {
            let id = t.int("id");
            let taken = has_row(
                db,
                "SELECT id FROM acroniscloud_service_templates WHERE id = ?",
                id,
            )?;
            if taken {
                out.templates_skipped.push(id);
                continue;
            }
            let data = self.template_data(t)?;
            let (created, updated) = (t.text("created_at"), t.text("updated_at"));
            let deleted = t.opt_text("deleted_at");
            crate::features::templates::sql_store::insert_template(
                db,
                Some(id),
                &data,
                (&created, &updated, deleted.as_deref()),
            )?;
            out.templates.push(id);
        }
        Ok(())
    }

    fn write_progress(
        &self,
        db: &dyn Db,
        out: &mut Imported,
    ) -> std::result::Result<(), TxError<TemplateError>> {
        for p in &self.progress {
            let service = p.int("service_id");
            if has_row(
                db,
                "SELECT service_id FROM acroniscloud_provisioning_progress WHERE service_id = ?",
                service,
            )? {
                continue;
            }
            db.execute(
                "INSERT INTO acroniscloud_provisioning_progress (service_id, server_id, template_id, \
                 tenant_id, user_id, step, option_groups, module_tenant, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    Value::Int(service),
                    Value::Int(p.int("server_id")),
                    Value::Int(p.int("template_id")),
                    Value::from(p.text("tenant_id")),
                    Value::from(p.text("user_id")),
                    Value::from(p.text("step")),
                    Value::from(p.text("option_groups")),
                    Value::Int(p.int("module_tenant")),
                    Value::from(p.opt_text("updated_at")),
                ],
            )?;
            out.progress_records += 1;
        }
        Ok(())
    }

    fn write_usage(
        &self,
        db: &dyn Db,
        out: &mut Imported,
    ) -> std::result::Result<(), TxError<TemplateError>> {
        let mut new_ids: HashMap<i64, i64> = HashMap::new();
        for r in &self.reports {
            let id = db.insert(
                "INSERT INTO acroniscloud_service_reports (date, datacenter_id, status, report_id, \
                 stored_report_id, file_path, rows_read, bad_rows, tenants, failures, message, \
                 last_poll_at, aggregated_at, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    Value::from(r.text("date")),
                    Value::Int(r.int("server_id")),
                    Value::Int(r.int("status")),
                    Value::from(r.opt_text("report_id")),
                    Value::from(r.opt_text("stored_report_id")),
                    Value::from(r.opt_text("file_path")),
                    Value::Int(r.int("rows_read")),
                    Value::Int(r.int("bad_rows")),
                    Value::Int(r.int("tenants")),
                    Value::Int(r.int("failures")),
                    Value::from(r.text("message")),
                    Value::Int(r.int("last_poll_at")),
                    Value::Int(r.int("aggregated_at")),
                    Value::from(r.opt_text("created_at")),
                    Value::from(r.opt_text("updated_at")),
                ],
            )?;
            new_ids.insert(r.int("id"), id);
            out.report_rows += 1;
        }
        let keep = match db.dialect() {
            Dialect::MySql => "ON DUPLICATE KEY UPDATE tenant_id = tenant_id",
            Dialect::Sqlite => "ON CONFLICT (tenant_id, date) DO NOTHING",
        };
        for d in &self.days {
            let row = new_ids.get(&d.int("report_row")).copied().unwrap_or(0);
            db.execute(
                &format!(
                    "INSERT INTO acroniscloud_usage_tenant_days (tenant_id, date, server_id, report_row, \
                     metrics, updated_at) VALUES (?, ?, ?, ?, ?, ?) {keep}"
                ),
                &[
                    Value::from(d.text("tenant_id")),
                    Value::from(d.text("date")),
                    Value::Int(d.int("server_id")),
                    Value::Int(row),
                    Value::from(d.text("metrics")),
                    Value::Int(d.int("updated_at")),
                ],
            )?;
            out.tenant_days += 1;
        }
        Ok(())
    }
}
