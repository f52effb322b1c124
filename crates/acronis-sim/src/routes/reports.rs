//! Usage reports: creation, stored-list polling lifecycle, download (docs/simulator.md,
//! "Report lifecycle").

use super::{need_uuid, seg, Ctx};
use crate::errors::{ApiError, ApiResult};
use crate::http::Response;
use crate::ids::stable_hex;
use crate::report_csv;
use crate::state::{Report, StoredReport};
use serde_json::{json, Map, Value};
use std::sync::Arc;

const FORMATS: &[&str] = &["csv", "html", "json_v1", "csv_v2_0", "json_v2_0"];
const KINDS: &[&str] = &[
    "usage_current",
    "usage_daily",
    "usage_summary",
    "usage_breakdown",
];
const LEVELS: &[&str] = &[
    "accounts",
    "itself",
    "direct_partners",
    "all_partners",
    "all_customers",
];

fn valid_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// `POST /reports`: validates the parameters, schedule, recipients and action, then
/// stores the report with one stored entry per format, all `in_progress` (see
/// docs/simulator.md, "Report lifecycle").
pub fn create(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    let b = ctx.body()?;
    let Some(Value::Object(params)) = b.get("parameters") else {
        return Err(ApiError::bad_request("`parameters` is required"));
    };
    let tid = need_uuid("parameters.tenant_id", params.get("tenant_id"))?;
    let kind = one_of(params, "kind", KINDS)?;
    let level = one_of(params, "level", LEVELS)?;
    let formats = report_formats(params)?;
    let today = crate::clock::date(ctx.now);
    let period = report_period(params, kind, &today)?;
    let stype = b
        .get("schedule")
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if !matches!(stype, "once" | "monthly") {
        return Err(ApiError::bad_request(
            "`schedule.type` must be `once` or `monthly`",
        ));
    }
    let (recipients, action) = delivery(&b)?;
    ctx.check_tenant(&auth, &tid)?;
    let id = ctx.st.next_uuid();
    let stored = formats
        .iter()
        .map(|f| StoredReport {
            id: ctx.st.next_uuid(),
            format: f.clone(),
            status: "in_progress".into(),
            created_at: ctx.now,
            gz: None,
        })
        .collect();
    let mut p = params.clone();
    p.insert("formats".into(), json!(formats));
    p.insert("period".into(), period);
    let body = json!({
        "id": id, "version": 1, "parameters": p,
        "schedule": {"type": stype, "enabled": b.get("schedule").and_then(|s| s.get("enabled")).and_then(Value::as_bool).unwrap_or(true)},
        "recipients": recipients, "result_action": action,
        "generation_date": b.get("generation_date").cloned().unwrap_or(json!(today)),
    });
    let report = Report {
        id: id.clone(),
        body: body.clone(),
        tenant_id: tid,
        level: level.into(),
        created_at: ctx.now,
        polls: 0,
        stored,
    };
    ctx.st.reports.insert(id, report);
    Ok(Response::json(200, &body))
}

/// `parameters.<field>`: a string among `allowed`.
fn one_of<'a>(params: &'a Map<String, Value>, field: &str, allowed: &[&str]) -> ApiResult<&'a str> {
    let v = params.get(field).and_then(Value::as_str).unwrap_or("");
    if !allowed.contains(&v) {
        return Err(ApiError::bad_request(format!(
            "`parameters.{field}` must be one of {}",
            allowed.join(", ")
        )));
    }
    Ok(v)
}

/// `parameters.formats`: absent = `csv_v2_0`; otherwise a non-empty array of known formats.
fn report_formats(params: &Map<String, Value>) -> ApiResult<Vec<String>> {
    match params.get("formats") {
        None | Some(Value::Null) => Ok(vec!["csv_v2_0".into()]),
        Some(Value::Array(a)) => {
            let f: Vec<String> = a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            if f.len() != a.len()
                || f.is_empty()
                || f.iter().any(|x| !FORMATS.contains(&x.as_str()))
            {
                return Err(ApiError::bad_request(format!(
                    "`parameters.formats` items must be among {}",
                    FORMATS.join(", ")
                )));
            }
            Ok(f)
        }
        Some(_) => Err(ApiError::bad_request(
            "`parameters.formats` must be an array",
        )),
    }
}

/// `parameters.period`: required for daily and summary reports, otherwise the current
/// month so far; `start` <= `end` <= today.
fn report_period(params: &Map<String, Value>, kind: &str, today: &str) -> ApiResult<Value> {
    let Some(p) = params.get("period").filter(|p| !p.is_null()) else {
        if kind == "usage_daily" || kind == "usage_summary" {
            return Err(ApiError::bad_request(
                "`parameters.period` is required for this report kind",
            ));
        }
        return Ok(json!({"start": format!("{}-01", &today[..7]), "end": today}));
    };
    let (s, e) = (
        p.get("start").and_then(Value::as_str).unwrap_or(""),
        p.get("end").and_then(Value::as_str).unwrap_or(""),
    );
    if !valid_date(s) || !valid_date(e) || s > e {
        return Err(ApiError::bad_request(
            "`parameters.period` needs valid `start` <= `end` dates (YYYY-MM-DD)",
        ));
    }
    if e > today {
        return Err(ApiError::bad_request(
            "`parameters.period` must not be in the future",
        ));
    }
    Ok(p.clone())
}

/// `recipients` (an array, may be empty), `result_action` (`save` or `send`) and an
/// optional `generation_date`.
fn delivery(b: &Map<String, Value>) -> ApiResult<(Vec<Value>, &str)> {
    let recipients = match b.get("recipients") {
        Some(Value::Array(a)) => a.clone(),
        None => {
            return Err(ApiError::bad_request(
                "`recipients` is required (may be empty)",
            ))
        }
        Some(_) => return Err(ApiError::bad_request("`recipients` must be an array")),
    };
    let action = b.get("result_action").and_then(Value::as_str).unwrap_or("");
    if !matches!(action, "save" | "send") {
        return Err(ApiError::bad_request(
            "`result_action` must be `save` or `send`",
        ));
    }
    if let Some(g) = b.get("generation_date").and_then(Value::as_str) {
        if !valid_date(g) {
            return Err(ApiError::bad_request(
                "`generation_date` must be YYYY-MM-DD",
            ));
        }
    }
    Ok((recipients, action))
}

fn visible_report(ctx: &mut Ctx) -> ApiResult<String> {
    let auth = ctx.auth()?;
    let rid = seg(ctx, 3);
    let r = ctx
        .st
        .reports
        .get(&rid)
        .ok_or_else(|| ApiError::not_found(format!("Report {rid} not found")))?;
    ctx.check_scope(&auth, &r.tenant_id, "Report")?;
    Ok(rid)
}

pub fn get(ctx: &mut Ctx) -> ApiResult<Response> {
    let rid = visible_report(ctx)?;
    let body = ctx
        .st
        .reports
        .get(&rid)
        .map(|r| r.body.clone())
        .unwrap_or_default();
    Ok(Response::json(200, &body))
}

/// Freezes the file content of one stored entry from the current state.
fn generate(ctx: &Ctx, r: &Report, format: &str) -> ApiResult<Vec<u8>> {
    let tenants = report_csv::report_tenants(ctx.st, &r.tenant_id, &r.level);
    let res = if format.starts_with("json") {
        report_csv::json_gz(ctx.st, &tenants)
    } else {
        report_csv::csv_gz(ctx.st, &tenants)
    };
    res.map_err(|e| ApiError::internal(format!("report generation failed: {e}")))
}

/// `GET /reports/{id}/stored`: each poll counts; entries become `saved` (their file
/// frozen from the current state) after the DC's `report_polls` polls, unless a report
/// fault delays, fails or reorders them.
pub fn stored_list(ctx: &mut Ctx) -> ApiResult<Response> {
    let rid = visible_report(ctx)?;
    if ctx.fault("report_empty_list").is_some() {
        return Ok(Response::json(200, &json!({"items": []})));
    }
    let failed = ctx.fault("report_failed").is_some();
    let delay = ctx.fault("report_delay");
    let reorder = ctx.fault("report_format_order").is_some();
    let Some(mut r) = ctx.st.reports.get(&rid).cloned() else {
        return Err(ApiError::not_found("Report not found"));
    };
    r.polls += 1;
    let delayed = match &delay {
        Some(p) => match p.get("seconds").and_then(Value::as_i64) {
            Some(s) => ctx.now < r.created_at + s,
            None => true,
        },
        None => false,
    };
    if reorder && !r.stored.iter().any(|s| s.format == "json_v2_0") {
        add_json_entry(ctx, &mut r);
    }
    let ready = !delayed && r.polls > ctx.st.report_polls;
    advance_entries(ctx, &mut r, failed, ready)?;
    let first = if reorder { "json_v2_0" } else { "csv_v2_0" };
    let mut order: Vec<&StoredReport> = r.stored.iter().collect();
    order.sort_by_key(|s| s.format != first);
    let items: Vec<Value> = order
        .iter()
        .map(|s| json!({"id": s.id, "report_format": s.format, "size": s.gz.as_ref().map(|g| g.len()).unwrap_or(0),
                        "created_at": crate::clock::iso(s.created_at), "status": s.status}))
        .collect();
    ctx.st.reports.insert(rid, r);
    Ok(Response::json(200, &json!({"items": items})))
}

/// `report_format_order`: a `json_v2_0` entry in the state of the first entry.
fn add_json_entry(ctx: &mut Ctx, r: &mut Report) {
    let id = ctx.st.next_uuid();
    let status = r
        .stored
        .first()
        .map(|s| s.status.clone())
        .unwrap_or_else(|| "in_progress".into());
    r.stored.push(StoredReport {
        id,
        format: "json_v2_0".into(),
        status,
        created_at: r.created_at,
        gz: None,
    });
}

/// Moves the `in_progress` entries on: to `failed`, or to `saved` with their file.
fn advance_entries(ctx: &Ctx, r: &mut Report, failed: bool, ready: bool) -> ApiResult<()> {
    for i in 0..r.stored.len() {
        if r.stored[i].status != "in_progress" {
            continue;
        }
        if failed {
            r.stored[i].status = "failed".into();
        } else if ready {
            let gz = generate(ctx, r, &r.stored[i].format.clone())?;
            r.stored[i].gz = Some(Arc::new(gz));
            r.stored[i].status = "saved".into();
        }
    }
    Ok(())
}

fn file_response(ctx: &mut Ctx, rid: &str, sid: &str) -> ApiResult<Response> {
    let r = ctx
        .st
        .reports
        .get(rid)
        .ok_or_else(|| ApiError::not_found(format!("Report {rid} not found")))?;
    let s = r
        .stored
        .iter()
        .find(|s| s.id == sid)
        .ok_or_else(|| ApiError::not_found(format!("Stored report {sid} not found")))?;
    let gz = match (&s.status[..], &s.gz) {
        ("saved", Some(g)) => g.clone(),
        _ => {
            return Err(ApiError::not_found(format!(
                "Stored report {sid} is not ready ({})",
                s.status
            )))
        }
    };
    let csv = !s.format.starts_with("json");
    let variant = ctx
        .fault("report_encoding")
        .and_then(|p| p.get("variant").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| "gzip".into());
    let (body, enc) =
        report_csv::encode_variant(&gz, &variant).map_err(|e| ApiError::internal(e.to_string()))?;
    let mut resp = Response::new(200);
    resp.headers.push((
        "Content-Type".into(),
        if csv { "text/csv" } else { "application/json" }.into(),
    ));
    if enc {
        resp.headers
            .push(("Content-Encoding".into(), "gzip".into()));
    }
    resp.headers.push((
        "Content-Disposition".into(),
        format!(
            "attachment; filename=\"{sid}.{}.gz\"",
            if csv { "csv" } else { "json" }
        ),
    ));
    resp.body = body;
    Ok(resp)
}

fn signature(rid: &str, sid: &str) -> String {
    stable_hex(&format!("download:{rid}:{sid}"), 24)
}

pub fn download(ctx: &mut Ctx) -> ApiResult<Response> {
    let rid = visible_report(ctx)?;
    let sid = seg(ctx, 5);
    if let Some(p) = ctx.fault("download_redirect") {
        let base = ctx.base_url();
        let base = if p.get("host").and_then(Value::as_str) == Some("other") {
            if base.contains("127.0.0.1") {
                base.replace("127.0.0.1", "localhost")
            } else {
                base.replace("localhost", "127.0.0.1")
            }
        } else {
            base
        };
        let status = p.get("status").and_then(Value::as_u64).unwrap_or(302) as u16;
        let loc = format!(
            "{base}/download/reports/{rid}/stored/{sid}?sig={}",
            signature(&rid, &sid)
        );
        return Ok(Response::new(status).header("Location", loc));
    }
    file_response(ctx, &rid, &sid)
}

/// Target of `download_redirect`: a pre-signed URL that needs no Authorization.
pub fn redirected_download(ctx: &mut Ctx) -> ApiResult<Response> {
    let rid = seg(ctx, 2);
    let sid = seg(ctx, 4);
    if ctx.query("sig").as_deref() != Some(signature(&rid, &sid).as_str()) {
        return Err(ApiError::forbidden("Invalid download signature"));
    }
    file_response(ctx, &rid, &sid)
}
