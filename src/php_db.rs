//! The core's SQL port over WHMCS's own database connection.
//!
//! The glue passes an `AcronisCloud\Whmcs\Database` object (option `db`), a thin PHP adapter
//! over the PDO of WHMCS's Capsule connection. Each statement crosses into PHP once: SQL,
//! parameters as JSON, and the answer back as JSON (rows, affected count, insert id, or the
//! driver's error). So the module opens no connection of its own and copies no credential:
//! whatever WHMCS connects with (host, port, socket, charset, TLS) is what the module uses.
//!
//! With the "Database query" log scope on, each statement is written to the module log with
//! its parameters masked (see `acroniscloud_core::infra::masking`); only the module's statements pass
//! here, never WHMCS's own.

use crate::convert::scalar;
use acroniscloud_core::infra::masking;
use acroniscloud_core::infra::storage::{Db, DbError, DbErrorKind, DbResult, Dialect, Row, Value};
use ext_php_rs::types::{ZendCallable, Zval};
use serde_json::Value as Json;
use std::sync::Arc;

/// [`Db`] over the glue's adapter object.
pub struct PhpDb<'a> {
    adapter: &'a Zval,
    dialect: Dialect,
    log_queries: bool,
}

fn failure(message: impl Into<String>) -> DbError {
    DbError::new(DbErrorKind::Other, "adapter", message)
}

impl<'a> PhpDb<'a> {
    /// Wraps the adapter; fails when it is not one or its driver is not MySQL or SQLite.
    pub fn new(adapter: &'a Zval, log_queries: bool) -> DbResult<PhpDb<'a>> {
        if adapter.object().is_none() {
            return Err(failure(
                "The WHMCS glue passed no database adapter (option \"db\").",
            ));
        }
        let driver = adapter
            .try_call_method("driver", vec![])
            .ok()
            .and_then(|z| scalar(&z))
            .unwrap_or_default();
        let dialect = Dialect::from_driver(&driver).ok_or_else(|| {
            failure(format!(
                "The WHMCS database driver \"{driver}\" is not supported (MySQL/MariaDB or SQLite)."
            ))
        })?;
        Ok(PhpDb {
            adapter,
            dialect,
            log_queries,
        })
    }

    fn call(&self, op: &str, sql: &str, params: &[Value]) -> DbResult<Json> {
        let bound = Json::Array(params.iter().map(to_json).collect()).to_string();
        if self.log_queries {
            log_query(sql, params);
        }
        let answer = self
            .adapter
            .try_call_method("run", vec![&op, &sql, &bound.as_str()])
            .map_err(|_| failure("The database adapter could not be called."))?;
        let text = answer
            .str()
            .ok_or_else(|| failure("The database adapter gave no answer."))?;
        let json: Json = serde_json::from_str(text)
            .map_err(|e| failure(format!("The database adapter's answer is not JSON: {e}")))?;
        if let Some(err) = json.get("error") {
            return Err(DbError::classify(
                err.get("sqlstate").and_then(Json::as_str).unwrap_or(""),
                err.get("code").and_then(Json::as_i64).unwrap_or(0),
                err.get("message")
                    .and_then(Json::as_str)
                    .unwrap_or("database error"),
            ));
        }
        Ok(json)
    }
}

fn to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Int(i) => Json::from(*i),
        Value::Real(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::Text(s) => Json::String(s.clone()),
    }
}

fn from_json(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Int(i64::from(*b)),
        Json::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .unwrap_or_else(|| Value::Real(n.as_f64().unwrap_or(0.0))),
        Json::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

/// Rows from `{"columns": [...], "rows": [[...], ...]}`.
fn rows_of(json: &Json) -> Vec<Row> {
    let columns: Arc<Vec<String>> = Arc::new(
        json.get("columns")
            .and_then(Json::as_array)
            .map(|c| {
                c.iter()
                    .map(|n| n.as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default(),
    );
    json.get("rows")
        .and_then(Json::as_array)
        .map(|rows| {
            rows.iter()
                .filter_map(Json::as_array)
                .map(|r| Row::new(columns.clone(), r.iter().map(from_json).collect()))
                .collect()
        })
        .unwrap_or_default()
}

/// One "Database query" entry in the WHMCS module log; parameter values are masked by value
/// (anything that looks like a secret) before they leave the extension.
fn log_query(sql: &str, params: &[Value]) {
    let Ok(log) = ZendCallable::try_from_name("logModuleCall") else {
        return;
    };
    let texts: Vec<String> = params
        .iter()
        .map(|p| p.as_text().unwrap_or_default())
        .collect();
    let masked = masking::mask_query_bindings(sql, &texts);
    let shown: Vec<Json> = params
        .iter()
        .zip(masked)
        .map(|(p, m)| match p {
            Value::Text(s) if looks_secret(s) => Json::String(masking::mask_token(s)),
            Value::Text(_) => Json::String(m),
            other => to_json(other),
        })
        .collect();
    let request = serde_json::json!({"query": sql, "bindings": shown}).to_string();
    let action = format!(
        "Request ID: {} | Type of call: Database query",
        acroniscloud_core::infra::logging::request_uid()
    );
    let empty: Vec<String> = Vec::new();
    let _ = log.try_call(vec![
        &"acroniscloud",
        &action.as_str(),
        &request.as_str(),
        &"",
        &"",
        &empty,
    ]);
}

/// A value that is a secret by its shape, whatever its column: a JWT-like token or a long
/// unbroken run of letters and digits of several classes (API keys, client secrets).
fn looks_secret(s: &str) -> bool {
    let jwt = s.len() > 40 && s.split('.').count() == 3 && !s.contains(' ');
    let classes = [
        s.chars().any(|c| c.is_ascii_lowercase()),
        s.chars().any(|c| c.is_ascii_uppercase()),
        s.chars().any(|c| c.is_ascii_digit()),
    ];
    let key_like = s.len() >= 32
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && classes.iter().filter(|b| **b).count() >= 3;
    jwt || key_like
}

impl Db for PhpDb<'_> {
    fn dialect(&self) -> Dialect {
        self.dialect
    }

    fn query(&self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>> {
        self.call("query", sql, params).map(|j| rows_of(&j))
    }

    fn execute(&self, sql: &str, params: &[Value]) -> DbResult<u64> {
        self.call("execute", sql, params)
            .map(|j| j.get("count").and_then(Json::as_u64).unwrap_or(0))
    }

    fn insert(&self, sql: &str, params: &[Value]) -> DbResult<i64> {
        let j = self.call("insert", sql, params)?;
        j.get("id")
            .and_then(|v| {
                v.as_i64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
            .ok_or_else(|| failure("The database gave no id for the new row."))
    }

    fn begin(&self) -> DbResult<()> {
        self.call("begin", "", &[]).map(|_| ())
    }

    fn commit(&self) -> DbResult<()> {
        self.call("commit", "", &[]).map(|_| ())
    }

    fn rollback(&self) -> DbResult<()> {
        self.call("rollback", "", &[]).map(|_| ())
    }
}
