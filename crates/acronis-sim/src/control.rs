//! Test-only control API under `/__sim/` (crates/acronis-sim/README.md, "Control API").
//! Never authenticated, never faulted, never logged. `?dc=dc2` (or `?dc=2`) targets
//! another DC than the one whose port received the request.

use crate::errors::{ApiError, ApiResult};
use crate::faults::Faults;
use crate::http::{Request, Response};
use crate::server::{Cluster, DcHandle};
use crate::state::seed::DcSeed;
use crate::state::{num, DcState, UsageValue};
use serde_json::{json, Value};
use std::sync::atomic::Ordering;

fn body_json(req: &Request) -> ApiResult<Value> {
    if req.body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(json!({}));
    }
    serde_json::from_slice(&req.body)
        .map_err(|e| ApiError::bad_request(format!("Malformed JSON: {e}")))
}

fn target_dc(cluster: &Cluster, idx: usize, req: &Request) -> ApiResult<usize> {
    match req.query_param("dc") {
        None => Ok(idx),
        Some(d) if d == "all" => Ok(idx),
        Some(d) => {
            let n = d
                .trim_start_matches("dc")
                .parse::<usize>()
                .map_err(|_| ApiError::bad_request("bad `dc`"))?;
            if n == 0 || n > cluster.dcs.len() {
                return Err(ApiError::not_found(format!("No DC `{d}`")));
            }
            Ok(n - 1)
        }
    }
}

fn ok(v: Value) -> ApiResult<Response> {
    Ok(Response::json(200, &v))
}

fn parse_time(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|d| d.timestamp()),
        _ => None,
    }
}

fn seed_info(cluster: &Cluster, i: usize) -> Value {
    let Some(dc) = cluster.dcs.get(i) else {
        return Value::Null;
    };
    let mut v = dc.lock().seed_info.clone();
    v["http"] = json!(dc.http_url);
    v["https"] = json!(dc.https_url);
    v
}

fn apply_faults(
    cluster: &Cluster,
    i: usize,
    list: Vec<Value>,
    replace: bool,
) -> ApiResult<Response> {
    let Some(dc) = cluster.dcs.get(i) else {
        return Err(ApiError::not_found("no DC"));
    };
    let mut st = dc.lock();
    if replace {
        st.faults.clear();
    }
    let mut ids = Vec::new();
    for f in list {
        if f.get("kind").and_then(Value::as_str) == Some("token_expiry")
            && f.get("revoke_all").and_then(Value::as_bool) == Some(true)
        {
            for t in st.tokens.values_mut() {
                t.revoked = true;
            }
            if f.get("ttl").is_none() && f.get("uses").is_none() {
                continue;
            }
        }
        ids.push(st.faults.add(f));
    }
    let mode = match st
        .faults
        .peek("tls")
        .and_then(|p| p.get("mode"))
        .and_then(Value::as_str)
    {
        Some("wrong_host") => crate::tls::MODE_WRONG_HOST,
        Some(_) => crate::tls::MODE_SELF_SIGNED,
        None if st.faults.peek("tls").is_some() => crate::tls::MODE_SELF_SIGNED,
        None => crate::tls::MODE_NORMAL,
    };
    dc.tls_mode.store(mode, Ordering::SeqCst);
    let mut out = st.faults.to_json();
    out["installed"] = json!(ids);
    ok(out)
}

/// Splits `/__sim/<segments…>` into the segments after `__sim`.
fn control_segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).skip(1).collect()
}

/// Serves one control request; `idx` is the DC whose port received it. Families of
/// endpoints (cluster, log, faults, state, data) have a handler each.
pub fn handle(cluster: &Cluster, idx: usize, req: &Request) -> ApiResult<Response> {
    let method = req.method.to_ascii_uppercase();
    let segs = control_segments(&req.path);
    let i = target_dc(cluster, idx, req)?;
    let dc = cluster
        .dcs
        .get(i)
        .ok_or_else(|| ApiError::not_found("no DC"))?;
    let c = Call {
        cluster,
        i,
        dc,
        req,
    };
    let answer = match (method.as_str(), segs.as_slice()) {
        ("GET", ["health"]) => Some(ok(json!({"ok": true}))),
        (m, [what @ ("reset" | "seed" | "seed-info" | "clock" | "settings" | "generate")]) => {
            cluster_call(&c, m, what)
        }
        (m, [what @ ("requests" | "mailbox" | "usage")]) => data_call(&c, m, what),
        (m, ["faults"]) => faults_call(&c, m),
        ("GET", ["state", kind, id]) => state_call(&c, kind, id),
        _ => None,
    };
    answer.unwrap_or_else(|| {
        Err(ApiError::not_found(format!(
            "Unknown control endpoint {method} {}",
            req.path
        )))
    })
}

/// What a control handler needs: the cluster, the target DC (index and handle), the request.
struct Call<'a> {
    cluster: &'a Cluster,
    i: usize,
    dc: &'a DcHandle,
    req: &'a Request,
}

/// Whole-DC and cluster endpoints: reset, seed, clock, settings and the tenant generator.
/// `None` when the method is not served there.
fn cluster_call(c: &Call, method: &str, what: &str) -> Option<ApiResult<Response>> {
    Some(match (method, what) {
        ("POST", "reset") => reset(c),
        ("POST", "seed") => reseed(c),
        ("GET", "seed-info") => {
            if c.req.query_param("dc").as_deref() == Some("all") {
                let all: Vec<Value> = (0..c.cluster.dcs.len())
                    .map(|n| seed_info(c.cluster, n))
                    .collect();
                return Some(ok(json!({ "dcs": all })));
            }
            ok(seed_info(c.cluster, c.i))
        }
        ("GET", "clock") => ok(clock_json(c.cluster)),
        ("POST", "clock") => set_clock(c),
        ("PUT", "settings") => settings(c),
        ("POST", "generate") => generate(c),
        _ => return None,
    })
}

/// `POST /__sim/reset`: with `?dc=` that DC only, otherwise every DC and the clock.
fn reset(c: &Call) -> ApiResult<Response> {
    if c.req.query_param("dc").is_some() {
        c.cluster.reset_dc(c.i, None);
    } else {
        c.cluster.clock.reset();
        for n in 0..c.cluster.dcs.len() {
            c.cluster.reset_dc(n, None);
        }
    }
    ok(json!({"reset": true}))
}

/// `POST /__sim/seed`: re-seeds the DC from the body (a `DcSeed`).
fn reseed(c: &Call) -> ApiResult<Response> {
    let seed: DcSeed = serde_json::from_value(body_json(c.req)?)
        .map_err(|e| ApiError::bad_request(format!("bad seed: {e}")))?;
    c.cluster.reset_dc(c.i, Some(seed));
    ok(seed_info(c.cluster, c.i))
}

fn clock_json(cluster: &Cluster) -> Value {
    let now = cluster.clock.now();
    json!({"now": now, "iso": crate::clock::iso(now), "offset_seconds": cluster.clock.offset_secs()})
}

/// `POST /__sim/clock`: advance, set or reset the shared clock; trials that ran out
/// under the new time end at once on every DC.
fn set_clock(c: &Call) -> ApiResult<Response> {
    let clock = &c.cluster.clock;
    let b = body_json(c.req)?;
    if let Some(s) = b.get("advance_seconds").and_then(Value::as_i64) {
        clock.advance_secs(s);
    }
    if let Some(t) = b.get("set").and_then(parse_time) {
        clock.set(t);
    }
    if b.get("reset").and_then(Value::as_bool) == Some(true) {
        clock.reset();
    }
    let now = clock.now();
    for handle in &c.cluster.dcs {
        handle.lock().end_expired_trials(now);
    }
    ok(clock_json(c.cluster))
}

/// `PUT /__sim/settings`: report polls before a report is ready, token lifetime and
/// hard-quota enforcement; absent fields keep their value.
fn settings(c: &Call) -> ApiResult<Response> {
    let b = body_json(c.req)?;
    let mut st = c.dc.lock();
    if let Some(n) = b.get("report_polls").and_then(Value::as_u64) {
        st.report_polls = n;
    }
    if let Some(n) = b.get("token_ttl").and_then(Value::as_i64) {
        st.token_ttl = n;
    }
    if let Some(e) = b.get("enforce_hard_quota").and_then(Value::as_bool) {
        st.enforce_hard_quota = e;
    }
    ok(
        json!({"report_polls": st.report_polls, "token_ttl": st.token_ttl, "enforce_hard_quota": st.enforce_hard_quota}),
    )
}

/// `POST /__sim/generate`: bulk tenants with usage (see `DcState::generate`).
fn generate(c: &Call) -> ApiResult<Response> {
    let b = body_json(c.req)?;
    let n = b.get("tenants").and_then(Value::as_u64).unwrap_or(100) as usize;
    let seed = b.get("seed").and_then(Value::as_u64).unwrap_or(1);
    let now = c.cluster.clock.now();
    let started = std::time::Instant::now();
    let profile = b.get("profile").and_then(Value::as_str).unwrap_or("basic");
    if !matches!(profile, "basic" | "billing") {
        return Err(ApiError::bad_request(format!(
            "Unknown generator profile \"{profile}\" (basic, billing)."
        )));
    }
    let mut v = c.dc.lock().generate(n, seed, now, profile);
    v["elapsed_ms"] = json!(started.elapsed().as_millis() as u64);
    ok(v)
}

/// Recorded data of a DC: the request log, the mailbox, and usage values tests set.
fn data_call(c: &Call, method: &str, what: &str) -> Option<ApiResult<Response>> {
    Some(match (method, what) {
        ("GET", "requests") => requests(c),
        ("DELETE", "requests") => {
            c.dc.lock().log.clear();
            ok(json!({"cleared": true}))
        }
        ("GET", "mailbox") => ok(json!({"messages": c.dc.lock().mailbox})),
        ("DELETE", "mailbox") => {
            c.dc.lock().mailbox.clear();
            ok(json!({"cleared": true}))
        }
        ("PUT" | "POST", "usage") => set_usage(c),
        _ => return None,
    })
}

/// `GET /__sim/requests?since=N`: the logged requests after sequence number N.
fn requests(c: &Call) -> ApiResult<Response> {
    let since: u64 = c
        .req
        .query_param("since")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let st = c.dc.lock();
    let items: Vec<Value> = st
        .log
        .iter()
        .filter(|e| e.seq > since)
        .map(|e| {
            let headers: serde_json::Map<String, Value> = e.headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), json!(v))).collect();
            json!({"seq": e.seq, "time": crate::clock::iso(e.time), "request_id": e.request_id, "method": e.method,
                   "path": e.path, "query": e.query, "headers": headers, "body": e.body, "status": e.status, "fault": e.fault})
        })
        .collect();
    ok(json!({"requests": items}))
}

/// `PUT|POST /__sim/usage`: one `{tenant_id, name, infra_id?, value, delta?}` or
/// `{"items": [...]}`; every entry is checked before the next is stored.
fn set_usage(c: &Call) -> ApiResult<Response> {
    let b = body_json(c.req)?;
    let list = match b.get("items") {
        Some(Value::Array(a)) => a.clone(),
        _ => vec![b.clone()],
    };
    let mut st = c.dc.lock();
    for u in &list {
        set_one_usage(&mut st, u)?;
    }
    ok(json!({"updated": list.len()}))
}

fn required_str<'v>(u: &'v Value, field: &str) -> ApiResult<&'v str> {
    u.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request(format!("{field} required")))
}

fn set_one_usage(st: &mut DcState, u: &Value) -> ApiResult<()> {
    let tid = required_str(u, "tenant_id")?;
    let name = required_str(u, "name")?;
    if st.catalog.item(name).is_none() {
        return Err(ApiError::bad_request(format!(
            "unknown offering item `{name}`"
        )));
    }
    let infra = u
        .get("infra_id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let value = u
        .get("value")
        .and_then(Value::as_f64)
        .ok_or_else(|| ApiError::bad_request("value required"))?;
    let delta = u.get("delta").and_then(Value::as_f64).unwrap_or(value);
    let t = st
        .tenants
        .get_mut(tid)
        .ok_or_else(|| ApiError::tenant_not_found(tid))?;
    t.usage.insert(
        (name.to_string(), infra),
        UsageValue {
            absolute: value,
            delta,
        },
    );
    Ok(())
}

/// Fault rules of a DC: list, replace (`PUT`), add (`POST`), clear (`DELETE`).
fn faults_call(c: &Call, method: &str) -> Option<ApiResult<Response>> {
    let parsed = || Faults::parse(&body_json(c.req)?).map_err(ApiError::bad_request);
    Some(match method {
        "GET" => ok(c.dc.lock().faults.to_json()),
        "PUT" => parsed().and_then(|list| apply_faults(c.cluster, c.i, list, true)),
        "POST" => parsed().and_then(|list| apply_faults(c.cluster, c.i, list, false)),
        "DELETE" => apply_faults(c.cluster, c.i, Vec::new(), true),
        _ => return None,
    })
}

/// `GET /__sim/state/{tenants|users|logins}/{id}`: the full stored object, including
/// what the platform API does not show (item states, usage, password set, v1 id).
fn state_call(c: &Call, kind: &str, id: &str) -> Option<ApiResult<Response>> {
    let st = c.dc.lock();
    Some(match kind {
        "tenants" => tenant_state(&st, id),
        "users" => user_state(&st, id),
        "logins" => st
            .logins
            .get(&id.to_lowercase())
            .ok_or_else(|| ApiError::not_found("no such login"))
            .and_then(|uid| ok(json!({ "user_id": uid }))),
        _ => return None,
    })
}

fn tenant_state(st: &DcState, id: &str) -> ApiResult<Response> {
    let t = st
        .tenants
        .get(id)
        .ok_or_else(|| ApiError::tenant_not_found(id))?;
    let mut v = t.to_json();
    let mut items: Vec<Value> = t
        .items
        .iter()
        .map(|((n, inf), s)| json!({"name": n, "infra_id": if inf.is_empty() { Value::Null } else { json!(inf) }, "status": s.status,
            "quota": {"value": num(s.quota.value), "overage": num(s.quota.overage), "version": s.quota.version}}))
        .collect();
    items.sort_by_key(|i| format!("{}:{}", i["name"], i["infra_id"]));
    let usage: Vec<Value> = t.usage.iter().map(|((n, inf), u)| json!({"name": n, "infra_id": inf, "value": u.absolute, "delta": u.delta})).collect();
    v["children"] = json!(t.children);
    v["applications"] = json!(t.apps);
    v["offering_items"] = json!(items);
    v["usage"] = json!(usage);
    v["pricing"] = t.pricing_json();
    v["hidden"] = json!(t.hidden);
    v["v1_id"] = json!(st.v1_ids.get(id));
    ok(v)
}

fn user_state(st: &DcState, id: &str) -> ApiResult<Response> {
    let u = st
        .users
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("User {id} not found")))?;
    let mut v = u.to_json();
    v["password_set"] = json!(u.password_hash.is_some());
    v["access_policies"] = json!(u.policies);
    v["v1_id"] = json!(st.v1_ids.get(id));
    ok(v)
}
