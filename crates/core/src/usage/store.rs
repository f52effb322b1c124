//! The usage store: report rows (one per server and UTC day, with the lease that keeps two
//! cron runs from working on the same report) and per-tenant daily values. A SQLite file of its
//! own next to the template database: it grows with the number of tenants and days, and the
//! template database is integrity-checked on every open, which this file must not slow down.

use super::status::ReportStatus;
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Schema versions (`PRAGMA user_version`); append, never edit.
const MIGRATIONS: &[&str] = &[
    // 1: reports and per-tenant days.
    "CREATE TABLE usage_reports (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        server_id INTEGER NOT NULL,
        date TEXT NOT NULL,
        status INTEGER NOT NULL DEFAULT 1,
        report_id TEXT NULL,
        stored_report_id TEXT NULL,
        file_path TEXT NULL,
        rows_read INTEGER NOT NULL DEFAULT 0,
        bad_rows INTEGER NOT NULL DEFAULT 0,
        tenants INTEGER NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '',
        last_poll_at INTEGER NOT NULL DEFAULT 0,
        aggregated_at INTEGER NOT NULL DEFAULT 0,
        lease_owner TEXT NULL,
        lease_until INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX usage_reports_live ON usage_reports(server_id, date) WHERE status <> 6;
    CREATE TABLE usage_tenant_days (
        tenant_id TEXT NOT NULL,
        date TEXT NOT NULL,
        server_id INTEGER NOT NULL,
        report_row INTEGER NOT NULL,
        metrics TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, date)
    ) WITHOUT ROWID;
    CREATE INDEX usage_tenant_days_date ON usage_tenant_days(date, server_id);",
];

/// How long a claimed report stays reserved without a renewal (a crashed run's lease expires).
pub const LEASE_SECONDS: i64 = 300;

/// One report row.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub id: i64,
    pub server_id: i64,
    pub date: String,
    pub status: ReportStatus,
    pub report_id: Option<String>,
    pub stored_report_id: Option<String>,
    pub file_path: Option<String>,
    pub rows_read: i64,
    pub bad_rows: i64,
    pub tenants: i64,
    pub failures: i64,
    pub message: String,
    pub last_poll_at: i64,
    /// When the file's values were stored per tenant (0 = not yet).
    pub aggregated_at: i64,
}

/// Fields a step changes; `None` leaves the column as it is.
#[derive(Debug, Clone, Default)]
pub struct RowUpdate {
    pub status: Option<ReportStatus>,
    pub report_id: Option<Option<String>>,
    pub stored_report_id: Option<Option<String>>,
    pub file_path: Option<Option<String>>,
    pub counts: Option<(i64, i64, i64)>,
    pub failures: Option<i64>,
    pub message: Option<String>,
    pub last_poll_at: Option<i64>,
}

/// Outcome of [`UsageStore::claim`].
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    Claimed(ReportRow),
    /// Another run holds the report until the given Unix time.
    Busy(ReportRow, i64),
}

/// A tenant's values of one day: raw metric values (bytes, seconds, counts).
#[derive(Debug, Clone, PartialEq)]
pub struct TenantDay {
    pub tenant_id: String,
    pub date: String,
    pub updated_at: i64,
    pub metrics: Vec<(String, f64)>,
}

pub struct UsageStore {
    conn: Connection,
    path: PathBuf,
}

fn db_err(e: rusqlite::Error) -> Error {
    Error::internal(format!("Usage database error: {e}"))
}

fn now_text() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

const ROW_COLUMNS: &str = "id, server_id, date, status, report_id, stored_report_id, file_path, \
    rows_read, bad_rows, tenants, failures, message, last_poll_at, aggregated_at";

fn row_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReportRow> {
    Ok(ReportRow {
        id: r.get(0)?,
        server_id: r.get(1)?,
        date: r.get(2)?,
        status: ReportStatus::from_code(r.get(3)?),
        report_id: r.get(4)?,
        stored_report_id: r.get(5)?,
        file_path: r.get(6)?,
        rows_read: r.get(7)?,
        bad_rows: r.get(8)?,
        tenants: r.get(9)?,
        failures: r.get(10)?,
        message: r.get(11)?,
        last_poll_at: r.get(12)?,
        aggregated_at: r.get(13)?,
    })
}

/// `{"metric": value, …}` as stored (JSON: compact and readable with the sqlite3 shell).
fn metrics_json(metrics: &[(&str, f64)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = metrics
        .iter()
        .map(|(m, v)| ((*m).to_string(), serde_json::json!(v)))
        .collect();
    serde_json::Value::Object(map).to_string()
}

fn metrics_of(text: &str) -> Vec<(String, f64)> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .filter_map(|(k, v)| v.as_f64().map(|f| (k, f)))
            .collect(),
        _ => Vec::new(),
    }
}

impl UsageStore {
    /// Opens (creating the file, its directory and the schema when missing).
    pub fn open(path: &Path) -> Result<UsageStore> {
        let shown = path.display().to_string();
        let dir = crate::templates::sqlite::database_dir(path, "usage database")?;
        let conn = Connection::open(path).map_err(|e| {
            Error::config(format!(
                "Cannot open the usage database {shown}: {e}. Check that the web server and cron \
                 users can write to {}.",
                dir.display()
            ))
        })?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|e| Error::internal(format!("Cannot configure {shown}: {e}")))?;
        crate::templates::sqlite::switch_to_wal(&conn, Duration::from_secs(10)).map_err(|e| {
            Error::config(format!(
                "Cannot use the usage database {shown}: {e}. Check that the file is an SQLite \
                 database and that {} is writable.",
                dir.display()
            ))
        })?;
        let mut store = UsageStore {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn migrate(&mut self) -> Result<()> {
        let shown = self.path.display().to_string();
        crate::templates::migrations::run(&mut self.conn, MIGRATIONS, &shown, "usage database")
    }

    /// The live row (status ≠ Erased) of `(server, date)`, created as New when missing, and
    /// reserved for `owner` until `now + LEASE_SECONDS` unless another owner's lease runs.
    pub fn claim(&mut self, server_id: i64, date: &str, owner: &str, now: i64) -> Result<Claim> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err)?;
        let sql = format!(
            "SELECT {ROW_COLUMNS}, lease_owner, lease_until FROM usage_reports \
             WHERE server_id = ?1 AND date = ?2 AND status <> 6"
        );
        let found = tx
            .query_row(&sql, params![server_id, date], |r| {
                Ok((
                    row_of(r)?,
                    r.get::<_, Option<String>>(14)?,
                    r.get::<_, i64>(15)?,
                ))
            })
            .optional()
            .map_err(db_err)?;
        let row = match found {
            Some((row, lease_owner, lease_until)) => {
                if lease_until > now && lease_owner.as_deref().is_some_and(|o| o != owner) {
                    return Ok(Claim::Busy(row, lease_until));
                }
                row
            }
            None => {
                let at = now_text();
                tx.execute(
                    "INSERT INTO usage_reports (server_id, date, status, created_at, updated_at) \
                     VALUES (?1, ?2, 1, ?3, ?3)",
                    params![server_id, date, at],
                )
                .map_err(db_err)?;
                let id = tx.last_insert_rowid();
                tx.query_row(
                    &format!("SELECT {ROW_COLUMNS} FROM usage_reports WHERE id = ?1"),
                    params![id],
                    row_of,
                )
                .map_err(db_err)?
            }
        };
        tx.execute(
            "UPDATE usage_reports SET lease_owner = ?1, lease_until = ?2 WHERE id = ?3",
            params![owner, now + LEASE_SECONDS, row.id],
        )
        .map_err(db_err)?;
        tx.commit().map_err(db_err)?;
        Ok(Claim::Claimed(row))
    }

    /// Extends `owner`'s lease (long downloads); false when the lease was lost.
    pub fn renew(&mut self, row_id: i64, owner: &str, now: i64) -> Result<bool> {
        let n = self
            .conn
            .execute(
                "UPDATE usage_reports SET lease_until = ?1 WHERE id = ?2 AND lease_owner = ?3",
                params![now + LEASE_SECONDS, row_id, owner],
            )
            .map_err(db_err)?;
        Ok(n == 1)
    }

    /// Ends `owner`'s lease.
    pub fn release(&mut self, row_id: i64, owner: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE usage_reports SET lease_owner = NULL, lease_until = 0 \
                 WHERE id = ?1 AND lease_owner = ?2",
                params![row_id, owner],
            )
            .map_err(db_err)?;
        Ok(())
    }

    /// Applies a step's result to the row and returns the row as stored.
    pub fn update(&mut self, row_id: i64, u: &RowUpdate) -> Result<ReportRow> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err)?;
        Self::apply(&tx, row_id, u)?;
        let row = tx
            .query_row(
                &format!("SELECT {ROW_COLUMNS} FROM usage_reports WHERE id = ?1"),
                params![row_id],
                row_of,
            )
            .map_err(db_err)?;
        tx.commit().map_err(db_err)?;
        Ok(row)
    }

    fn apply(tx: &rusqlite::Transaction<'_>, row_id: i64, u: &RowUpdate) -> Result<()> {
        let at = now_text();
        let exec = |sql: &str, value: &dyn rusqlite::ToSql| -> Result<()> {
            tx.execute(sql, params![value, at, row_id])
                .map(|_| ())
                .map_err(db_err)
        };
        if let Some(s) = u.status {
            exec(
                "UPDATE usage_reports SET status = ?1, updated_at = ?2 WHERE id = ?3",
                &s.code(),
            )?;
        }
        if let Some(v) = &u.report_id {
            exec(
                "UPDATE usage_reports SET report_id = ?1, updated_at = ?2 WHERE id = ?3",
                v,
            )?;
        }
        if let Some(v) = &u.stored_report_id {
            exec(
                "UPDATE usage_reports SET stored_report_id = ?1, updated_at = ?2 WHERE id = ?3",
                v,
            )?;
        }
        if let Some(v) = &u.file_path {
            exec(
                "UPDATE usage_reports SET file_path = ?1, updated_at = ?2 WHERE id = ?3",
                v,
            )?;
        }
        if let Some((rows, bad, tenants)) = u.counts {
            tx.execute(
                "UPDATE usage_reports SET rows_read = ?1, bad_rows = ?2, tenants = ?3, \
                 updated_at = ?4 WHERE id = ?5",
                params![rows, bad, tenants, at, row_id],
            )
            .map_err(db_err)?;
        }
        if let Some(v) = u.failures {
            exec(
                "UPDATE usage_reports SET failures = ?1, updated_at = ?2 WHERE id = ?3",
                &v,
            )?;
        }
        if let Some(v) = &u.message {
            exec(
                "UPDATE usage_reports SET message = ?1, updated_at = ?2 WHERE id = ?3",
                v,
            )?;
        }
        if let Some(v) = u.last_poll_at {
            exec(
                "UPDATE usage_reports SET last_poll_at = ?1, updated_at = ?2 WHERE id = ?3",
                &v,
            )?;
        }
        Ok(())
    }

    /// Replaces the values of `(server, date)` by `tenants` and marks the row downloaded and
    /// aggregated with its counts, in one transaction: readers see the old or the new day, never half of it.
    /// Values of other servers and other days are untouched.
    pub fn store_day<'a>(
        &mut self,
        row: &ReportRow,
        tenants: impl Iterator<Item = (&'a str, Vec<(&'a str, f64)>)>,
        counts: (i64, i64, i64),
        file_path: &str,
        message: &str,
        now: i64,
    ) -> Result<ReportRow> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err)?;
        tx.execute(
            "DELETE FROM usage_tenant_days WHERE date = ?1 AND server_id = ?2",
            params![row.date, row.server_id],
        )
        .map_err(db_err)?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO usage_tenant_days \
                     (tenant_id, date, server_id, report_row, metrics, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                     ON CONFLICT (tenant_id, date) DO UPDATE SET server_id = excluded.server_id, \
                     report_row = excluded.report_row, metrics = excluded.metrics, \
                     updated_at = excluded.updated_at",
                )
                .map_err(db_err)?;
            for (tenant, metrics) in tenants {
                insert
                    .execute(params![
                        tenant,
                        row.date,
                        row.server_id,
                        row.id,
                        metrics_json(&metrics),
                        now
                    ])
                    .map_err(db_err)?;
            }
        }
        Self::apply(
            &tx,
            row.id,
            &RowUpdate {
                status: Some(ReportStatus::Downloaded),
                file_path: Some(Some(file_path.to_string())),
                counts: Some(counts),
                failures: Some(0),
                message: Some(message.to_string()),
                ..RowUpdate::default()
            },
        )?;
        tx.execute(
            "UPDATE usage_reports SET aggregated_at = ?1 WHERE id = ?2",
            params![now, row.id],
        )
        .map_err(db_err)?;
        let stored = tx
            .query_row(
                &format!("SELECT {ROW_COLUMNS} FROM usage_reports WHERE id = ?1"),
                params![row.id],
                row_of,
            )
            .map_err(db_err)?;
        tx.commit().map_err(db_err)?;
        Ok(stored)
    }

    /// Every row, newest first (view-list).
    pub fn rows(&self) -> Result<Vec<ReportRow>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {ROW_COLUMNS} FROM usage_reports ORDER BY date DESC, server_id, id DESC"
            ))
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], row_of)
            .and_then(|r| r.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(db_err)?;
        Ok(rows)
    }

    /// Rows of `date` (any server) that are downloaded but not aggregated.
    pub fn rows_of_day(&self, date: &str) -> Result<Vec<ReportRow>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {ROW_COLUMNS} FROM usage_reports WHERE date = ?1 AND status <> 6 ORDER BY id"
            ))
            .map_err(db_err)?;
        let rows = stmt
            .query_map(params![date], row_of)
            .and_then(|r| r.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(db_err)?;
        Ok(rows)
    }

    /// Rows to erase: `(date ≤ cutoff OR status = To be deleted) AND status ≠ Erased` (J.2 #6).
    pub fn rows_to_erase(&self, cutoff: Option<&str>) -> Result<Vec<ReportRow>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {ROW_COLUMNS} FROM usage_reports \
                 WHERE ((?1 IS NOT NULL AND date <= ?1) OR status = 7) AND status <> 6 ORDER BY id"
            ))
            .map_err(db_err)?;
        let rows = stmt
            .query_map(params![cutoff], row_of)
            .and_then(|r| r.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(db_err)?;
        Ok(rows)
    }

    /// Deletes per-tenant values of days before `before` (exclusive); returns the count.
    pub fn delete_days_before(&mut self, before: &str) -> Result<i64> {
        let n = self
            .conn
            .execute(
                "DELETE FROM usage_tenant_days WHERE date < ?1",
                params![before],
            )
            .map_err(db_err)?;
        Ok(n as i64)
    }

    /// Empties both tables; returns `(report rows, tenant rows)`.
    pub fn flush(&mut self) -> Result<(i64, i64)> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err)?;
        let reports = tx
            .execute("DELETE FROM usage_reports", [])
            .map_err(db_err)?;
        let days = tx
            .execute("DELETE FROM usage_tenant_days", [])
            .map_err(db_err)?;
        tx.commit().map_err(db_err)?;
        Ok((reports as i64, days as i64))
    }

    /// A tenant's latest day on or before `date`.
    pub fn latest_day(&self, tenant_id: &str, date: &str) -> Result<Option<TenantDay>> {
        Ok(self.tenant_days(tenant_id, date, 1)?.into_iter().next())
    }

    /// A tenant's days on or before `date`, newest first, at most `limit` (one indexed range
    /// read; the statement is cached because usage() asks once per tenant).
    pub fn tenant_days(&self, tenant_id: &str, date: &str, limit: i64) -> Result<Vec<TenantDay>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT date, metrics, updated_at FROM usage_tenant_days \
                 WHERE tenant_id = ?1 AND date <= ?2 ORDER BY date DESC LIMIT ?3",
            )
            .map_err(db_err)?;
        let rows = stmt
            .query_map(params![tenant_id, date, limit], |r| {
                Ok(TenantDay {
                    tenant_id: tenant_id.to_string(),
                    date: r.get(0)?,
                    metrics: metrics_of(&r.get::<_, String>(1)?),
                    updated_at: r.get(2)?,
                })
            })
            .and_then(|r| r.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(db_err)?;
        Ok(rows)
    }

    /// Every tenant's values of one day, in tenant order.
    pub fn day(&self, date: &str) -> Result<Vec<TenantDay>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT tenant_id, metrics, updated_at FROM usage_tenant_days \
                 WHERE date = ?1 ORDER BY tenant_id",
            )
            .map_err(db_err)?;
        let rows = stmt
            .query_map(params![date], |r| {
                Ok(TenantDay {
                    tenant_id: r.get(0)?,
                    date: date.to_string(),
                    metrics: metrics_of(&r.get::<_, String>(1)?),
                    updated_at: r.get(2)?,
                })
            })
            .and_then(|r| r.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(db_err)?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store() -> (UsageStore, PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "usage-store-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let store = UsageStore::open(&dir.join("usage.sqlite")).unwrap();
        (store, dir)
    }

    #[test]
    fn a_lease_blocks_other_owners_until_it_expires_or_is_released() {
        let (mut s, dir) = temp_store();
        let Claim::Claimed(row) = s.claim(1, "2024-05-31", "a", 1000).unwrap() else {
            panic!("first claim")
        };
        assert_eq!(row.status, ReportStatus::New);
        assert!(matches!(
            s.claim(1, "2024-05-31", "b", 1000 + LEASE_SECONDS - 1).unwrap(),
            Claim::Busy(_, until) if until == 1000 + LEASE_SECONDS
        ));
        // The same owner may claim again; another owner after expiry.
        assert!(matches!(
            s.claim(1, "2024-05-31", "a", 1001).unwrap(),
            Claim::Claimed(_)
        ));
        assert!(matches!(
            s.claim(1, "2024-05-31", "b", 1001 + LEASE_SECONDS).unwrap(),
            Claim::Claimed(r) if r.id == row.id
        ));
        s.release(row.id, "b").unwrap();
        assert!(matches!(
            s.claim(1, "2024-05-31", "c", 1002).unwrap(),
            Claim::Claimed(_)
        ));
        // Another server or day is another row.
        let Claim::Claimed(other) = s.claim(2, "2024-05-31", "c", 1002).unwrap() else {
            panic!("other server")
        };
        assert_ne!(other.id, row.id);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_day_is_replaced_per_server_and_read_back_latest_first() {
        let (mut s, dir) = temp_store();
        let row_of = |server: i64, date: &str, s: &mut UsageStore| match s
            .claim(server, date, "x", 1)
            .unwrap()
        {
            Claim::Claimed(r) | Claim::Busy(r, _) => r,
        };
        let r1 = row_of(1, "2024-05-30", &mut s);
        s.store_day(
            &r1,
            vec![("t1", vec![("pw_vms", 1.0)])].into_iter(),
            (1, 0, 1),
            "f",
            "m",
            5,
        )
        .unwrap();
        let r2 = row_of(1, "2024-05-31", &mut s);
        s.store_day(
            &r2,
            vec![("t1", vec![("pw_vms", 2.0)]), ("t2", vec![("pw_vms", 3.0)])].into_iter(),
            (2, 0, 2),
            "f",
            "m",
            6,
        )
        .unwrap();
        // Another server's report of the same day adds its tenants, keeps the others.
        let r3 = row_of(2, "2024-05-31", &mut s);
        s.store_day(
            &r3,
            vec![("t3", vec![("pw_vms", 4.0)])].into_iter(),
            (1, 0, 1),
            "f",
            "m",
            7,
        )
        .unwrap();
        assert_eq!(s.day("2024-05-31").unwrap().len(), 3);
        // Re-aggregating server 1 replaces only its own tenants.
        s.store_day(
            &r2,
            vec![("t1", vec![("pw_vms", 9.0)])].into_iter(),
            (1, 0, 1),
            "f",
            "m",
            8,
        )
        .unwrap();
        let day: Vec<String> = s
            .day("2024-05-31")
            .unwrap()
            .into_iter()
            .map(|d| d.tenant_id)
            .collect();
        assert_eq!(day, vec!["t1", "t3"]);
        let latest = s.latest_day("t1", "2024-06-02").unwrap().unwrap();
        assert_eq!(
            (latest.date.as_str(), latest.metrics[0].1),
            ("2024-05-31", 9.0)
        );
        let earlier = s.latest_day("t1", "2024-05-30").unwrap().unwrap();
        assert_eq!(earlier.metrics[0].1, 1.0);
        assert!(s.latest_day("t2", "2024-06-01").unwrap().is_none());
        assert_eq!(s.tenant_days("t1", "2024-06-01", 10).unwrap().len(), 2);
        assert_eq!(s.delete_days_before("2024-05-31").unwrap(), 1);
        let _ = std::fs::remove_dir_all(dir);
    }
}
