//! One-time login tokens and the console pages (single sign-on of the WHMCS client area).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test code: a failure should panic

mod common;
use common::*;
use serde_json::{json, Value};

/// A customer tenant with one user; returns (user id, login).
fn user(h: &H, tok: &str, login: &str) -> (String, String) {
    let t = h.customer(tok, &format!("Tenant of {login}"));
    let r = h.post(
        "/api/2/users",
        tok,
        &json!({"tenant_id": t["id"], "login": login, "contact": {"email": "it@acme.test"}}),
    );
    assert_eq!(r.status(), 200);
    let u: Value = r.json().unwrap();
    (u["id"].as_str().unwrap().to_string(), login.to_string())
}

fn redeem(h: &H, ott: &str) -> reqwest::blocking::Response {
    h.c.post(h.url("/api/2/idp/ott/login"))
        .header("Content-Type", "application/json")
        .body(json!({"ott": ott}).to_string())
        .send()
        .unwrap()
}

#[test]
fn ott_logs_the_user_into_the_console_once() {
    let h = H::new();
    let tok = h.client_token();
    let (uid, login) = user(&h, &tok, "it-admin");
    let r = h.post(
        "/api/2/idp/ott",
        &tok,
        &json!({"login": "IT-Admin", "purpose": "user_login"}),
    );
    assert_eq!(r.status(), 200);
    let ott = r.json::<Value>().unwrap()["ott"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ott.starts_with("T1RU"));

    // Not logged in yet.
    assert_eq!(h.c.get(h.url("/ui/")).send().unwrap().status(), 401);
    let page = h.c.get(h.url("/api/2/idp/external-login")).send().unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().unwrap().contains("/api/2/idp/ott/login"));

    let r = redeem(&h, &ott);
    assert_eq!(r.status(), 204);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    let session = cookie.split(';').next().unwrap().to_string();
    assert!(session.starts_with("acronis_sim_session="));
    let ui =
        h.c.get(h.url("/ui/"))
            .header("Cookie", &session)
            .send()
            .unwrap();
    assert_eq!(ui.status(), 200);
    let text = ui.text().unwrap();
    assert!(text.contains(&format!("data-user-id=\"{uid}\"")), "{text}");
    assert!(text.contains(&login));
    let mc =
        h.c.get(h.url("/mc/"))
            .header("Cookie", &session)
            .send()
            .unwrap();
    assert!(mc.text().unwrap().contains("Management Portal"));

    // Single use.
    assert_eq!(redeem(&h, &ott).status(), 401);
}

#[test]
fn ott_is_short_lived_and_strict() {
    let h = H::new();
    let tok = h.client_token();
    let (uid, _) = user(&h, &tok, "late-user");
    let issue = |body: Value| h.post("/api/2/idp/ott", &tok, &body);
    let ott = issue(json!({"user_id": uid, "purpose": "user_login"}))
        .json::<Value>()
        .unwrap()["ott"]
        .as_str()
        .unwrap()
        .to_string();
    h.ctl("POST", "/clock", json!({"advance_seconds": 31}));
    assert_eq!(redeem(&h, &ott).status(), 401, "expired after 30 s");

    assert_eq!(
        issue(json!({"login": "nobody-here", "purpose": "user_login"})).status(),
        404
    );
    assert_eq!(
        issue(json!({"login": "late-user", "purpose": "other"})).status(),
        400
    );
    assert_eq!(issue(json!({"purpose": "user_login"})).status(), 400);
    assert_eq!(redeem(&h, "T1RUnot-a-token").status(), 401);
    // Users (not API clients) may not issue tokens.
    let user_tok = h.password_token();
    assert_eq!(
        h.post(
            "/api/2/idp/ott",
            &user_tok,
            &json!({"login": "late-user", "purpose": "user_login"})
        )
        .status(),
        403
    );
    // Without a token at all.
    let r =
        h.c.post(h.url("/api/2/idp/ott"))
            .header("Content-Type", "application/json")
            .body(json!({"login": "late-user", "purpose": "user_login"}).to_string())
            .send()
            .unwrap();
    assert_eq!(r.status(), 401);
}
