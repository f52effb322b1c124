//! [`TemplateStorage`] over the WHMCS database: the 2.x module's three template tables, read
//! and written in place. Settings the 2.x module did not have (trial/production mode,
//! management mode, 2FA, enhanced security, advanced packs) are nullable columns; NULL reads
//! as the 2.x behaviour (production, self-service, off, none), so 2.x rows keep working
//! without an import. Every write is one transaction, retried on deadlock.

use super::model::{
    Application, Edition, ImportReport, ManagementMode, Mode, OfferingItem, ReferenceRows, Status,
    Template, TemplateData, TemplateSummary, TenantKind, UserRole,
};
use super::storage::TemplateStorage;
use super::{TemplateError, TemplateResult};
use crate::infra::error::Error;
use crate::infra::storage::{
    db_error, now_text, schema, transaction, Db, DbError, Row, TxError, Value,
};

const TEMPLATES: &str = "acroniscloud_service_templates";
const APPLICATIONS: &str = "acroniscloud_service_template_applications";
const ITEMS: &str = "acroniscloud_service_template_offering_items";

/// Template store on a [`Db`] (WHMCS's connection in production).
pub struct SqlTemplates<'d> {
    db: &'d dyn Db,
}

pub(crate) type Tx<T> = std::result::Result<T, TxError<TemplateError>>;

fn db_err(e: DbError) -> TemplateError {
    TemplateError::Other(db_error("Template storage", &e))
}

fn finish<T>(r: Tx<T>) -> TemplateResult<T> {
    r.map_err(|e| match e {
        TxError::Db(e) => db_err(e),
        TxError::Abort(e) => e,
    })
}

fn corrupt(what: &str, value: &str) -> TxError<TemplateError> {
    TxError::Abort(TemplateError::Other(Error::internal(format!(
        "The template tables hold an invalid {what} \"{value}\""
    ))))
}

fn parse_or<T>(
    value: Option<String>,
    parse: fn(&str) -> Option<T>,
    default: T,
    what: &str,
) -> Tx<T> {
    match value {
        None => Ok(default),
        Some(v) => parse(&v).ok_or_else(|| corrupt(what, &v)),
    }
}

fn json_text<T: serde::Serialize>(v: &T) -> Tx<String> {
    serde_json::to_string(v)
        .map_err(|e| TxError::Abort(TemplateError::Other(Error::internal(e.to_string()))))
}

fn editions_of(text: &str) -> Tx<Vec<Edition>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str(text).map_err(|_| corrupt("editions", text))
}

impl<'d> SqlTemplates<'d> {
    /// The store, after making sure the tables are at this code's schema version.
    pub fn open(db: &'d dyn Db) -> crate::infra::error::Result<SqlTemplates<'d>> {
        schema::ready(db)?;
        Ok(SqlTemplates { db })
    }

    fn write<T>(&self, work: impl FnMut(&dyn Db) -> Tx<T>) -> TemplateResult<T> {
        finish(transaction(self.db, work))
    }

    /// Stores a template under a given id (import of an earlier version's file); false when
    /// the id is taken.
    pub fn insert_with_id(
        &self,
        id: i64,
        data: &TemplateData,
        stamps: (&str, &str, Option<&str>),
    ) -> TemplateResult<bool> {
        self.write(|db| {
            if !db
                .query(
                    &format!("SELECT id FROM {TEMPLATES} WHERE id = ?"),
                    &[Value::Int(id)],
                )?
                .is_empty()
            {
                return Ok(false);
            }
            insert_template(db, Some(id), data, stamps)?;
            Ok(true)
        })
    }
}

fn summary_of(r: &Row) -> Tx<TemplateSummary> {
    let kind = r.text("tenant_kind");
    let role = r.text("user_role");
    Ok(TemplateSummary {
        id: r.int("id"),
        name: r.text("name"),
        description: r.text("description"),
        server_id: r.int("server_id"),
        tenant_kind: TenantKind::parse(&kind).ok_or_else(|| corrupt("tenant kind", &kind))?,
        user_role: UserRole::parse(&role).ok_or_else(|| corrupt("user role", &role))?,
    })
}

fn load(db: &dyn Db, id: i64) -> Tx<Option<Template>> {
    let rows = db.query(
        &format!("SELECT * FROM {TEMPLATES} WHERE id = ? AND deleted_at IS NULL"),
        &[Value::Int(id)],
    )?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let summary = summary_of(r)?;
    let packs = match r.opt_text("advanced_packs") {
        None => Vec::new(),
        Some(text) => serde_json::from_str(&text).map_err(|_| corrupt("advanced packs", &text))?,
    };
    Ok(Some(Template {
        id,
        data: TemplateData {
            name: summary.name,
            description: summary.description,
            server_id: summary.server_id,
            tenant_kind: summary.tenant_kind,
            user_role: summary.user_role,
            mode: parse_or(r.opt_text("mode"), Mode::parse, Mode::Production, "mode")?,
            management_mode: parse_or(
                r.opt_text("management_mode"),
                ManagementMode::parse,
                ManagementMode::SelfService,
                "management mode",
            )?,
            two_factor_auth: r.int("two_factor_auth") != 0,
            enhanced_security: r.int("enhanced_security") != 0,
            advanced_packs: packs,
            applications: load_tree(db, id)?,
        },
        created_at: r.text("created_at"),
        updated_at: r.text("updated_at"),
    }))
}

fn load_tree(db: &dyn Db, template_id: i64) -> Tx<Vec<Application>> {
    let apps = db.query(
        &format!("SELECT id, type, status, editions FROM {APPLICATIONS} WHERE template_id = ? ORDER BY id"),
        &[Value::Int(template_id)],
    )?;
    let items = db.query(
        &format!(
            "SELECT i.template_application_id AS app, i.name, i.infra_id, i.status, \
             i.measurement_unit, i.quota_value FROM {ITEMS} i \
             JOIN {APPLICATIONS} a ON a.id = i.template_application_id \
             WHERE a.template_id = ? ORDER BY i.id"
        ),
        &[Value::Int(template_id)],
    )?;
    let mut out = Vec::with_capacity(apps.len());
    for a in &apps {
        let app_id = a.int("id");
        let mut offering_items = Vec::new();
        for i in items.iter().filter(|i| i.int("app") == app_id) {
            let status = i.text("status");
            offering_items.push(OfferingItem {
                name: i.text("name"),
                infra_id: i.opt_text("infra_id"),
                status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?,
                measurement_unit: i.text("measurement_unit"),
                quota_value: i.opt_int("quota_value"),
            });
        }
        let status = a.text("status");
        out.push(Application {
            kind: a.text("type"),
            editions: editions_of(&a.text("editions"))?,
            status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?,
            offering_items,
        });
    }
    Ok(out)
}

fn insert_tree(db: &dyn Db, template_id: i64, apps: &[Application]) -> Tx<()> {
    for app in apps {
        let app_id = db.insert(
            &format!("INSERT INTO {APPLICATIONS} (template_id, type, status, editions) VALUES (?, ?, ?, ?)"),
            &[
                Value::Int(template_id),
                Value::from(&app.kind),
                Value::from(app.status.as_str()),
                Value::from(json_text(&app.editions)?),
            ],
        )?;
        for item in &app.offering_items {
            db.execute(
                &format!(
                    "INSERT INTO {ITEMS} (template_application_id, name, infra_id, status, \
                     measurement_unit, quota_value) VALUES (?, ?, ?, ?, ?, ?)"
                ),
                &[
                    Value::Int(app_id),
                    Value::from(&item.name),
                    Value::from(item.infra_id.clone()),
                    Value::from(item.status.as_str()),
                    Value::from(&item.measurement_unit),
                    Value::from(item.quota_value),
                ],
            )?;
        }
    }
    Ok(())
}

fn settings(data: &TemplateData) -> Tx<Vec<Value>> {
    Ok(vec![
        Value::from(&data.name),
        Value::from(&data.description),
        Value::Int(data.server_id),
        Value::from(data.tenant_kind.as_str()),
        Value::from(data.user_role.as_str()),
        Value::from(data.mode.as_str()),
        Value::from(data.management_mode.as_str()),
        Value::from(data.two_factor_auth),
        Value::from(data.enhanced_security),
        Value::from(json_text(&data.advanced_packs)?),
    ])
}

pub(crate) fn insert_template(
    db: &dyn Db,
    id: Option<i64>,
    data: &TemplateData,
    (created_at, updated_at, deleted_at): (&str, &str, Option<&str>),
) -> Tx<i64> {
    let mut params = settings(data)?;
    params.extend([
        Value::from(created_at),
        Value::from(updated_at),
        Value::from(deleted_at),
    ]);
    let columns = "name, description, server_id, tenant_kind, user_role, mode, management_mode, \
                   two_factor_auth, enhanced_security, advanced_packs, created_at, updated_at, deleted_at";
    let new_id = match id {
        Some(id) => {
            params.push(Value::Int(id));
            db.execute(
                &format!("INSERT INTO {TEMPLATES} ({columns}, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                &params,
            )?;
            id
        }
        None => db.insert(
            &format!("INSERT INTO {TEMPLATES} ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            &params,
        )?,
    };
    insert_tree(db, new_id, &data.applications)?;
    Ok(new_id)
}

fn exists_live(db: &dyn Db, id: i64) -> Tx<bool> {
    Ok(!db
        .query(
            &format!("SELECT id FROM {TEMPLATES} WHERE id = ? AND deleted_at IS NULL"),
            &[Value::Int(id)],
        )?
        .is_empty())
}

/// Deletes a template's applications and their items (explicitly: a 2.x table created
/// without its foreign keys must not keep orphans).
fn delete_tree(db: &dyn Db, id: i64) -> Tx<()> {
    db.execute(
        &format!(
            "DELETE FROM {ITEMS} WHERE template_application_id IN \
             (SELECT id FROM {APPLICATIONS} WHERE template_id = ?)"
        ),
        &[Value::Int(id)],
    )?;
    db.execute(
        &format!("DELETE FROM {APPLICATIONS} WHERE template_id = ?"),
        &[Value::Int(id)],
    )?;
    Ok(())
}

impl TemplateStorage for SqlTemplates<'_> {
    fn list(&self) -> TemplateResult<Vec<TemplateSummary>> {
        let rows = self
            .db
            .query(
                &format!(
                    "SELECT id, name, description, server_id, tenant_kind, user_role FROM {TEMPLATES} \
                     WHERE deleted_at IS NULL ORDER BY id"
                ),
                &[],
            )
            .map_err(db_err)?;
        finish(rows.iter().map(summary_of).collect())
    }

    fn get(&self, id: i64) -> TemplateResult<Option<Template>> {
        finish(load(self.db, id))
    }

    fn create(&self, data: &TemplateData) -> TemplateResult<i64> {
        let ts = now_text();
        self.write(|db| insert_template(db, None, data, (&ts, &ts, None)))
    }

    fn update(&self, id: i64, data: &TemplateData) -> TemplateResult<Template> {
        self.write(|db| {
            if !exists_live(db, id)? {
                return Err(TxError::Abort(TemplateError::NotFound(id)));
            }
            let mut params = settings(data)?;
            params.extend([Value::from(now_text()), Value::Int(id)]);
            db.execute(
                &format!(
                    "UPDATE {TEMPLATES} SET name = ?, description = ?, server_id = ?, tenant_kind = ?, \
                     user_role = ?, mode = ?, management_mode = ?, two_factor_auth = ?, \
                     enhanced_security = ?, advanced_packs = ?, updated_at = ? WHERE id = ?"
                ),
                &params,
            )?;
            delete_tree(db, id)?;
            insert_tree(db, id, &data.applications)?;
            load(db, id)?.ok_or(TxError::Abort(TemplateError::NotFound(id)))
        })
    }

    fn soft_delete(&self, id: i64, used_by_products: &[String]) -> TemplateResult<()> {
        self.write(|db| {
            if !exists_live(db, id)? {
                return Err(TxError::Abort(TemplateError::NotFound(id)));
            }
            if !used_by_products.is_empty() {
                return Err(TxError::Abort(TemplateError::InUse {
                    id,
                    products: used_by_products.to_vec(),
                }));
            }
            db.execute(
                &format!("UPDATE {TEMPLATES} SET deleted_at = ? WHERE id = ?"),
                &[Value::from(now_text()), Value::Int(id)],
            )?;
            Ok(())
        })
    }

    fn copy(&self, id: i64, new_name: &str) -> TemplateResult<i64> {
        let ts = now_text();
        self.write(|db| {
            let mut source = load(db, id)?.ok_or(TxError::Abort(TemplateError::NotFound(id)))?;
            source.data.name = new_name.to_string();
            insert_template(db, None, &source.data, (&ts, &ts, None))
        })
    }

    /// The 2.x rows are this store's own rows now: nothing to copy. Kept for callers that
    /// still hand them over; reports every template as already present.
    fn import_reference(&self, rows: &ReferenceRows) -> TemplateResult<ImportReport> {
        Ok(ImportReport {
            imported: Vec::new(),
            skipped: rows.templates.iter().map(|t| t.id).collect(),
        })
    }
}
