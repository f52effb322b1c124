//! [`ProgressStore`] in the WHMCS database (`acroniscloud_provisioning_progress`), so a
//! database backup or a move to another server carries the records with the services.
//! A write replaces the service's row in one transaction (delete + insert: the same SQL on
//! both dialects), retried on deadlock.

use super::progress::{Progress, ProgressStore, Step};
use crate::infra::error::{Error, Result};
use crate::infra::storage::{map_db, now_text, schema, transaction, Db, TxError, Value};

const TABLE: &str = "acroniscloud_provisioning_progress";

/// Progress records on a [`Db`].
pub struct SqlProgress<'d> {
    db: &'d dyn Db,
}

fn groups_text(groups: &[i64]) -> String {
    groups
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn groups_of(text: &str) -> Vec<i64> {
    text.split(',')
        .filter_map(|g| g.trim().parse().ok())
        .collect()
}

impl<'d> SqlProgress<'d> {
    pub fn open(db: &'d dyn Db) -> Result<SqlProgress<'d>> {
        schema::ready(db)?;
        Ok(SqlProgress { db })
    }
}

impl ProgressStore for SqlProgress<'_> {
    fn get(&self, service_id: i64) -> Result<Option<Progress>> {
        let rows = self
            .db
            .query(
                &format!(
                    "SELECT server_id, template_id, tenant_id, user_id, step, option_groups, \
                     module_tenant FROM {TABLE} WHERE service_id = ?"
                ),
                &[Value::Int(service_id)],
            )
            .map_err(map_db("Provisioning progress"))?;
        let Some(r) = rows.first() else {
            return Ok(None);
        };
        let step_text = r.text("step");
        let step = Step::parse(&step_text).ok_or_else(|| {
            Error::internal(format!(
                "Unknown provisioning step \"{step_text}\" stored for the service {service_id}."
            ))
        })?;
        Ok(Some(Progress {
            service_id,
            server_id: r.int("server_id"),
            template_id: r.int("template_id"),
            tenant_id: r.text("tenant_id"),
            user_id: r.text("user_id"),
            step,
            option_groups: groups_of(&r.text("option_groups")),
            module_tenant: r.int("module_tenant") != 0,
        }))
    }

    fn put(&self, p: &Progress) -> Result<()> {
        let params = [
            Value::Int(p.service_id),
            Value::Int(p.server_id),
            Value::Int(p.template_id),
            Value::from(&p.tenant_id),
            Value::from(&p.user_id),
            Value::from(p.step.as_str()),
            Value::from(groups_text(&p.option_groups)),
            Value::from(p.module_tenant),
            Value::from(now_text()),
        ];
        transaction(self.db, |db| {
            db.execute(&format!("DELETE FROM {TABLE} WHERE service_id = ?"), &[Value::Int(p.service_id)])?;
            db.execute(
                &format!(
                    "INSERT INTO {TABLE} (service_id, server_id, template_id, tenant_id, user_id, \
                     step, option_groups, module_tenant, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                &params,
            )?;
            Ok::<_, TxError>(())
        })
        .map_err(|e| e.into_error("Provisioning progress"))
    }

    fn remove(&self, service_id: i64) -> Result<()> {
        self.db
            .execute(
                &format!("DELETE FROM {TABLE} WHERE service_id = ?"),
                &[Value::Int(service_id)],
            )
            .map(|_| ())
            .map_err(map_db("Provisioning progress"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::storage::sqlite::SqliteDb;

    #[test]
    fn records_round_trip_and_are_removed() {
        let db = SqliteDb::memory().unwrap();
        let store = SqlProgress::open(&db).unwrap();
        let mut p = Progress {
            service_id: 45,
            server_id: 1,
            template_id: 3,
            tenant_id: "t".into(),
            user_id: String::new(),
            step: Step::TenantCreated,
            option_groups: vec![2, 7],
            module_tenant: true,
        };
        store.put(&p).unwrap();
        p.step = Step::Done;
        store.put(&p).unwrap();
        assert_eq!(store.get(45).unwrap(), Some(p));
        store.remove(45).unwrap();
        assert_eq!(store.get(45).unwrap(), None);
    }
}
