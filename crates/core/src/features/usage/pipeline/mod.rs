//! The report pipeline of one cron run (docs/behaviour.md §F.3 with the J.2 #3–#5 fixes):
//! every server's report of the day is advanced by every step possible now — order, one poll,
//! download, aggregate — and the run returns; nothing sleeps. Work on a report happens under a
//! lease in the usage store, so overlapping runs never repeat a step. Servers are processed
//! concurrently, one thread and one connection each.
//!
//! [`paths`] says where report files go, [`aggregate`] turns a downloaded file into stored
//! values, and [`run`] is the entry of a cron or manage.php run (which path, which tenants).

mod aggregate;
pub mod paths;
pub mod run;

pub use paths::UsagePaths;
pub use run::{aggregate_pending, needs_tenants, run, RunKind, RunOutcome, RunRequest};

use super::status::ReportStatus;
use super::store::{Claim, ReportRow, RowUpdate, UsageStore};
use crate::infra::config_yaml::Config;
use crate::infra::error::Error;
use crate::infra::logging::Level;
use crate::infra::storage::funnel::{self, FunnelDb};
use crate::infra::storage::Db;
use crate::platform::connection::Connection;
use crate::platform::http::{Exchange, Method};
use crate::platform::server_settings::ServerRecord;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Everything one run needs besides the servers.
pub struct RunContext<'a> {
    pub config: &'a Config,
    pub paths: &'a UsagePaths,
    /// Tenant ids of WHMCS services (rows of other tenants are not billed).
    pub known_tenants: &'a HashSet<String>,
    /// The report day, `YYYY-MM-DD` (UTC).
    pub today: String,
    /// Print progress lines on stderr (manage.php on a terminal).
    pub progress: bool,
}

/// A server as the run gets it.
#[derive(Debug, Clone)]
pub struct UsageServer {
    pub record: ServerRecord,
    pub disabled: bool,
}

/// What happened to one server's report in this run.
#[derive(Debug, Clone, Default)]
pub struct ServerOutcome {
    pub server_id: i64,
    pub server_name: String,
    pub row_id: Option<i64>,
    pub date: String,
    pub status: i64,
    pub status_text: String,
    pub actions: Vec<String>,
    pub error: Option<String>,
    pub skipped: Option<String>,
    /// Masked Cloud API exchanges, for the WHMCS module log.
    pub exchanges: Vec<Exchange>,
}

impl ServerOutcome {
    fn set_status(&mut self, row: &ReportRow) {
        self.status = row.status.code();
        self.status_text = row.status.description().into();
    }

    /// One line for logs and manage.php, e.g.
    /// `Server #1 (EU2): 2024-05-31 report #3: Downloaded and saved (…)`.
    pub fn summary(&self) -> String {
        let mut line = format!("Server #{} ({})", self.server_id, self.server_name);
        if let Some(why) = &self.skipped {
            line.push_str(": skipped: ");
            line.push_str(why);
            return line;
        }
        line.push_str(": ");
        line.push_str(&self.date);
        if let Some(id) = self.row_id {
            line.push_str(&format!(" report #{id}"));
        }
        if !self.status_text.is_empty() {
            line.push_str(": ");
            line.push_str(&self.status_text);
        }
        if !self.actions.is_empty() {
            line.push_str(&format!(" ({})", self.actions.join(", ")));
        }
        // The failed step's note already carries the error text.
        if let Some(e) = self
            .error
            .as_deref()
            .filter(|e| !self.actions.iter().any(|a| a.contains(e)))
        {
            line.push_str(": error: ");
            line.push_str(e);
        }
        line
    }

    pub fn to_json(&self) -> Value {
        json!({
            "summary": self.summary(),
            "server_id": self.server_id,
            "server_name": self.server_name,
            "row_id": self.row_id,
            "date": self.date,
            "status": self.status,
            "status_text": self.status_text,
            "actions": self.actions,
            "error": self.error,
            "skipped": self.skipped,
        })
    }
}

/// Bad-row messages kept in a report row's message.
const MAX_BAD_ROW_MESSAGES: usize = 3;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Today's UTC date. Builds with the `test-hooks` feature let tests fix it
/// (`ACRONISCLOUD_TEST_TODAY` with `ACRONISCLOUD_TEST_HOOKS=1`); release builds never read
/// those variables, so a stray environment cannot shift a provider's billing day.
pub fn today() -> String {
    test_today().unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string())
}

#[cfg(feature = "test-hooks")]
fn test_today() -> Option<String> {
    if std::env::var("ACRONISCLOUD_TEST_HOOKS").as_deref() != Ok("1") {
        return None;
    }
    let day = std::env::var("ACRONISCLOUD_TEST_TODAY").ok()?;
    chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
        .ok()
        .map(|_| day.trim().to_string())
}

#[cfg(not(feature = "test-hooks"))]
fn test_today() -> Option<String> {
    None
}

/// `GET` path listing a report's stored files. Report ids come from the platform (and then
/// from the database): they are checked as UUIDs before they become part of a URL, so an id
/// such as `../../users` can never send the module's token to another endpoint.
fn stored_list_path(report_id: &str) -> crate::infra::error::Result<String> {
    crate::infra::uuid::require(report_id, "report id")?;
    Ok(format!("/api/2/reports/{report_id}/stored"))
}

/// `GET` path of one stored report file (both ids checked, see [`stored_list_path`]).
fn stored_file_path(report_id: &str, stored_id: &str) -> crate::infra::error::Result<String> {
    crate::infra::uuid::require(stored_id, "stored report id")?;
    Ok(format!("{}/{stored_id}", stored_list_path(report_id)?))
}

/// A lease owner id unique to this run and thread.
fn owner_id(server_id: i64) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}-{server_id}-{nanos:x}", std::process::id())
}

/// Runs every server (disabled ones are skipped), concurrently: one thread per server for the
/// platform and file work, their database statements carried out one at a time over `db` on
/// this thread (see `storage::funnel`).
pub fn process_all(
    servers: &[UsageServer],
    ctx: &RunContext<'_>,
    db: &dyn Db,
) -> Vec<ServerOutcome> {
    let served = funnel::serve(db, |funnel| run_threads(servers, ctx, &funnel));
    served.unwrap_or_else(|_| servers.iter().map(|s| internal_failure(s, ctx)).collect())
}

fn internal_failure(s: &UsageServer, ctx: &RunContext<'_>) -> ServerOutcome {
    ServerOutcome {
        server_id: s.record.id.unwrap_or(0),
        server_name: s.record.name.clone(),
        date: ctx.today.clone(),
        error: Some("Internal error while processing the usage report.".into()),
        ..ServerOutcome::default()
    }
}

fn run_threads(
    servers: &[UsageServer],
    ctx: &RunContext<'_>,
    funnel: &FunnelDb,
) -> Vec<ServerOutcome> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = servers
            .iter()
            .map(|s| {
                let handle = std::thread::Builder::new()
                    .name(format!("usage-{}", s.record.id.unwrap_or(0)))
                    .spawn_scoped(scope, {
                        let db = funnel.clone();
                        move || crate::infra::error::isolated(|| process_server(s, ctx, &db))
                    });
                (s, handle)
            })
            .collect();
        handles
            .into_iter()
            .map(|(s, handle)| {
                let joined = match handle {
                    Ok(h) => h.join().ok().flatten(),
                    Err(_) => None,
                };
                joined.unwrap_or_else(|| internal_failure(s, ctx))
            })
            .collect()
    })
}

/// Advances one server's report of `ctx.today` as far as possible now.
pub fn process_server(server: &UsageServer, ctx: &RunContext<'_>, db: &dyn Db) -> ServerOutcome {
    let server_id = server.record.id.unwrap_or(0);
    let mut out = ServerOutcome {
        server_id,
        server_name: server.record.name.clone(),
        date: ctx.today.clone(),
        ..ServerOutcome::default()
    };
    if server.disabled {
        out.skipped = Some("The server is disabled in WHMCS.".into());
        return out;
    }
    if server_id <= 0 {
        out.error = Some("The server has no id.".into());
        return out;
    }
    let store = match UsageStore::open(db) {
        Ok(s) => s,
        Err(e) => {
            out.error = Some(e.to_string());
            return out;
        }
    };
    let owner = owner_id(server_id);
    if let Some(row) = claim_report(&store, server_id, ctx, &owner, &mut out) {
        out.row_id = Some(row.id);
        advance_report(server, ctx, &store, &owner, row, &mut out);
        let _ = store.release(server_id, &ctx.today, &owner);
    }
    out
}

/// Takes the lease on the day's report. `None`, with `out` saying why, when another run holds
/// it (that run does the work; this one must not repeat a step) or the store fails.
fn claim_report(
    store: &UsageStore<'_>,
    server_id: i64,
    ctx: &RunContext<'_>,
    owner: &str,
    out: &mut ServerOutcome,
) -> Option<ReportRow> {
    match store.claim(server_id, &ctx.today, owner, now()) {
        Ok(Claim::Claimed(row)) => Some(row),
        Ok(Claim::Busy(row, until)) => {
            if let Some(row) = &row {
                out.row_id = Some(row.id);
                out.set_status(row);
            }
            let when = chrono::DateTime::from_timestamp(until, 0)
                .map(|d| d.format("%H:%M:%S UTC").to_string())
                .unwrap_or_default();
            out.skipped = Some(format!(
                "Another run is working on the report of {} (until {when} at the latest).",
                ctx.today
            ));
            None
        }
        Err(e) => {
            out.error = Some(e.to_string());
            None
        }
    }
}

/// Runs the steps on a claimed report with a connection of its own, and records in `out`
/// the steps taken, the status reached, the error (also written to the file log) and the
/// masked exchanges for the module log.
fn advance_report(
    server: &UsageServer,
    ctx: &RunContext<'_>,
    store: &UsageStore<'_>,
    owner: &str,
    row: ReportRow,
    out: &mut ServerOutcome,
) {
    let mut conn = match Connection::new(&server.record, ctx.config.clone()) {
        Ok(c) => c,
        Err(e) => {
            out.error = Some(e.to_string());
            return;
        }
    };
    let mut run = ServerRun {
        ctx,
        store,
        conn: &mut conn,
        owner,
        actions: Vec::new(),
    };
    let result = run.advance(row);
    out.actions = std::mem::take(&mut run.actions);
    match result {
        Ok(row) => {
            out.set_status(&row);
            if row.status == ReportStatus::Error {
                out.error = Some(row.message.clone());
            }
        }
        Err(failure) => {
            let (row, e) = *failure;
            out.set_status(&row);
            out.error = Some(e.to_string());
        }
    }
    if let Some(e) = &out.error {
        conn.logger().log(
            Level::Error,
            &format!(
                "usage report of server {} ({}): {e}",
                out.server_id, ctx.today
            ),
        );
    }
    out.exchanges = conn.take_exchanges();
}

struct ServerRun<'r, 'c> {
    ctx: &'r RunContext<'c>,
    store: &'r UsageStore<'r>,
    conn: &'r mut Connection,
    owner: &'r str,
    actions: Vec<String>,
}

/// A failed step: the row as stored after recording the failure, and the error.
type StepFailure = Box<(ReportRow, Error)>;
type StepResult = std::result::Result<ReportRow, StepFailure>;

/// Creates the report's directory and its `.part` file (buffered: reports are large).
fn create_part(target: &Path, part: &Path) -> Result<std::io::BufWriter<std::fs::File>, Error> {
    let dir = target.parent().map(Path::to_path_buf).unwrap_or_default();
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return Err(Error::config(format!(
            "Cannot create the report directory {}: {e}. Check that the cron user can write \
             to the WHMCS downloads storage.",
            dir.display()
        )));
    }
    match std::fs::File::create(part) {
        Ok(f) => Ok(std::io::BufWriter::with_capacity(1 << 20, f)),
        Err(e) => Err(Error::config(format!(
            "Cannot write the report file {}: {e}.",
            part.display()
        ))),
    }
}

/// A download shorter than its `Content-Length` is a cut connection, not a report.
fn complete(d: crate::platform::http::Download) -> Result<crate::platform::http::Download, Error> {
    let expected = d
        .header("Content-Length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    match expected {
        Some(expected) if expected != d.bytes => Err(Error::transport(format!(
            "The report download was cut short ({} of {expected} bytes).",
            d.bytes
        ))),
        _ => Ok(d),
    }
}

fn fail(row: &ReportRow, e: Error) -> StepFailure {
    Box::new((row.clone(), e))
}

impl ServerRun<'_, '_> {
    fn note(&mut self, text: String) {
        self.conn
            .logger()
            .log(Level::Info, &format!("usage report: {text}"));
        self.actions.push(text);
    }

    fn update(&mut self, row: &ReportRow, u: RowUpdate) -> StepResult {
        self.store.update(row.id, &u).map_err(|e| fail(row, e))
    }

    /// Records a failed attempt; after `retries_limit` of them in a row the report is marked
    /// as failed so that the next run orders a new one.
    fn failed(&mut self, row: &ReportRow, e: Error, escalate: bool) -> StepResult {
        let failures = row.failures + 1;
        let limit = i64::from(self.ctx.config.usage_report.retries_limit.max(1));
        let give_up = escalate && failures >= limit;
        // The HTTP status of a refused login stays in the message: the status page's hint
        // (check the server's credentials) is chosen from it.
        let refused = match e.http_status() {
            Some(code @ (401 | 403)) => format!(" (HTTP {code})"),
            _ => String::new(),
        };
        let message = if give_up {
            format!(
                "{e}{refused} (attempt {failures}; a new report will be ordered by the next run)"
            )
        } else {
            format!("{e}{refused} (attempt {failures}; the next run retries)")
        };
        self.note(message.clone());
        let row = self.update(
            row,
            RowUpdate {
                failures: Some(if give_up { 0 } else { failures }),
                message: Some(message),
                status: give_up.then_some(ReportStatus::Error),
                ..RowUpdate::default()
            },
        )?;
        Err(fail(&row, e))
    }

    fn advance(&mut self, mut row: ReportRow) -> StepResult {
        loop {
            row = match row.status {
                ReportStatus::New | ReportStatus::Error => self.order(row)?,
                ReportStatus::Ordered => match self.poll(row)? {
                    (row, true) => row,
                    (row, false) => return Ok(row),
                },
                ReportStatus::Ready => self.download(row)?,
                ReportStatus::Downloaded | ReportStatus::Aggregated if row.aggregated_at == 0 => {
                    self.aggregate_existing(row)?
                }
                _ => return Ok(row),
            };
        }
    }

    fn order(&mut self, row: ReportRow) -> StepResult {
        let root = match self.conn.root_tenant_id() {
            Ok(r) => r,
            Err(e) => return self.failed(&row, e, true),
        };
        let body = json!({
            "recipients": [],
            "result_action": "save",
            "parameters": {"tenant_id": root, "kind": "usage_current", "level": "accounts"},
            "schedule": {"type": "once"},
        });
        let answer = match self
            .conn
            .call(Method::Post, "/api/2/reports", &[], Some(body))
        {
            Ok(v) => v,
            Err(e) => return self.failed(&row, e, true),
        };
        let Some(id) = answer
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        else {
            let e =
                crate::platform::error_answer::unexpected("POST /api/2/reports", "no report id");
            return self.failed(&row, e, true);
        };
        if !crate::infra::uuid::is_uuid(id) {
            let e = crate::platform::error_answer::unexpected(
                "POST /api/2/reports",
                "a report id that is not a UUID",
            );
            return self.failed(&row, e, true);
        }
        self.note(format!("report #{} ordered as {id}", row.id));
        self.update(
            &row,
            RowUpdate {
                status: Some(ReportStatus::Ordered),
                report_id: Some(Some(id.to_string())),
                stored_report_id: Some(None),
                failures: Some(0),
                message: Some(format!("Ordered {id}.")),
                last_poll_at: Some(0),
                ..RowUpdate::default()
            },
        )
    }

    /// One poll; `true` when the report moved on (ready or failed).
    fn poll(&mut self, row: ReportRow) -> std::result::Result<(ReportRow, bool), StepFailure> {
        let wait = i64::try_from(self.ctx.config.usage_report.retry_timeout).unwrap_or(i64::MAX);
        let t = now();
        if row.last_poll_at > 0 && t - row.last_poll_at < wait {
            let next = row.last_poll_at.saturating_add(wait) - t;
            self.note(format!(
                "report #{} not ready at the last poll; next poll in {next} s (usage_report.retry_timeout)",
                row.id
            ));
            return Ok((row, false));
        }
        let path = match stored_list_path(row.report_id.as_deref().unwrap_or_default()) {
            Ok(p) => p,
            Err(e) => return self.failed(&row, e, true).map(|r| (r, false)),
        };
        let answer = match self.conn.call(Method::Get, &path, &[], None) {
            Ok(v) => v,
            Err(e) => return self.failed(&row, e, true).map(|r| (r, false)),
        };
        let items = answer
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        // J.2 #5: the csv_v2_0 entry wherever it is in the list.
        let Some(entry) = items
            .iter()
            .find(|i| i.get("report_format").and_then(Value::as_str) == Some("csv_v2_0"))
        else {
            let e = Error::transport(format!(
                "There are no stored reports of format \"csv_v2_0\" for report #{}.",
                row.id
            ));
            let row = self.update(
                &row,
                RowUpdate {
                    last_poll_at: Some(t),
                    ..RowUpdate::default()
                },
            )?;
            return self.failed(&row, e, true).map(|r| (r, false));
        };
        self.polled(row, entry, t)
    }

    /// What the stored-report entry of a poll at `t` says: ready, failed or still generating.
    fn polled(
        &mut self,
        row: ReportRow,
        entry: &Value,
        t: i64,
    ) -> std::result::Result<(ReportRow, bool), StepFailure> {
        let status = entry.get("status").and_then(Value::as_str).unwrap_or("");
        let (update, moved_on) = match status {
            "saved" => {
                let Some(sid) = entry
                    .get("id")
                    .and_then(Value::as_str)
                    .filter(|s| crate::infra::uuid::is_uuid(s))
                else {
                    let e = crate::platform::error_answer::unexpected(
                        "GET /api/2/reports/{id}/stored",
                        "a saved report without a UUID id",
                    );
                    return self.failed(&row, e, true).map(|r| (r, false));
                };
                self.note(format!("report #{} is ready (stored report {sid})", row.id));
                let update = RowUpdate {
                    status: Some(ReportStatus::Ready),
                    stored_report_id: Some(Some(sid.to_string())),
                    message: Some("Ready for downloading.".into()),
                    ..RowUpdate::default()
                };
                (update, true)
            }
            "failed" => {
                let message = "Report generation failed or something went wrong.".to_string();
                self.note(format!("report #{}: {message}", row.id));
                let update = RowUpdate {
                    status: Some(ReportStatus::Error),
                    message: Some(message),
                    ..RowUpdate::default()
                };
                (update, false)
            }
            other => {
                self.note(format!(
                    "report #{} is still being generated ({}); a later run polls again",
                    row.id,
                    if other.is_empty() { "no status" } else { other }
                ));
                let update = RowUpdate {
                    message: Some("Being generated by the platform.".into()),
                    ..RowUpdate::default()
                };
                (update, false)
            }
        };
        let update = RowUpdate {
            failures: Some(0),
            last_poll_at: Some(t),
            ..update
        };
        Ok((self.update(&row, update)?, moved_on))
    }

    fn report_file(&self, row: &ReportRow) -> PathBuf {
        self.ctx
            .paths
            .reports_dir
            .join(&row.date)
            .join(format!("{}.csv.gz", row.id))
    }

    /// Streams the stored report to `<file>.part`, checks and aggregates it, then renames it.
    /// A broken download leaves no file behind and is retried by the next run; only a stored
    /// report the platform no longer has makes the report be ordered again.
    fn download(&mut self, row: ReportRow) -> StepResult {
        let target = self.report_file(&row);
        let part = target.with_extension("gz.part");
        let file = match create_part(&target, &part) {
            Ok(f) => f,
            Err(e) => return self.failed(&row, e, false),
        };
        let path = match stored_file_path(
            row.report_id.as_deref().unwrap_or_default(),
            row.stored_report_id.as_deref().unwrap_or_default(),
        ) {
            Ok(p) => p,
            Err(e) => {
                drop(file);
                let _ = std::fs::remove_file(&part);
                return self.failed(&row, e, true);
            }
        };
        let started = Instant::now();
        let d = match self.fetch(&row, &path, file, &part).and_then(complete) {
            Ok(d) => d,
            Err(e) => {
                let _ = std::fs::remove_file(&part);
                let gone = matches!(e.http_status(), Some(404 | 410));
                return self.failed(&row, e, gone);
            }
        };
        self.note(format!(
            "report #{} downloaded: {} bytes in {:.1} s",
            row.id,
            d.bytes,
            started.elapsed().as_secs_f64()
        ));
        // The status page's download step ends here (the aggregation is its own step).
        let stamped = RowUpdate {
            downloaded_at: Some(now()),
            ..RowUpdate::default()
        };
        let row = match self.update(&row, stamped) {
            Ok(row) => row,
            Err(failure) => {
                let _ = std::fs::remove_file(&part);
                return Err(failure);
            }
        };
        self.keep(&row, &part, &target)
    }

    /// Downloads `path` into `file` (the `.part` file), renewing the row's lease and showing
    /// progress every 10 s, and makes the file durable.
    fn fetch(
        &mut self,
        row: &ReportRow,
        path: &str,
        mut file: std::io::BufWriter<std::fs::File>,
        part: &Path,
    ) -> Result<crate::platform::http::Download, Error> {
        let timeout = Duration::from_secs(self.ctx.config.usage_report.download_timeout);
        let mut last_tick = Instant::now();
        let progress_on = self.ctx.progress;
        let (store, owner, row_id) = (self.store, self.owner, row.id);
        let result = self.conn.download(path, timeout, &mut file, &mut |bytes| {
            if last_tick.elapsed() >= Duration::from_secs(10) {
                let _ = store.renew(row, owner, now());
                if progress_on {
                    eprintln!("report #{row_id}: {:.1} MB downloaded", bytes as f64 / 1e6);
                }
                last_tick = Instant::now();
            }
        });
        let flushed = file.flush().and_then(|()| {
            file.into_inner()
                .map_err(|e| e.into_error())
                .and_then(|f| f.sync_all())
        });
        match (result, flushed) {
            (Ok(d), Ok(())) => Ok(d),
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => Err(Error::config(format!(
                "Cannot write the report file {}: {e}.",
                part.display()
            ))),
        }
    }

    /// Aggregates the downloaded `.part` file and renames it to `target`.
    fn keep(&mut self, row: &ReportRow, part: &Path, target: &Path) -> StepResult {
        match self.aggregate(row, part) {
            Ok(row) => {
                if let Err(e) = std::fs::rename(part, target) {
                    let _ = std::fs::remove_file(part);
                    let e = Error::config(format!(
                        "Cannot rename the report file to {}: {e}.",
                        target.display()
                    ));
                    return self.failed(&row, e, false);
                }
                let shown = target.display().to_string();
                self.update(
                    &row,
                    RowUpdate {
                        file_path: Some(Some(shown)),
                        ..RowUpdate::default()
                    },
                )
            }
            Err(failure) => {
                let (row, e) = *failure;
                let _ = std::fs::remove_file(part);
                self.failed(&row, e, false)
            }
        }
    }

    /// A downloaded file whose values were not stored yet (the aggregation failed earlier).
    fn aggregate_existing(&mut self, row: ReportRow) -> StepResult {
        let Some(path) = row
            .file_path
            .clone()
            .map(PathBuf::from)
            .filter(|p| p.is_file())
        else {
            // The file is gone: download it again.
            self.note(format!(
                "report #{}: the downloaded file is missing; downloading again",
                row.id
            ));
            return self.update(
                &row,
                RowUpdate {
                    status: Some(ReportStatus::Ready),
                    file_path: Some(None),
                    ..RowUpdate::default()
                },
            );
        };
        match self.aggregate(&row, &path) {
            Ok(row) => Ok(row),
            Err(failure) => {
                let (row, e) = *failure;
                self.failed(&row, e, false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Security finding 4: ids from the platform never reach a URL path unchecked.
    #[test]
    fn report_paths_take_only_uuid_ids() {
        let id = "3f1c9a52-6b0e-4d8a-9c1e-0a5b7d2e4f10";
        let sid = "0b3d5c1e-0000-4000-8000-000000000001";
        assert_eq!(
            stored_file_path(id, sid).ok().as_deref(),
            Some("/api/2/reports/3f1c9a52-6b0e-4d8a-9c1e-0a5b7d2e4f10/stored/0b3d5c1e-0000-4000-8000-000000000001")
        );
        for bad in [
            "",
            "../../users/me",
            "x/../y",
            "3f1c9a52-6b0e-4d8a-9c1e-0a5b7d2e4f10?q=1",
            "%2e%2e",
        ] {
            assert!(stored_list_path(bad).is_err(), "{bad}");
            assert!(stored_file_path(bad, sid).is_err(), "{bad}");
            assert!(stored_file_path(id, bad).is_err(), "{bad}");
        }
    }
}
