//! The usage-report pipeline against the simulator, in process: one run orders, polls,
//! downloads and aggregates; overlapping runs never repeat a step; faults leave a clear status
//! and the next run recovers; erase and flush.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use acroniscloud_core::features::usage::housekeeping;
use acroniscloud_core::features::usage::pipeline::{
    self, process_all, RunContext, UsagePaths, UsageServer,
};
use acroniscloud_core::features::usage::store::UsageStore;
use acroniscloud_core::infra::config_yaml::Config;
use acroniscloud_core::infra::storage::sqlite::SqliteDb;
use acroniscloud_core::platform::server_settings::ServerRecord;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

struct Fixture {
    sim: acronis_sim::RunningSim,
    dir: PathBuf,
    paths: UsagePaths,
    /// The WHMCS database of the test (SQLite file; each run opens its own connection, as
    /// separate cron processes do).
    db_file: PathBuf,
    db: SqliteDb,
    config: Config,
    known: HashSet<String>,
}

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::new()
}

impl Fixture {
    fn new(tenants: usize) -> Fixture {
        let sim = acronis_sim::start(acronis_sim::Config {
            dcs: 1,
            ..acronis_sim::Config::default()
        })
        .unwrap();
        let dir = std::env::temp_dir().join(format!(
            "usage-pipeline-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let f = Fixture {
            paths: UsagePaths {
                reports_dir: dir.join("reports"),
            },
            db_file: dir.join("whmcs.sqlite"),
            db: SqliteDb::open(&dir.join("whmcs.sqlite")).unwrap(),
            sim,
            dir,
            config: {
                let mut c = Config::default();
                c.cloud_api.retry_backoff_ms = 5;
                // The simulator is reached over plain HTTP here.
                c.cloud_api.allow_plain_http = true;
                c.usage_report.retry_timeout = 0;
                c
            },
            known: HashSet::new(),
        };
        f.post("/__sim/generate", json!({"tenants": tenants, "seed": 3}));
        let mut f = f;
        let dc = &f.sim.cluster.dcs[0];
        let st = dc.lock();
        let root = st.integration_roots[0].clone();
        f.known = acronis_sim::report_csv::report_tenants(&st, &root, "accounts")
            .into_iter()
            .collect();
        drop(st);
        f
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let r = http()
            .post(format!("{}{path}", self.sim.http_url(0)))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .unwrap();
        serde_json::from_str(&r.text().unwrap()).unwrap_or(Value::Null)
    }

    fn faults(&self, faults: Value) {
        http()
            .put(format!("{}/__sim/faults", self.sim.http_url(0)))
            .header("Content-Type", "application/json")
            .body(json!({ "faults": faults }).to_string())
            .send()
            .unwrap();
    }

    fn settings(&self, v: Value) {
        http()
            .put(format!("{}/__sim/settings", self.sim.http_url(0)))
            .header("Content-Type", "application/json")
            .body(v.to_string())
            .send()
            .unwrap();
    }

    /// `METHOD path` of every API request the simulator saw.
    fn requests(&self) -> Vec<String> {
        let v: Value = serde_json::from_str(
            &http()
                .get(format!("{}/__sim/requests", self.sim.http_url(0)))
                .send()
                .unwrap()
                .text()
                .unwrap(),
        )
        .unwrap();
        v["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap(),
                    r["path"].as_str().unwrap()
                )
            })
            .collect()
    }

    fn count(&self, call: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.as_str() == call)
            .count()
    }

    fn polls(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.starts_with("GET /api/2/reports/") && r.ends_with("/stored"))
            .count()
    }

    fn downloads(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.starts_with("GET /api/2/reports/") && r.contains("/stored/"))
            .count()
    }

    fn server(&self) -> UsageServer {
        let seed = self.sim.seed_info(0);
        UsageServer {
            record: ServerRecord {
                id: Some(1),
                name: "Acronis EU2".into(),
                hostname: self.sim.http_url(0),
                port: String::new(),
                secure: false,
                username: seed["client"]["client_id"].as_str().unwrap().into(),
                password: seed["client"]["client_secret"].as_str().unwrap().into(),
                accesshash: "client_credentials".into(),
            },
            disabled: false,
        }
    }

    fn run(&self, day: &str) -> acroniscloud_core::features::usage::ServerOutcome {
        let ctx = RunContext {
            config: &self.config,
            paths: &self.paths,
            known_tenants: &self.known,
            today: day.into(),
            progress: false,
        };
        let db = SqliteDb::open(&self.db_file).unwrap();
        process_all(&[self.server()], &ctx, &db).remove(0)
    }

    fn store(&self) -> UsageStore<'_> {
        UsageStore::open(&self.db).unwrap()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn one_run_orders_polls_downloads_and_aggregates_and_the_next_run_does_nothing() {
    let f = Fixture::new(30);
    let servers = [f.server()];
    assert!(pipeline::needs_tenants(
        &servers,
        &f.db,
        "2024-05-31",
        false
    ));
    assert!(
        !pipeline::needs_tenants(&servers, &f.db, "2024-05-31", true),
        "nothing pending yet"
    );
    let out = f.run("2024-05-31");
    assert_eq!(out.error, None, "{:?}", out.actions);
    assert_eq!(out.status, 4, "{:?}", out.actions);
    assert_eq!(out.status_text, "Downloaded and saved");
    let rows = f.store().rows().unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    let file = PathBuf::from(row.file_path.clone().unwrap());
    assert_eq!(
        file,
        f.paths
            .reports_dir
            .join("2024-05-31")
            .join(format!("{}.csv.gz", row.id))
    );
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(
        &bytes[..2],
        &[0x1f, 0x8b],
        "the gzip bytes are stored as sent"
    );
    assert!(row.aggregated_at > 0);
    assert_eq!(row.tenants, 30);
    assert_eq!(f.store().day("2024-05-31").unwrap().len(), 30);
    assert_eq!(f.count("POST /api/2/reports"), 1);
    // Platform-owned lookups: the root tenant's infras, then details in one call.
    assert!(f.count("GET /api/2/infra") <= 2, "{:?}", f.requests());

    // A finished day: the next run needs no tenant list (the glue reads no service).
    assert!(!pipeline::needs_tenants(
        &servers,
        &f.db,
        "2024-05-31",
        false
    ));
    assert!(pipeline::needs_tenants(
        &servers,
        &f.db,
        "2024-06-01",
        false
    ));
    let before = f.requests().len();
    let again = f.run("2024-05-31");
    assert_eq!(again.status, 4);
    assert_eq!(
        f.requests().len(),
        before,
        "a finished report makes no call"
    );
}

#[test]
fn overlapping_runs_order_and_download_once() {
    let f = Fixture::new(5);
    f.faults(json!([{"kind": "latency", "method": "POST", "path": "/api/2/reports", "ms": 600}]));
    let outs: Vec<_> = std::thread::scope(|s| {
        let a = s.spawn(|| f.run("2024-05-31"));
        let b = s.spawn(|| f.run("2024-05-31"));
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    assert_eq!(f.count("POST /api/2/reports"), 1, "{:?}", f.requests());
    assert!(f.downloads() <= 1, "{:?}", f.requests());
    assert_eq!(outs.iter().filter(|o| o.skipped.is_some()).count(), 1);
    assert_eq!(outs.iter().filter(|o| o.status == 4).count(), 1);
    assert_eq!(f.store().rows().unwrap().len(), 1);
}

#[test]
fn slow_report_is_polled_by_later_runs_without_waiting() {
    let mut f = Fixture::new(3);
    f.settings(json!({"report_polls": 2}));
    let first = f.run("2024-05-31");
    assert_eq!(first.status, 2, "{:?}", first.actions);
    assert_eq!(first.error, None);
    // retry_timeout: a run within the interval does not poll.
    f.config.usage_report.retry_timeout = 3600;
    let polls = f.polls();
    let _ = f.run("2024-05-31");
    assert_eq!(f.polls(), polls);
    f.config.usage_report.retry_timeout = 0;
    let second = f.run("2024-05-31");
    assert_eq!(second.status, 2);
    let third = f.run("2024-05-31");
    assert_eq!(third.status, 4, "{:?}", third.actions);
    assert_eq!(f.count("POST /api/2/reports"), 1);
}

#[test]
fn failed_generation_is_an_error_and_the_next_run_orders_again() {
    let f = Fixture::new(3);
    f.faults(json!([{"kind": "report_failed", "next": 1}]));
    let first = f.run("2024-05-31");
    assert_eq!(first.status, -1);
    assert_eq!(
        first.error.as_deref(),
        Some("Report generation failed or something went wrong.")
    );
    assert_eq!(f.downloads(), 0, "no download of a failed report");
    assert!(!f.paths.reports_dir.join("2024-05-31").exists());
    f.faults(json!([]));
    let second = f.run("2024-05-31");
    assert_eq!(second.status, 4, "{:?}", second.actions);
    assert_eq!(f.count("POST /api/2/reports"), 2);
}

#[test]
fn broken_download_leaves_no_file_and_is_retried() {
    let f = Fixture::new(200);
    f.faults(
        json!([{"kind": "connection_reset", "when": "mid_body", "method": "GET",
        "path": "/api/2/reports/*/stored/*", "next": 1}]),
    );
    let first = f.run("2024-05-31");
    assert_eq!(first.status, 3, "{:?}", first.actions);
    assert!(first.error.is_some());
    let dir = f.paths.reports_dir.join("2024-05-31");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "no partial file"
    );
    assert!(f.store().day("2024-05-31").unwrap().is_empty());
    let second = f.run("2024-05-31");
    assert_eq!(second.status, 4, "{:?}", second.actions);
    assert_eq!(
        f.count("POST /api/2/reports"),
        1,
        "the download is retried, not the order"
    );
    assert_eq!(f.store().day("2024-05-31").unwrap().len(), 200);
}

#[test]
fn transient_errors_while_ordering_count_and_recover() {
    let f = Fixture::new(3);
    f.faults(
        json!([{"kind": "http_5xx", "method": "POST", "path": "/api/2/reports", "status": 503}]),
    );
    let first = f.run("2024-05-31");
    assert_eq!(first.status, 1);
    assert!(first.error.is_some());
    let second = f.run("2024-05-31");
    assert_eq!(second.status, -1, "retries_limit reached");
    f.faults(json!([]));
    let third = f.run("2024-05-31");
    assert_eq!(third.status, 4, "{:?}", third.actions);
}

#[test]
fn report_of_another_day_keeps_earlier_days_and_erase_and_flush_clean_up() {
    let f = Fixture::new(4);
    assert_eq!(f.run("2024-05-28").status, 4);
    assert_eq!(f.run("2024-05-31").status, 4);
    assert_eq!(f.store().day("2024-05-28").unwrap().len(), 4);
    assert_eq!(f.store().day("2024-05-31").unwrap().len(), 4);

    let names: HashMap<i64, String> = [(1, "Acronis EU2".to_string())].into();
    let list = housekeeping::view_list(&f.db, &names).unwrap();
    assert!(list.starts_with("List of reports:\n"), "{list}");
    assert!(
        list.contains("| 2024-05-31 | Acronis EU2     | 1             | Downloaded and saved |"),
        "{list}"
    );
    let orphan = housekeeping::view_list(&f.db, &HashMap::new()).unwrap();
    assert!(
        orphan.contains("| ----            | ----          |"),
        "{orphan}"
    );

    let mut cfg = f.config.usage_report.clone();
    cfg.downloaded_files_ttl_in_days = -1;
    let none = housekeeping::erase(&cfg, &f.paths, &f.db, "2024-05-31").unwrap();
    assert_eq!(none.erased, 0);
    cfg.downloaded_files_ttl_in_days = 2;
    let erased = housekeeping::erase(&cfg, &f.paths, &f.db, "2024-05-31").unwrap();
    assert_eq!(erased.erased, 1);
    assert!(!f.paths.reports_dir.join("2024-05-28").exists());
    assert!(f.paths.reports_dir.join("2024-05-31").exists());
    let rows = f.store().rows().unwrap();
    let old = rows.iter().find(|r| r.date == "2024-05-28").unwrap();
    assert_eq!((old.status.code(), old.file_path.clone()), (6, None));
    // Erased rows are not selected again (J.2 #6).
    assert_eq!(
        housekeeping::erase(&cfg, &f.paths, &f.db, "2024-05-31")
            .unwrap()
            .erased,
        0
    );

    let flushed = housekeeping::flush_all(&f.paths, &f.db).unwrap();
    assert_eq!(flushed.reports, 2);
    assert_eq!(flushed.files, 1);
    assert_eq!(flushed.tenant_rows, 8);
    assert!(f.paths.reports_dir.exists());
    assert_eq!(std::fs::read_dir(&f.paths.reports_dir).unwrap().count(), 0);
    assert_eq!(
        housekeeping::view_list(&f.db, &names).unwrap(),
        "There are no reports to be processed.\n"
    );
}
