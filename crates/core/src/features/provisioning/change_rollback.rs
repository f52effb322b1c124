//! After a failed ChangePackage: WHMCS has already switched the service to the new product
//! (and marked the upgrade order completed) before the module was asked. The platform still
//! holds the old template's services, so the service goes back to its original product with
//! its Cloud ids, and the upgrade is reopened so the admin can retry it once the cause is fixed.
//!
//! Which upgrade counts (the latest package upgrade of the service whose original product is
//! an Acronis one), which fields travel with the service, and when the upgrade is reopened are
//! the module's rules and live here; moving the product and writing fields are WHMCS effects
//! done through [`RollbackHost`].

use crate::infra::storage::{Db, Value};
use crate::Result;
use serde_json::{Map, Value as Json};

/// Custom fields that identify the Cloud side of a service and must survive the move.
const CARRIED: &[&str] = &["cloud_login", "tenant_id", "user_id"];

/// WHMCS effects of the rollback.
pub trait RollbackHost {
    /// Puts service `service_id` on product `pid` (WHMCS `UpdateClientProduct`).
    fn move_to_product(&mut self, service_id: i64, pid: i64) -> Result<()>;
    /// Writes custom field values of the service under product `pid` (fields created if missing).
    fn save_fields(&mut self, service_id: i64, pid: i64, fields: &[(String, String)])
        -> Result<()>;
}

/// What was done, for the activity log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub original_pid: i64,
    pub reopened: bool,
}

/// Restores service `service_id` after a failed package change; `None` when the service has no
/// package upgrade from an Acronis product (nothing to undo). `custom_fields` are the module
/// `$params['customfields']` of the failed call.
pub fn restore(
    db: &dyn Db,
    host: &mut dyn RollbackHost,
    service_id: i64,
    custom_fields: &Map<String, Json>,
) -> Result<Option<Restored>> {
    let Some((upgrade_id, original_pid, status)) = latest_upgrade(db, service_id)? else {
        return Ok(None);
    };
    host.move_to_product(service_id, original_pid)?;
    host.save_fields(service_id, original_pid, &carried(custom_fields))?;
    let reopened = status == "Completed";
    if reopened {
        db.execute(
            "UPDATE tblupgrades SET status = 'Pending' WHERE id = ?",
            &[Value::Int(upgrade_id)],
        )
        .map_err(crate::infra::storage::map_db("reopening the upgrade order"))?;
    }
    Ok(Some(Restored {
        original_pid,
        reopened,
    }))
}

/// (upgrade id, original product id, status) of the service's latest package upgrade away from
/// an Acronis product.
fn latest_upgrade(db: &dyn Db, service_id: i64) -> Result<Option<(i64, i64, String)>> {
    let rows = db
        .query(
            "SELECT u.id AS id, u.originalvalue AS original, u.status AS status \
             FROM tblupgrades u JOIN tblproducts p ON p.id = u.originalvalue \
             WHERE u.relid = ? AND u.type = 'package' AND p.servertype = 'acroniscloud' \
             ORDER BY u.id DESC LIMIT 1",
            &[Value::Int(service_id)],
        )
        .map_err(crate::infra::storage::map_db("reading the upgrade order"))?;
    Ok(rows.first().map(|r| {
        let original = r.text("original").trim().parse().unwrap_or(0);
        (r.int("id"), original, r.text("status"))
    }))
}

/// The identifying fields that are set (trimmed; empty ones are left out so a stored value is
/// never overwritten with nothing).
pub(crate) fn carried(custom_fields: &Map<String, Json>) -> Vec<(String, String)> {
    CARRIED
        .iter()
        .filter_map(|key| {
            let value = match custom_fields.get(*key) {
                Some(Json::String(s)) => s.trim().to_string(),
                Some(Json::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            (!value.is_empty()).then(|| ((*key).to_string(), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::storage::sqlite::SqliteDb;
    use serde_json::json;

    /// (service, product, fields) of one `save_fields` call.
    type Saved = (i64, i64, Vec<(String, String)>);

    #[derive(Default)]
    struct Recorder {
        moved: Vec<(i64, i64)>,
        saved: Vec<Saved>,
    }

    impl RollbackHost for Recorder {
        fn move_to_product(&mut self, service_id: i64, pid: i64) -> Result<()> {
            self.moved.push((service_id, pid));
            Ok(())
        }
        fn save_fields(&mut self, s: i64, pid: i64, f: &[(String, String)]) -> Result<()> {
            self.saved.push((s, pid, f.to_vec()));
            Ok(())
        }
    }

    fn db() -> SqliteDb {
        let db = SqliteDb::memory().expect("memory");
        for sql in [
            "CREATE TABLE tblproducts (id INTEGER PRIMARY KEY, servertype TEXT)",
            "CREATE TABLE tblupgrades (id INTEGER PRIMARY KEY, relid INT, type TEXT, originalvalue TEXT, status TEXT)",
            "INSERT INTO tblproducts VALUES (1, 'acroniscloud'), (2, 'acroniscloud'), (3, 'cpanel')",
        ] {
            db.execute(sql, &[]).expect("schema");
        }
        db
    }

    fn fields() -> Map<String, Json> {
        json!({"tenant_id": " t-1 ", "user_id": "", "cloud_login": "alice", "other": "x"})
            .as_object()
            .cloned()
            .unwrap_or_default()
    }

    #[test]
    fn l30_moves_back_carries_ids_and_reopens_a_completed_upgrade() {
        let db = db();
        db.execute("INSERT INTO tblupgrades VALUES (1, 9, 'package', '2', 'Completed'), (2, 9, 'package', '1', 'Completed')", &[])
            .expect("rows");
        let mut host = Recorder::default();
        let out = restore(&db, &mut host, 9, &fields()).expect("restored");
        assert_eq!(
            out,
            Some(Restored {
                original_pid: 1,
                reopened: true
            }),
            "the latest upgrade"
        );
        assert_eq!(host.moved, vec![(9, 1)]);
        let kept = vec![
            ("cloud_login".to_string(), "alice".to_string()),
            ("tenant_id".to_string(), "t-1".to_string()),
        ];
        assert_eq!(host.saved, vec![(9, 1, kept)]);
        let rows = db
            .query("SELECT status FROM tblupgrades WHERE id = 2", &[])
            .expect("read");
        assert_eq!(
            rows.first().map(|r| r.text("status")),
            Some("Pending".into())
        );
    }

    #[test]
    fn a_pending_upgrade_stays_pending() {
        let db = db();
        db.execute(
            "INSERT INTO tblupgrades VALUES (1, 9, 'package', '2', 'Pending')",
            &[],
        )
        .expect("row");
        let out = restore(&db, &mut Recorder::default(), 9, &fields()).expect("restored");
        assert_eq!(
            out,
            Some(Restored {
                original_pid: 2,
                reopened: false
            })
        );
    }

    #[test]
    fn upgrades_from_other_modules_or_none_change_nothing() {
        let db = db();
        db.execute("INSERT INTO tblupgrades VALUES (1, 9, 'package', '3', 'Completed'), (2, 9, 'configoptions', '1', 'Completed')", &[])
            .expect("rows");
        let mut host = Recorder::default();
        assert_eq!(restore(&db, &mut host, 9, &fields()).expect("ran"), None);
        assert_eq!(restore(&db, &mut host, 10, &fields()).expect("ran"), None);
        assert!(host.moved.is_empty() && host.saved.is_empty());
    }
}
