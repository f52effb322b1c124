//! The report commands that need no platform: erase (daily), flushall, view-list, and the
//! reads behind WHMCS's usage billing (module-behaviour.md §F.3, §F.5).

use super::pipeline::UsagePaths;
use super::provider;
use super::status::ReportStatus;
use super::store::{TenantDay, UsageStore};
use crate::config::UsageReportConfig;
use crate::error::{Error, Result};
use crate::storage::Db;
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

/// Removes empty sub-directories directly under the reports folder.
fn remove_empty_dirs(base: &Path, warnings: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && std::fs::read_dir(&path).is_ok_and(|mut d| d.next().is_none()) {
            if let Err(e) = std::fs::remove_dir(&path) {
                warnings.push(format!(
                    "Cannot remove the empty folder {}: {e}",
                    path.display()
                ));
            }
        }
    }
}

/// What `flushall` removed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flushed {
    pub reports: i64,
    pub files: i64,
    pub tenant_rows: i64,
}

/// Deletes every report row, every file and folder under the reports folder (the folder itself
/// stays) and every per-tenant value.
pub fn flush_all(paths: &UsagePaths, db: &dyn Db) -> Result<Flushed> {
    let store = UsageStore::open(db)?;
    let (reports, tenant_rows) = store.flush()?;
    let mut files = 0;
    if let Ok(entries) = std::fs::read_dir(&paths.reports_dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let removed = if path.is_dir() {
                files += count_files(&path);
                std::fs::remove_dir_all(&path)
            } else {
                files += 1;
                std::fs::remove_file(&path)
            };
            removed.map_err(|e| Error::config(format!("Cannot delete {}: {e}", path.display())))?;
        }
    }
    Ok(Flushed {
        reports,
        files,
        tenant_rows,
    })
}

fn count_files(dir: &Path) -> i64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        count_files(&p)
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
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

    #[test]
    fn day_arithmetic() {
        assert_eq!(day_minus("2024-05-31", 2).unwrap(), "2024-05-29");
        assert_eq!(day_minus("2024-03-01", 1).unwrap(), "2024-02-29");
        assert!(day_minus("31/05/2024", 1).is_err());
    }
}
