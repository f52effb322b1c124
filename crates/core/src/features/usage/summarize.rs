//! Offline aggregation of one report file into `{"<tenant id>": {"<metric>": <value>}}` JSON
//! (`UsageMetrics::summarizeReport`, `manage.php usage-report:parse`): the numbers billing uses,
//! before unit conversion, for operators and benchmarks.

use super::csv_reader::{read_report, BadRow, Row};
use super::metrics::{Aggregator, UsageMetrics};
use crate::infra::error::{Error, Result};
use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

/// Bad-row messages kept for the caller (the count is always exact).
pub const MAX_ERRORS: usize = 20;

#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Valid data rows read (blank lines and the header excluded).
    pub rows: u64,
    /// Rows skipped as invalid.
    pub bad_rows: u64,
    /// Tenants written to the JSON file.
    pub tenants: u64,
    /// Wall time of reading, computing and writing.
    pub seconds: f64,
    /// The first [`MAX_ERRORS`] bad rows as `Line N: <message>`.
    pub errors: Vec<String>,
    /// Distinct infra ids looked up for the platform-owned check.
    pub infra_lookups: u64,
}

/// Reads `report_path`, computes the metrics and writes them to `json_out_path` (written to a
/// temporary file and renamed, so a failed run never leaves half a file; not fsynced: it is
/// an operator's export, recomputable from the report). `known_tenants`:
/// `None` = every tenant of the file; `platform_owned_infra`: `None` = every infra id.
/// A corrupt or truncated report is an error and nothing is written.
pub fn summarize_report(
    report_path: &Path,
    json_out_path: &Path,
    known_tenants: Option<&HashSet<String>>,
    platform_owned_infra: Option<&HashSet<String>>,
) -> Result<Summary> {
    let started = Instant::now();
    let mut agg = Aggregator::new(known_tenants, |infra: &str| {
        platform_owned_infra.is_none_or(|set| set.contains(infra))
    });
    let mut errors = Vec::new();
    let stats = read_report(
        report_path,
        &mut |row: &Row<'_>| agg.add(row),
        &mut |bad: &BadRow| {
            // Logged and kept up to MAX_ERRORS: a broken export must not flood the log.
            if errors.len() < MAX_ERRORS {
                log::warn!("usage report {}: {bad}", report_path.display());
                errors.push(bad.to_string());
            }
        },
    )?;
    if stats.bad_rows > MAX_ERRORS as u64 {
        log::warn!(
            "usage report {}: {} bad rows skipped in all",
            report_path.display(),
            stats.bad_rows
        );
    }
    let metrics = agg.finish();
    write_json(&metrics, json_out_path)?;
    Ok(Summary {
        rows: stats.rows,
        bad_rows: stats.bad_rows,
        tenants: metrics.tenant_count() as u64,
        seconds: started.elapsed().as_secs_f64(),
        errors,
        infra_lookups: metrics.infra_lookups,
    })
}

fn write_error(path: &Path, e: &dyn std::fmt::Display) -> Error {
    Error::config(format!(
        "The usage summary cannot be written to {}: {e}.",
        path.display()
    ))
}

/// Streams the JSON object to disk (no in-memory document for 100,000 tenants).
pub fn write_json(metrics: &UsageMetrics, path: &Path) -> Result<()> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".partial");
    let tmp = std::path::PathBuf::from(tmp_name);
    let result = (|| -> std::io::Result<()> {
        let mut out = BufWriter::with_capacity(1 << 16, std::fs::File::create(&tmp)?);
        out.write_all(b"{")?;
        for (i, (tenant, values)) in metrics.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut out, tenant)?;
            out.write_all(b":{")?;
            for (j, (metric, value)) in values.enumerate() {
                if j > 0 {
                    out.write_all(b",")?;
                }
                serde_json::to_writer(&mut out, metric)?;
                out.write_all(b":")?;
                write_number(&mut out, value)?;
            }
            out.write_all(b"}")?;
        }
        out.write_all(b"}\n")?;
        out.flush()
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(write_error(path, &e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        write_error(path, &e)
    })
}

/// Integral values as integers (bytes, seconds, counts), others in shortest form; a sum that
/// overflowed to infinity has no JSON form and is written as `null`.
fn write_number(out: &mut impl Write, v: f64) -> std::io::Result<()> {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
        write!(out, "{}", v as i64)
    } else if v.is_finite() {
        write!(out, "{v:?}")
    } else {
        out.write_all(b"null")
    }
}
