//! Writes the configurable option group planned by `create_options` into WHMCS's product
//! tables, in one database transaction.
//!
//! Why here and not in the PHP glue: which existing option a planned one updates (matched by
//! offering item, the text before the first `:`), which admin edits survive a re-run (renamed
//! friendly names and prices) and which rows a new option needs (one sub-option, a zero price
//! row per currency so the admin sees the grid ready to fill) are the module's rules. The
//! WHMCS side only lends its database connection (`crate::infra::storage::Db`). Re-running with the
//! same group name updates that group instead of creating a second one.
//!
//! The SQL is plain enough to run unchanged on MariaDB and on the emulation's SQLite; the WHMCS
//! column named `order` is quoted with backticks, which both accept.

use crate::infra::storage::{self, Db, DbError, Row, TxError, Value};
use crate::rules::config_options::PlannedOption;

/// One planned group, as `create_options` validated and planned it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupPlan {
    pub name: String,
    pub description: String,
    pub options: Vec<PlannedOption>,
}

/// The WHMCS price columns a new sub-option's rows start at zero.
const PRICE_COLUMNS: &[&str] = &[
    "msetupfee",
    "qsetupfee",
    "ssetupfee",
    "asetupfee",
    "bsetupfee",
    "tsetupfee",
    "monthly",
    "quarterly",
    "semiannually",
    "annually",
    "biennially",
    "triennially",
];

/// Writes `plan` and links the group to `product_id` (when positive); answers the group id.
/// Everything or nothing: a failure rolls the whole group back.
pub fn write(db: &dyn Db, plan: &GroupPlan, product_id: i64) -> crate::Result<i64> {
    storage::transaction(db, |db| {
        write_once(db, plan, product_id).map_err(TxError::Db)
    })
    .map_err(|e| e.into_error("writing the configurable option group"))
}

fn write_once(db: &dyn Db, plan: &GroupPlan, product_id: i64) -> Result<i64, DbError> {
    let gid = group_id(db, plan)?;
    let existing = db.query(
        "SELECT id, optionname FROM tblproductconfigoptions WHERE gid = ?",
        &[Value::Int(gid)],
    )?;
    let currencies = db.query("SELECT id FROM tblcurrencies ORDER BY id", &[])?;
    for (order, option) in plan.options.iter().enumerate() {
        let order = i64::try_from(order).unwrap_or(i64::MAX);
        match matching(&existing, &option.item) {
            Some(id) => update_option(db, id, option, order)?,
            None => insert_option(db, gid, option, order, &currencies)?,
        }
    }
    if product_id > 0 {
        link(db, gid, product_id)?;
    }
    Ok(gid)
}

/// The group named like the plan, created when missing.
fn group_id(db: &dyn Db, plan: &GroupPlan) -> Result<i64, DbError> {
    let found = db.query(
        "SELECT id FROM tblproductconfiggroups WHERE name = ? ORDER BY id LIMIT 1",
        &[Value::from(&plan.name)],
    )?;
    match found.first() {
        Some(row) => Ok(row.int("id")),
        None => db.insert(
            "INSERT INTO tblproductconfiggroups (name, description) VALUES (?, ?)",
            &[Value::from(&plan.name), Value::from(&plan.description)],
        ),
    }
}

/// The existing option for offering item `item`: the part of its name before the first `:`.
fn matching(existing: &[Row], item: &str) -> Option<i64> {
    existing
        .iter()
        .find(|row| {
            let name = row.text("optionname");
            name.split(':').next() == Some(item)
        })
        .map(|row| row.int("id"))
}

/// Keeps the admin's friendly name and prices; only the type and position follow the plan.
fn update_option(db: &dyn Db, id: i64, option: &PlannedOption, order: i64) -> Result<(), DbError> {
    db.execute(
        "UPDATE tblproductconfigoptions SET optiontype = ?, `order` = ? WHERE id = ?",
        &[
            Value::Int(i64::from(option.option_type)),
            Value::Int(order),
            Value::Int(id),
        ],
    )
    .map(|_| ())
}

fn insert_option(
    db: &dyn Db,
    gid: i64,
    option: &PlannedOption,
    order: i64,
    currencies: &[Row],
) -> Result<(), DbError> {
    let config_id = db.insert(
        "INSERT INTO tblproductconfigoptions (gid, optionname, optiontype, qtyminimum, qtymaximum, `order`, hidden) \
         VALUES (?, ?, ?, 0, 0, ?, 0)",
        &[
            Value::Int(gid),
            Value::from(&option.option_name),
            Value::Int(i64::from(option.option_type)),
            Value::Int(order),
        ],
    )?;
    let sub_id = db.insert(
        "INSERT INTO tblproductconfigoptionssub (configid, optionname, sortorder, hidden) VALUES (?, ?, 0, 0)",
        &[Value::Int(config_id), Value::from(&option.sub_option)],
    )?;
    let zeros = vec!["0"; PRICE_COLUMNS.len()].join(", ");
    let sql = format!(
        "INSERT INTO tblpricing (type, currency, relid, {}) VALUES ('configoptions', ?, ?, {zeros})",
        PRICE_COLUMNS.join(", ")
    );
    for currency in currencies {
        db.execute(&sql, &[Value::Int(currency.int("id")), Value::Int(sub_id)])?;
    }
    Ok(())
}

fn link(db: &dyn Db, gid: i64, product_id: i64) -> Result<(), DbError> {
    let linked = db.query(
        "SELECT 1 AS one FROM tblproductconfiglinks WHERE gid = ? AND pid = ?",
        &[Value::Int(gid), Value::Int(product_id)],
    )?;
    if linked.is_empty() {
        db.execute(
            "INSERT INTO tblproductconfiglinks (gid, pid) VALUES (?, ?)",
            &[Value::Int(gid), Value::Int(product_id)],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::storage::sqlite::SqliteDb;

    fn whmcs() -> SqliteDb {
        let db = SqliteDb::memory().expect("memory database");
        for sql in [
            "CREATE TABLE tblproductconfiggroups (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, description TEXT)",
            "CREATE TABLE tblproductconfigoptions (id INTEGER PRIMARY KEY AUTOINCREMENT, gid INT, optionname TEXT, optiontype INT, qtyminimum INT, qtymaximum INT, `order` INT, hidden INT)",
            "CREATE TABLE tblproductconfigoptionssub (id INTEGER PRIMARY KEY AUTOINCREMENT, configid INT, optionname TEXT, sortorder INT, hidden INT)",
            "CREATE TABLE tblpricing (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT, currency INT, relid INT, msetupfee REAL, qsetupfee REAL, ssetupfee REAL, asetupfee REAL, bsetupfee REAL, tsetupfee REAL, monthly REAL, quarterly REAL, semiannually REAL, annually REAL, biennially REAL, triennially REAL)",
            "CREATE TABLE tblproductconfiglinks (id INTEGER PRIMARY KEY AUTOINCREMENT, gid INT, pid INT)",
            "CREATE TABLE tblcurrencies (id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT)",
            "INSERT INTO tblcurrencies (code) VALUES ('USD'), ('EUR')",
        ] {
            db.execute(sql, &[]).expect("schema");
        }
        db
    }

    fn option(item: &str, friendly: &str, kind: u8) -> PlannedOption {
        PlannedOption {
            option_name: format!("{item}:quantity:|{friendly}"),
            option_type: kind,
            sub_option: "pcs".into(),
            item: item.into(),
        }
    }

    fn plan(options: Vec<PlannedOption>) -> GroupPlan {
        GroupPlan {
            name: "Acronis options".into(),
            description: "d".into(),
            options,
        }
    }

    fn count(db: &SqliteDb, table: &str) -> i64 {
        let rows = db
            .query(&format!("SELECT COUNT(*) AS n FROM {table}"), &[])
            .expect("count");
        rows.first().map(|r| r.int("n")).unwrap_or(-1)
    }

    #[test]
    fn l55_new_group_has_options_subs_zero_prices_and_link() {
        let db = whmcs();
        let gid = write(
            &db,
            &plan(vec![
                option("workstations", "W", 4),
                option("servers", "S", 4),
            ]),
            7,
        )
        .expect("written");
        assert!(gid > 0);
        assert_eq!(count(&db, "tblproductconfigoptions"), 2);
        assert_eq!(count(&db, "tblproductconfigoptionssub"), 2);
        assert_eq!(
            count(&db, "tblpricing"),
            4,
            "one zero price row per currency and option"
        );
        assert_eq!(count(&db, "tblproductconfiglinks"), 1);
    }

    #[test]
    fn l55_rerun_updates_in_place_and_keeps_admin_names() {
        let db = whmcs();
        let gid = write(&db, &plan(vec![option("workstations", "W", 4)]), 7).expect("first");
        db.execute(
            "UPDATE tblproductconfigoptions SET optionname = 'workstations:quantity:|Desktops'",
            &[],
        )
        .expect("admin rename");
        let again = write(
            &db,
            &plan(vec![
                option("servers", "S", 4),
                option("workstations", "W", 3),
            ]),
            7,
        )
        .expect("second");
        assert_eq!(again, gid, "same group");
        assert_eq!(count(&db, "tblproductconfiggroups"), 1);
        assert_eq!(count(&db, "tblproductconfigoptions"), 2);
        assert_eq!(count(&db, "tblproductconfiglinks"), 1, "linked once");
        let rows = db
            .query(
                "SELECT optionname, optiontype, `order` AS o FROM tblproductconfigoptions WHERE optionname LIKE 'workstations%'",
                &[],
            )
            .expect("read");
        let row = rows.first().expect("row");
        assert_eq!(row.text("optionname"), "workstations:quantity:|Desktops");
        assert_eq!(row.int("optiontype"), 3);
        assert_eq!(row.int("o"), 1);
    }

    #[test]
    fn a_failure_writes_nothing() {
        let db = whmcs();
        db.execute("DROP TABLE tblpricing", &[]).expect("drop");
        let err = write(&db, &plan(vec![option("workstations", "W", 4)]), 7);
        assert!(err.is_err());
        assert_eq!(count(&db, "tblproductconfiggroups"), 0);
        assert_eq!(count(&db, "tblproductconfigoptions"), 0);
    }

    #[test]
    fn no_product_means_no_link() {
        let db = whmcs();
        write(&db, &plan(vec![option("workstations", "W", 4)]), 0).expect("written");
        assert_eq!(count(&db, "tblproductconfiglinks"), 0);
    }
}
