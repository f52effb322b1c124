//! The aggregation step: a downloaded report file becomes the day's stored per-tenant values.

use super::{fail, now, ServerRun, StepResult, MAX_BAD_ROW_MESSAGES};
use crate::features::usage::csv_reader::{read_report, BadRow, ReadStats, Row};
use crate::features::usage::metrics::{Aggregator, UsageMetrics};
use crate::features::usage::store::ReportRow;
use crate::infra::error::Error;
use crate::infra::logging::Level;
use crate::platform::connection::Connection;
use crate::platform::root_facts::Platform;
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

impl ServerRun<'_, '_> {
    /// Parses `file` (the whole file, so a truncated or corrupt one is detected before any
    /// value is stored) and stores the per-tenant values of the day.
    pub(super) fn aggregate(&mut self, row: &ReportRow, file: &Path) -> StepResult {
        let target = self.report_file(row).display().to_string();
        let started = Instant::now();
        let parsed = self.parse(file).map_err(|e| fail(row, e))?;
        let message = parsed.message();
        for bad in &parsed.bad_messages {
            self.conn
                .logger()
                .log(Level::Warning, &format!("usage report #{}: {bad}", row.id));
        }
        let counts = (
            i64::try_from(parsed.stats.rows).unwrap_or(i64::MAX),
            i64::try_from(parsed.stats.bad_rows).unwrap_or(i64::MAX),
            i64::try_from(parsed.metrics.tenant_count()).unwrap_or(i64::MAX),
        );
        let store_started = Instant::now();
        let metrics = &parsed.metrics;
        let stored = self
            .store
            .store_day(
                row,
                metrics.iter().map(|(t, ms)| (t, ms.collect())),
                counts,
                &target,
                &message,
                now(),
            )
            .map_err(|e| fail(row, e))?;
        self.note(format!(
            "report #{} aggregated in {:.2} s (stored in {:.2} s): {message}; {} storages checked",
            row.id,
            started.elapsed().as_secs_f64(),
            store_started.elapsed().as_secs_f64(),
            parsed.lookups
        ));
        Ok(stored)
    }

    /// Reads the report into per-tenant values, asking the platform which storages it owns
    /// as they appear. A lookup failure fails the whole step: billing a platform-owned
    /// storage to a client, or skipping a client's own, would both be wrong.
    fn parse(&mut self, file: &Path) -> Result<Parsed, Error> {
        let mut owned = InfraOwnership::default();
        let conn = &mut *self.conn;
        let mut bad_messages: Vec<String> = Vec::new();
        let mut agg = Aggregator::new(Some(self.ctx.known_tenants), |infra: &str| {
            owned.platform_owned(conn, infra)
        });
        let stats = read_report(file, &mut |r: &Row<'_>| agg.add(r), &mut |bad: &BadRow| {
            if bad_messages.len() < MAX_BAD_ROW_MESSAGES {
                bad_messages.push(bad.to_string());
            }
        });
        let lookups = agg.infra_lookups();
        let metrics = agg.finish();
        let stats = stats.map_err(|e| {
            Error::validation(format!("The downloaded usage report is unusable: {e}"))
        })?;
        if let Some(e) = owned.error.take() {
            return Err(Error::transport(format!(
                "Cannot tell which storages are platform-owned: {e}"
            )));
        }
        Ok(Parsed {
            stats,
            metrics,
            lookups,
            bad_messages,
        })
    }
}

/// A parsed report: its counters, the per-tenant values and the first bad rows.
struct Parsed {
    stats: ReadStats,
    metrics: UsageMetrics,
    lookups: u64,
    bad_messages: Vec<String>,
}

impl Parsed {
    /// The row's message: counts, then the first bad rows (the rest are in the counters).
    fn message(&self) -> String {
        let mut message = format!(
            "{} rows, {} tenants billed, {} bad rows skipped",
            self.stats.rows,
            self.metrics.tenant_count(),
            self.stats.bad_rows
        );
        if !self.bad_messages.is_empty() {
            message.push_str(": ");
            message.push_str(&self.bad_messages.join("; "));
        }
        message
    }
}

/// Which infras are platform-owned: the root tenant's infras are read once (usually every
/// storage of the report), any other id is asked for by id; an id the platform does not know
/// counts as not platform-owned (F.4). O(distinct infras) calls, not two per tenant.
#[derive(Default)]
struct InfraOwnership {
    known: HashMap<String, bool>,
    primed: bool,
    error: Option<Error>,
}

impl InfraOwnership {
    fn platform_owned(&mut self, conn: &mut Connection, infra: &str) -> bool {
        if self.error.is_some() {
            return true;
        }
        if !self.primed {
            self.primed = true;
            match Platform::new(conn).root_infras() {
                Ok(list) => {
                    for i in list {
                        self.known.insert(i.id, i.platform_owned);
                    }
                }
                Err(e) => {
                    self.error = Some(e);
                    return true;
                }
            }
        }
        if let Some(&owned) = self.known.get(infra) {
            return owned;
        }
        let owned = match Platform::new(conn).infras_by_id(&[infra.to_string()]) {
            Ok(list) => list
                .iter()
                .find(|i| i.id == infra)
                .is_some_and(|i| i.platform_owned),
            Err(e) if e.http_status() == Some(404) => false,
            Err(e) => {
                self.error = Some(e);
                return true;
            }
        };
        self.known.insert(infra.to_string(), owned);
        owned
    }
}
