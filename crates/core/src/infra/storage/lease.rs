//! Leases: a named reservation with an expiry, kept as a row of `acroniscloud_leases` and
//! taken by a conditional update. Two web nodes running the same cron against one database
//! both try; the database lets exactly one update succeed. Not `GET_LOCK` (local to one node
//! of a Galera cluster), not `LOCK TABLES`, not a file: only a row, so it works wherever the
//! database does. A crashed holder's lease simply expires.

use super::{map_db, Db, Dialect, Value};
use crate::infra::error::Result;

/// Tries to take `name` for `owner` until `now + seconds`. True when `owner` holds it now
/// (taken, or already held by `owner` and extended).
pub fn acquire(db: &dyn Db, name: &str, owner: &str, now: i64, seconds: i64) -> Result<bool> {
    let create = match db.dialect() {
        Dialect::MySql => {
            "INSERT INTO acroniscloud_leases (name, owner, expires_at) VALUES (?, NULL, 0) \
             ON DUPLICATE KEY UPDATE name = name"
        }
        Dialect::Sqlite => {
            "INSERT INTO acroniscloud_leases (name, owner, expires_at) VALUES (?, NULL, 0) \
             ON CONFLICT (name) DO NOTHING"
        }
    };
    db.execute(create, &[Value::from(name)])
        .map_err(map_db("Taking a lease"))?;
    let taken = db
        .execute(
            "UPDATE acroniscloud_leases SET owner = ?, expires_at = ? \
             WHERE name = ? AND (owner IS NULL OR owner = ? OR expires_at <= ?)",
            &[
                Value::from(owner),
                Value::Int(now + seconds),
                Value::from(name),
                Value::from(owner),
                Value::Int(now),
            ],
        )
        .map_err(map_db("Taking a lease"))?;
    if taken == 1 {
        return Ok(true);
    }
    // MySQL reports 0 changed rows when the values were already those (same owner, same
    // second): read back who holds it.
    Ok(holder(db, name)?.is_some_and(|(o, _)| o == owner))
}

/// Extends `owner`'s lease; false when it was lost (expired and taken by another).
pub fn renew(db: &dyn Db, name: &str, owner: &str, now: i64, seconds: i64) -> Result<bool> {
    acquire(db, name, owner, now, seconds)
}

/// Ends `owner`'s lease (another owner's lease is left alone).
pub fn release(db: &dyn Db, name: &str, owner: &str) -> Result<()> {
    db.execute(
        "UPDATE acroniscloud_leases SET owner = NULL, expires_at = 0 WHERE name = ? AND owner = ?",
        &[Value::from(name), Value::from(owner)],
    )
    .map_err(map_db("Releasing a lease"))?;
    Ok(())
}

/// Who holds `name` and until when (`None` when free).
pub fn holder(db: &dyn Db, name: &str) -> Result<Option<(String, i64)>> {
    let rows = db
        .query(
            "SELECT owner, expires_at FROM acroniscloud_leases WHERE name = ?",
            &[Value::from(name)],
        )
        .map_err(map_db("Reading a lease"))?;
    Ok(rows
        .first()
        .and_then(|r| r.opt_text("owner").map(|o| (o, r.int("expires_at")))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::storage::{schema, sqlite::SqliteDb};

    #[test]
    fn one_owner_at_a_time_until_expiry_or_release() {
        let db = SqliteDb::memory().unwrap();
        schema::ensure(&db).unwrap();
        assert!(acquire(&db, "report:1:2024-05-31", "a", 1000, 300).unwrap());
        assert!(!acquire(&db, "report:1:2024-05-31", "b", 1100, 300).unwrap());
        assert!(acquire(&db, "report:1:2024-05-31", "a", 1100, 300).unwrap());
        assert!(acquire(&db, "report:2:2024-05-31", "b", 1100, 300).unwrap());
        // Expired: another owner may take it, and the old owner's renewal then fails.
        assert!(acquire(&db, "report:1:2024-05-31", "b", 1401, 300).unwrap());
        assert!(!renew(&db, "report:1:2024-05-31", "a", 1402, 300).unwrap());
        release(&db, "report:1:2024-05-31", "a").unwrap();
        assert_eq!(holder(&db, "report:1:2024-05-31").unwrap().unwrap().0, "b");
        release(&db, "report:1:2024-05-31", "b").unwrap();
        assert!(holder(&db, "report:1:2024-05-31").unwrap().is_none());
    }
}
