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
    let status = r.json::<Value>().unwrap();
    assert_eq!(status["mfa_status"], "enabled");
    // The tutorial's answer fields.
    assert_eq!(status["users_with_totp_enabled_count"], 0);
    assert_eq!(status["update_allowed"], true);
    assert!(status["users_count"].is_number());
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
fn enhanced_security_is_a_create_only_customer_setting() {
    let h = H::new();
    let tok = h.client_token();
    let r = h.post(
        "/api/2/tenants",
        &tok,
        &json!({"kind": "customer", "parent_id": h.root(), "name": "Secure Co",
                "settings": {"enhanced_security": true}}),
    );
    assert_eq!(r.status(), 201);
    let t = r.json::<Value>().unwrap();
    assert_eq!(t["settings"]["enhanced_security"], true);
    assert!(
        t.get("enhanced_security").is_none(),
        "only the settings shape"
    );
    let id = t["id"].as_str().unwrap();
    let r = h.put(
        &format!("/api/2/tenants/{id}"),
        &tok,
        &json!({"version": t["version"], "settings": {"enhanced_security": false}}),
    );
    assert_eq!(r.status(), 400);
    let r = h.put(
        &format!("/api/2/tenants/{id}"),
        &tok,
        &json!({"version": t["version"], "settings": {"enhanced_security": true}, "ancestral_access": false}),
    );
    assert_eq!(r.status(), 200, "unchanged value is accepted");
    assert_eq!(r.json::<Value>().unwrap()["ancestral_access"], false);
    let r = h.post(
        "/api/2/tenants",
        &tok,
        &json!({"kind": "partner", "parent_id": h.root(), "name": "Secure Partner",
                "settings": {"enhanced_security": true}}),
    );
    assert_eq!(r.status(), 400);
    let r = h.post(
        "/api/2/tenants",
        &tok,
        &json!({"kind": "customer", "parent_id": h.root(), "name": "Odd Co",
                "settings": {"enhanced_security": 1}}),
    );
    assert_eq!(r.status(), 400);
    let r = h.post(
        "/api/2/tenants",
        &tok,
        &json!({"kind": "customer", "parent_id": h.root(), "name": "Odd Co", "settings": true}),
    );
    assert_eq!(r.status(), 400);
}

#[test]
fn top_level_enhanced_security_is_refused() {
    let h = H::new();
    let tok = h.client_token();
    let r = h.post(
        "/api/2/tenants",
        &tok,
        &json!({"kind": "customer", "parent_id": h.root(), "name": "Old Shape Co", "enhanced_security": true}),
    );
    assert_eq!(r.status(), 400);
    assert!(r.text().unwrap().contains("settings.enhanced_security"));
    let r = h.post(
        "/api/2/tenants",
        &tok,
        &json!({"kind": "customer", "parent_id": h.root(), "name": "Plain Co"}),
    );
    assert_eq!(r.status(), 201);
    let t = r.json::<Value>().unwrap();
    assert_eq!(t["settings"]["enhanced_security"], false);
    let r = h.put(
        &format!("/api/2/tenants/{}", t["id"].as_str().unwrap()),
        &tok,
        &json!({"version": t["version"], "enhanced_security": false}),
    );
    assert_eq!(r.status(), 400, "not on PUT either");
}

#[test]
fn trial_tenants_go_to_production_after_30_days() {
    let h = H::new();
    let tok = h.client_token();
    let t = h.customer(&tok, "Trial Co");
    let id = t["id"].as_str().unwrap().to_string();
    let pricing = h
        .get(&format!("/api/2/tenants/{id}/pricing"), &tok)
        .json::<Value>()
        .unwrap();
    assert_eq!(pricing["mode"], "trial", "created in trial");
    h.ctl("POST", "/clock", json!({"advance_seconds": 29 * 24 * 3600}));
    let tok = h.client_token(); // the old token expired with the clock
    let pricing = h
        .get(&format!("/api/2/tenants/{id}/pricing"), &tok)
        .json::<Value>()
        .unwrap();
    assert_eq!(pricing["mode"], "trial", "still trial after 29 days");
    h.ctl("POST", "/clock", json!({"advance_seconds": 24 * 3600}));
    let tok = h.client_token();
    let pricing = h
        .get(&format!("/api/2/tenants/{id}/pricing"), &tok)
        .json::<Value>()
        .unwrap();
    assert_eq!(pricing["mode"], "production", "switched after 30 days");
    assert!(pricing["production_start_date"].is_string());
    let r = h.put(
        &format!("/api/2/tenants/{id}/pricing"),
        &tok,
        &json!({"mode": "trial", "version": pricing["version"]}),
    );
    assert_eq!(r.status(), 400, "no way back to trial");
}

#[test]
fn management_mode_can_be_given_at_creation() {
    let h = H::new();
    let tok = h.client_token();
    let r = h.post(
        "/api/2/tenants",
        &tok,
        &json!({"kind": "customer", "parent_id": h.root(), "name": "Self Co", "ancestral_access": false}),
    );
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().unwrap()["ancestral_access"], false);
    let r = h.post(
        "/api/2/tenants",
        &tok,
        &json!({"kind": "customer", "parent_id": h.root(), "name": "Odd Co", "ancestral_access": "no"}),
    );
    assert_eq!(r.status(), 400);
}
