//! SQLite [`ProgressStore`]: table `provisioning_progress` in the template database file
//! (migration 2 of `templates::migrations`), so one file holds everything the module keeps.
//! Writes are delete + insert in one `IMMEDIATE` transaction (portable: no upsert dialect).

use super::progress::{Progress, ProgressStore, Step};
use crate::error::{Error, Result};
use crate::templates::SqliteStorage;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;
use std::sync::Mutex;

/// Progress records next to the templates.
pub struct SqliteProgress {
    conn: Mutex<Connection>,
}

fn db_err(e: rusqlite::Error) -> Error {
    Error::internal(format!("Provisioning progress database error: {e}"))
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

impl SqliteProgress {
    /// Opens the template database at `path` (creating and migrating it like the template
    /// store does).
    pub fn open(path: &Path) -> Result<SqliteProgress> {
        let conn = SqliteStorage::open(path)?.into_connection()?;
        Ok(SqliteProgress {
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut guard = self
            .conn
            .lock()
            .map_err(|_| Error::internal("provisioning progress lock poisoned"))?;
        f(&mut guard)
    }
}

impl ProgressStore for SqliteProgress {
    fn get(&self, service_id: i64) -> Result<Option<Progress>> {
        self.with(|conn| {
            let row = conn
                .query_row(
                    "SELECT server_id, template_id, tenant_id, user_id, step, option_groups, \
                     module_tenant FROM provisioning_progress WHERE service_id = ?1",
                    params![service_id],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, String>(4)?,
                            r.get::<_, String>(5)?,
                            r.get::<_, i64>(6)?,
                        ))
                    },
                )
                .optional()
                .map_err(db_err)?;
            let Some((server_id, template_id, tenant_id, user_id, step, groups, module_tenant)) =
                row
            else {
                return Ok(None);
            };
            let step = Step::parse(&step).ok_or_else(|| {
                Error::internal(format!(
                    "Unknown provisioning step \"{step}\" stored for the service {service_id}."
                ))
            })?;
            Ok(Some(Progress {
                service_id,
                server_id,
                template_id,
                tenant_id,
                user_id,
                step,
                option_groups: groups_of(&groups),
                module_tenant: module_tenant != 0,
            }))
        })
    }

    fn put(&self, p: &Progress) -> Result<()> {
        self.with(|conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db_err)?;
            tx.execute(
                "DELETE FROM provisioning_progress WHERE service_id = ?1",
                params![p.service_id],
            )
            .map_err(db_err)?;
            tx.execute(
                "INSERT INTO provisioning_progress \
                 (service_id, server_id, template_id, tenant_id, user_id, step, option_groups, module_tenant, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    p.service_id,
                    p.server_id,
                    p.template_id,
                    p.tenant_id,
                    p.user_id,
                    p.step.as_str(),
                    groups_text(&p.option_groups),
                    i64::from(p.module_tenant),
                    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string(),
                ],
            )
            .map_err(db_err)?;
            tx.commit().map_err(db_err)
        })
    }

    fn remove(&self, service_id: i64) -> Result<()> {
        self.with(|conn| {
            conn.execute(
                "DELETE FROM provisioning_progress WHERE service_id = ?1",
                params![service_id],
            )
            .map(|_| ())
            .map_err(db_err)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_are_removed() {
        let dir = std::env::temp_dir().join(format!(
            "acroniscloud-progress-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        let path = dir.join("templates.sqlite");
        let store = SqliteProgress::open(&path).unwrap();
        assert_eq!(store.get(45).unwrap(), None);
        let mut p = Progress {
            service_id: 45,
            server_id: 1,
            template_id: 7,
            tenant_id: "t".into(),
            user_id: String::new(),
            step: Step::TenantCreated,
            option_groups: vec![3, 9],
            module_tenant: true,
        };
        store.put(&p).unwrap();
        assert_eq!(store.get(45).unwrap().as_ref(), Some(&p));
        p.step = Step::Done;
        p.option_groups.clear();
        p.module_tenant = false;
        store.put(&p).unwrap();
        assert_eq!(store.get(45).unwrap().as_ref(), Some(&p));
        // The templates of the same file still work.
        let templates = SqliteStorage::open(&path).unwrap();
        assert!(crate::templates::TemplateStorage::list(&templates)
            .unwrap()
            .is_empty());
        store.remove(45).unwrap();
        store.remove(45).unwrap();
        assert_eq!(store.get(45).unwrap(), None);
        let _ = std::fs::remove_dir_all(dir);
    }
}
