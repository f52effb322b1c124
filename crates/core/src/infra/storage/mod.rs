//! The module's persistent state lives in the WHMCS database (MySQL/MariaDB in production,
//! SQLite inside the WHMCS emulation), in `acroniscloud_*` tables next to WHMCS's own. This
//! module is the one door to it: a small SQL port ([`Db`]) that the stores (templates, usage,
//! provisioning progress, leases) are written against, the schema and its versions
//! ([`schema`]), and the helpers every store shares (typed rows, transactions retried on
//! deadlock).
//!
//! Why a port instead of a database driver: in production the extension goes through WHMCS's
//! own connection (the binding implements [`Db`] over the PDO of WHMCS's Capsule), so WHMCS's
//! connection settings are the single source (host, port, socket, charset, TLS), no second
//! connection is opened and no credential is copied. Tests and file tools use
//! [`sqlite::SqliteDb`]. See `docs/storage.md`.

pub mod funnel;
pub mod lease;
pub mod privileges;
pub mod schema;
pub mod sqlite;

use crate::infra::error::{Error, Result};
use std::time::Duration;

/// The two SQL dialects the module writes (upserts, DDL and introspection differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    MySql,
    Sqlite,
}

impl Dialect {
    /// From PDO's driver name (`mysql`, `sqlite`).
    pub fn from_driver(name: &str) -> Option<Dialect> {
        match name.trim().to_ascii_lowercase().as_str() {
            "mysql" | "mariadb" => Some(Dialect::MySql),
            "sqlite" | "sqlite3" => Some(Dialect::Sqlite),
            _ => None,
        }
    }
}

/// A bound parameter or a column value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(v.clone())
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Int(i64::from(v))
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

impl Value {
    /// Integer value; MySQL drivers may hand numbers over as text.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Real(f) if f.fract() == 0.0 => Some(*f as i64),
            Value::Text(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// Text value (numbers rendered); `None` for NULL.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Int(i) => Some(i.to_string()),
            Value::Real(f) => Some(f.to_string()),
            Value::Text(s) => Some(s.clone()),
        }
    }
}

/// One result row: values by column name (names are shared by all rows of a result).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    columns: std::sync::Arc<Vec<String>>,
    values: Vec<Value>,
}

impl Row {
    pub fn new(columns: std::sync::Arc<Vec<String>>, values: Vec<Value>) -> Row {
        Row { columns, values }
    }

    /// The value of `column` (`Null` when the column is missing: extra or absent columns of an
    /// older table never break a read).
    pub fn value(&self, column: &str) -> &Value {
        self.columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(column))
            .and_then(|i| self.values.get(i))
            .unwrap_or(&Value::Null)
    }

    /// The value of the `i`-th column (answers whose column names vary, e.g. SHOW GRANTS).
    pub fn value_at(&self, i: usize) -> Option<&Value> {
        self.values.get(i)
    }

    pub fn int(&self, column: &str) -> i64 {
        self.value(column).as_i64().unwrap_or(0)
    }

    pub fn opt_int(&self, column: &str) -> Option<i64> {
        self.value(column).as_i64()
    }

    pub fn text(&self, column: &str) -> String {
        self.value(column).as_text().unwrap_or_default()
    }

    /// Text, `None` for NULL or empty.
    pub fn opt_text(&self, column: &str) -> Option<String> {
        self.value(column).as_text().filter(|s| !s.is_empty())
    }

    pub fn real(&self, column: &str) -> f64 {
        match self.value(column) {
            Value::Int(i) => *i as f64,
            Value::Real(f) => *f,
            Value::Text(s) => s.trim().parse().unwrap_or(0.0),
            Value::Null => 0.0,
        }
    }
}

/// What went wrong in the database, by what the caller can do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbErrorKind {
    /// Deadlock or a Galera certification conflict (MySQL 1213, SQLSTATE 40001): retry the
    /// whole transaction.
    Deadlock,
    /// A lock was not granted in time (MySQL 1205, SQLite busy).
    LockTimeout,
    /// The connection is gone (MySQL 2006/2013).
    Gone,
    /// The user may not write or create (MySQL 1142/1044/1045, SQLite read-only).
    Denied,
    /// A unique key already holds the value (MySQL 1062, SQLite constraint).
    Duplicate,
    Other,
}

/// A database failure. `message` is the driver's text, which never contains bound values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbError {
    pub kind: DbErrorKind,
    pub code: String,
    pub message: String,
}

impl DbError {
    pub fn new(kind: DbErrorKind, code: impl Into<String>, message: impl Into<String>) -> DbError {
        DbError {
            kind,
            code: code.into(),
            message: message.into(),
        }
    }

    /// Classifies a driver error by SQLSTATE and driver code (the numbers MySQL/MariaDB and
    /// SQLite document for these conditions).
    pub fn classify(sqlstate: &str, driver_code: i64, message: &str) -> DbError {
        let lower = message.to_ascii_lowercase();
        let kind = match driver_code {
            1213 => DbErrorKind::Deadlock,
            1205 => DbErrorKind::LockTimeout,
            2006 | 2013 => DbErrorKind::Gone,
            1044 | 1045 | 1142 | 1227 | 1290 => DbErrorKind::Denied,
            1062 => DbErrorKind::Duplicate,
            _ if sqlstate == "40001" => DbErrorKind::Deadlock,
            _ if lower.contains("database is locked") || lower.contains("database is busy") => {
                DbErrorKind::LockTimeout
            }
            _ if lower.contains("readonly") || lower.contains("read-only") => DbErrorKind::Denied,
            _ if lower.contains("server has gone away") || lower.contains("lost connection") => {
                DbErrorKind::Gone
            }
            _ if lower.contains("unique constraint") || lower.contains("duplicate entry") => {
                DbErrorKind::Duplicate
            }
            _ => DbErrorKind::Other,
        };
        DbError::new(kind, format!("{sqlstate}/{driver_code}"), message)
    }
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

pub type DbResult<T> = std::result::Result<T, DbError>;

/// The SQL port. `&self` everywhere: implementations are connections owned by the request.
/// Statements use `?` placeholders.
pub trait Db {
    fn dialect(&self) -> Dialect;
    /// Rows of a SELECT (or SHOW / PRAGMA).
    fn query(&self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>>;
    /// Affected rows of an INSERT/UPDATE/DELETE/DDL.
    fn execute(&self, sql: &str, params: &[Value]) -> DbResult<u64>;
    /// Runs an INSERT and returns the new auto-increment id.
    fn insert(&self, sql: &str, params: &[Value]) -> DbResult<i64>;
    fn begin(&self) -> DbResult<()>;
    fn commit(&self) -> DbResult<()>;
    fn rollback(&self) -> DbResult<()>;
}

/// How often a transaction hit by a deadlock or lock timeout is run again.
const TRANSACTION_ATTEMPTS: u32 = 5;

/// Runs `work` in one transaction: committed when it returns `Ok`, rolled back otherwise.
/// A deadlock, certification conflict or lock timeout rolls back and runs `work` again (a
/// few times, with a short growing pause), so concurrent writers on several web nodes never
/// lose a write; any other failure is returned after the rollback.
pub fn transaction<T, E>(
    db: &dyn Db,
    mut work: impl FnMut(&dyn Db) -> std::result::Result<T, TxError<E>>,
) -> std::result::Result<T, TxError<E>> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        db.begin().map_err(TxError::Db)?;
        let failure = match work(db) {
            Ok(v) => match db.commit() {
                Ok(()) => return Ok(v),
                Err(e) => TxError::Db(e),
            },
            Err(e) => e,
        };
        let _ = db.rollback();
        match failure {
            TxError::Db(e) if retryable(&e) && attempt < TRANSACTION_ATTEMPTS => {
                std::thread::sleep(Duration::from_millis(10 * u64::from(attempt * attempt)));
            }
            other => return Err(other),
        }
    }
}

fn retryable(e: &DbError) -> bool {
    matches!(e.kind, DbErrorKind::Deadlock | DbErrorKind::LockTimeout)
}

/// Failure inside [`transaction`]: the database's, or the work's own decision to roll back.
#[derive(Debug)]
pub enum TxError<E = Error> {
    Db(DbError),
    Abort(E),
}

impl<E> From<DbError> for TxError<E> {
    fn from(e: DbError) -> TxError<E> {
        TxError::Db(e)
    }
}

impl From<Error> for TxError<Error> {
    fn from(e: Error) -> TxError<Error> {
        TxError::Abort(e)
    }
}

impl TxError<Error> {
    /// As the module's error, `what` naming the store for the message.
    pub fn into_error(self, what: &str) -> Error {
        match self {
            TxError::Db(e) => db_error(what, &e),
            TxError::Abort(e) => e,
        }
    }
}

/// The module's error for a database failure, with a hint the admin can act on.
pub fn db_error(what: &str, e: &DbError) -> Error {
    let hint = match e.kind {
        DbErrorKind::Gone => " The connection to the WHMCS database was lost; try again.",
        DbErrorKind::Denied => {
            " The WHMCS database user lacks a right the module needs (SELECT, INSERT, UPDATE, \
             DELETE, CREATE, ALTER)."
        }
        DbErrorKind::Deadlock | DbErrorKind::LockTimeout => {
            " The database was busy; nothing was changed. Try again."
        }
        _ => "",
    };
    Error::internal(format!("{what}: database error: {}.{hint}", e.message))
}

/// Maps a plain database failure of `what` into the module's error.
pub fn map_db(what: &'static str) -> impl Fn(DbError) -> Error {
    move |e| db_error(what, &e)
}

/// `?, ?, …` with `n` placeholders.
pub fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The current UTC time as the module writes timestamps (`Y-m-d H:i:s`, valid for both
/// dialects' timestamp columns).
pub fn now_text() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Result alias for the stores.
pub type StoreResult<T> = Result<T>;

#[cfg(test)]
mod tests {
    use super::sqlite::SqliteDb;
    use super::*;
    use std::cell::Cell;

    /// A database that fails the first `deadlocks` statements with MySQL's deadlock error.
    struct Flaky {
        inner: SqliteDb,
        deadlocks: Cell<u32>,
    }

    impl Flaky {
        fn fail(&self) -> DbResult<()> {
            if self.deadlocks.get() > 0 {
                self.deadlocks.set(self.deadlocks.get() - 1);
                return Err(DbError::classify(
                    "40001",
                    1213,
                    "Deadlock found when trying to get lock",
                ));
            }
            Ok(())
        }
    }

    impl Db for Flaky {
        fn dialect(&self) -> Dialect {
            self.inner.dialect()
        }
        fn query(&self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>> {
            self.inner.query(sql, params)
        }
        fn execute(&self, sql: &str, params: &[Value]) -> DbResult<u64> {
            self.fail()?;
            self.inner.execute(sql, params)
        }
        fn insert(&self, sql: &str, params: &[Value]) -> DbResult<i64> {
            self.inner.insert(sql, params)
        }
        fn begin(&self) -> DbResult<()> {
            self.inner.begin()
        }
        fn commit(&self) -> DbResult<()> {
            self.inner.commit()
        }
        fn rollback(&self) -> DbResult<()> {
            self.inner.rollback()
        }
    }

    fn flaky(deadlocks: u32) -> Flaky {
        let inner = SqliteDb::memory().unwrap();
        inner
            .execute("CREATE TABLE t (n INTEGER NOT NULL)", &[])
            .unwrap();
        Flaky {
            inner,
            deadlocks: Cell::new(deadlocks),
        }
    }

    fn two_rows(db: &dyn Db) -> std::result::Result<(), TxError> {
        db.execute("INSERT INTO t (n) VALUES (1)", &[])?;
        db.execute("INSERT INTO t (n) VALUES (2)", &[])?;
        Ok(())
    }

    #[test]
    fn a_deadlocked_transaction_is_run_again_and_lands_once() {
        let db = flaky(2);
        transaction(&db, two_rows).unwrap();
        let n = db.query("SELECT COUNT(*) AS c FROM t", &[]).unwrap()[0].int("c");
        assert_eq!(n, 2, "the rolled-back attempts left nothing behind");
    }

    #[test]
    fn endless_deadlocks_give_up_with_nothing_written_and_a_clear_error() {
        let db = flaky(100);
        let e = transaction(&db, two_rows)
            .unwrap_err()
            .into_error("Test store");
        assert!(
            e.to_string()
                .contains("The database was busy; nothing was changed"),
            "{e}"
        );
        let n = db.query("SELECT COUNT(*) AS c FROM t", &[]).unwrap()[0].int("c");
        assert_eq!(n, 0);
    }

    #[test]
    fn driver_errors_are_classified_by_code() {
        assert_eq!(
            DbError::classify("HY000", 2006, "MySQL server has gone away").kind,
            DbErrorKind::Gone
        );
        assert_eq!(
            DbError::classify("HY000", 1205, "Lock wait timeout exceeded").kind,
            DbErrorKind::LockTimeout
        );
        assert_eq!(
            DbError::classify("42000", 1142, "INSERT command denied").kind,
            DbErrorKind::Denied
        );
        assert_eq!(
            DbError::classify("HY000", 5, "database is locked").kind,
            DbErrorKind::LockTimeout
        );
    }
}
