//! The usage store in the WHMCS database: report rows in the 2.x module's
//! `acroniscloud_service_reports` (one live row per server and UTC day) and per-tenant daily
//! values in `acroniscloud_usage_tenant_days` (one row per tenant and day, never one blob:
//! J.2 #18). Work on a report happens under a lease row (`storage::lease`), so two cron runs,
//! on one web node or several, never order or download the same report twice.

use super::status::ReportStatus;
use crate::infra::error::Result;
use crate::infra::storage::{
    lease, map_db, now_text, placeholders, schema, transaction, Db, Dialect, Row, TxError, Value,
};

/// How long a claimed report stays reserved without a renewal (a crashed run's lease expires).
pub const LEASE_SECONDS: i64 = 300;

const REPORTS: &str = "acroniscloud_service_reports";
const DAYS: &str = "acroniscloud_usage_tenant_days";

/// Tenant rows per INSERT: 6,000 parameters stay far below every driver's placeholder limit
/// (SQLite 32,766, MySQL 65,535) and the statement below max_allowed_packet; measured on
/// MariaDB, 1,000 rows per round trip stores a day faster than 250 (`make bench`).
const ROWS_PER_INSERT: usize = 1000;
/// Tenants per IN (…) list of the batched reads.
const TENANTS_PER_READ: usize = 500;
/// Rows per page of a whole-day read.
const DAY_PAGE: i64 = 5000;

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
    /// When the file was downloaded completely (the status page's download duration).
    pub downloaded_at: Option<i64>,
}

/// Outcome of [`UsageStore::claim`].
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    Claimed(ReportRow),
    /// Another run holds the report until the given Unix time (the row as it is, when one
    /// exists yet).
    Busy(Option<ReportRow>, i64),
}

/// A tenant's values of one day: raw metric values (bytes, seconds, counts).
#[derive(Debug, Clone, PartialEq)]
pub struct TenantDay {
    pub tenant_id: String,
    pub date: String,
    pub updated_at: i64,
    pub metrics: Vec<(String, f64)>,
}

/// Usage data on a [`Db`].
pub struct UsageStore<'d> {
    db: &'d dyn Db,
}

const ROW_COLUMNS: &str =
    "id, datacenter_id, date, status, report_id, stored_report_id, file_path, \
    rows_read, bad_rows, tenants, failures, message, last_poll_at, aggregated_at";

/// The DATE column as `YYYY-MM-DD` (drivers may add a time part).
fn date_of(r: &Row, column: &str) -> String {
    r.text(column).chars().take(10).collect()
}

fn report_of(r: &Row) -> ReportRow {
    ReportRow {
        id: r.int("id"),
        server_id: r.int("datacenter_id"),
        date: date_of(r, "date"),
        status: ReportStatus::from_code(r.int("status")),
        report_id: r.opt_text("report_id"),
        stored_report_id: r.opt_text("stored_report_id"),
        file_path: r.opt_text("file_path"),
        rows_read: r.int("rows_read"),
        bad_rows: r.int("bad_rows"),
        tenants: r.int("tenants"),
        failures: r.int("failures"),
        message: r.text("message"),
        last_poll_at: r.int("last_poll_at"),
        aggregated_at: r.int("aggregated_at"),
    }
}

fn day_of(r: &Row, tenant: Option<&str>, date: Option<&str>) -> TenantDay {
    TenantDay {
        tenant_id: tenant.map_or_else(|| r.text("tenant_id"), str::to_string),
        date: date.map_or_else(|| date_of(r, "date"), str::to_string),
        metrics: metrics_of(&r.text("metrics")),
        updated_at: r.int("updated_at"),
    }
}

/// `{"metric": value, …}` as stored (JSON: compact and readable in any SQL client).
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

/// Lease of one server's report of one day.
pub(crate) fn lease_name(server_id: i64, date: &str) -> String {
    format!("usage-report:{server_id}:{date}")
}

fn upsert_days_sql(dialect: Dialect, rows: usize) -> String {
    let values = vec!["(?, ?, ?, ?, ?, ?)"; rows].join(", ");
    let head = format!(
        "INSERT INTO {DAYS} (tenant_id, date, server_id, report_row, metrics, updated_at) VALUES {values}"
    );
    match dialect {
        Dialect::MySql => format!(
            "{head} ON DUPLICATE KEY UPDATE server_id = VALUES(server_id), \
             report_row = VALUES(report_row), metrics = VALUES(metrics), updated_at = VALUES(updated_at)"
        ),
        Dialect::Sqlite => format!(
            "{head} ON CONFLICT (tenant_id, date) DO UPDATE SET server_id = excluded.server_id, \
             report_row = excluded.report_row, metrics = excluded.metrics, updated_at = excluded.updated_at"
        ),
    }
}

/// `SET` clause and parameters of an update (`updated_at` always).
fn set_clause(u: &RowUpdate) -> (Vec<&'static str>, Vec<Value>) {
    let mut sets = vec!["updated_at = ?"];
    let mut params = vec![Value::from(now_text())];
    let mut set = |column: &'static str, v: Value| {
        sets.push(column);
        params.push(v);
    };
    if let Some(s) = u.status {
        set("status = ?", Value::Int(s.code()));
    }
    step_times(u, &mut set);
    if let Some(v) = &u.report_id {
        set("report_id = ?", Value::from(v.clone()));
    }
    if let Some(v) = &u.stored_report_id {
        set("stored_report_id = ?", Value::from(v.clone()));
    }
    if let Some(v) = &u.file_path {
        set("file_path = ?", Value::from(v.clone()));
    }
    if let Some((rows, bad, tenants)) = u.counts {
        set("rows_read = ?", Value::Int(rows));
        set("bad_rows = ?", Value::Int(bad));
        set("tenants = ?", Value::Int(tenants));
    }
    if let Some(v) = u.failures {
        set("failures = ?", Value::Int(v));
    }
    if let Some(v) = &u.message {
        set("message = ?", Value::from(v));
    }
    if let Some(v) = u.last_poll_at {
        set("last_poll_at = ?", Value::Int(v));
    }
    (sets, params)
}

/// The step timestamps of the status page: a new order starts the clock again; a ready report
/// (the platform named its stored file) and a complete download are stamped when they happen.
fn step_times(u: &RowUpdate, set: &mut impl FnMut(&'static str, Value)) {
    let now = chrono::Utc::now().timestamp();
    match u.status {
        Some(ReportStatus::Ordered) => {
            set("ordered_at = ?", Value::Int(now));
            set("ready_at = ?", Value::Null);
            set("downloaded_at = ?", Value::Null);
        }
        Some(ReportStatus::Ready) if matches!(u.stored_report_id, Some(Some(_))) => {
            set("ready_at = ?", Value::Int(now));
        }
        _ => {}
    }
    if let Some(at) = u.downloaded_at {
        set("downloaded_at = ?", Value::Int(at));
    }
}

fn apply(db: &dyn Db, row_id: i64, u: &RowUpdate) -> crate::infra::storage::DbResult<()> {
    let (sets, mut params) = set_clause(u);
    params.push(Value::Int(row_id));
    db.execute(
        &format!("UPDATE {REPORTS} SET {} WHERE id = ?", sets.join(", ")),
        &params,
    )?;
    Ok(())
}

fn read_row(db: &dyn Db, row_id: i64) -> crate::infra::storage::DbResult<Option<ReportRow>> {
    Ok(db
        .query(
            &format!("SELECT {ROW_COLUMNS} FROM {REPORTS} WHERE id = ?"),
            &[Value::Int(row_id)],
        )?
        .first()
        .map(report_of))
}

const WHAT: &str = "Usage storage";

impl<'d> UsageStore<'d> {
    /// The store, after making sure the tables are at this code's schema version.
    pub fn open(db: &'d dyn Db) -> Result<UsageStore<'d>> {
        schema::ready(db)?;
        Ok(UsageStore { db })
    }

    fn rows_where(&self, condition: &str, params: &[Value]) -> Result<Vec<ReportRow>> {
        let rows = self
            .db
            .query(
                &format!("SELECT {ROW_COLUMNS} FROM {REPORTS} WHERE {condition}"),
                params,
            )
            .map_err(map_db(WHAT))?;
        Ok(rows.iter().map(report_of).collect())
    }

    /// The live row (status ≠ Erased) of `(server, date)`, created as New when missing, for
    /// `owner` alone until `now + LEASE_SECONDS` unless another owner's lease runs.
    pub fn claim(&self, server_id: i64, date: &str, owner: &str, now: i64) -> Result<Claim> {
        let name = lease_name(server_id, date);
        let live = "datacenter_id = ? AND date = ? AND status <> 6 ORDER BY id LIMIT 1";
        let key = [Value::Int(server_id), Value::from(date)];
        if !lease::acquire(self.db, &name, owner, now, LEASE_SECONDS)? {
            let until = lease::holder(self.db, &name)?.map_or(now, |(_, until)| until);
            return Ok(Claim::Busy(
                self.rows_where(live, &key)?.into_iter().next(),
                until,
            ));
        }
        // Only the lease holder creates the row, so there is never a second live row.
        if let Some(row) = self.rows_where(live, &key)?.into_iter().next() {
            return Ok(Claim::Claimed(row));
        }
        let at = now_text();
        let id = self
            .db
            .insert(
                &format!(
                    "INSERT INTO {REPORTS} (date, datacenter_id, status, created_at, updated_at) \
                     VALUES (?, ?, 1, ?, ?)"
                ),
                &[
                    Value::from(date),
                    Value::Int(server_id),
                    Value::from(&at),
                    Value::from(&at),
                ],
            )
            .map_err(map_db(WHAT))?;
        let row = read_row(self.db, id).map_err(map_db(WHAT))?;
        row.map(Claim::Claimed)
            .ok_or_else(|| crate::infra::error::Error::internal("The new report row disappeared."))
    }

    /// Extends `owner`'s lease on the row's report (long downloads); false when it was lost.
    pub fn renew(&self, row: &ReportRow, owner: &str, now: i64) -> Result<bool> {
        lease::renew(
            self.db,
            &lease_name(row.server_id, &row.date),
            owner,
            now,
            LEASE_SECONDS,
        )
    }

    /// Ends `owner`'s lease on `(server, date)`.
    pub fn release(&self, server_id: i64, date: &str, owner: &str) -> Result<()> {
        lease::release(self.db, &lease_name(server_id, date), owner)
    }

    /// Applies a step's result to the row and returns the row as stored.
    pub fn update(&self, row_id: i64, u: &RowUpdate) -> Result<ReportRow> {
        apply(self.db, row_id, u).map_err(map_db(WHAT))?;
        read_row(self.db, row_id)
            .map_err(map_db(WHAT))?
            .ok_or_else(|| {
                crate::infra::error::Error::internal(format!("Report row {row_id} is gone."))
            })
    }

    /// Replaces the values of `(server, date)` by `tenants` and marks the row downloaded and
    /// aggregated with its counts, in one transaction: readers see the old or the new day,
    /// never half of it. Values of other servers and other days are untouched.
    pub fn store_day<'a>(
        &self,
        row: &ReportRow,
        tenants: impl Iterator<Item = (&'a str, Vec<(&'a str, f64)>)>,
        counts: (i64, i64, i64),
        file_path: &str,
        message: &str,
        now: i64,
    ) -> Result<ReportRow> {
        // Encoded once, outside the transaction, so a retried transaction re-sends the same rows.
        let encoded: Vec<(&str, String)> = tenants.map(|(t, m)| (t, metrics_json(&m))).collect();
        let update = RowUpdate {
            status: Some(ReportStatus::Downloaded),
            file_path: Some(Some(file_path.to_string())),
            counts: Some(counts),
            failures: Some(0),
            message: Some(message.to_string()),
            ..RowUpdate::default()
        };
        let stored = transaction(self.db, |db| {
            db.execute(
                &format!("DELETE FROM {DAYS} WHERE date = ? AND server_id = ?"),
                &[Value::from(&row.date), Value::Int(row.server_id)],
            )?;
            for chunk in encoded.chunks(ROWS_PER_INSERT) {
                let mut params = Vec::with_capacity(chunk.len() * 6);
                for (tenant, metrics) in chunk {
                    params.extend([
                        Value::from(*tenant),
                        Value::from(&row.date),
                        Value::Int(row.server_id),
                        Value::Int(row.id),
                        Value::from(metrics),
                        Value::Int(now),
                    ]);
                }
                db.execute(&upsert_days_sql(db.dialect(), chunk.len()), &params)?;
            }
            apply(db, row.id, &update)?;
            db.execute(
                &format!("UPDATE {REPORTS} SET aggregated_at = ? WHERE id = ?"),
                &[Value::Int(now), Value::Int(row.id)],
            )?;
            Ok::<_, TxError>(read_row(db, row.id)?)
        })
        .map_err(|e| e.into_error(WHAT))?;
        stored.ok_or_else(|| {
            crate::infra::error::Error::internal(format!("Report row {} is gone.", row.id))
        })
    }

    /// Every row, newest first (view-list).
    pub fn rows(&self) -> Result<Vec<ReportRow>> {
        self.rows_where("1 = 1 ORDER BY date DESC, datacenter_id, id DESC", &[])
    }

    /// Live rows of `date` (any server).
    pub fn rows_of_day(&self, date: &str) -> Result<Vec<ReportRow>> {
        self.rows_where("date = ? AND status <> 6 ORDER BY id", &[Value::from(date)])
    }

    /// Rows to erase: `(date ≤ cutoff OR status = To be deleted) AND status ≠ Erased` (J.2 #6).
    pub fn rows_to_erase(&self, cutoff: Option<&str>) -> Result<Vec<ReportRow>> {
        match cutoff {
            Some(c) => self.rows_where(
                "(date <= ? OR status = 7) AND status <> 6 ORDER BY id",
                &[Value::from(c)],
            ),
            None => self.rows_where("status = 7 ORDER BY id", &[]),
        }
    }

    /// Deletes per-tenant values of days before `before` (exclusive); returns the count.
    pub fn delete_days_before(&self, before: &str) -> Result<i64> {
        let n = self
            .db
            .execute(
                &format!("DELETE FROM {DAYS} WHERE date < ?"),
                &[Value::from(before)],
            )
            .map_err(map_db(WHAT))?;
        Ok(n as i64)
    }

    /// Empties the report rows, the per-tenant values, the leases of reports and the 2.x
    /// blob cache; returns `(report rows, tenant rows)`.
    pub fn flush(&self) -> Result<(i64, i64)> {
        transaction(self.db, |db| {
            let reports = db.execute(&format!("DELETE FROM {REPORTS}"), &[])?;
            let days = db.execute(&format!("DELETE FROM {DAYS}"), &[])?;
            db.execute("DELETE FROM acroniscloud_service_report_storage", &[])?;
            db.execute(
                "DELETE FROM acroniscloud_leases WHERE name LIKE 'usage-report:%'",
                &[],
            )?;
            Ok::<_, TxError>((reports as i64, days as i64))
        })
        .map_err(|e| e.into_error(WHAT))
    }

    /// A tenant's latest day on or before `date`.
    pub fn latest_day(&self, tenant_id: &str, date: &str) -> Result<Option<TenantDay>> {
        Ok(self.tenant_days(tenant_id, date, 1)?.into_iter().next())
    }

    /// Each tenant's latest day on or before `date` (tenants without values are absent), a
    /// few hundred tenants per query: one indexed lookup per tenant, batched.
    pub fn latest_days(&self, tenants: &[String], date: &str) -> Result<Vec<TenantDay>> {
        let mut out = Vec::with_capacity(tenants.len());
        for chunk in tenants.chunks(TENANTS_PER_READ) {
            let list = placeholders(chunk.len());
            let mut params: Vec<Value> = chunk.iter().map(Value::from).collect();
            params.push(Value::from(date));
            let rows = self
                .db
                .query(
                    &format!(
                        "SELECT d.tenant_id, d.date, d.metrics, d.updated_at FROM {DAYS} d \
                         JOIN (SELECT tenant_id, MAX(date) AS latest FROM {DAYS} \
                               WHERE tenant_id IN ({list}) AND date <= ? GROUP BY tenant_id) m \
                         ON m.tenant_id = d.tenant_id AND m.latest = d.date"
                    ),
                    &params,
                )
                .map_err(map_db(WHAT))?;
            out.extend(rows.iter().map(|r| day_of(r, None, None)));
        }
        Ok(out)
    }

    /// A tenant's days on or before `date`, newest first, at most `limit` (one indexed range read).
    pub fn tenant_days(&self, tenant_id: &str, date: &str, limit: i64) -> Result<Vec<TenantDay>> {
        let rows = self
            .db
            .query(
                &format!(
                    "SELECT date, metrics, updated_at FROM {DAYS} \
                     WHERE tenant_id = ? AND date <= ? ORDER BY date DESC LIMIT {}",
                    limit.max(1)
                ),
                &[Value::from(tenant_id), Value::from(date)],
            )
            .map_err(map_db(WHAT))?;
        Ok(rows
            .iter()
            .map(|r| day_of(r, Some(tenant_id), None))
            .collect())
    }

    /// Every tenant's values of one day, in tenant order (read in pages).
    pub fn day(&self, date: &str) -> Result<Vec<TenantDay>> {
        let mut out: Vec<TenantDay> = Vec::new();
        loop {
            let after = out.last().map(|d| d.tenant_id.clone()).unwrap_or_default();
            let rows = self
                .db
                .query(
                    &format!(
                        "SELECT tenant_id, metrics, updated_at FROM {DAYS} \
                         WHERE date = ? AND tenant_id > ? ORDER BY tenant_id LIMIT {DAY_PAGE}"
                    ),
                    &[Value::from(date), Value::from(after)],
                )
                .map_err(map_db(WHAT))?;
            let full = rows.len() as i64 == DAY_PAGE;
            out.extend(rows.iter().map(|r| day_of(r, None, Some(date))));
            if !full {
                return Ok(out);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::too_many_lines)] // scenario tests read top to bottom
mod tests {
    use super::*;

    use crate::infra::storage::sqlite::SqliteDb;

    #[test]
    fn a_lease_blocks_other_owners_until_it_expires_or_is_released() {
        let db = SqliteDb::memory().unwrap();
        let s = UsageStore::open(&db).unwrap();
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
        s.release(1, "2024-05-31", "b").unwrap();
        assert!(matches!(
            s.claim(1, "2024-05-31", "c", 1002).unwrap(),
            Claim::Claimed(_)
        ));
        // Another server or day is another row.
        let Claim::Claimed(other) = s.claim(2, "2024-05-31", "c", 1002).unwrap() else {
            panic!("other server")
        };
        assert_ne!(other.id, row.id);
    }

    #[test]
    fn a_day_is_replaced_per_server_and_read_back_latest_first() {
        let db = SqliteDb::memory().unwrap();
        let s = UsageStore::open(&db).unwrap();
        let row_of = |server: i64, date: &str, s: &UsageStore| match s
            .claim(server, date, "x", 1)
            .unwrap()
        {
            Claim::Claimed(r) => r,
            Claim::Busy(r, _) => r.unwrap(),
        };
        let r1 = row_of(1, "2024-05-30", &s);
        s.store_day(
            &r1,
            vec![("t1", vec![("pw_vms", 1.0)])].into_iter(),
            (1, 0, 1),
            "f",
            "m",
            5,
        )
        .unwrap();
        let r2 = row_of(1, "2024-05-31", &s);
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
        let r3 = row_of(2, "2024-05-31", &s);
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
        let batch = s
            .latest_days(&["t1".into(), "t2".into(), "t9".into()], "2024-06-02")
            .unwrap();
        assert_eq!(batch.len(), 1, "t2 was replaced away, t9 never existed");
        assert_eq!(
            (batch[0].date.as_str(), batch[0].metrics[0].1),
            ("2024-05-31", 9.0)
        );
        assert_eq!(s.delete_days_before("2024-05-31").unwrap(), 1);
    }
}
