//! The activation's privilege check (L79): the WHMCS database user must be able to read,
//! write and create/alter the module's tables, or activation stops before creating anything
//! with the manual's message "Current database user(USER) has missing rights: …".
//!
//! MySQL/MariaDB answer `SHOW GRANTS FOR CURRENT_USER()`; grants on the WHMCS database
//! (`db`.*) and global grants (*.*) count. SQLite has no users: a file that can be written
//! has every right, and a read-only one is reported by the first write instead.

use super::{map_db, Db, Dialect};
use crate::infra::error::{Error, Result};

/// Rights the module needs on the WHMCS database.
pub const NEEDED: &[&str] = &["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER"];

/// The rights of [`NEEDED`] that the current user lacks, with the user's name as MySQL
/// shows it (`whmcs@localhost`).
pub fn missing(db: &dyn Db) -> Result<(String, Vec<&'static str>)> {
    if db.dialect() == Dialect::Sqlite {
        return Ok((String::new(), Vec::new()));
    }
    let who = db
        .query("SELECT CURRENT_USER() AS u, DATABASE() AS d", &[])
        .map_err(map_db("Checking the database user's rights"))?;
    let user = who.first().map(|r| r.text("u")).unwrap_or_default();
    let database = who.first().map(|r| r.text("d")).unwrap_or_default();
    let grants = db
        .query("SHOW GRANTS FOR CURRENT_USER()", &[])
        .map_err(map_db("Checking the database user's rights"))?;
    let lines: Vec<String> = grants
        .iter()
        .filter_map(|r| r.value_at(0).and_then(super::Value::as_text))
        .collect();
    let held = held_rights(&lines, &database);
    let lacking = NEEDED
        .iter()
        .copied()
        .filter(|n| !held.iter().any(|h| h == "ALL PRIVILEGES" || h == n))
        .collect();
    Ok((user, lacking))
}

/// The error activation reports (the manual's text, 9.2).
pub fn missing_rights_error(user: &str, lacking: &[&str]) -> Error {
    Error::config(format!(
        "Current database user({user}) has missing rights: {}",
        lacking.join(", ")
    ))
}

/// Rights granted on `database`.* or *.* by `GRANT … ON … TO …` lines.
pub fn held_rights(lines: &[String], database: &str) -> Vec<String> {
    let mut held = Vec::new();
    for line in lines {
        let Some(rest) = line.trim().strip_prefix("GRANT ") else {
            continue;
        };
        let Some((privs, target)) = rest.split_once(" ON ") else {
            continue;
        };
        let scope = target.split(" TO ").next().unwrap_or("").trim();
        if !applies_to(scope, database) {
            continue;
        }
        held.extend(
            privs
                .split(',')
                .map(|p| {
                    p.split('(')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_ascii_uppercase()
                })
                .filter(|p| !p.is_empty()),
        );
    }
    held
}

/// `*.*`, `` `db`.* `` (with the `\_` escaping MySQL shows for `_`) or a pattern that
/// matches the database.
fn applies_to(scope: &str, database: &str) -> bool {
    if scope == "*.*" {
        return true;
    }
    let Some(db_part) = scope.strip_suffix(".*") else {
        return false;
    };
    let name = db_part
        .trim_matches('`')
        .replace("\\_", "_")
        .replace("\\%", "%");
    if name.contains('%') {
        let prefix = name.split('%').next().unwrap_or("");
        return database.starts_with(prefix);
    }
    name == database
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn l79_rights_on_the_database_and_global_rights_count() {
        let g = lines(&[
            "GRANT USAGE ON *.* TO `whmcs`@`localhost` IDENTIFIED BY PASSWORD '*X'",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON `whmcs`.* TO `whmcs`@`localhost`",
            "GRANT CREATE ON `other`.* TO `whmcs`@`localhost`",
        ]);
        let held = held_rights(&g, "whmcs");
        assert!(held.contains(&"SELECT".to_string()));
        assert!(!held.contains(&"CREATE".to_string()));
        let all = lines(&["GRANT ALL PRIVILEGES ON `whmcs\\_t1`.* TO `u`@`%`"]);
        assert_eq!(
            held_rights(&all, "whmcs_t1"),
            vec!["ALL PRIVILEGES".to_string()]
        );
        let e = missing_rights_error("whmcs@localhost", &["CREATE", "ALTER"]).to_string();
        assert!(
            e.contains("Current database user(whmcs@localhost) has missing rights: CREATE, ALTER"),
            "{e}"
        );
    }
}
