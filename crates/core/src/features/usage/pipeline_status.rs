//! The billing-pipeline status (admin page "Usage billing", admin action `pipeline_status`,
//! `manage.php usage-report:status`): per server and day, where the report stands, how long
//! each step took, what the cron does next and when, and — for a failure — a hint that tells
//! the provider what to fix. Read-only: it never takes a lease or changes a row.

use super::status::ReportStatus;
use super::store::lease_name;
use crate::infra::error::Result;
use crate::infra::i18n::Translator;
use crate::infra::storage::{lease, map_db, schema, Db, Row, Value};
use serde::Serialize;

/// A report still not ready after this many hours is a platform delay (hint).
const DELAY_HOURS: i64 = 6;
/// Days shown per server unless the caller asks for another number.
pub const DEFAULT_DAYS: i64 = 7;
/// At most this many days (the usage history is kept 35 days by default).
pub const MAX_DAYS: i64 = 35;

/// A WHMCS server of type `acroniscloud`.
#[derive(Debug, Clone)]
pub struct StatusServer {
    pub id: i64,
    pub name: String,
    pub disabled: bool,
}

/// What the status is computed against.
#[derive(Debug, Clone)]
pub struct StatusClock {
    /// Unix time now.
    pub now: i64,
    /// The report day of the cron (`YYYY-MM-DD`, UTC).
    pub today: String,
    /// `usage_report.retry_timeout`: the minimum seconds between two polls.
    pub retry_timeout: i64,
    /// Days per server, newest first.
    pub days: i64,
}

impl StatusClock {
    /// Now, the cron's report day, and `usage_report.retry_timeout` of `config`.
    pub fn current(config: &crate::infra::config_yaml::Config, days: i64) -> StatusClock {
        StatusClock {
            now: chrono::Utc::now().timestamp(),
            today: super::pipeline::today(),
            retry_timeout: i64::try_from(config.usage_report.retry_timeout).unwrap_or(i64::MAX),
            days: days.clamp(1, MAX_DAYS),
        }
    }
}

/// Seconds each step took (None: not done yet, or a row of an earlier version).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct StepDurations {
    /// Order → ready: the platform's generation time (plus the cron's polling interval).
    pub order_to_ready: Option<i64>,
    /// Ready → downloaded.
    pub download: Option<i64>,
    /// Downloaded → values stored per tenant.
    pub aggregate: Option<i64>,
}

/// Another run's lease on the report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LeaseInfo {
    pub owner: String,
    pub until: i64,
}

/// One server's report of one day.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DayStatus {
    pub row_id: i64,
    pub date: String,
    pub status: i64,
    pub status_text: String,
    /// Seconds since the row was created (the first cron run of that day).
    pub age_seconds: Option<i64>,
    pub rows: i64,
    pub tenants: i64,
    pub bad_rows: i64,
    pub ordered_at: Option<i64>,
    pub ready_at: Option<i64>,
    pub downloaded_at: Option<i64>,
    pub aggregated_at: Option<i64>,
    pub durations: StepDurations,
    /// `order`, `poll`, `download`, `aggregate`, `next_day` or `none`.
    pub next_step: String,
    pub next_step_text: String,
    /// When the next step may run (Unix time); None = at the next cron run.
    pub next_run_at: Option<i64>,
    pub lease: Option<LeaseInfo>,
    pub error: Option<String>,
    /// `auth`, `platform_delay`, `bad_rows`, `lease_held`, `storage`, `platform_failed`,
    /// `platform_error`.
    pub hint_code: Option<String>,
    pub hint: Option<String>,
}

/// Why a server shows up in the banner of the addon's main page.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Alert {
    /// `stale` (no report of today or yesterday stored) or `failed`.
    pub kind: String,
    pub message: String,
}

/// One server with its days.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ServerStatus {
    pub server_id: i64,
    pub server_name: String,
    pub disabled: bool,
    pub days: Vec<DayStatus>,
    pub alert: Option<Alert>,
}

/// The whole answer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PipelineStatus {
    pub generated_at: i64,
    pub today: String,
    pub servers: Vec<ServerStatus>,
}

impl PipelineStatus {
    /// The servers whose latest report is stale or failed.
    pub fn alerts(&self) -> Vec<(&ServerStatus, &Alert)> {
        self.servers
            .iter()
            .filter_map(|s| s.alert.as_ref().map(|a| (s, a)))
            .collect()
    }
}

/// Reads the report rows of the last `clock.days` days and describes them in `t`'s language.
pub fn pipeline_status(
    db: &dyn Db,
    servers: &[StatusServer],
    clock: &StatusClock,
    t: &Translator,
) -> Result<PipelineStatus> {
    schema::ready(db)?;
    let days = clock.days.clamp(1, MAX_DAYS);
    let since = day_offset(&clock.today, -(days - 1));
    let rows = db
        .query(
            "SELECT id, datacenter_id, date, status, rows_read, bad_rows, tenants, failures, \
             message, last_poll_at, aggregated_at, ordered_at, ready_at, downloaded_at, created_at \
             FROM acroniscloud_service_reports WHERE date >= ? ORDER BY date DESC, id DESC",
            &[Value::from(since.as_str())],
        )
        .map_err(map_db("Reading the usage reports"))?;
    let mut out = Vec::with_capacity(servers.len());
    for s in servers {
        let mut seen = std::collections::HashSet::new();
        let mut list = Vec::new();
        for r in rows.iter().filter(|r| r.int("datacenter_id") == s.id) {
            let date: String = r.text("date").chars().take(10).collect();
            // The newest row of a day is the live one (older ones were erased).
            if seen.insert(date.clone()) {
                let held = lease::holder(db, &lease_name(s.id, &date))?
                    .filter(|(_, until)| *until > clock.now)
                    .map(|(owner, until)| LeaseInfo { owner, until });
                list.push(day_status(r, &date, held, clock, t));
            }
        }
        let alert = alert_of(&list, clock, t);
        out.push(ServerStatus {
            server_id: s.id,
            server_name: s.name.clone(),
            disabled: s.disabled,
            days: list,
            alert: alert.filter(|_| !s.disabled),
        });
    }
    Ok(PipelineStatus {
        generated_at: clock.now,
        today: clock.today.clone(),
        servers: out,
    })
}

/// `date` moved by `days` (the date itself when it does not parse).
fn day_offset(date: &str, days: i64) -> String {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.checked_add_signed(chrono::Duration::days(days)))
        .map_or_else(|| date.to_string(), |d| d.format("%Y-%m-%d").to_string())
}

/// Unix time of a `created_at` text (`YYYY-MM-DD HH:MM:SS`, UTC).
fn unix_of(text: &str) -> Option<i64> {
    let head: String = text.chars().take(19).collect();
    chrono::NaiveDateTime::parse_from_str(&head, "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|d| d.and_utc().timestamp())
}

fn positive(v: Option<i64>) -> Option<i64> {
    v.filter(|v| *v > 0)
}

fn span(from: Option<i64>, to: Option<i64>) -> Option<i64> {
    match (from, to) {
        (Some(a), Some(b)) if b >= a => Some(b - a),
        _ => None,
    }
}

fn day_status(
    r: &Row,
    date: &str,
    lease: Option<LeaseInfo>,
    clock: &StatusClock,
    t: &Translator,
) -> DayStatus {
    let status = ReportStatus::from_code(r.int("status"));
    let ordered_at = positive(r.opt_int("ordered_at"));
    let ready_at = positive(r.opt_int("ready_at"));
    let downloaded_at = positive(r.opt_int("downloaded_at"));
    let aggregated_at = positive(r.opt_int("aggregated_at"));
    let failed = status == ReportStatus::Error || r.int("failures") > 0;
    let error = Some(r.text("message")).filter(|m| failed && !m.is_empty());
    let mut day = DayStatus {
        row_id: r.int("id"),
        date: date.to_string(),
        status: status.code(),
        status_text: t.translate(status.description()),
        age_seconds: unix_of(&r.text("created_at")).map(|c| (clock.now - c).max(0)),
        rows: r.int("rows_read"),
        tenants: r.int("tenants"),
        bad_rows: r.int("bad_rows"),
        ordered_at,
        ready_at,
        downloaded_at,
        aggregated_at,
        durations: StepDurations {
            order_to_ready: span(ordered_at, ready_at),
            download: span(ready_at, downloaded_at),
            aggregate: span(downloaded_at, aggregated_at),
        },
        next_step: String::new(),
        next_step_text: String::new(),
        next_run_at: None,
        lease,
        error,
        hint_code: None,
        hint: None,
    };
    let (step, at) = next_step(&day, status, r.int("last_poll_at"), clock);
    day.next_step = step.to_string();
    day.next_step_text = t.translate(step_text(step));
    day.next_run_at = at;
    if let Some((code, text)) = hint(&day, status, clock, t) {
        day.hint_code = Some(code.to_string());
        day.hint = Some(text);
    }
    day
}

/// The step the cron does next for this row and the earliest time it may (None = next run).
fn next_step(
    day: &DayStatus,
    status: ReportStatus,
    last_poll_at: i64,
    clock: &StatusClock,
) -> (&'static str, Option<i64>) {
    let is_today = day.date == clock.today;
    let step = match status {
        ReportStatus::New | ReportStatus::Error if is_today => "order",
        ReportStatus::Ordered if is_today => "poll",
        ReportStatus::Ready if is_today => "download",
        ReportStatus::Downloaded | ReportStatus::Aggregated if day.aggregated_at.is_none() => {
            "aggregate"
        }
        ReportStatus::Downloaded | ReportStatus::Aggregated if is_today => "next_day",
        _ => "none",
    };
    let mut at = match step {
        "poll" if last_poll_at > 0 => {
            Some(last_poll_at.saturating_add(clock.retry_timeout)).filter(|t| *t > clock.now)
        }
        "next_day" => unix_of(&format!("{} 00:00:00", day_offset(&clock.today, 1))),
        _ => None,
    };
    if let Some(l) = &day.lease {
        if step != "none" && step != "next_day" {
            at = Some(at.map_or(l.until, |a| a.max(l.until)));
        }
    }
    (step, at)
}

fn step_text(step: &str) -> &'static str {
    match step {
        "order" => "Order the report",
        "poll" => "Ask the platform whether the report is ready",
        "download" => "Download the report",
        "aggregate" => "Store the usage per tenant",
        "next_day" => "Order the next day's report",
        _ => "Nothing: the day is closed",
    }
}

/// An error text that says the platform refused the credentials.
fn is_auth_failure(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "http 401",
        "http 403",
        "unauthorized",
        "invalid_client",
        "invalid_grant",
        "authentication",
        "credentials",
    ]
    .iter()
    .any(|k| m.contains(k))
}

fn is_storage_failure(message: &str) -> bool {
    [
        "Cannot create the report directory",
        "Cannot write the report file",
        "Cannot rename",
    ]
    .iter()
    .any(|k| message.contains(k))
}

/// What the provider should do about this row (None: nothing).
fn hint(
    day: &DayStatus,
    status: ReportStatus,
    clock: &StatusClock,
    t: &Translator,
) -> Option<(&'static str, String)> {
    if let Some(l) = &day.lease {
        return Some((
            "lease_held",
            t.tr(
                "Another cron run or web node is working on this report until {0}; nothing to do.",
                &[&time_text(l.until)],
            ),
        ));
    }
    if let Some(e) = &day.error {
        let msgid = if is_auth_failure(e) {
            ("auth", "The platform refused the server's credentials: check the login or API client of this server under Setup > Servers and click Test Connection.")
        } else if is_storage_failure(e) {
            ("storage", "The cron user cannot write the report file: check the permissions of the WHMCS downloads storage.")
        } else if e.contains("Report generation failed") {
            ("platform_failed", "The platform could not generate the report; the next cron run orders a new one. If this repeats, contact Acronis support.")
        } else {
            ("platform_error", "The platform could not be reached or answered with an error; the next cron run retries. Check the server's hostname and the module log.")
        };
        return Some((msgid.0, t.translate(msgid.1)));
    }
    if status == ReportStatus::Ordered {
        let waiting = day.ordered_at.map(|o| (clock.now - o) / 3600).unwrap_or(0);
        if waiting >= DELAY_HOURS {
            return Some((
                "platform_delay",
                t.tr(
                    "The report is not ready after {0} hours: a delay on the platform's side. The module keeps polling; nothing to do unless it lasts more than a day.",
                    &[&waiting.to_string()],
                ),
            ));
        }
    }
    (day.bad_rows > 0).then(|| {
        (
            "bad_rows",
            t.tr(
                "{0} rows of the report were skipped as invalid: see the module log for the first of them.",
                &[&day.bad_rows.to_string()],
            ),
        )
    })
}

/// The banner reason of a server's days (newest first): the newest row failed, or no report
/// of today or yesterday has been stored.
fn alert_of(days: &[DayStatus], clock: &StatusClock, t: &Translator) -> Option<Alert> {
    let newest = days.first()?;
    if newest.status == ReportStatus::Error.code() || newest.error.is_some() {
        return Some(Alert {
            kind: "failed".into(),
            message: t.tr(
                "The usage report of {0} failed: {1}",
                &[&newest.date, newest.error.as_deref().unwrap_or("")],
            ),
        });
    }
    let yesterday = day_offset(&clock.today, -1);
    let fresh = days
        .iter()
        .any(|d| d.aggregated_at.is_some() && d.date >= yesterday);
    if fresh {
        return None;
    }
    let latest = days.iter().find(|d| d.aggregated_at.is_some());
    Some(Alert {
        kind: "stale".into(),
        message: match latest {
            Some(d) => t.tr(
                "The latest usage stored is from {0}, more than a day old.",
                &[&d.date],
            ),
            None => t.translate("No usage report has been stored for more than a day."),
        },
    })
}

/// `2024-05-31 10:20 UTC`.
pub fn time_text(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// `45 s`, `12 min`, `3 h 05 min`, `2 d 4 h`.
pub fn duration_text(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min", s / 60),
        3600..=86_399 => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
        _ => format!("{} d {} h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// The text table of `manage.php usage-report:status`.
pub fn text_table(status: &PipelineStatus) -> String {
    let dash = |v: Option<i64>| v.map_or_else(|| "-".to_string(), duration_text);
    let mut rows: Vec<Vec<String>> = vec![[
        "Server",
        "Date",
        "Status",
        "Age",
        "Rows",
        "Tenants",
        "Bad rows",
        "Order>Ready",
        "Download",
        "Aggregate",
        "Next step",
        "When",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()];
    let mut notes = Vec::new();
    for s in &status.servers {
        let name = format!("#{} {}", s.server_id, s.server_name);
        if s.days.is_empty() {
            notes.push(format!(
                "{name}: no usage report yet; the next cron run orders one."
            ));
        }
        for d in &s.days {
            rows.push(vec![
                name.clone(),
                d.date.clone(),
                d.status_text.clone(),
                dash(d.age_seconds),
                d.rows.to_string(),
                d.tenants.to_string(),
                d.bad_rows.to_string(),
                dash(d.durations.order_to_ready),
                dash(d.durations.download),
                dash(d.durations.aggregate),
                d.next_step_text.clone(),
                when_text(d),
            ]);
            if let Some(e) = &d.error {
                notes.push(format!("{name} {}: error: {e}", d.date));
            }
            if let Some(h) = &d.hint {
                notes.push(format!("{name} {}: hint: {h}", d.date));
            }
        }
        if let Some(a) = &s.alert {
            notes.push(format!("{name}: attention: {}", a.message));
        }
    }
    let mut out = table(&rows);
    for n in notes {
        out.push_str(&n);
        out.push('\n');
    }
    out
}

/// When the next step runs, for people.
pub fn when_text(d: &DayStatus) -> String {
    match (d.next_step.as_str(), d.next_run_at) {
        ("none", _) => "-".into(),
        (_, Some(at)) => time_text(at),
        _ => "next cron run".into(),
    }
}

fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (n, r) in rows.iter().enumerate() {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join(" | ").trim_end());
        out.push('\n');
        if n == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            out.push_str(&rule.join("-+-"));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests;
