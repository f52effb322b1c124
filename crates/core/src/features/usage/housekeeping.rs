//! The report commands that need no platform: erase (daily), flushall, view-list, and the
//! reads behind WHMCS's usage billing (docs/behaviour.md §F.3, §F.5).

use super::pipeline::UsagePaths;
use super::provider;
use super::status::ReportStatus;
use super::store::{TenantDay, UsageStore};
use crate::infra::config_yaml::UsageReportConfig;
use crate::infra::error::{Error, Result};
use crate::infra::storage::Db;
use std::collections::HashMap;
use std::path::Path;

/// What `erase` did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Erased {
    pub erased: i64,
    pub history_deleted: i64,
    pub warnings: Vec<String>,
}

fn day_minus(today: &str, days: i64) -> Result<String> {
    let d = chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d")
        .map_err(|_| Error::validation(format!("Invalid date \"{today}\".")))?;
    let back = d
        .checked_sub_signed(chrono::Duration::days(days))
        .ok_or_else(|| Error::validation(format!("Invalid date \"{today}\" minus {days} days.")))?;
    Ok(back.format("%Y-%m-%d").to_string())
}

/// Erases report files older than `downloaded_files_ttl_in_days` (−1: never) and rows marked
/// "To be deleted" (J.2 #6: erased rows are never selected again), then the empty day folders,
/// then per-tenant values older than `history_days`.
pub fn erase(
    cfg: &UsageReportConfig,
    paths: &UsagePaths,
    db: &dyn Db,
    today: &str,
) -> Result<Erased> {
    let mut out = Erased::default();
    let store = UsageStore::open(db)?;
    let ttl = cfg.downloaded_files_ttl_in_days;
    if ttl >= 0 {
        let cutoff = day_minus(today, ttl)?;
        for row in store.rows_to_erase(Some(&cutoff))? {
            if let Some(file) = row.file_path.as_deref().filter(|f| !f.is_empty()) {
                if !is_module_file(&paths.reports_dir, Path::new(file)) {
                    out.warnings.push(format!(
                        "Report #{}: {file} is not a report file of the module's folder; it is not deleted.",
                        row.id
                    ));
                    continue;
                }
                match std::fs::remove_file(file) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => out.warnings.push(
                        format!("Report #{}: the file {file} was already missing.", row.id),
                    ),
                    Err(e) => {
                        out.warnings.push(format!(
                            "Report #{}: cannot delete {file}: {e}; it is kept for the next run.",
                            row.id
                        ));
                        continue;
                    }
                }
            }
            store.update(
                row.id,
                &super::store::RowUpdate {
                    status: Some(ReportStatus::Erased),
                    file_path: Some(None),
                    ..Default::default()
                },
            )?;
            out.erased += 1;
        }
        remove_empty_dirs(&paths.reports_dir, &mut out.warnings);
    }
    let keep_from = day_minus(today, cfg.history_days.saturating_sub(1))?;
    out.history_deleted = store.delete_days_before(&keep_from)?;
    Ok(out)
}

/// Removes empty day folders (`YYYY-MM-DD`, created by the pipeline) directly under the
/// reports folder; any other folder is not the module's and stays.
fn remove_empty_dirs(base: &Path, warnings: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if is_day_dir(&path) && std::fs::read_dir(&path).is_ok_and(|mut d| d.next().is_none()) {
            if let Err(e) = std::fs::remove_dir(&path) {
                warnings.push(format!(
                    "Cannot remove the empty folder {}: {e}",
                    path.display()
                ));
            }
        }
    }
}

/// A day folder the pipeline creates: a real directory (not a link) named `YYYY-MM-DD`.
fn is_day_dir(path: &Path) -> bool {
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.len() == 10 && chrono::NaiveDate::parse_from_str(n, "%Y-%m-%d").is_ok());
    named && std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// A file name the pipeline writes: `<report row id>.csv.gz`, or its `.gz.part` while the
/// download runs.
fn is_report_name(name: &str) -> bool {
    let id = name
        .strip_suffix(".csv.gz")
        .or_else(|| name.strip_suffix(".csv.gz.part"));
    id.is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `file` is a report file the module wrote: `<reports_dir>/<day>/<id>.csv.gz[.part]`
/// and a regular file. Housekeeping deletes nothing else, so a misconfigured folder or a
/// tampered database row cannot make it delete other data.
fn is_module_file(reports_dir: &Path, file: &Path) -> bool {
    let named = file
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(is_report_name);
    let in_day_dir = file
        .parent()
        .is_some_and(|day| day.parent() == Some(reports_dir) && is_day_dir(day));
    named && in_day_dir && std::fs::symlink_metadata(file).is_ok_and(|m| m.is_file())
}

/// What `flushall` removed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flushed {
    pub reports: i64,
    pub files: i64,
    pub tenant_rows: i64,
}

/// Deletes every report row, every report file the module wrote under the reports folder
/// (then the day folders left empty; the folder itself stays) and every per-tenant value.
/// Other files and folders found there are left alone.
pub fn flush_all(paths: &UsagePaths, db: &dyn Db) -> Result<Flushed> {
    let store = UsageStore::open(db)?;
    let (reports, tenant_rows) = store.flush()?;
    let mut files = 0;
    if let Ok(days) = std::fs::read_dir(&paths.reports_dir) {
        for day in days.flatten().map(|e| e.path()).filter(|p| is_day_dir(p)) {
            let Ok(entries) = std::fs::read_dir(&day) else {
                continue;
            };
            for path in entries.flatten().map(|e| e.path()) {
                if is_module_file(&paths.reports_dir, &path) {
                    std::fs::remove_file(&path).map_err(|e| {
                        Error::config(format!("Cannot delete {}: {e}", path.display()))
                    })?;
                    files += 1;
                }
            }
        }
    }
    let mut warnings = Vec::new();
    remove_empty_dirs(&paths.reports_dir, &mut warnings);
    Ok(Flushed {
        reports,
        files,
        tenant_rows,
    })
}

/// A text table with `+---+` rules, columns as wide as their widest cell.
pub fn text_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let rule = {
        let mut s = String::from("+");
        for w in &widths {
            s.push_str(&"-".repeat(w + 2));
            s.push('+');
        }
        s
    };
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::from("|");
        for (w, cell) in widths.iter().zip(cells) {
            let pad = w.saturating_sub(cell.chars().count());
            s.push(' ');
            s.push_str(cell);
            s.push_str(&" ".repeat(pad + 1));
            s.push('|');
        }
        s
    };
    let mut out = vec![
        rule.clone(),
        line(&mut header.iter().copied()),
        rule.clone(),
    ];
    for row in rows {
        out.push(line(&mut row.iter().map(String::as_str)));
    }
    out.push(rule);
    out.join("\n") + "\n"
}

/// The `view-list` text: `server_names` are the WHMCS servers that still exist.
pub fn view_list(db: &dyn Db, server_names: &HashMap<i64, String>) -> Result<String> {
    let store = UsageStore::open(db)?;
    let rows = store.rows()?;
    if rows.is_empty() {
        return Ok("There are no reports to be processed.\n".into());
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let (name, id) = match server_names.get(&r.server_id) {
                Some(n) => (n.clone(), r.server_id.to_string()),
                None => ("----".to_string(), "----".to_string()),
            };
            vec![
                r.id.to_string(),
                r.date.clone(),
                name,
                id,
                r.status.description().to_string(),
                r.file_path.clone().unwrap_or_default(),
                if r.aggregated_at > 0 {
                    r.tenants.to_string()
                } else {
                    String::new()
                },
                if r.aggregated_at > 0 {
                    r.bad_rows.to_string()
                } else {
                    String::new()
                },
                r.message.clone(),
            ]
        })
        .collect();
    Ok(format!(
        "List of reports:\n{}",
        text_table(
            &[
                "ID",
                "Date",
                "Datacenter name",
                "Datacenter ID",
                "Report status",
                "File path",
                "Tenants",
                "Bad rows",
                "Last message",
            ],
            &table
        )
    ))
}

/// A tenant's latest values on or before `today`, converted for WHMCS.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantUsage {
    pub date: String,
    pub collected_at: i64,
    pub values: Vec<(String, f64)>,
}

fn converted_day(day: TenantDay) -> Result<TenantUsage> {
    Ok(TenantUsage {
        values: provider::converted(&day.metrics)?,
        date: day.date,
        collected_at: day.updated_at,
    })
}

/// Latest values per tenant (batched indexed reads); tenants without values are absent.
pub fn usage(db: &dyn Db, tenants: &[String], today: &str) -> Result<Vec<(String, TenantUsage)>> {
    let store = UsageStore::open(db)?;
    store
        .latest_days(tenants, today)?
        .into_iter()
        .map(|day| Ok((day.tenant_id.clone(), converted_day(day)?)))
        .collect()
}

/// A tenant's last `days` days with values, newest first.
pub fn history(db: &dyn Db, tenant: &str, days: i64, today: &str) -> Result<Vec<TenantUsage>> {
    let store = UsageStore::open(db)?;
    store
        .tenant_days(tenant, today, days.clamp(1, 3660))?
        .into_iter()
        .map(converted_day)
        .collect()
}

/// The `metrics` command's dump: today's raw values with labels, tenants in id order.
/// Labelled raw values of one tenant.
pub type LabelledValues = Vec<(String, f64)>;

pub fn todays_raw(db: &dyn Db, today: &str) -> Result<Vec<(String, LabelledValues)>> {
    let store = UsageStore::open(db)?;
    Ok(store
        .day(today)?
        .into_iter()
        .map(|d| {
            let labelled = d
                .metrics
                .iter()
                .map(|(m, v)| (provider::label(m), *v))
                .collect();
            (d.tenant_id, labelled)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_pads_columns() {
        let t = text_table(&["ID", "Name"], &[vec!["10".into(), "a".into()]]);
        assert_eq!(
            t,
            "+----+------+\n| ID | Name |\n+----+------+\n| 10 | a    |\n+----+------+\n"
        );
    }

    /// Security finding 3: flushall and erase delete only the report files the module wrote,
    /// whatever else shares the folder.
    #[test]
    fn housekeeping_deletes_only_module_report_files() {
        let base = std::env::temp_dir().join(format!("acroniscloud-hk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let reports = base.join("reports");
        let day = reports.join("2024-05-01");
        std::fs::create_dir_all(&day).unwrap();
        std::fs::create_dir_all(reports.join("invoices")).unwrap();
        std::fs::create_dir_all(reports.join("2024-05-02")).unwrap();
        let keep = [
            reports.join("important.pdf"),
            reports.join("invoices").join("1.csv.gz"),
            day.join("notes.txt"),
            day.join("x1.csv.gz"),
        ];
        for f in &keep {
            std::fs::write(f, b"data").unwrap();
        }
        let ours = [day.join("5.csv.gz"), day.join("6.csv.gz.part")];
        for f in &ours {
            std::fs::write(f, b"report").unwrap();
        }
        let paths = UsagePaths {
            reports_dir: reports.clone(),
        };
        let db = crate::infra::storage::sqlite::SqliteDb::memory().unwrap();
        let flushed = flush_all(&paths, &db).unwrap();
        assert_eq!(flushed.files, 2);
        for f in &ours {
            assert!(!f.exists(), "{}", f.display());
        }
        for f in &keep {
            assert!(f.exists(), "{} must stay", f.display());
        }
        assert!(
            !reports.join("2024-05-02").exists(),
            "empty day folder removed"
        );
        assert!(day.exists(), "a day folder with other files stays");
        assert!(!is_module_file(&reports, &base.join("usage.sqlite")));
        assert!(!is_module_file(
            &reports,
            &reports.join("invoices").join("1.csv.gz")
        ));
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn day_arithmetic() {
        assert_eq!(day_minus("2024-05-31", 2).unwrap(), "2024-05-29");
        assert_eq!(day_minus("2024-03-01", 1).unwrap(), "2024-02-29");
        assert!(day_minus("31/05/2024", 1).is_err());
    }
}
