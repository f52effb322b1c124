//! Test-only control API under `/__sim/` (§8.3). Never authenticated, never
//! faulted, never logged. `?dc=dc2` (or `?dc=2`) targets another DC than the
//! one whose port received the request.

use crate::errors::{ApiError, ApiResult};
use crate::faults::Faults;
use crate::http::{Request, Response};
use crate::server::Cluster;
use crate::state::seed::DcSeed;
use crate::state::{num, UsageValue};
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

pub fn handle(cluster: &Cluster, idx: usize, req: &Request) -> ApiResult<Response> {
    let method = req.method.to_ascii_uppercase();
    let segs: Vec<&str> = req
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .skip(1)
        .collect();
    let i = target_dc(cluster, idx, req)?;
    let dc = cluster
        .dcs
        .get(i)
        .ok_or_else(|| ApiError::not_found("no DC"))?;
    match (method.as_str(), segs.as_slice()) {
        ("GET", ["health"]) => ok(json!({"ok": true})),
        ("POST", ["reset"]) => {
            if req.query_param("dc").is_some() {
                cluster.reset_dc(i, None);
            } else {
                cluster.clock.reset();
                for n in 0..cluster.dcs.len() {
                    cluster.reset_dc(n, None);
                }
            }
            ok(json!({"reset": true}))
        }
        ("POST", ["seed"]) => {
            let seed: DcSeed = serde_json::from_value(body_json(req)?)
                .map_err(|e| ApiError::bad_request(format!("bad seed: {e}")))?;
            cluster.reset_dc(i, Some(seed));
            ok(seed_info(cluster, i))
        }
        ("GET", ["seed-info"]) => {
            if req.query_param("dc").as_deref() == Some("all") {
                return ok(
                    json!({"dcs": (0..cluster.dcs.len()).map(|n| seed_info(cluster, n)).collect::<Vec<_>>()}),
                );
            }
            ok(seed_info(cluster, i))
        }
        ("GET", ["requests"]) => {
            let since: u64 = req
                .query_param("since")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let st = dc.lock();
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
        ("DELETE", ["requests"]) => {
            dc.lock().log.clear();
            ok(json!({"cleared": true}))
        }
        ("PUT" | "POST", ["usage"]) => {
            let b = body_json(req)?;
            let list = match b.get("items") {
                Some(Value::Array(a)) => a.clone(),
                _ => vec![b.clone()],
            };
            let mut st = dc.lock();
            for u in &list {
                let tid = u
                    .get("tenant_id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| ApiError::bad_request("tenant_id required"))?;
                let name = u
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| ApiError::bad_request("name required"))?;
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
            }
            ok(json!({"updated": list.len()}))
        }
        ("GET", ["clock"]) => ok(
            json!({"now": cluster.clock.now(), "iso": crate::clock::iso(cluster.clock.now()), "offset_seconds": cluster.clock.offset_secs()}),
        ),
        ("POST", ["clock"]) => {
            let b = body_json(req)?;
            if let Some(s) = b.get("advance_seconds").and_then(Value::as_i64) {
                cluster.clock.advance_secs(s);
            }
            if let Some(t) = b.get("set").and_then(parse_time) {
                cluster.clock.set(t);
            }
            if b.get("reset").and_then(Value::as_bool) == Some(true) {
                cluster.clock.reset();
            }
            let now = cluster.clock.now();
            for handle in &cluster.dcs {
                handle.lock().end_expired_trials(now);
            }
            ok(
                json!({"now": cluster.clock.now(), "iso": crate::clock::iso(cluster.clock.now()), "offset_seconds": cluster.clock.offset_secs()}),
            )
        }
        ("GET", ["faults"]) => ok(dc.lock().faults.to_json()),
        ("PUT", ["faults"]) => {
            let list = Faults::parse(&body_json(req)?).map_err(ApiError::bad_request)?;
            apply_faults(cluster, i, list, true)
        }
        ("POST", ["faults"]) => {
            let list = Faults::parse(&body_json(req)?).map_err(ApiError::bad_request)?;
            apply_faults(cluster, i, list, false)
        }
        ("DELETE", ["faults"]) => apply_faults(cluster, i, Vec::new(), true),
        ("PUT", ["settings"]) => {
            let b = body_json(req)?;
            let mut st = dc.lock();
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
        ("GET", ["state", "tenants", id]) => {
            let st = dc.lock();
            let t = st
                .tenants
                .get(*id)
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
            v["v1_id"] = json!(st.v1_ids.get(*id));
            ok(v)
        }
        ("GET", ["state", "users", id]) => {
            let st = dc.lock();
            let u = st
                .users
                .get(*id)
                .ok_or_else(|| ApiError::not_found(format!("User {id} not found")))?;
            let mut v = u.to_json();
            v["password_set"] = json!(u.password_hash.is_some());
            v["access_policies"] = json!(u.policies);
            v["v1_id"] = json!(st.v1_ids.get(*id));
            ok(v)
        }
        ("GET", ["state", "logins", login]) => {
            let st = dc.lock();
            let uid = st
                .logins
                .get(&login.to_lowercase())
                .ok_or_else(|| ApiError::not_found("no such login"))?;
            ok(json!({"user_id": uid}))
        }
        ("GET", ["mailbox"]) => ok(json!({"messages": dc.lock().mailbox})),
        ("DELETE", ["mailbox"]) => {
            dc.lock().mailbox.clear();
            ok(json!({"cleared": true}))
        }
        ("POST", ["generate"]) => {
            let b = body_json(req)?;
            let n = b.get("tenants").and_then(Value::as_u64).unwrap_or(100) as usize;
            let seed = b.get("seed").and_then(Value::as_u64).unwrap_or(1);
            let now = cluster.clock.now();
            let started = std::time::Instant::now();
            let profile = b.get("profile").and_then(Value::as_str).unwrap_or("basic");
            if !matches!(profile, "basic" | "billing") {
                return Err(ApiError::bad_request(format!(
                    "Unknown generator profile \"{profile}\" (basic, billing)."
                )));
            }
            let mut v = dc.lock().generate(n, seed, now, profile);
            v["elapsed_ms"] = json!(started.elapsed().as_millis() as u64);
            ok(v)
        }
        _ => Err(ApiError::not_found(format!(
            "Unknown control endpoint {method} {}",
            req.path
        ))),
    }
}
