//! Endpoints added for provisioning: tenant users, two-factor authentication status, and the
//! create-only enhanced security flag (see README "Tenant settings").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::H;
use serde_json::{json, Value};

#[test]
fn tenant_users_lists_the_user_uuids() {
    let h = H::new();
    let tok = h.client_token();
    let t = h.customer(&tok, "Users Co");
    let tid = t["id"].as_str().unwrap();
    let r = h.get(&format!("/api/2/tenants/{tid}/users"), &tok);
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().unwrap(), json!({"items": []}));
    let mut ids = Vec::new();
    for login in ["first-user", "second-user"] {
        let r = h.post(
            "/api/2/users",
            &tok,
            &json!({"tenant_id": tid, "login": login, "contact": {"email": "u@example.test"}}),
        );
        assert_eq!(r.status(), 200);
        ids.push(r.json::<Value>().unwrap()["id"].clone());
    }
    let r = h.get(&format!("/api/2/tenants/{tid}/users"), &tok);
    let mut listed: Vec<Value> = r.json::<Value>().unwrap()["items"]
        .as_array()
        .unwrap()
        .clone();
    listed.sort_by_key(|v| v.to_string());
    ids.sort_by_key(|v| v.to_string());
    assert_eq!(listed, ids);
    let r = h.get(
        "/api/2/tenants/00000000-0000-4000-8000-000000000009/users",
        &tok,
    );
    assert_eq!(r.status(), 404);
}

#[test]
fn mfa_status_round_trip_and_validation() {
    let h = H::new();
    let tok = h.client_token();
    let t = h.customer(&tok, "Mfa Co");
    let tid = t["id"].as_str().unwrap();
    let path = format!("/api/2/tenants/{tid}/mfa/status");
    let r = h.get(&path, &tok);
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().unwrap()["mfa_status"], "disabled");
    let r = h.put(&path, &tok, &json!({"enabled": true}));
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().unwrap()["mfa_status"], "enabled");
    let t2 = h
        .get(&format!("/api/2/tenants/{tid}"), &tok)
        .json::<Value>()
        .unwrap();
    assert_eq!(t2["mfa_status"], "enabled");
    assert_eq!(
        t2["version"], t["version"],
        "own resource: no tenant version bump"
    );
    assert_eq!(h.put(&path, &tok, &json!({"enabled": "yes"})).status(), 400);
    assert_eq!(h.put(&path, &tok, &json!({})).status(), 400);
    let unit = h.post(
        "/api/2/tenants",
        &tok,
        &json!({"kind": "unit", "parent_id": tid, "name": "Dept"}),
    );
    assert_eq!(unit.status(), 201);
    let uid = unit.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = h.put(
        &format!("/api/2/tenants/{uid}/mfa/status"),
        &tok,
        &json!({"enabled": true}),
    );
    assert_eq!(r.status(), 400, "units inherit the setting");
}

#[test]
fn enhanced_security_is_create_only_and_customer_only() {
    let h = H::new();
    let tok = h.client_token();
    let r = h.post(
        "/api/2/tenants",
        &tok,
        &json!({"kind": "customer", "parent_id": h.root(), "name": "Secure Co", "enhanced_security": true}),
    );
    assert_eq!(r.status(), 201);
    let t = r.json::<Value>().unwrap();
    assert_eq!(t["enhanced_security"], true);
    let id = t["id"].as_str().unwrap();
    let r = h.put(
        &format!("/api/2/tenants/{id}"),
        &tok,
        &json!({"version": t["version"], "enhanced_security": false}),
    );
    assert_eq!(r.status(), 400);
    let r = h.put(
        &format!("/api/2/tenants/{id}"),
        &tok,
        &json!({"version": t["version"], "enhanced_security": true, "ancestral_access": false}),
    );
    assert_eq!(r.status(), 200, "unchanged value is accepted");
    assert_eq!(r.json::<Value>().unwrap()["ancestral_access"], false);
    let r = h.post(
        "/api/2/tenants",
        &tok,
        &json!({"kind": "partner", "parent_id": h.root(), "name": "Secure Partner", "enhanced_security": true}),
    );
    assert_eq!(r.status(), 400);
    let r = h.post(
        "/api/2/tenants",
        &tok,
        &json!({"kind": "customer", "parent_id": h.root(), "name": "Odd Co", "enhanced_security": 1}),
    );
    assert_eq!(r.status(), 400);
}
