//! `AcronisCloud\UsageMetrics`: the usage-report pipeline of the cron and of manage.php, the
//! reads behind WHMCS's MetricProvider, and the offline report summary
//! (docs/usage-billing.md). Conversions only; the work is in `acroniscloud_core::features::usage`.

use crate::convert::{entries, get_str, scalar, server_record, to_zval, values, Options};
use crate::guard::guard;
use crate::module_log::ModuleLog;
use acroniscloud_core::features::usage::pipeline::{self, RunKind, RunOutcome, RunRequest};
use acroniscloud_core::features::usage::{
    answers, housekeeping, summarize_report, UsagePaths, UsageServer,
};
use acroniscloud_core::infra::config_yaml::Config;
use acroniscloud_core::infra::i18n::Translator;
use acroniscloud_core::Error;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendCallable, ZendHashTable, Zval};
use serde_json::{json, Map};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Tenants per page of a streamed `usage()`.
const USAGE_PAGE: usize = 1000;

#[php_class]
#[php(name = "AcronisCloud\\UsageMetrics")]
pub struct UsageMetrics;

/// An optional list-of-ids option: `None` when absent or null (the documented default).
fn id_set(options: Option<&ZendHashTable>, key: &str) -> Result<Option<HashSet<String>>, Error> {
    let Some(z) = options.and_then(|h| h.get(key)) else {
        return Ok(None);
    };
    if z.is_null() {
        return Ok(None);
    }
    let Some(list) = z.array() else {
        return Err(Error::validation(format!(
            "The option {key} must be a list of ids."
        )));
    };
    Ok(Some(ids_of(list)))
}

fn ids_of(list: &ZendHashTable) -> HashSet<String> {
    values(list)
        .into_iter()
        .filter_map(scalar)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Config and paths of the usage store and the report files.
fn setup(opts: &Options) -> Result<(Config, UsagePaths), Error> {
    let config = opts.config()?;
    let storage = opts.str("storage_dir");
    let storage = Some(Path::new(storage.trim())).filter(|p| !p.as_os_str().is_empty());
    let paths = UsagePaths::resolve(&config, storage)?;
    Ok((config, paths))
}

fn servers_of(list: &ZendHashTable) -> Result<Vec<UsageServer>, Error> {
    values(list)
        .into_iter()
        .filter_map(Zval::array)
        .map(|row| {
            let disabled = matches!(get_str(row, "disabled").trim(), "1" | "on" | "true");
            Ok(UsageServer {
                record: server_record(row)?,
                disabled,
            })
        })
        .collect()
}

/// The tenants WHMCS knows: a list of ids, or a callable returning one, called only when
/// `needed` (a cron run after the day's reports are stored reads no service).
fn known_tenants(z: &Zval, needed: bool) -> Result<HashSet<String>, Error> {
    if let Some(list) = z.array() {
        return Ok(ids_of(list));
    }
    if !needed {
        return Ok(HashSet::new());
    }
    let invalid = || {
        Error::validation(
            "The known tenants must be a list of tenant ids or a callable returning one.",
        )
    };
    let callable = ZendCallable::new(z).map_err(|_| invalid())?;
    let answer = callable
        .try_call(vec![])
        .map_err(|e| Error::internal(format!("The known-tenants callable failed: {e:?}")))?;
    answer.array().map(ids_of).ok_or_else(invalid)
}

fn run_servers(
    servers: &ZendHashTable,
    known: &Zval,
    options: Option<&ZendHashTable>,
    kind: RunKind,
) -> Result<RunOutcome, Error> {
    let opts = Options::new(options);
    let config = opts.config()?;
    let storage = opts.str("storage_dir");
    let request = RunRequest {
        config: &config,
        storage_dir: Some(Path::new(storage.trim())),
        kind,
        progress: opts.bool("progress"),
    };
    let mut run = pipeline::run(
        &servers_of(servers)?,
        &request,
        &opts.db()?,
        &mut |needed| known_tenants(known, needed),
    )?;
    let log = ModuleLog::from_options(&opts, "hooks");
    for o in &mut run.outcomes {
        log.write(std::mem::take(&mut o.exchanges));
    }
    Ok(run)
}

#[php_impl]
impl UsageMetrics {
    pub fn __construct() -> Self {
        UsageMetrics
    }

    pub fn version() -> String {
        acroniscloud_core::VERSION.to_string()
    }

    /// Advances today's report of every server by the steps possible now (no waiting);
    /// servers run concurrently. `$servers`: `tblservers` rows (password decrypted);
    /// `$knownTenants`: tenant ids of WHMCS services, or a callable returning them (called
    /// only when a report may be aggregated).
    pub fn process(
        servers: &ZendHashTable,
        known_tenants: &Zval,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Zval> {
        let out =
            guard(|| Ok(run_servers(servers, known_tenants, options, RunKind::Full)?.to_json()))?;
        Ok(to_zval(&out))
    }

    /// Daily clean-up: expired report files and old per-tenant values.
    pub fn erase(options: Option<&ZendHashTable>) -> PhpResult<Zval> {
        let out = guard(|| {
            let opts = Options::new(options);
            let (config, paths) = setup(&opts)?;
            let db = opts.db()?;
            let e = housekeeping::erase(&config.usage_report, &paths, &db, &pipeline::today())?;
            Ok(answers::erased_json(&e))
        })?;
        Ok(to_zval(&out))
    }

    /// Deletes every report row and file and every per-tenant value.
    pub fn flush_all(options: Option<&ZendHashTable>) -> PhpResult<Zval> {
        let out = guard(|| {
            let opts = Options::new(options);
            let (_, paths) = setup(&opts)?;
            let f = housekeeping::flush_all(&paths, &opts.db()?)?;
            Ok(answers::flushed_json(&f))
        })?;
        Ok(to_zval(&out))
    }

    /// `manage.php usage-report:status`: `$servers` = `tblservers` rows (`id`, `name`,
    /// `disabled`); `$days` per server (1–35). Returns `['status' => the admin action
    /// `pipeline_status`'s answer, 'text' => the text table]`, in English.
    pub fn pipeline_status(
        servers: &ZendHashTable,
        days: i64,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Zval> {
        use acroniscloud_core::features::usage::pipeline_status as status;
        let out = guard(|| {
            let opts = Options::new(options);
            let config = opts.config()?;
            let db = opts.db()?;
            let list: Vec<status::StatusServer> = values(servers)
                .into_iter()
                .filter_map(Zval::array)
                .map(|row| status::StatusServer {
                    id: get_str(row, "id").trim().parse().unwrap_or(0),
                    name: get_str(row, "name"),
                    disabled: !matches!(get_str(row, "disabled").trim(), "" | "0"),
                })
                .collect();
            let clock = status::StatusClock::current(&config, days);
            let st = status::pipeline_status(&db, &list, &clock, &Translator::english())?;
            let json = serde_json::to_value(&st)
                .map_err(|e| Error::internal(format!("Cannot encode the status: {e}")))?;
            Ok(json!({"status": json, "text": status::text_table(&st)}))
        })?;
        Ok(to_zval(&out))
    }

    /// The `view-list` text; `$serverNames` = `[server id => name]` of existing servers.
    pub fn view_list(
        server_names: &ZendHashTable,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<String> {
        guard(|| {
            let opts = Options::new(options);
            // A broken config.yaml is reported by every command, even one that needs none of it.
            opts.config()?;
            let db = opts.db()?;
            let names: HashMap<i64, String> = entries(server_names)
                .into_iter()
                .filter_map(|(k, v)| {
                    let id = k.to_string().trim().parse::<i64>().ok()?;
                    Some((id, scalar(v).unwrap_or_default()))
                })
                .collect();
            housekeeping::view_list(&db, &names)
        })
    }

    /// The `metrics` command: aggregates today's downloaded reports not aggregated yet, then
    /// `[tenant => [label => raw value]]` for today.
    pub fn todays_metrics(
        servers: &ZendHashTable,
        known_tenants: &Zval,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Zval> {
        let out = guard(|| {
            let run = run_servers(servers, known_tenants, options, RunKind::PendingOnly)?;
            answers::todays_metrics(&Options::new(options).db()?, &run.today)
        })?;
        Ok(to_zval(&out))
    }

    /// The catalog's billing metrics: `name`, `display_name`, `type`, `unit`.
    pub fn definitions(options: Option<&ZendHashTable>) -> PhpResult<Zval> {
        let out = guard(|| {
            answers::definitions(&Translator::for_locale(
                &Options::new(options).str("locale"),
            ))
        })?;
        Ok(to_zval(&out))
    }

    /// Latest values (≤ today) per tenant, converted for WHMCS:
    /// `[tenant => ['date', 'collected_at', 'values' => [metric => value]]]`. With `$each`, the
    /// answer is streamed instead: `$each(array $page)` is called with pages of that shape
    /// (a thousand tenants at most) and the number of tenants with values is returned, so a
    /// server with 100,000 tenants never holds all of them twice in PHP memory.
    pub fn usage(
        tenant_ids: &ZendHashTable,
        options: Option<&ZendHashTable>,
        each: Option<&Zval>,
    ) -> PhpResult<Zval> {
        let opts = Options::new(options);
        let mut tenants: Vec<String> = ids_of(tenant_ids).into_iter().collect();
        tenants.sort_unstable();
        let page = answers::usage_page;
        let Some(each) = each.filter(|z| !z.is_null()) else {
            let out = guard(|| page(&opts.db()?, &tenants))?;
            return Ok(to_zval(&out));
        };
        let count = guard(|| {
            let callable = ZendCallable::new(each)
                .map_err(|_| Error::validation("The usage callback is not callable."))?;
            let db = opts.db()?;
            let mut count = 0usize;
            for chunk in tenants.chunks(USAGE_PAGE) {
                let answer = page(&db, chunk)?;
                count += answer.as_object().map_or(0, Map::len);
                let z = to_zval(&answer);
                callable
                    .try_call(vec![&z])
                    .map_err(|_| Error::internal("The usage callback failed."))?;
            }
            Ok(i64::try_from(count).unwrap_or(i64::MAX))
        })?;
        Ok(to_zval(&json!(count)))
    }

    /// A service's enabled metrics (`$enabledMetrics`, in that order) with the tenant's
    /// latest values: `['date' => ?string, 'rows' => [['name', 'display_name', 'unit',
    /// 'value' => ?float, 'text']]]` for the client area and the admin tab.
    pub fn service_usage(
        tenant_id: String,
        enabled_metrics: &ZendHashTable,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Zval> {
        let out = guard(|| {
            let opts = Options::new(options);
            let db = opts.db()?;
            let enabled: Vec<String> = values(enabled_metrics)
                .into_iter()
                .filter_map(scalar)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            let t = Translator::for_locale(&opts.str("locale"));
            answers::service_usage(&db, &tenant_id, &enabled, &t)
        })?;
        Ok(to_zval(&out))
    }

    /// A tenant's last `$days` days with values, newest first.
    pub fn history(
        tenant_id: String,
        days: i64,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Zval> {
        let out = guard(|| answers::history(&Options::new(options).db()?, &tenant_id, days))?;
        Ok(to_zval(&out))
    }

    /// Aggregates one usage report file (gzip or plain CSV) into
    /// `{"<tenant id>": {"<metric>": <raw value>}}` at `$jsonOutPath` and returns
    /// `['rows', 'bad_rows', 'tenants', 'seconds', 'errors', 'infra_lookups']`.
    /// Options: `known_tenants`, `platform_owned_infra` (lists of ids; default: all).
    pub fn summarize_report(
        report_path: String,
        json_out_path: String,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Zval> {
        let summary = guard(|| {
            let known = id_set(options, "known_tenants")?;
            let owned = id_set(options, "platform_owned_infra")?;
            summarize_report(
                Path::new(&report_path),
                Path::new(&json_out_path),
                known.as_ref(),
                owned.as_ref(),
            )
        })?;
        Ok(to_zval(&answers::summary_json(&summary)))
    }
}
