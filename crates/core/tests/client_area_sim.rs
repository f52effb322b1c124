//! The client area against the simulator, in process: details and notifications (L58, L59),
//! usages (L60), single sign-on with a one-time login (L62) and its fallback, the admin tab.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom; production code stays ≤ 60 lines

use acroniscloud_core::features::admin_api::ApiRequest;
use acroniscloud_core::features::client_area::{self, Context, Service, SignOn};
use acroniscloud_core::infra::config_yaml::Config;
use acroniscloud_core::platform::connection::Connection;
use acroniscloud_core::platform::http::Method;
use acroniscloud_core::platform::server_settings::ServerRecord;
use serde_json::{json, Value};

struct Fixture {
    sim: acronis_sim::RunningSim,
    tenant_id: String,
    user_id: String,
    login: String,
}

fn record(sim: &acronis_sim::RunningSim) -> ServerRecord {
    let seed = sim.seed_info(0);
    ServerRecord {
        id: Some(1),
        name: "sim".into(),
        hostname: sim.http_url(0),
        port: String::new(),
        secure: false,
        username: seed["client"]["client_id"].as_str().unwrap().into(),
        password: seed["client"]["client_secret"].as_str().unwrap().into(),
        accesshash: "client_credentials".into(),
    }
}

fn config() -> Config {
    let mut cfg = Config::default();
    cfg.cloud_api.retry_backoff_ms = 10;
    // The simulator is reached over plain HTTP here.
    cfg.cloud_api.allow_plain_http = true;
    cfg
}

fn control(sim: &acronis_sim::RunningSim, method: &str, path: &str, body: Value) -> Value {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let text = reqwest::blocking::Client::new()
        .request(m, format!("{}/__sim{path}", sim.http_url(0)))
        .body(body.to_string())
        .send()
        .unwrap()
        .text()
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A customer tenant with backup items, usage and a user with notifications (version 3).
fn fixture(kind: &str) -> Fixture {
    let sim = acronis_sim::start(acronis_sim::Config {
        dcs: 1,
        ..acronis_sim::Config::default()
    })
    .unwrap();
    let mut conn = Connection::new(&record(&sim), config()).unwrap();
    let root = conn.root_tenant_id().unwrap();
    let t = conn
        .call(
            Method::Post,
            "/api/2/tenants",
            &[],
            Some(
                json!({"kind": kind, "parent_id": root, "name": format!("Acme {kind}"),
                "contact": {"email": "it@acme.test"}}),
            ),
        )
        .unwrap();
    let tid = t["id"].as_str().unwrap().to_string();
    let info = sim.seed_info(0);
    let backup = info["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == "backup")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let infra = info["infras"][0]["id"].as_str().unwrap().to_string();
    conn.call(
        Method::Post,
        &format!("/api/2/applications/{backup}/bindings/tenants/{tid}"),
        &[],
        Some(json!({})),
    )
    .unwrap();
    conn.call(Method::Put, &format!("/api/2/tenants/{tid}/offering_items"), &[], Some(json!({"offering_items": [
        {"application_id": backup, "name": "pw_workstations", "status": 1, "quota": {"value": 10, "overage": 0}},
        {"application_id": backup, "name": "pw_storage", "infra_id": infra, "status": 1, "quota": {"value": 107_374_182_400_i64, "overage": 0}},
    ]}))).unwrap();
    control(
        &sim,
        "PUT",
        "/usage",
        json!({"items": [
            {"tenant_id": tid, "name": "pw_workstations", "value": 3},
            {"tenant_id": tid, "name": "pw_storage", "infra_id": infra, "value": 5_368_709_120_i64}]}),
    );
    let login = format!("acme-{kind}-admin");
    let u = conn
        .call(
            Method::Post,
            "/api/2/users",
            &[],
            Some(json!({"tenant_id": tid, "login": login, "contact": {"email": "it@acme.test"}})),
        )
        .unwrap();
    let uid = u["id"].as_str().unwrap().to_string();
    // Two updates bring the user to version 3 with the L58 notifications.
    let mut version = u["version"].as_i64().unwrap();
    for notes in [json!(["quota"]), json!(["backup_error", "quota"])] {
        let v = conn
            .call(
                Method::Put,
                &format!("/api/2/users/{uid}"),
                &[],
                Some(json!({"notifications": notes, "version": version})),
            )
            .unwrap();
        version = v["version"].as_i64().unwrap();
    }
    assert_eq!(version, 3);
    Fixture {
        sim,
        tenant_id: tid,
        user_id: uid,
        login,
    }
}

fn ctx(f: &Fixture) -> Context {
    Context {
        service: Service {
            service_id: 45,
            owner_id: 12,
            client_id: 12,
            module: client_area::MODULE.into(),
            product_id: 7,
            tenant_id: f.tenant_id.clone(),
            user_id: f.user_id.clone(),
            ..Service::default()
        },
        server: Some(record(&f.sim)),
        config: config(),
        csrf_expected: "page-token".into(),
        csrf_given: "page-token".into(),
        ..Context::default()
    }
}

fn request(method: &str, action: &str, query: Value, body: Option<Value>) -> ApiRequest {
    ApiRequest {
        method: method.into(),
        action: action.into(),
        query: query.as_object().cloned().unwrap(),
        content_type: if body.is_some() {
            "application/json".into()
        } else {
            String::new()
        },
        body: body.map(|b| b.to_string().into_bytes()).unwrap_or_default(),
    }
}

fn answer(req: &ApiRequest, c: &Context) -> (u16, Value) {
    let (r, _) = client_area::handle(req, c);
    (r.status, serde_json::from_str(&r.body).unwrap())
}

#[test]
fn l58_l59_details_and_notification_update() {
    let f = fixture("customer");
    let c = ctx(&f);
    let (status, v) = answer(
        &request("GET", "get_details", json!({"id": "45"}), None),
        &c,
    );
    assert_eq!(status, 200);
    assert_eq!(
        v,
        json!({"login": f.login, "email": "it@acme.test", "tenant_kind": "customer", "notifications": [
            {"application_type": "backup", "items": [
                {"type": "backup_info", "status": "inactive"}, {"type": "backup_error", "status": "active"},
                {"type": "backup_warning", "status": "inactive"}, {"type": "backup_daily_report", "status": "inactive"}]},
            {"application_type": "platform", "items": [
                {"type": "quota", "status": "active"}, {"type": "reports", "status": "inactive"}]}],
            "version": 3})
    );

    let mut groups = v["notifications"].clone();
    groups[0]["items"][0]["status"] = json!("active");
    groups[1]["items"][0]["status"] = json!("inactive");
    let (status, v) = answer(
        &request(
            "POST",
            "update_details",
            json!({"id": "45", "version": "3"}),
            Some(json!({"notifications": groups})),
        ),
        &c,
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["version"], 4);
    let user = control(
        &f.sim,
        "GET",
        &format!("/state/users/{}", f.user_id),
        json!(null),
    );
    assert_eq!(
        user["notifications"],
        json!(["backup_info", "backup_error"])
    );

    // A stale page (version 3 again) gets the platform's conflict.
    let (status, v) = answer(
        &request(
            "POST",
            "update_details",
            json!({"id": "45", "version": "3"}),
            Some(json!({"notifications": groups})),
        ),
        &c,
    );
    assert_eq!(status, 409);
    assert_eq!(v["error"]["details"]["error_code"], "api_conflict");
}

#[test]
fn details_check_the_user_tenant() {
    let f = fixture("customer");
    let mut c = ctx(&f);
    c.service.tenant_id = "0b3d5c1e-0000-4000-8000-000000000000".into();
    let (status, v) = answer(
        &request("GET", "get_details", json!({"id": "45"}), None),
        &c,
    );
    assert_eq!(status, 404);
    assert_eq!(
        v["error"]["message"],
        "Cloud user tenant does not match tenant id set in purchase."
    );
    c.service.user_id = String::new();
    let (status, v) = answer(
        &request("GET", "get_details", json!({"id": "45"}), None),
        &c,
    );
    assert_eq!(status, 404);
    assert_eq!(v["error"]["message"], "User Id is missing from the product's custom fields. Please, contact administrator to activate the purchase.");
}

#[test]
fn l60_usages_from_the_platform() {
    let f = fixture("customer");
    let (status, v) = answer(
        &request("GET", "get_usages", json!({"id": "45"}), None),
        &ctx(&f),
    );
    assert_eq!(status, 200);
    assert_eq!(
        v,
        json!([{"application_type": "backup", "offering_items": [
            {"name": "pw_workstations", "measurement_unit": "quantity", "usage_value": 3, "quota_value": 10, "resource_type": "data"},
            {"name": "pw_storage", "measurement_unit": "bytes", "usage_value": 5_368_709_120_i64, "quota_value": 107_374_182_400_i64, "resource_type": "cloud"}]}])
    );
}

#[test]
fn l62_single_sign_on_uses_a_one_time_login() {
    let f = fixture("customer");
    let mut exchanges = Vec::new();
    let SignOn::Redirect(r) = client_area::single_sign_on(&ctx(&f), &mut exchanges) else {
        panic!("refused");
    };
    let base = f.sim.http_url(0);
    assert!(r.fallback_reason.is_none(), "{r:?}");
    assert!(
        r.url
            .starts_with(&format!("{base}/api/2/idp/external-login#ott=")),
        "{}",
        r.url
    );
    assert!(r.url.ends_with("%2Fui%2F"), "customer: service console");
    // The module log never sees the token.
    let logged: String = exchanges
        .iter()
        .map(|e| format!("{} {}", e.request_json(), e.response_json()))
        .collect();
    assert!(logged.contains("/api/2/idp/ott"));
    let ott = r
        .url
        .split("#ott=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let ott = url::form_urlencoded::parse(format!("o={ott}").as_bytes())
        .next()
        .unwrap()
        .1
        .to_string();
    assert!(!logged.contains(&ott), "token leaked into the module log");
    // The token logs the user in exactly once.
    let http = reqwest::blocking::Client::new();
    let login = |ott: &str| {
        http.post(format!("{base}/api/2/idp/ott/login"))
            .header("Content-Type", "application/json")
            .body(json!({"ott": ott}).to_string())
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(login(&ott), 204);
    assert_eq!(login(&ott), 401);
}

#[test]
fn sso_partner_goes_to_the_management_portal_and_falls_back_when_refused() {
    let f = fixture("partner");
    let mut c = ctx(&f);
    let SignOn::Redirect(r) = client_area::single_sign_on(&c, &mut Vec::new()) else {
        panic!("refused");
    };
    assert!(r.url.ends_with("%2Fmc%2F"), "{}", r.url);
    // The platform refuses the token: the plain console URL (reference behaviour).
    control(
        &f.sim,
        "PUT",
        "/faults",
        json!({"faults": [{"kind": "http_5xx", "method": "POST", "path": "/api/2/idp/ott", "status": 403}]}),
    );
    let SignOn::Redirect(r) = client_area::single_sign_on(&c, &mut Vec::new()) else {
        panic!("refused");
    };
    assert_eq!(r.url, f.sim.http_url(0));
    assert!(r.fallback_reason.is_some());
    // A service without a user still gets the console URL.
    c.service.user_id = String::new();
    let SignOn::Redirect(r) = client_area::single_sign_on(&c, &mut Vec::new()) else {
        panic!("refused");
    };
    assert_eq!(r.url, f.sim.http_url(0));
}

#[test]
fn admin_tab_shows_ids_login_and_live_usage() {
    let f = fixture("customer");
    let rows = client_area::admin_tab::fields(&ctx(&f), &mut Vec::new());
    assert_eq!(rows[0].1, format!("<code>{}</code>", f.tenant_id));
    assert_eq!(rows[2].1, format!("<code>{}</code>", f.login));
    assert!(rows[3].1.contains("<td>3</td><td>10</td>"), "{}", rows[3].1);
    assert!(
        rows[3].1.contains("<td>5 GB</td><td>100 GB</td>"),
        "{}",
        rows[3].1
    );
}
