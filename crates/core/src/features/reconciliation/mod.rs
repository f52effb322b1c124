//! Reconciliation (admin page "Reconciliation", admin action `reconciliation`): what differs
//! between WHMCS and each Acronis server — tenants under the root with no WHMCS service
//! (orphans), active services whose tenant is gone or disabled, services using more than their
//! quota, and billed values that differ from the platform's report of the same day. Each finding
//! carries the action that fixes it. A server that cannot be read becomes one finding of its
//! own; the other servers are still checked.

pub mod billing;
pub mod export;
pub mod platform_scan;

use crate::features::usage::store::UsageStore;
use crate::infra::config_yaml::Config;
use crate::infra::error::Result;
use crate::infra::i18n::Translator;
use crate::infra::storage::Db;
use crate::platform::connection::Connection;
use crate::platform::http::Exchange;
use crate::platform::server_settings::ServerRecord;
use crate::platform::tenants::Tenant;
pub use billing::BilledValue;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The kinds of finding, in the order the page lists them.
pub const KINDS: &[&str] = &[
    "orphan_tenant",
    "tenant_missing",
    "tenant_disabled",
    "over_quota",
    "billing_mismatch",
    "server_error",
];

/// A WHMCS service of an Acronis product, as the glue reads it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ServiceRef {
    pub id: i64,
    #[serde(default)]
    pub user_id: i64,
    #[serde(default)]
    pub server_id: i64,
    /// `tblhosting.domainstatus` (`Active`, `Suspended`, `Pending`, `Terminated`…).
    #[serde(default)]
    pub status: String,
    /// The `tenant_id` custom field ("" when the service has no tenant yet).
    #[serde(default)]
    pub tenant_id: String,
    #[serde(default)]
    pub product: String,
}

impl ServiceRef {
    fn is_active(&self) -> bool {
        self.status.eq_ignore_ascii_case("active")
    }

    /// Services that should have a live tenant (terminated/cancelled ones no longer do).
    fn expects_tenant(&self) -> bool {
        ["active", "suspended"]
            .iter()
            .any(|s| self.status.eq_ignore_ascii_case(s))
    }
}

/// A way to fix a finding.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FixAction {
    /// `open_service`, `adopt` (admin action `adopt_tenant` on the service tab) or `resync`
    /// (the service's Change Package, which re-applies template and quotas).
    pub kind: String,
    /// Relative to the WHMCS admin folder.
    pub href: String,
}

/// One difference.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Finding {
    pub kind: String,
    pub server_id: i64,
    pub server_name: String,
    pub tenant_id: Option<String>,
    pub tenant_name: Option<String>,
    pub service_id: Option<i64>,
    pub user_id: Option<i64>,
    /// English detail for the page, the CSV and logs.
    pub details: String,
    pub metric: Option<String>,
    pub date: Option<String>,
    pub whmcs_value: Option<f64>,
    pub platform_value: Option<f64>,
    pub actions: Vec<FixAction>,
}

/// Which findings to return.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub server_id: Option<i64>,
    pub kind: Option<String>,
}

/// Everything a run needs.
pub struct Input<'a> {
    /// Every enabled `acroniscloud` server (credentials decrypted).
    pub servers: &'a [ServerRecord],
    pub services: &'a [ServiceRef],
    pub billed: &'a [BilledValue],
    pub config: &'a Config,
    pub filter: &'a Filter,
    /// The admin's language for the details.
    pub t: &'a Translator,
}

/// The findings in [`KINDS`] order, then server and service, and the Cloud API exchanges
/// (for the module log).
pub fn reconcile(input: &Input<'_>, db: Option<&dyn Db>) -> (Vec<Finding>, Vec<Exchange>) {
    let mut findings = Vec::new();
    let mut exchanges = Vec::new();
    let known: HashSet<&str> = input
        .services
        .iter()
        .map(|s| s.tenant_id.trim())
        .filter(|t| !t.is_empty())
        .collect();
    let wanted = |id: i64| input.filter.server_id.is_none_or(|f| f == id);
    for record in input.servers.iter().filter(|s| wanted(s.id.unwrap_or(0))) {
        let server_id = record.id.unwrap_or(0);
        let services: Vec<&ServiceRef> = input
            .services
            .iter()
            .filter(|s| s.server_id == server_id)
            .collect();
        let scanned =
            crate::infra::error::isolated(|| scan_server(record, &services, &known, input));
        match scanned {
            Some((Ok(mut found), mut ex)) => {
                findings.append(&mut found);
                exchanges.append(&mut ex);
            }
            Some((Err(e), mut ex)) => {
                findings.push(server_error(record, &e.to_string(), input.t));
                exchanges.append(&mut ex);
            }
            None => findings.push(server_error(
                record,
                "Internal error while checking the server.",
                input.t,
            )),
        }
        if let Some(db) = db {
            match billing_findings(db, record, &services, input.billed, input.t) {
                Ok(mut found) => findings.append(&mut found),
                Err(e) => findings.push(server_error(record, &e.to_string(), input.t)),
            }
        }
    }
    if let Some(kind) = &input.filter.kind {
        findings.retain(|f| &f.kind == kind);
    }
    findings.sort_by_key(|f| {
        (
            KINDS
                .iter()
                .position(|k| *k == f.kind)
                .unwrap_or(KINDS.len()),
            f.server_id,
            f.service_id.unwrap_or(0),
        )
    });
    (findings, exchanges)
}

fn server_error(record: &ServerRecord, message: &str, t: &Translator) -> Finding {
    Finding {
        kind: "server_error".into(),
        server_id: record.id.unwrap_or(0),
        server_name: record.name.clone(),
        details: t.tr(
            "The server could not be checked: {0}",
            &[&t.translate_message(message)],
        ),
        ..Finding::default()
    }
}

/// The service page of WHMCS's admin area.
fn service_href(s: &ServiceRef) -> String {
    format!("clientsservices.php?userid={}&id={}", s.user_id, s.id)
}

fn open_service(s: &ServiceRef) -> FixAction {
    FixAction {
        kind: "open_service".into(),
        href: service_href(s),
    }
}

fn resync(s: &ServiceRef) -> FixAction {
    FixAction {
        kind: "resync".into(),
        href: format!("{}#acroniscloud-resync", service_href(s)),
    }
}

fn for_service(kind: &str, record: &ServerRecord, s: &ServiceRef, details: String) -> Finding {
    Finding {
        kind: kind.into(),
        server_id: record.id.unwrap_or(0),
        server_name: record.name.clone(),
        tenant_id: Some(s.tenant_id.trim().to_string()),
        service_id: Some(s.id),
        user_id: Some(s.user_id),
        details,
        actions: vec![open_service(s)],
        ..Finding::default()
    }
}

/// Platform findings of one server (its own connection, so one slow server does not share
/// state with another).
fn scan_server(
    record: &ServerRecord,
    services: &[&ServiceRef],
    known: &HashSet<&str>,
    input: &Input<'_>,
) -> (Result<Vec<Finding>>, Vec<Exchange>) {
    let mut conn = match Connection::new(record, input.config.clone()) {
        Ok(c) => c,
        Err(e) => return (Err(e), Vec::new()),
    };
    let result = scan_with(&mut conn, record, services, known, input.t);
    (result, conn.take_exchanges())
}

fn scan_with(
    conn: &mut Connection,
    record: &ServerRecord,
    services: &[&ServiceRef],
    known: &HashSet<&str>,
    t: &Translator,
) -> Result<Vec<Finding>> {
    let root = conn.root_tenant_id()?;
    let ids = platform_scan::child_ids(conn, &root)?;
    let children = platform_scan::tenants_by_id(conn, &ids)?;
    let mut findings: Vec<Finding> = children
        .iter()
        .filter(|t| !known.contains(t.id.as_str()))
        .map(|tenant| orphan(record, tenant, t))
        .collect();
    let by_id: HashMap<&str, &Tenant> = children.iter().map(|t| (t.id.as_str(), t)).collect();
    for s in services.iter().filter(|s| !s.tenant_id.trim().is_empty()) {
        match check_service(conn, record, s, &by_id, t) {
            Ok(mut found) => findings.append(&mut found),
            Err(e) => findings.push(for_service(
                "server_error",
                record,
                s,
                t.tr(
                    "The service could not be checked: {0}",
                    &[&t.translate_message(&e.to_string())],
                ),
            )),
        }
    }
    Ok(findings)
}

fn orphan(record: &ServerRecord, tenant: &Tenant, t: &Translator) -> Finding {
    let server_id = record.id.unwrap_or(0);
    Finding {
        kind: "orphan_tenant".into(),
        server_id,
        server_name: record.name.clone(),
        tenant_id: Some(tenant.id.clone()),
        tenant_name: Some(tenant.name.clone()),
        details: t.tr(
            "The tenant ({0}) is under the server's root but no WHMCS service uses it.",
            &[&tenant.kind],
        ),
        actions: vec![FixAction {
            kind: "adopt".into(),
            href: format!(
                "clientsservices.php?adopt_tenant_id={}&adopt_server_id={server_id}",
                tenant.id
            ),
        }],
        ..Finding::default()
    }
}

/// Tenant state and quota findings of one service with a tenant id.
fn check_service(
    conn: &mut Connection,
    record: &ServerRecord,
    s: &ServiceRef,
    children: &HashMap<&str, &Tenant>,
    t: &Translator,
) -> Result<Vec<Finding>> {
    let id = s.tenant_id.trim();
    let tenant = match children.get(id) {
        Some(t) => Some((*t).clone()),
        // Not a direct child: a deeper tenant or one that is gone.
        None => crate::platform::tenants::get(conn, id)?,
    };
    let Some(tenant) = tenant else {
        if !s.expects_tenant() {
            return Ok(Vec::new());
        }
        return Ok(vec![for_service(
            "tenant_missing",
            record,
            s,
            t.tr(
                "The service is {0} but its tenant no longer exists on the platform.",
                &[&s.status],
            ),
        )]);
    };
    let mut out = Vec::new();
    if s.is_active() && !tenant.enabled {
        let mut f = for_service(
            "tenant_disabled",
            record,
            s,
            t.translate("The service is Active but its tenant is disabled on the platform."),
        );
        f.tenant_name = Some(tenant.name.clone());
        out.push(f);
    }
    if s.is_active() && tenant.enabled {
        out.extend(over_quota_findings(conn, record, s, (id, &tenant), t)?);
    }
    Ok(out)
}

/// One finding per item of an active service's tenant whose usage is over its quota.
fn over_quota_findings(
    conn: &mut Connection,
    record: &ServerRecord,
    s: &ServiceRef,
    (id, tenant): (&str, &Tenant),
    t: &Translator,
) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    for over in platform_scan::over_quota(conn, id)? {
        let mut f = for_service(
            "over_quota",
            record,
            s,
            t.tr(
                "{0} uses {1} {2} of a quota of {3}.",
                &[
                    &over.item,
                    &number(over.usage),
                    &over.unit,
                    &number(over.quota),
                ],
            ),
        );
        f.tenant_name = Some(tenant.name.clone());
        f.metric = Some(over.item);
        f.platform_value = Some(over.usage);
        f.actions.push(resync(s));
        out.push(f);
    }
    Ok(out)
}

/// Billing mismatches of a server's services (database only, no platform call).
fn billing_findings(
    db: &dyn Db,
    record: &ServerRecord,
    services: &[&ServiceRef],
    billed: &[BilledValue],
    t: &Translator,
) -> Result<Vec<Finding>> {
    if billed.is_empty() {
        return Ok(Vec::new());
    }
    let store = UsageStore::open(db)?;
    let mut out = Vec::new();
    for s in services.iter().filter(|s| !s.tenant_id.trim().is_empty()) {
        let tenant = s.tenant_id.trim();
        let mine: Vec<&BilledValue> = billed.iter().filter(|b| b.tenant_id == tenant).collect();
        if mine.is_empty() {
            continue;
        }
        for m in billing::mismatches(&store, tenant, &mine)? {
            let mut f = for_service(
                "billing_mismatch",
                record,
                s,
                t.tr(
                    "WHMCS was given {0} for {1} on {2}; the platform's report says {3}.",
                    &[&number(m.billed), &m.metric, &m.date, &number(m.platform)],
                ),
            );
            f.metric = Some(m.metric);
            f.date = Some(m.date);
            f.whmcs_value = Some(m.billed);
            f.platform_value = Some(m.platform);
            f.actions.push(resync(s));
            out.push(f);
        }
    }
    Ok(out)
}

/// A value without trailing zeros (`15`, `0.25`).
pub fn number(v: f64) -> String {
    let t = format!("{v:.6}");
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests;
