//! Lets worker threads use a connection that only one thread may touch.
//!
//! WHMCS's connection lives in PHP, and PHP runs on the request's thread only; the usage
//! pipeline advances every server's report on a thread of its own (network waits overlap).
//! [`serve`] runs the workers and answers their statements on the calling thread, one at a
//! time, over the one connection. A transaction begun by a worker holds the connection for
//! that worker until it commits or rolls back, so statements of two workers never mix inside
//! one transaction.

use super::{Db, DbError, DbErrorKind, DbResult, Dialect, Row, Value};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::ThreadId;

enum Op {
    Query,
    Execute,
    Insert,
    Begin,
    Commit,
    Rollback,
}

enum Answer {
    Rows(Vec<Row>),
    Count(u64),
    Id(i64),
    Done,
}

struct Request {
    op: Op,
    sql: String,
    params: Vec<Value>,
    reply: Sender<DbResult<Answer>>,
}

/// Which worker holds the connection in a transaction.
#[derive(Default)]
struct Gate {
    owner: Mutex<Option<ThreadId>>,
    freed: Condvar,
}

/// A [`Db`] handle for worker threads; every call is carried out by the serving thread.
#[derive(Clone)]
pub struct FunnelDb {
    requests: Sender<Request>,
    dialect: Dialect,
    gate: Arc<Gate>,
}

fn gone() -> DbError {
    DbError::new(
        DbErrorKind::Gone,
        "funnel",
        "the request's database connection is no longer served",
    )
}

impl FunnelDb {
    /// Waits until no other worker holds the connection; with `take`, holds it.
    fn enter(&self, take: bool) -> DbResult<()> {
        let me = std::thread::current().id();
        let mut owner = self.gate.owner.lock().map_err(|_| gone())?;
        while owner.is_some_and(|o| o != me) {
            owner = self.gate.freed.wait(owner).map_err(|_| gone())?;
        }
        if take {
            *owner = Some(me);
        }
        Ok(())
    }

    fn leave(&self) {
        if let Ok(mut owner) = self.gate.owner.lock() {
            *owner = None;
        }
        self.gate.freed.notify_all();
    }

    fn send(&self, op: Op, sql: &str, params: &[Value]) -> DbResult<Answer> {
        let (reply, answer) = channel();
        self.requests
            .send(Request {
                op,
                sql: sql.to_string(),
                params: params.to_vec(),
                reply,
            })
            .map_err(|_| gone())?;
        answer.recv().map_err(|_| gone())?
    }

    fn statement(&self, op: Op, sql: &str, params: &[Value]) -> DbResult<Answer> {
        self.enter(false)?;
        self.send(op, sql, params)
    }
}

fn unexpected() -> DbError {
    DbError::new(DbErrorKind::Other, "funnel", "unexpected answer kind")
}

impl Db for FunnelDb {
    fn dialect(&self) -> Dialect {
        self.dialect
    }

    fn query(&self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>> {
        match self.statement(Op::Query, sql, params)? {
            Answer::Rows(rows) => Ok(rows),
            _ => Err(unexpected()),
        }
    }

    fn execute(&self, sql: &str, params: &[Value]) -> DbResult<u64> {
        match self.statement(Op::Execute, sql, params)? {
            Answer::Count(n) => Ok(n),
            _ => Err(unexpected()),
        }
    }

    fn insert(&self, sql: &str, params: &[Value]) -> DbResult<i64> {
        match self.statement(Op::Insert, sql, params)? {
            Answer::Id(id) => Ok(id),
            _ => Err(unexpected()),
        }
    }

    fn begin(&self) -> DbResult<()> {
        self.enter(true)?;
        let result = self.send(Op::Begin, "", &[]).map(|_| ());
        if result.is_err() {
            self.leave();
        }
        result
    }

    fn commit(&self) -> DbResult<()> {
        let result = self.send(Op::Commit, "", &[]).map(|_| ());
        if result.is_ok() {
            self.leave();
        }
        result
    }

    fn rollback(&self) -> DbResult<()> {
        let result = self.send(Op::Rollback, "", &[]).map(|_| ());
        self.leave();
        result
    }
}

fn answer(db: &dyn Db, request: Request) {
    let Request {
        op,
        sql,
        params,
        reply,
    } = request;
    let result = match op {
        Op::Query => db.query(&sql, &params).map(Answer::Rows),
        Op::Execute => db.execute(&sql, &params).map(Answer::Count),
        Op::Insert => db.insert(&sql, &params).map(Answer::Id),
        Op::Begin => db.begin().map(|_| Answer::Done),
        Op::Commit => db.commit().map(|_| Answer::Done),
        Op::Rollback => db.rollback().map(|_| Answer::Done),
    };
    // A worker that stopped waiting is not an error of the serving thread.
    let _ = reply.send(result);
}

/// Runs `job` on a new thread with a [`FunnelDb`] (clone it for more threads) and answers
/// its statements here over `db` until every handle is dropped. `Err` carries a panic of the
/// job thread.
pub fn serve<R: Send>(
    db: &dyn Db,
    job: impl FnOnce(FunnelDb) -> R + Send,
) -> std::thread::Result<R> {
    let (requests, incoming) = channel();
    let funnel = FunnelDb {
        requests,
        dialect: db.dialect(),
        gate: Arc::new(Gate::default()),
    };
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || job(funnel));
        for request in incoming {
            answer(db, request);
        }
        worker.join()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::storage::sqlite::SqliteDb;

    #[test]
    fn workers_share_one_connection_and_transactions_do_not_mix() {
        let db = SqliteDb::memory().unwrap();
        db.execute(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)",
            &[],
        )
        .unwrap();
        let total = serve(&db, |funnel| {
            std::thread::scope(|s| {
                for w in 0..4i64 {
                    let f = funnel.clone();
                    s.spawn(move || {
                        for i in 0..25i64 {
                            f.begin().unwrap();
                            f.execute("INSERT INTO t (n) VALUES (?)", &[Value::Int(w * 100 + i)])
                                .unwrap();
                            f.execute("INSERT INTO t (n) VALUES (?)", &[Value::Int(-1)])
                                .unwrap();
                            if i % 5 == 0 {
                                f.rollback().unwrap();
                            } else {
                                f.commit().unwrap();
                            }
                        }
                    });
                }
            });
            funnel.query("SELECT COUNT(*) AS c FROM t", &[]).unwrap()[0].int("c")
        })
        .unwrap();
        // 4 workers x 20 committed transactions x 2 rows; rolled back ones left nothing.
        assert_eq!(total, 160);
    }
}
