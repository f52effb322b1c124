//! Every fault switch of the README's "Faults" section (plus selectors) and real TLS verification.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code: a failure should panic
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom; production code stays ≤ 60 lines

mod common;
use common::*;
use serde_json::{json, Value};
use std::time::Instant;

fn gunzip(b: &[u8]) -> String {
    use std::io::Read;
    let mut s = String::new();
    flate2::read::GzDecoder::new(b)
        .read_to_string(&mut s)
        .unwrap();
    s
}

#[test]
fn latency_and_selectors() {
    let h = H::new();
    let tok = h.client_token();
    h.faults(json!({"kind": "latency", "path": "/api/2/versions", "ms": 300, "next": 1}));
    let t = Instant::now();
    assert_eq!(h.get("/api/2/versions", &tok).status(), 200);
    assert!(t.elapsed().as_millis() >= 300);
    let t = Instant::now();
    h.get("/api/2/versions", &tok);
    assert!(t.elapsed().as_millis() < 300);
    // every:2 and probability.
    h.faults(
        json!({"kind": "http_5xx", "method": "GET", "path": "/api/2/*", "status": 500, "every": 2}),
    );
    let s: Vec<u16> = (0..4)
        .map(|_| h.get("/api/2/versions", &tok).status().as_u16())
        .collect();
    assert_eq!(s, vec![200, 500, 200, 500]);
    h.faults(json!({"kind": "http_5xx", "status": 500, "probability": 0.0}));
    assert_eq!(h.get("/api/2/versions", &tok).status(), 200);
    h.faults(json!({"kind": "http_5xx", "method": "POST", "status": 500}));
    assert_eq!(h.get("/api/2/versions", &tok).status(), 200);
    let f = h.ctl("GET", "/faults", json!({}));
    assert_eq!(f["faults"][0]["matched"], 0);
    h.ctl("DELETE", "/faults", json!({}));
    let r =
        h.c.put(h.url("/__sim/faults"))
            .body(json!({"kind": "nope"}).to_string())
            .send()
            .unwrap();
    assert_eq!(r.status(), 400);
}

#[test]
fn http_5xx_bodies_and_next_n() {
    let h = H::new();
    let tok = h.client_token();
    h.faults(json!({"kind": "http_5xx", "method": "GET", "path": "/api/2/versions", "status": 503, "body": "html", "next": 2}));
    let r = h.get("/api/2/versions", &tok);
    assert_eq!(r.status(), 503);
    assert!(r.text().unwrap().contains("<html>"));
    assert_eq!(h.get("/api/2/versions", &tok).status(), 503);
    assert_eq!(h.get("/api/2/versions", &tok).status(), 200);
    h.faults(json!({"kind": "http_5xx", "status": 502, "body": "empty", "first": 1}));
    let r = h.get("/api/2/versions", &tok);
    assert_eq!(r.status(), 502);
    assert!(r.bytes().unwrap().is_empty());
    h.faults(json!({"kind": "http_5xx", "status": 504}));
    let v: Value = h.get("/api/2/versions", &tok).json().unwrap();
    assert_eq!(v["error"]["code"], 504);
    let log = h.ctl("GET", "/requests", json!({}));
    assert!(log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["fault"] == "http_5xx"));
}

#[test]
fn rate_limit_retry_after_variants() {
    let h = H::new();
    let tok = h.client_token();
    h.faults(json!({"kind": "rate_limit", "retry_after": "seconds", "seconds": 2, "next": 1}));
    let r = h.get("/api/2/versions", &tok);
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "2");
    h.faults(json!({"kind": "rate_limit", "retry_after": "date", "seconds": 30, "next": 1}));
    let r = h.get("/api/2/versions", &tok);
    let d = r.headers()["retry-after"].to_str().unwrap().to_string();
    assert!(httpdate::parse_http_date(&d).is_ok(), "{d}");
    h.faults(json!({"kind": "rate_limit", "retry_after": "none", "next": 1}));
    let r = h.get("/api/2/versions", &tok);
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_none());
}

#[test]
fn token_expiry_modes() {
    let h = H::new();
    h.faults(json!({"kind": "token_expiry", "ttl": 5}));
    let tok = h.client_token();
    h.ctl("POST", "/clock", json!({"advance_seconds": 6}));
    assert_eq!(h.get("/api/2/versions", &tok).status(), 401);
    h.ctl("DELETE", "/faults", json!({}));
    let tok = h.client_token();
    h.ctl(
        "PUT",
        "/faults",
        json!({"faults": [{"kind": "token_expiry", "revoke_all": true}]}),
    );
    assert_eq!(h.get("/api/2/versions", &tok).status(), 401);
    h.faults(json!({"kind": "token_expiry", "uses": 2}));
    let tok = h.client_token();
    assert_eq!(h.get("/api/2/versions", &tok).status(), 200);
    assert_eq!(h.get("/api/2/versions", &tok).status(), 200);
    assert_eq!(h.get("/api/2/versions", &tok).status(), 401);
}

#[test]
fn token_endpoint_fail_and_clock_skew() {
    let h = H::new();
    h.faults(json!({"kind": "token_endpoint_fail", "status": 503, "next": 1}));
    let r = h.token_raw(&h.base, "grant_type=client_credentials", None);
    assert_eq!(r.status(), 503);
    assert_eq!(r.json::<Value>().unwrap()["error"], "server_error");
    h.faults(json!({"kind": "token_endpoint_fail", "status": 400, "error": "invalid_grant", "error_description": "nope"}));
    let r = h.token_raw(&h.base, "grant_type=password&username=a&password=b", None);
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().unwrap()["error_description"], "nope");
    h.faults(json!({"kind": "clock_skew", "seconds": 600}));
    let now = h.ctl("GET", "/clock", json!({}))["now"].as_i64().unwrap();
    let id = h.info["client"]["client_id"].as_str().unwrap();
    let s = h.info["client"]["client_secret"].as_str().unwrap();
    let v: Value = h
        .token_raw(&h.base, "grant_type=client_credentials", Some((id, s)))
        .json()
        .unwrap();
    assert!(v["expires_on"].as_i64().unwrap() < now);
    let tok = v["access_token"].as_str().unwrap();
    assert_eq!(h.get("/api/2/versions", tok).status(), 200);
}

#[test]
fn connection_reset_and_broken_json() {
    let h = H::new();
    let tok = h.client_token();
    h.faults(json!({"kind": "connection_reset", "path": "/api/2/versions", "when": "before_status", "next": 1}));
    assert!(h
        .c
        .get(h.url("/api/2/versions"))
        .bearer_auth(&tok)
        .send()
        .is_err());
    h.faults(json!({"kind": "connection_reset", "path": "/api/2/applications", "when": "mid_body", "next": 1}));
    let r =
        h.c.get(h.url("/api/2/applications"))
            .bearer_auth(&tok)
            .send();
    assert!(r.is_err() || r.unwrap().bytes().is_err());
    assert_eq!(h.get("/api/2/applications", &tok).status(), 200);
    h.faults(json!({"kind": "truncated_json", "path": "/api/2/versions", "next": 1}));
    let text = h.get("/api/2/versions", &tok).text().unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err());
    h.faults(json!({"kind": "invalid_json", "path": "/api/2/versions", "next": 1}));
    let r = h.get("/api/2/versions", &tok);
    assert_eq!(r.status(), 200);
    assert!(serde_json::from_str::<Value>(&r.text().unwrap()).is_err());
}

#[test]
fn version_bump_and_drop_after_commit() {
    let h = H::new();
    let tok = h.client_token();
    let t = h.customer(&tok, "Bumped");
    let id = t["id"].as_str().unwrap();
    h.faults(json!({"kind": "version_bump", "path": "/api/2/tenants/*", "next": 1}));
    let r = h.put(
        &format!("/api/2/tenants/{id}"),
        &tok,
        &json!({"version": 1, "enabled": false}),
    );
    assert_eq!(r.status(), 409);
    let cur: Value = h.get(&format!("/api/2/tenants/{id}"), &tok).json().unwrap();
    assert_eq!(cur["version"], 2);
    h.faults(json!({"kind": "drop_response_after_commit", "method": "POST", "path": "/api/2/tenants", "next": 1}));
    let body = json!({"kind": "customer", "parent_id": h.root(), "name": "Dropped"});
    assert!(h
        .c
        .post(h.url("/api/2/tenants"))
        .bearer_auth(&tok)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .is_err());
    let r = h.post("/api/2/tenants", &tok, &body);
    assert_eq!(r.status(), 409, "the first POST was committed");
}

#[test]
fn discovery_and_old_platform_and_login_taken() {
    let h = H::new();
    let dc2 = h.sim.http_url(1);
    h.faults(json!({"kind": "discovery", "mode": "other_dc", "next": 1}));
    let r: Value =
        h.c.get(h.url("/api/1/accounts?login=reseller-admin"))
            .send()
            .unwrap()
            .json()
            .unwrap();
    assert_eq!(r["server_url"], json!(dc2));
    h.faults(json!({"kind": "discovery", "mode": "404", "next": 1}));
    assert_eq!(
        h.c.get(h.url("/api/1/accounts?login=reseller-admin"))
            .send()
            .unwrap()
            .status(),
        404
    );
    h.faults(json!({"kind": "discovery", "mode": "5xx", "status": 502, "next": 1}));
    assert_eq!(
        h.c.get(h.url("/api/1/accounts?login=reseller-admin"))
            .send()
            .unwrap()
            .status(),
        502
    );
    h.faults(json!({"kind": "discovery", "mode": "url", "url": "https://eu2-cloud.example.test"}));
    let r: Value =
        h.c.get(h.url("/api/1/accounts?login=x"))
            .send()
            .unwrap()
            .json()
            .unwrap();
    assert_eq!(r["server_url"], "https://eu2-cloud.example.test");
    let tok = h.client_token();
    h.faults(json!({"kind": "old_platform"}));
    let v: Value = h.get("/api/2/versions", &tok).json().unwrap();
    assert!(v["application"]["version"]
        .as_str()
        .unwrap()
        .starts_with("7."));
    h.faults(json!({"kind": "check_login_taken"}));
    assert_eq!(
        h.get("/api/2/users/check_login?username=Wfree1234", &tok)
            .status(),
        409
    );
}

fn report(h: &H, tok: &str) -> String {
    let r = h.post(
        "/api/2/reports",
        tok,
        &json!({"parameters": {"tenant_id": h.root(), "kind": "usage_current", "level": "accounts"},
        "schedule": {"type": "once"}, "recipients": [], "result_action": "save"}),
    );
    r.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn stored(h: &H, tok: &str, rid: &str) -> Value {
    h.get(&format!("/api/2/reports/{rid}/stored"), tok)
        .json()
        .unwrap()
}

#[test]
fn report_state_faults() {
    let h = H::new();
    let tok = h.client_token();
    h.ctl("POST", "/generate", json!({"tenants": 3, "seed": 1}));
    h.faults(json!({"kind": "report_delay", "next": 2}));
    let rid = report(&h, &tok);
    assert_eq!(stored(&h, &tok, &rid)["items"][0]["status"], "in_progress");
    assert_eq!(stored(&h, &tok, &rid)["items"][0]["status"], "in_progress");
    assert_eq!(stored(&h, &tok, &rid)["items"][0]["status"], "saved");
    h.faults(json!({"kind": "report_delay", "seconds": 120}));
    let rid = report(&h, &tok);
    assert_eq!(stored(&h, &tok, &rid)["items"][0]["status"], "in_progress");
    h.ctl("POST", "/clock", json!({"advance_seconds": 121}));
    assert_eq!(stored(&h, &tok, &rid)["items"][0]["status"], "saved");
    h.faults(json!({"kind": "report_failed"}));
    let rid = report(&h, &tok);
    assert_eq!(stored(&h, &tok, &rid)["items"][0]["status"], "failed");
    h.faults(json!({"kind": "report_empty_list", "next": 1}));
    let rid = report(&h, &tok);
    assert!(stored(&h, &tok, &rid)["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(stored(&h, &tok, &rid)["items"][0]["status"], "saved");
    h.faults(json!({"kind": "report_format_order"}));
    let rid = report(&h, &tok);
    let l = stored(&h, &tok, &rid);
    assert_eq!(l["items"][0]["report_format"], "json_v2_0");
    assert_eq!(l["items"][1]["report_format"], "csv_v2_0");
}

#[test]
fn report_encoding_and_redirect_faults() {
    let h = H::new();
    let tok = h.client_token();
    h.ctl("POST", "/generate", json!({"tenants": 2, "seed": 1}));
    let rid = report(&h, &tok);
    let sid = stored(&h, &tok, &rid)["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/2/reports/{rid}/stored/{sid}");
    let fetch = |variant: &str| {
        h.faults(json!({"kind": "report_encoding", "variant": variant}));
        let r = h.c.get(h.url(&path)).bearer_auth(&tok).send().unwrap();
        let enc = r
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_string());
        (enc, r.bytes().unwrap().to_vec())
    };
    let (enc, b) = fetch("plain");
    assert!(enc.is_none());
    assert!(String::from_utf8(b).unwrap().starts_with("tenant.id,"));
    let (enc, b) = fetch("gzip_no_header");
    assert!(enc.is_none());
    assert_eq!(&b[..2], &[0x1f, 0x8b]);
    let (_, b) = fetch("trailing_blank_line");
    assert!(gunzip(&b).ends_with("\n\n"));
    let (_, b) = fetch("empty_numeric");
    let csv = gunzip(&b);
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|c| *c == "usage.absolute.total")
        .unwrap();
    assert_eq!(csv.lines().nth(1).unwrap().split(',').nth(col).unwrap(), "");
    let (_, b) = fetch("missing_column");
    assert!(!gunzip(&b)
        .lines()
        .next()
        .unwrap()
        .contains("usage.delta.trial"));
    let (enc, _) = fetch("gzip");
    assert_eq!(enc.as_deref(), Some("gzip"));
    h.ctl("DELETE", "/faults", json!({}));
    for (host, expect_host) in [("same", "127.0.0.1"), ("other", "localhost")] {
        h.faults(json!({"kind": "download_redirect", "host": host}));
        let r = h.c.get(h.url(&path)).bearer_auth(&tok).send().unwrap();
        assert_eq!(r.status(), 302);
        let loc = r.headers()["location"].to_str().unwrap().to_string();
        assert!(loc.contains(expect_host), "{loc}");
        let f = h.c.get(&loc).send().unwrap();
        assert_eq!(f.status(), 200);
        assert_eq!(&f.bytes().unwrap()[..2], &[0x1f, 0x8b]);
    }
    let log = h.ctl("GET", "/requests", json!({}));
    let dl = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"].as_str().unwrap().starts_with("/download/"))
        .unwrap()
        .clone();
    assert!(dl["headers"].get("authorization").is_none());
}

#[test]
fn children_paging_and_hard_quota() {
    let h = H::new();
    let tok = h.client_token();
    for n in 0..3 {
        h.customer(&tok, &format!("Kid {n}"));
    }
    h.faults(json!({"kind": "children_paging", "page_size": 2}));
    let p = format!("/api/2/tenants/{}/children", h.root());
    let a: Value = h.get(&p, &tok).json().unwrap();
    assert_eq!(a["items"].as_array().unwrap().len(), 2);
    let after = a["paging"]["cursors"]["after"]
        .as_str()
        .unwrap()
        .to_string();
    let b: Value = h.get(&format!("{p}?after={after}"), &tok).json().unwrap();
    assert_eq!(b["items"].as_array().unwrap().len(), 1);
    assert!(b["paging"]["cursors"].get("after").is_none());
    h.ctl("DELETE", "/faults", json!({}));
    let t = h.customer(&tok, "Quota")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let backup = h.app_id("backup");
    h.post(
        &format!("/api/2/applications/{backup}/bindings/tenants/{t}"),
        &tok,
        &json!({}),
    );
    h.ctl(
        "PUT",
        "/usage",
        json!({"tenant_id": t, "name": "pw_vms", "value": 5}),
    );
    h.faults(json!({"kind": "hard_quota"}));
    let r = h.put(&format!("/api/2/tenants/{t}/offering_items"), &tok, &json!({"offering_items": [
        {"application_id": backup, "name": "pw_vms", "status": 1, "quota": {"value": 2, "overage": 0, "version": 0}}]}));
    assert_eq!(err_code(&r.json().unwrap()), 1022);
}

#[test]
fn tls_with_generated_ca_and_tls_fault() {
    let h = H::with(acronis_sim::Config {
        tls: true,
        ..Default::default()
    });
    let https = h.sim.https_url(0).unwrap();
    let pem = std::fs::read(h.sim.ca_file().unwrap()).unwrap();
    let ca = reqwest::Certificate::from_pem(&pem).unwrap();
    let tls = |extra: bool| {
        let mut b = reqwest::blocking::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(ca.clone());
        if extra {
            b = b.pool_max_idle_per_host(0);
        }
        b.build().unwrap()
    };
    let c = tls(true);
    let r: Value = c
        .get(format!("{https}/api/1/accounts?login=reseller-admin"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        r["server_url"],
        json!(https),
        "discovery over TLS answers with the HTTPS base"
    );
    let localhost = https.replace("127.0.0.1", "localhost");
    assert_eq!(
        c.get(format!("{localhost}/api/1/accounts?login=x"))
            .send()
            .unwrap()
            .status(),
        200
    );
    // Without the CA, verification fails.
    let plain = reqwest::blocking::Client::builder()
        .tls_built_in_root_certs(false)
        .build()
        .unwrap();
    assert!(plain
        .get(format!("{https}/api/1/accounts?login=x"))
        .send()
        .is_err());
    h.faults(json!({"kind": "tls", "mode": "self_signed"}));
    assert!(tls(true)
        .get(format!("{https}/api/1/accounts?login=x"))
        .send()
        .is_err());
    h.faults(json!({"kind": "tls", "mode": "wrong_host"}));
    assert!(tls(true)
        .get(format!("{https}/api/1/accounts?login=x"))
        .send()
        .is_err());
    h.ctl("DELETE", "/faults", json!({}));
    assert_eq!(
        tls(true)
            .get(format!("{https}/api/1/accounts?login=x"))
            .send()
            .unwrap()
            .status(),
        200
    );
}
