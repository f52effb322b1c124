//! The trail in the WHMCS database (`acroniscloud_audit`), next to the service data it
//! describes, so a database backup carries it. Also the stored owner of each service
//! (`acroniscloud_service_owners`), which tells the module that WHMCS moved a service to
//! another client.

use super::{clean, Entry, Recorder};
use crate::infra::error::Result;
use crate::infra::storage::{map_db, schema, Db, Dialect, Row, Value};
use serde::Serialize;

const TABLE: &str = "acroniscloud_audit";
const OWNERS: &str = "acroniscloud_service_owners";

/// Entries per page of the admin service tab and the `audit` JSON action.
pub const PAGE_SIZE: i64 = 20;

/// One stored entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stored {
    pub id: i64,
    pub service_id: i64,
    /// Unix seconds.
    pub at: i64,
    pub actor: String,
    pub admin_id: i64,
    pub action: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
    pub result: String,
}

/// One page of a service's trail, latest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    pub service_id: i64,
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub entries: Vec<Stored>,
}

/// The trail on a [`Db`].
pub struct SqlAudit<'d> {
    db: &'d dyn Db,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn json_of(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or(serde_json::Value::Null)
}

impl<'d> SqlAudit<'d> {
    pub fn open(db: &'d dyn Db) -> Result<SqlAudit<'d>> {
        schema::ready(db)?;
        Ok(SqlAudit { db })
    }

    /// Writes `entry` stamped `at` (unix seconds).
    pub fn record_at(&self, entry: &Entry, at: i64) -> Result<()> {
        self.db
            .insert(
                &format!(
                    "INSERT INTO {TABLE} (service_id, created_at, actor, admin_id, action, \
                     before_json, after_json, state_json, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                &[
                    Value::Int(entry.service_id),
                    Value::Int(at),
                    Value::from(cut(&entry.actor.action, 64)),
                    Value::Int(entry.actor.admin_id),
                    Value::from(cut(&entry.action, 32)),
                    Value::from(clean(&entry.before).to_string()),
                    Value::from(clean(&entry.after).to_string()),
                    Value::from(clean(&entry.state).to_string()),
                    Value::from(crate::infra::masking::mask_text(&entry.result)),
                ],
            )
            .map_err(map_db("Writing the audit trail"))?;
        Ok(())
    }

    /// The first row `sql` (one `?`: the service id) answers; `reading` names the step in a
    /// database error.
    fn first_row(&self, sql: &str, service_id: i64, reading: &'static str) -> Result<Option<Row>> {
        Ok(self
            .db
            .query(sql, &[Value::Int(service_id)])
            .map_err(map_db(reading))?
            .into_iter()
            .next())
    }

    /// Page `page` (1-based; out of range gives the nearest page) of a service's entries,
    /// latest first.
    pub fn page(&self, service_id: i64, page: i64) -> Result<Page> {
        let total = self
            .first_row(
                &format!("SELECT COUNT(*) AS n FROM {TABLE} WHERE service_id = ?"),
                service_id,
                "Reading the audit trail",
            )?
            .map_or(0, |r| r.int("n"));
        let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        let page = page.clamp(1, pages);
        let rows = self
            .db
            .query(
                &format!(
                    "SELECT id, service_id, created_at, actor, admin_id, action, before_json, \
                     after_json, result FROM {TABLE} WHERE service_id = ? \
                     ORDER BY created_at DESC, id DESC LIMIT {PAGE_SIZE} OFFSET {}",
                    (page - 1) * PAGE_SIZE
                ),
                &[Value::Int(service_id)],
            )
            .map_err(map_db("Reading the audit trail"))?;
        let entries = rows
            .iter()
            .map(|r| Stored {
                id: r.int("id"),
                service_id: r.int("service_id"),
                at: r.int("created_at"),
                actor: r.text("actor"),
                admin_id: r.int("admin_id"),
                action: r.text("action"),
                before: json_of(&r.text("before_json")),
                after: json_of(&r.text("after_json")),
                result: r.text("result"),
            })
            .collect();
        Ok(Page {
            service_id,
            page,
            pages,
            total,
            entries,
        })
    }

    /// The daily cron's pruning: entries older than `audit.retention_days` go.
    pub fn prune_expired(&self, config: &crate::infra::config_yaml::Config) -> Result<u64> {
        self.prune(config.audit.retention_days, now())
    }

    /// Deletes entries older than `retention_days` (0 keeps everything); returns how many.
    pub fn prune(&self, retention_days: u32, now: i64) -> Result<u64> {
        if retention_days == 0 {
            return Ok(0);
        }
        let cutoff = now - i64::from(retention_days) * 86_400;
        self.db
            .execute(
                &format!("DELETE FROM {TABLE} WHERE created_at < ?"),
                &[Value::Int(cutoff)],
            )
            .map_err(map_db("Pruning the audit trail"))
    }

    /// The WHMCS client the module last saw owning `service_id`.
    pub fn stored_owner(&self, service_id: i64) -> Result<Option<i64>> {
        Ok(self
            .first_row(
                &format!("SELECT client_id FROM {OWNERS} WHERE service_id = ?"),
                service_id,
                "Reading the service owners",
            )?
            .map(|r| r.int("client_id")))
    }

    /// Remembers that `client_id` owns `service_id`.
    pub fn store_owner(&self, service_id: i64, client_id: i64) -> Result<()> {
        let sql = match self.db.dialect() {
            Dialect::MySql => format!(
                "INSERT INTO {OWNERS} (service_id, client_id, updated_at) VALUES (?, ?, ?) \
                 ON DUPLICATE KEY UPDATE client_id = VALUES(client_id), updated_at = VALUES(updated_at)"
            ),
            Dialect::Sqlite => format!(
                "INSERT INTO {OWNERS} (service_id, client_id, updated_at) VALUES (?, ?, ?) \
                 ON CONFLICT (service_id) DO UPDATE SET client_id = excluded.client_id, updated_at = excluded.updated_at"
            ),
        };
        self.db
            .execute(
                &sql,
                &[
                    Value::Int(service_id),
                    Value::Int(client_id),
                    Value::Int(now()),
                ],
            )
            .map_err(map_db("Writing the service owners"))?;
        Ok(())
    }
}

impl Recorder for SqlAudit<'_> {
    fn record(&self, entry: &Entry) -> Result<()> {
        self.record_at(entry, now())
    }

    fn owner(&self, service_id: i64) -> Result<Option<i64>> {
        self.stored_owner(service_id)
    }

    fn set_owner(&self, service_id: i64, client_id: i64) -> Result<()> {
        self.store_owner(service_id, client_id)
    }

    fn last_state(&self, service_id: i64) -> Result<Option<serde_json::Value>> {
        Ok(self
            .first_row(
                &format!(
                    "SELECT state_json FROM {TABLE} WHERE service_id = ? \
                     ORDER BY created_at DESC, id DESC LIMIT 1"
                ),
                service_id,
                "Reading the audit trail",
            )?
            .map(|r| json_of(&r.text("state_json")))
            .filter(|v| v.is_object()))
    }
}

/// At most `max` characters (column widths).
fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::super::Actor;
    use super::*;
    use crate::infra::storage::sqlite::SqliteDb;
    use serde_json::json;

    fn entry(service_id: i64, action: &str) -> Entry {
        Entry {
            service_id,
            actor: Actor::new("CreateAccount", 0),
            action: action.into(),
            before: json!({"cloud_password": "old-Secret1"}),
            after: json!({"cloud_password": "new-Secret2", "tenant_id": "t"}),
            state: json!({"tenant_id": "t", "cloud_password": "new-Secret2"}),
            result: "success".into(),
        }
    }

    #[test]
    fn pages_are_latest_first_and_secrets_never_stored() {
        let db = SqliteDb::memory().unwrap();
        let audit = SqlAudit::open(&db).unwrap();
        for i in 0..25 {
            audit
                .record_at(&entry(7, &format!("a{i}")), 1000 + i)
                .unwrap();
        }
        audit.record_at(&entry(8, "other"), 5000).unwrap();
        let first = audit.page(7, 1).unwrap();
        assert_eq!((first.total, first.pages, first.entries.len()), (25, 2, 20));
        assert_eq!(first.entries[0].action, "a24");
        let last = audit.page(7, 99).unwrap();
        assert_eq!((last.page, last.entries.len()), (2, 5));
        assert_eq!(last.entries[4].action, "a0");
        assert_eq!(audit.last_state(7).unwrap().unwrap()["tenant_id"], "t");
        assert_eq!(audit.last_state(9).unwrap(), None);
        let raw = db.query("SELECT * FROM acroniscloud_audit", &[]).unwrap();
        let dump = format!("{raw:?}");
        assert!(
            !dump.contains("Secret1") && !dump.contains("Secret2"),
            "{dump}"
        );
    }

    #[test]
    fn prune_keeps_recent_entries() {
        let db = SqliteDb::memory().unwrap();
        let audit = SqlAudit::open(&db).unwrap();
        audit.record_at(&entry(1, "old"), 0).unwrap();
        audit.record_at(&entry(1, "new"), 100 * 86_400).unwrap();
        assert_eq!(audit.prune(0, 100 * 86_400).unwrap(), 0);
        assert_eq!(audit.prune(30, 100 * 86_400).unwrap(), 1);
        assert_eq!(audit.page(1, 1).unwrap().entries[0].action, "new");
    }

    #[test]
    fn owners_are_remembered_and_replaced() {
        let db = SqliteDb::memory().unwrap();
        let audit = SqlAudit::open(&db).unwrap();
        assert_eq!(audit.owner(3).unwrap(), None);
        audit.set_owner(3, 10).unwrap();
        audit.set_owner(3, 11).unwrap();
        assert_eq!(audit.owner(3).unwrap(), Some(11));
    }
}
