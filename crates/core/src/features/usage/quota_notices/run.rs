//! The daily cron's notice run: for each active service with a tenant, the latest stored usage
//! day, the tenant's quotas from the platform's live usages, the notices already sent (audit
//! rows `quota_notice`), then the host's mailer for each due notice and one audit row per
//! attempt. A service that fails (platform down, bad data, even a panic) is reported and the
//! next one still runs.

use super::rule::{self, Due, Sent};
use crate::features::audit::{Actor, Entry, Recorder, SqlAudit};
use crate::features::client_area::{self, history, Found};
use crate::features::usage::housekeeping;
use crate::infra::config_yaml::Config;
use crate::infra::error::{Error, Result};
use crate::infra::i18n::Translator;
use crate::infra::storage::{map_db, Db, Value as DbValue};
use crate::platform::connection::Connection;
use crate::platform::http::Exchange;
use crate::platform::server_settings::ServerRecord;
use serde_json::{json, Value};

/// The audit action of a notice.
pub const ACTION: &str = "quota_notice";
/// The audit actor of the run.
const ACTOR: &str = "DailyCronJob";

/// A WHMCS service as the glue describes it (active services with a tenant).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoticeService {
    pub service_id: i64,
    pub client_id: i64,
    pub server_id: i64,
    pub tenant_id: String,
    /// Metrics the product bills (`tblusage_items`), in the product's order.
    pub enabled_metrics: Vec<String>,
    /// `tblhosting.nextduedate` (`YYYY-MM-DD`, `0000-00-00` when none).
    pub next_due_date: String,
    /// `tblhosting.billingcycle`.
    pub billing_cycle: String,
    /// The client's language (WHMCS name or code), for the metric's name in the e-mail.
    pub locale: String,
}

/// One e-mail for the host to send: the template's custom variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub service_id: i64,
    pub client_id: i64,
    pub metric: String,
    /// The metric's name in the client's language.
    pub metric_name: String,
    /// In the metric's billing unit, rounded to two decimals.
    pub usage: f64,
    pub quota: f64,
    /// `gigabytes`, `hours` or `accounts`.
    pub unit: String,
    pub threshold: i64,
    pub period: String,
    /// The usage day the notice is about.
    pub date: String,
}

impl Notice {
    /// The WHMCS upgrade page of the service, relative to the WHMCS system URL.
    pub fn upgrade_path(&self) -> String {
        format!("upgrade.php?type=package&id={}", self.service_id)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "service_id": self.service_id, "client_id": self.client_id,
            "metric": self.metric, "metric_name": self.metric_name,
            "usage": self.usage, "quota": self.quota, "unit": self.unit,
            "threshold": self.threshold, "period": self.period, "date": self.date,
            "upgrade_path": self.upgrade_path(),
        })
    }
}

/// What the run did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub checked: usize,
    pub sent: usize,
    pub failed: usize,
    /// One line per service or e-mail that failed (no secrets: platform errors are masked).
    pub errors: Vec<String>,
    /// Platform exchanges for the module log.
    pub exchanges: Vec<Exchange>,
}

impl Outcome {
    pub fn to_json(&self) -> Value {
        json!({"checked": self.checked, "sent": self.sent, "failed": self.failed, "errors": self.errors})
    }
}

/// Where the run looks things up and sends to.
pub struct Run<'a> {
    pub config: &'a Config,
    pub servers: &'a [ServerRecord],
    pub db: &'a dyn Db,
    /// `YYYY-MM-DD`: the latest usage day on or before it is used.
    pub today: &'a str,
}

/// Checks every service; `send` is the host's mailer (`Err` = the message why not).
pub fn run(
    env: &Run,
    services: &[NoticeService],
    send: &mut dyn FnMut(&Notice) -> std::result::Result<(), String>,
) -> Outcome {
    let mut out = Outcome::default();
    if !env.config.quota_notices.enabled {
        return out;
    }
    for s in services {
        let attempt = crate::infra::error::isolated(|| {
            let mut exchanges = Vec::new();
            let r = service(env, s, send, &mut exchanges);
            (r, exchanges)
        });
        out.checked += 1;
        match attempt {
            Some((r, mut exchanges)) => {
                out.exchanges.append(&mut exchanges);
                match r {
                    Ok((sent, failed)) => {
                        out.sent += sent;
                        out.failed += failed.len();
                        out.errors.extend(failed);
                    }
                    Err(e) => out.errors.push(format!(
                        "quota notices of service {}: {}",
                        s.service_id,
                        crate::infra::masking::mask_text(&e.to_string())
                    )),
                }
            }
            None => out.errors.push(format!(
                "quota notices of service {}: internal error in the acroniscloud extension",
                s.service_id
            )),
        }
    }
    out
}

/// One service: `(sent, failure lines)`.
fn service(
    env: &Run,
    s: &NoticeService,
    send: &mut dyn FnMut(&Notice) -> std::result::Result<(), String>,
    exchanges: &mut Vec<Exchange>,
) -> Result<(usize, Vec<String>)> {
    let tenant = s.tenant_id.trim();
    if tenant.is_empty() || s.enabled_metrics.is_empty() {
        return Ok((0, Vec::new()));
    }
    let Some((_, day)) = housekeeping::usage(env.db, &[tenant.to_string()], env.today)?
        .into_iter()
        .next()
    else {
        return Ok((0, Vec::new()));
    };
    let series = history::series(
        &s.enabled_metrics,
        std::slice::from_ref(&day),
        std::slice::from_ref(&day.date),
    )?;
    if series.is_empty() {
        return Ok((0, Vec::new()));
    }
    let quotas = platform_quotas(env, s, &series, exchanges)?;
    let usage: Vec<(String, f64)> = series
        .iter()
        .filter_map(|m| {
            m.points
                .first()
                .and_then(|(_, v)| *v)
                .map(|v| (m.name.clone(), v))
        })
        .collect();
    let period = rule::period(&s.next_due_date, &s.billing_cycle, &day.date);
    let sent = sent_notices(env.db, s.service_id)?;
    let due = rule::due(
        &usage,
        &quotas,
        &env.config.quota_notices.thresholds,
        &period,
        &sent,
    );
    let sender = Sender {
        service: s,
        series: &series,
        period: &period,
        date: &day.date,
        t: Translator::for_locale(&s.locale),
    };
    sender.send_all(due, &SqlAudit::open(env.db)?, send)
}

/// What every notice of one service shares, for sending the due ones.
struct Sender<'a> {
    service: &'a NoticeService,
    series: &'a [history::MetricSeries],
    period: &'a str,
    date: &'a str,
    t: Translator,
}

impl Sender<'_> {
    /// Sends each due notice and records it (sent or failed) in the audit trail, so a sent
    /// notice is never repeated in its period and a failed one is tried again the next day.
    fn send_all(
        &self,
        due: Vec<Due>,
        audit: &SqlAudit<'_>,
        send: &mut dyn FnMut(&Notice) -> std::result::Result<(), String>,
    ) -> Result<(usize, Vec<String>)> {
        let mut ok = 0;
        let mut failed = Vec::new();
        for notice in due.iter().filter_map(|d| self.notice(d)) {
            let result = send(&notice).map_err(|e| crate::infra::masking::mask_text(&e));
            match &result {
                Ok(()) => ok += 1,
                Err(why) => failed.push(format!(
                    "quota notice of service {} ({} {} %): {why}",
                    self.service.service_id, notice.metric, notice.threshold
                )),
            }
            record(audit, &notice, result)?;
        }
        Ok((ok, failed))
    }

    fn notice(&self, d: &Due) -> Option<Notice> {
        let m = self.series.iter().find(|m| m.name == d.metric)?;
        Some(Notice {
            service_id: self.service.service_id,
            client_id: self.service.client_id,
            metric: d.metric.clone(),
            metric_name: self.t.translate(&m.display_name),
            usage: round2(d.usage),
            quota: round2(d.quota),
            unit: m.unit.to_string(),
            threshold: d.threshold,
            period: self.period.to_string(),
            date: self.date.to_string(),
        })
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The tenant's finite quotas in billing units, from one live usages call.
fn platform_quotas(
    env: &Run,
    s: &NoticeService,
    series: &[history::MetricSeries],
    exchanges: &mut Vec<Exchange>,
) -> Result<Vec<(String, f64)>> {
    let server = env
        .servers
        .iter()
        .find(|r| r.id == Some(s.server_id))
        .ok_or_else(|| {
            Error::validation(format!(
                "the service's server {} is not an Acronis Cloud server",
                s.server_id
            ))
        })?;
    let mut conn = Connection::new(server, env.config.clone())?;
    let items = client_area::usage_items(&mut conn, &s.tenant_id);
    exchanges.append(&mut conn.take_exchanges());
    let items = items.map_err(|e| match e {
        Found::Missing(_, m) => Error::validation(m),
        Found::Failed(e) => e,
    })?;
    Ok(history::quotas(series, &items)?
        .into_iter()
        .filter_map(|(name, q)| match q {
            history::Quota::Limited(v) => Some((name, v)),
            history::Quota::Unlimited => None,
        })
        .collect())
}

/// The notices the trail shows as sent for a service (failed attempts do not count, so the
/// next run tries again).
fn sent_notices(db: &dyn Db, service_id: i64) -> Result<Vec<Sent>> {
    let rows = db
        .query(
            "SELECT after_json FROM acroniscloud_audit WHERE service_id = ? AND action = ? AND result = ?",
            &[
                DbValue::Int(service_id),
                DbValue::from(ACTION),
                DbValue::from("success"),
            ],
        )
        .map_err(map_db("Reading the audit trail"))?;
    Ok(rows
        .iter()
        .filter_map(|r| serde_json::from_str::<Value>(&r.text("after_json")).ok())
        .filter_map(|v| {
            Some(Sent {
                metric: v.get("metric")?.as_str()?.to_string(),
                threshold: v.get("threshold")?.as_i64()?,
                period: v.get("period")?.as_str()?.to_string(),
            })
        })
        .collect())
}

/// One audit row per attempt. It carries the service's latest known state forward, so the
/// next provisioning entry still diffs against the real previous state.
fn record(audit: &SqlAudit, n: &Notice, result: std::result::Result<(), String>) -> Result<()> {
    let state = audit.last_state(n.service_id)?.unwrap_or(Value::Null);
    audit.record(&Entry {
        service_id: n.service_id,
        actor: Actor::new(ACTOR, 0),
        action: ACTION.into(),
        before: json!({}),
        after: json!({
            "metric": n.metric, "threshold": n.threshold, "period": n.period,
            "usage": n.usage, "quota": n.quota, "unit": n.unit, "date": n.date,
        }),
        state,
        result: match result {
            Ok(()) => "success".into(),
            Err(why) => format!("e-mail not sent: {why}"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::storage::sqlite::SqliteDb;

    fn notice(threshold: i64) -> Notice {
        Notice {
            service_id: 7,
            client_id: 1,
            metric: "pw_storage".into(),
            metric_name: "Storage".into(),
            usage: 85.0,
            quota: 100.0,
            unit: "gigabytes".into(),
            threshold,
            period: "2026-12".into(),
            date: "2026-12-06".into(),
        }
    }

    #[test]
    fn only_successful_rows_count_as_sent_and_the_state_is_carried_forward() {
        let db = SqliteDb::memory().unwrap();
        let audit = SqlAudit::open(&db).unwrap();
        audit
            .record(&Entry {
                service_id: 7,
                actor: Actor::new("CreateAccount", 0),
                action: "create".into(),
                before: json!({}),
                after: json!({"tenant_id": "t"}),
                state: json!({"tenant_id": "t", "state": "active"}),
                result: "success".into(),
            })
            .unwrap();
        record(&audit, &notice(80), Err("mail server down".into())).unwrap();
        assert!(sent_notices(&db, 7).unwrap().is_empty());
        record(&audit, &notice(80), Ok(())).unwrap();
        assert_eq!(
            sent_notices(&db, 7).unwrap(),
            vec![Sent {
                metric: "pw_storage".into(),
                threshold: 80,
                period: "2026-12".into()
            }]
        );
        assert!(sent_notices(&db, 8).unwrap().is_empty());
        assert_eq!(
            audit.last_state(7).unwrap(),
            Some(json!({"tenant_id": "t", "state": "active"}))
        );
        let page = audit.page(7, 1).unwrap();
        assert_eq!(page.entries[1].result, "e-mail not sent: mail server down");
        assert_eq!(page.entries[0].actor, "DailyCronJob");
    }

    #[test]
    fn notices_off_checks_nothing() {
        let db = SqliteDb::memory().unwrap();
        let config = Config::default();
        let env = Run {
            config: &config,
            servers: &[],
            db: &db,
            today: "2026-12-07",
        };
        let services = vec![NoticeService {
            service_id: 1,
            tenant_id: "t".into(),
            enabled_metrics: vec!["pw_storage".into()],
            ..NoticeService::default()
        }];
        let mut calls = 0;
        let out = run(&env, &services, &mut |_| {
            calls += 1;
            Ok(())
        });
        assert_eq!((out.checked, out.sent, calls), (0, 0, 0));
    }

    #[test]
    fn a_failing_service_does_not_stop_the_others() {
        let db = SqliteDb::memory().unwrap();
        let mut config = Config::default();
        config.quota_notices.enabled = true;
        let env = Run {
            config: &config,
            servers: &[],
            db: &db,
            today: "2026-12-07",
        };
        // Opening the store creates its tables.
        crate::features::usage::store::UsageStore::open(&db).unwrap();
        db.execute(
            "INSERT INTO acroniscloud_usage_tenant_days (tenant_id, date, server_id, report_row, metrics, updated_at) VALUES (?, ?, 1, 0, ?, 0)",
            &[DbValue::from("t1"), DbValue::from("2026-12-06"), DbValue::from("{\"pw_workstations\": 9}")],
        )
        .unwrap();
        let services = vec![
            NoticeService {
                service_id: 1,
                server_id: 99,
                tenant_id: "t1".into(),
                enabled_metrics: vec!["pw_workstations".into()],
                ..NoticeService::default()
            },
            NoticeService {
                service_id: 2,
                tenant_id: "t2".into(),
                enabled_metrics: vec!["pw_workstations".into()],
                ..NoticeService::default()
            },
        ];
        let out = run(&env, &services, &mut |_| Ok(()));
        assert_eq!(out.checked, 2);
        assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
        assert!(out.errors[0].contains("service 1"), "{:?}", out.errors);
        assert!(out.errors[0].contains("server 99"), "{:?}", out.errors);
    }
}
