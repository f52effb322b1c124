//! The entry of a cron or manage.php run: which path it takes (the whole pipeline, or only the
//! aggregation of reports already downloaded), and whether it needs the tenants WHMCS knows —
//! asked for only when a report may be aggregated, since reading every service is the costly
//! part of a cron run that finds the day's reports already stored.

use super::{process_all, today, RunContext, ServerOutcome, UsagePaths, UsageServer};
use crate::features::usage::store::UsageStore;
use crate::infra::config_yaml::Config;
use crate::infra::error::Error;
use crate::infra::storage::Db;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::Path;

/// The two paths of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// Every step possible now for every server (the cron, `manage.php usage-report:process`).
    Full,
    /// Only the reports downloaded but not aggregated yet (the `metrics` command).
    PendingOnly,
}

/// What the caller asks of a run.
pub struct RunRequest<'a> {
    pub config: &'a Config,
    /// WHMCS's downloads storage (Setup > Storage Settings); `None` when it has no local path.
    pub storage_dir: Option<&'a Path>,
    pub kind: RunKind,
    /// Print progress lines on stderr (manage.php on a terminal).
    pub progress: bool,
}

/// The servers' outcomes and the report day they were run for.
pub struct RunOutcome {
    pub outcomes: Vec<ServerOutcome>,
    pub today: String,
    pub paths: UsagePaths,
}

impl RunOutcome {
    /// `{"ok": no server failed, "servers": [outcome…]}`, the answer of `process`.
    pub fn to_json(&self) -> Value {
        json!({
            "ok": self.outcomes.iter().all(|o| o.error.is_none()),
            "servers": self.outcomes.iter().map(ServerOutcome::to_json).collect::<Vec<_>>(),
        })
    }
}

/// Runs `servers` along the path `request.kind` names. `known_tenants(needed)` gives the
/// tenant ids of WHMCS services; `needed` is false when no report can be aggregated, so a
/// caller that must read them from the database may answer with an empty set.
pub fn run(
    servers: &[UsageServer],
    request: &RunRequest<'_>,
    db: &dyn Db,
    known_tenants: &mut dyn FnMut(bool) -> Result<HashSet<String>, Error>,
) -> Result<RunOutcome, Error> {
    let paths = UsagePaths::resolve(request.config, request.storage_dir)?;
    let today = today();
    let pending_only = request.kind == RunKind::PendingOnly;
    let known = known_tenants(needs_tenants(servers, db, &today, pending_only))?;
    let ctx = RunContext {
        config: request.config,
        paths: &paths,
        known_tenants: &known,
        today,
        progress: request.progress,
    };
    let outcomes = match request.kind {
        RunKind::Full => process_all(servers, &ctx, db),
        RunKind::PendingOnly => aggregate_pending(servers, &ctx, db),
    };
    Ok(RunOutcome {
        outcomes,
        today: ctx.today,
        paths,
    })
}

/// Whether a run over `servers` may aggregate a report (and so needs the tenants WHMCS knows):
/// false once every enabled server's report of the day is stored, which is the common cron
/// run, so the caller can skip reading every service's tenant id.
pub fn needs_tenants(
    servers: &[UsageServer],
    db: &dyn Db,
    today: &str,
    pending_only: bool,
) -> bool {
    let Ok(rows) = UsageStore::open(db).and_then(|s| s.rows_of_day(today)) else {
        return true;
    };
    let done = |id: i64| {
        rows.iter()
            .any(|r| r.server_id == id && r.status.is_downloaded() && r.aggregated_at > 0)
    };
    let pending = |id: i64| {
        rows.iter()
            .any(|r| r.server_id == id && r.status.is_downloaded() && r.aggregated_at == 0)
    };
    servers
        .iter()
        .filter(|s| !s.disabled)
        .filter_map(|s| s.record.id)
        .any(|id| if pending_only { pending(id) } else { !done(id) })
}

/// The `metrics` command and late aggregation: rows of `date` that were downloaded but whose
/// values are not stored yet are aggregated now (with their server's connection).
pub fn aggregate_pending(
    servers: &[UsageServer],
    ctx: &RunContext<'_>,
    db: &dyn Db,
) -> Vec<ServerOutcome> {
    let Ok(store) = UsageStore::open(db) else {
        return Vec::new();
    };
    let pending: HashSet<i64> = store
        .rows_of_day(&ctx.today)
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.status.is_downloaded() && r.aggregated_at == 0)
        .map(|r| r.server_id)
        .collect();
    let todo: Vec<UsageServer> = servers
        .iter()
        .filter(|s| s.record.id.is_some_and(|id| pending.contains(&id)))
        .cloned()
        .collect();
    process_all(&todo, ctx, db)
}
