//! [`Db`] over a SQLite file with rusqlite: the Rust tests' database, and the reader of the
//! SQLite files earlier versions of this module kept (imported once, see [`super::import`]).
//! In production the binding's PDO-backed [`Db`] is used instead.

use super::{Db, DbError, DbErrorKind, DbResult, Dialect, Row, Value};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A SQLite connection usable from several threads (one statement at a time).
pub struct SqliteDb {
    conn: Mutex<Connection>,
}

fn err(e: rusqlite::Error) -> DbError {
    let (code, extended) = match &e {
        rusqlite::Error::SqliteFailure(f, _) => (f.code, f.extended_code),
        _ => (rusqlite::ErrorCode::Unknown, 0),
    };
    let kind = match code {
        rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked => {
            DbErrorKind::LockTimeout
        }
        rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::PermissionDenied => {
            DbErrorKind::Denied
        }
        rusqlite::ErrorCode::ConstraintViolation => DbErrorKind::Duplicate,
        _ => DbErrorKind::Other,
    };
    DbError::new(kind, format!("sqlite/{extended}"), e.to_string())
}

fn to_sql(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Int(i) => rusqlite::types::Value::Integer(*i),
        Value::Real(f) => rusqlite::types::Value::Real(*f),
        Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
    }
}

fn from_sql(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) | ValueRef::Blob(t) => Value::Text(String::from_utf8_lossy(t).into()),
    }
}

impl SqliteDb {
    /// Opens (creating) a database file read-write, with a busy timeout so concurrent
    /// processes wait for each other instead of failing.
    pub fn open(path: &Path) -> DbResult<SqliteDb> {
        let conn = Connection::open(path).map_err(err)?;
        Self::configure(conn)
    }

    /// Opens an existing file read-only (importing an earlier version's file never writes
    /// to it).
    pub fn open_read_only(path: &Path) -> DbResult<SqliteDb> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(err)?;
        Self::configure(conn)
    }

    /// A private in-memory database (unit tests).
    pub fn memory() -> DbResult<SqliteDb> {
        Self::configure(Connection::open_in_memory().map_err(err)?)
    }

    fn configure(conn: Connection) -> DbResult<SqliteDb> {
        conn.busy_timeout(Duration::from_secs(10)).map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        Ok(SqliteDb {
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> DbResult<T>) -> DbResult<T> {
        let guard = self
            .conn
            .lock()
            .map_err(|_| DbError::new(DbErrorKind::Other, "lock", "connection lock poisoned"))?;
        f(&guard)
    }
}

impl Db for SqliteDb {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn query(&self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>> {
        self.with(|conn| {
            let mut stmt = conn.prepare_cached(sql).map_err(err)?;
            let columns: Arc<Vec<String>> = Arc::new(
                stmt.column_names()
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            );
            let width = columns.len();
            let bound: Vec<rusqlite::types::Value> = params.iter().map(to_sql).collect();
            let mut rows = stmt
                .query(rusqlite::params_from_iter(bound.iter()))
                .map_err(err)?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(err)? {
                let mut values = Vec::with_capacity(width);
                for i in 0..width {
                    values.push(from_sql(r.get_ref(i).map_err(err)?));
                }
                out.push(Row::new(columns.clone(), values));
            }
            Ok(out)
        })
    }

    fn execute(&self, sql: &str, params: &[Value]) -> DbResult<u64> {
        self.with(|conn| {
            let bound: Vec<rusqlite::types::Value> = params.iter().map(to_sql).collect();
            if bound.is_empty() && sql.trim_end().trim_end_matches(';').contains(';') {
                return conn.execute_batch(sql).map(|_| 0).map_err(err);
            }
            let mut stmt = conn.prepare_cached(sql).map_err(err)?;
            stmt.execute(rusqlite::params_from_iter(bound.iter()))
                .map(|n| n as u64)
                .map_err(err)
        })
    }

    fn insert(&self, sql: &str, params: &[Value]) -> DbResult<i64> {
        self.with(|conn| {
            let bound: Vec<rusqlite::types::Value> = params.iter().map(to_sql).collect();
            let mut stmt = conn.prepare_cached(sql).map_err(err)?;
            stmt.execute(rusqlite::params_from_iter(bound.iter()))
                .map_err(err)?;
            Ok(conn.last_insert_rowid())
        })
    }

    fn begin(&self) -> DbResult<()> {
        // IMMEDIATE: take the write lock up front so two writers never deadlock on an upgrade.
        self.with(|conn| conn.execute_batch("BEGIN IMMEDIATE").map_err(err))
    }

    fn commit(&self) -> DbResult<()> {
        self.with(|conn| conn.execute_batch("COMMIT").map_err(err))
    }

    fn rollback(&self) -> DbResult<()> {
        self.with(|conn| {
            if conn.is_autocommit() {
                return Ok(());
            }
            conn.execute_batch("ROLLBACK").map_err(err)
        })
    }
}
