//! Per-request pipeline: control API bypass, generic faults (before and after
//! the handler), dispatch, request id, and the request log.

use crate::errors::ApiError;
use crate::http::{Request, Response, Wire};
use crate::server::Cluster;
use crate::state::{DcState, LogEntry};
use rand::Rng;
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

/// Turns a handler result into a response, rendering errors as the error
/// envelope (docs/simulator.md, "Error envelope").
pub fn finish(r: Result<Response, ApiError>, rid: &str) -> Response {
    match r {
        Ok(r) => r,
        Err(e) => Response::json(e.status, &e.envelope(rid)),
    }
}

fn run_guarded<F: FnOnce() -> Result<Response, ApiError>>(f: F, rid: &str) -> Response {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => finish(r, rid),
        Err(_) => finish(Err(ApiError::internal("handler panicked")), rid),
    }
}

#[derive(Default)]
struct Post {
    reset_mid_body: bool,
    drop_after_commit: bool,
    truncate: bool,
    invalid: bool,
    names: Vec<String>,
}

fn gen_5xx(p: &Value, rid: &str) -> Response {
    let status = p.get("status").and_then(Value::as_u64).unwrap_or(503) as u16;
    match p.get("body").and_then(Value::as_str).unwrap_or("envelope") {
        "html" => {
            let mut r = Response::new(status);
            r.headers.push(("Content-Type".into(), "text/html".into()));
            r.body = format!("<html><head><title>{status} Error</title></head><body><h1>{status} Service error</h1><p>nginx</p></body></html>").into_bytes();
            r
        }
        "empty" => Response::new(status),
        "text" => {
            let mut r = Response::new(status);
            r.headers.push(("Content-Type".into(), "text/plain".into()));
            r.body = b"upstream connect error or disconnect/reset before headers".to_vec();
            r
        }
        _ => Response::json(
            status,
            &ApiError::new(
                status,
                status as i64,
                "Service unavailable",
                "Injected server error",
            )
            .envelope(rid),
        ),
    }
}

fn gen_429(p: &Value, rid: &str, now: i64) -> Response {
    let secs = p.get("seconds").and_then(Value::as_i64).unwrap_or(1);
    let r = Response::json(
        429,
        &ApiError::new(429, 429, "Too many requests", "Rate limit exceeded").envelope(rid),
    );
    match p
        .get("retry_after")
        .and_then(Value::as_str)
        .unwrap_or("seconds")
    {
        "none" => r,
        "date" => {
            let t = std::time::UNIX_EPOCH + Duration::from_secs((now + secs).max(0) as u64);
            r.header("Retry-After", httpdate::fmt_http_date(t))
        }
        _ => r.header("Retry-After", secs.to_string()),
    }
}

/// `version_bump`: moves the version of the PUT/DELETE target behind the client's back.
fn bump_versions(st: &mut DcState, path: &str) {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segs.as_slice() {
        ["api", "2", "tenants", id] => {
            if let Some(t) = st.tenants.get_mut(*id) {
                t.version += 1;
            }
        }
        ["api", "2", "tenants", id, "pricing"] => {
            if let Some(t) = st.tenants.get_mut(*id) {
                t.pricing.version += 1;
            }
        }
        ["api", "2", "tenants", id, "offering_items"] => {
            if let Some(t) = st.tenants.get_mut(*id) {
                for s in t.items.values_mut() {
                    s.quota.version += 1;
                }
            }
        }
        ["api", "2", "users", id] | ["api", "2", "users", id, ..] => {
            if let Some(u) = st.users.get_mut(*id) {
                u.version += 1;
            }
        }
        _ => {}
    }
}

/// Serves one request of DC `idx`: control requests go straight to the control API;
/// platform requests pass the generic faults, the router, the post-handler faults, and
/// are logged.
pub async fn handle(cluster: Arc<Cluster>, idx: usize, req: Request) -> Response {
    let rid = cluster.request_id();
    let Some(dc) = cluster.dcs.get(idx) else {
        return Response::new(500);
    };
    if req.path.starts_with("/__sim") {
        let resp = run_guarded(|| crate::control::handle(&cluster, idx, &req), &rid);
        return resp.header("X-Request-Id", rid);
    }
    let method = req.method.to_ascii_uppercase();
    let now = cluster.clock.now();
    let (post, early, latency_ms) = {
        let mut st = dc.lock();
        decide_faults(&mut st, &method, &req.path, &rid, now)
    };
    if latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(latency_ms)).await;
    }
    let mut resp = match early {
        Some(r) => r,
        None => run_guarded(|| crate::routes::dispatch(&cluster, idx, &req, &rid), &rid),
    };
    apply_post_faults(&mut resp, &post);
    let logged_status = if resp.wire == Wire::ResetBeforeStatus {
        0
    } else {
        resp.status
    };
    log_request(&mut dc.lock(), &req, &rid, now, logged_status, &post.names);
    resp.header("X-Request-Id", rid)
}

/// Generic faults decided up front, each rule counted exactly once: the latency to wait,
/// an early answer that replaces the handler (reset, 5xx, 429), and what to do to the
/// handler's answer afterwards.
fn decide_faults(
    st: &mut DcState,
    method: &str,
    path: &str,
    rid: &str,
    now: i64,
) -> (Post, Option<Response>, u64) {
    let mut post = Post::default();
    let mut early: Option<Response> = None;
    let mut latency_ms: u64 = 0;
    if let Some(p) = st.faults.fire("latency", method, path) {
        latency_ms = latency_of(st, &p);
        post.names.push("latency".into());
    }
    if let Some(p) = st.faults.fire("connection_reset", method, path) {
        post.names.push("connection_reset".into());
        if p.get("when").and_then(Value::as_str) == Some("mid_body") {
            post.reset_mid_body = true;
        } else {
            let mut r = Response::new(0);
            r.wire = Wire::ResetBeforeStatus;
            early = Some(r);
        }
    }
    if early.is_none() {
        if let Some(p) = st.faults.fire("http_5xx", method, path) {
            post.names.push("http_5xx".into());
            early = Some(gen_5xx(&p, rid));
        }
    }
    if early.is_none() {
        if let Some(p) = st.faults.fire("rate_limit", method, path) {
            post.names.push("rate_limit".into());
            early = Some(gen_429(&p, rid, now));
        }
    }
    if early.is_none() {
        decide_body_faults(st, method, path, &mut post);
    }
    (post, early, latency_ms)
}

/// `latency`: a fixed `ms`, a random delay in `min_ms..=max_ms`, or one second.
fn latency_of(st: &mut DcState, p: &Value) -> u64 {
    let ms = p.get("ms").and_then(Value::as_u64);
    let (lo, hi) = (
        p.get("min_ms").and_then(Value::as_u64),
        p.get("max_ms").and_then(Value::as_u64),
    );
    match (ms, lo, hi) {
        (Some(ms), _, _) => ms,
        (None, Some(lo), Some(hi)) if hi > lo => st.rng.gen_range(lo..=hi),
        (None, Some(lo), _) => lo,
        _ => 1000,
    }
}

/// Faults on a request the handler still serves: damaged bodies, a dropped answer, and
/// `version_bump` (applied here, before the handler reads the version).
fn decide_body_faults(st: &mut DcState, method: &str, path: &str, post: &mut Post) {
    if st.faults.fire("truncated_json", method, path).is_some() {
        post.truncate = true;
        post.names.push("truncated_json".into());
    }
    if st.faults.fire("invalid_json", method, path).is_some() {
        post.invalid = true;
        post.names.push("invalid_json".into());
    }
    if st
        .faults
        .fire("drop_response_after_commit", method, path)
        .is_some()
    {
        post.drop_after_commit = true;
        post.names.push("drop_response_after_commit".into());
    }
    if (method == "PUT" || method == "DELETE")
        && st.faults.fire("version_bump", method, path).is_some()
    {
        bump_versions(st, path);
        post.names.push("version_bump".into());
    }
}

/// Applies the decided body and wire faults to the handler's answer.
fn apply_post_faults(resp: &mut Response, post: &Post) {
    if post.truncate && !resp.body.is_empty() {
        let cut = (resp.body.len() / 2).max(1);
        resp.body.truncate(cut);
    }
    if post.invalid {
        resp.body = b"{\"error\": {\"code\": 500, \"message\": <<not json>> ,}".to_vec();
        if !resp.is_json() {
            resp.headers
                .push(("Content-Type".into(), "application/json".into()));
        }
    }
    if post.reset_mid_body {
        resp.wire = Wire::ResetMidBody;
    }
    if post.drop_after_commit {
        resp.wire = Wire::ResetBeforeStatus;
    }
}

/// Largest request body kept in the log (bytes); longer bodies are cut at a character
/// boundary.
const LOGGED_BODY_MAX: usize = 64 * 1024;

/// Appends the request to the DC's log (`GET /__sim/requests`); status 0 = no answer sent.
fn log_request(
    st: &mut DcState,
    req: &Request,
    rid: &str,
    now: i64,
    status: u16,
    faults: &[String],
) {
    let mut body = String::from_utf8_lossy(&req.body).into_owned();
    if body.len() > LOGGED_BODY_MAX {
        let mut cut = LOGGED_BODY_MAX;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
    }
    st.push_log(LogEntry {
        seq: 0,
        time: now,
        request_id: rid.to_string(),
        method: req.method.clone(),
        path: req.path.clone(),
        query: req.query.clone(),
        headers: req.headers.clone(),
        body,
        status,
        fault: if faults.is_empty() {
            None
        } else {
            Some(faults.join(","))
        },
    });
}
