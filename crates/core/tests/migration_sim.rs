//! The v1 reads of the module-v1 migration against the simulator, in process.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom; production code stays ≤ 60 lines

use acroniscloud_core::features::migration::v1_api;
use acroniscloud_core::infra::config_yaml::Config;
use acroniscloud_core::platform::connection::Connection;
use acroniscloud_core::platform::server_settings::ServerRecord;
use serde_json::json;

const CUSTOMER: &str = "0a1b2c3d-0000-4000-8000-0000000000a1";
const PARTNER: &str = "0a1b2c3d-0000-4000-8000-0000000000b1";
const NESTED: &str = "0a1b2c3d-0000-4000-8000-0000000000c1";

#[test]
fn groups_admins_and_users_by_v1_id() {
    let sim = acronis_sim::start(acronis_sim::Config {
        dcs: 1,
        ..acronis_sim::Config::default()
    })
    .unwrap();
    let url = sim.http_url(0);
    reqwest::blocking::Client::new()
        .post(format!("{url}/__sim/seed"))
        .header("Content-Type", "application/json")
        .body(
            json!({
                "tenants": [
                    {"id": CUSTOMER, "name": "Legacy Customer", "kind": "customer", "v1_id": 33001},
                    {"id": PARTNER, "name": "Legacy Reseller", "kind": "partner", "v1_id": 31001},
                    {"id": NESTED, "name": "Nested", "kind": "customer", "parent_id": PARTNER, "v1_id": 33002}
                ],
                "users": [
                    {"login": "jdoe", "tenant_id": CUSTOMER, "v1_id": 5002},
                    {"login": "reseller", "tenant_id": PARTNER, "v1_id": 5001}
                ]
            })
            .to_string(),
        )
        .send()
        .unwrap();
    let seed = sim.seed_info(0);
    let record = ServerRecord {
        id: Some(1),
        name: "sim".into(),
        hostname: url,
        port: String::new(),
        secure: false,
        username: seed["client"]["client_id"].as_str().unwrap().into(),
        password: seed["client"]["client_secret"].as_str().unwrap().into(),
        accesshash: "client_credentials".into(),
    };
    let mut cfg = Config::default();
    // The simulator is reached over plain HTTP here.
    cfg.cloud_api.allow_plain_http = true;
    let mut conn = Connection::new(&record, cfg).unwrap();

    let kids = v1_api::children(&mut conn).unwrap();
    let customer = v1_api::group(&mut conn, &kids, "33001").unwrap().unwrap();
    assert_eq!((customer.uuid.as_str(), customer.kind), (CUSTOMER, 33));
    let partner = v1_api::group(&mut conn, &kids, "31001").unwrap().unwrap();
    assert_eq!(partner.kind, v1_api::KIND_PARTNER);
    // Not a direct child: found by id.
    let nested = v1_api::group(&mut conn, &kids, "33002").unwrap().unwrap();
    assert_eq!(nested.uuid, NESTED);
    assert_eq!(v1_api::group(&mut conn, &kids, "424242").unwrap(), None);
    assert_eq!(v1_api::group(&mut conn, &kids, "../x").unwrap(), None);

    let user = v1_api::account(&mut conn, &customer, "5002")
        .unwrap()
        .unwrap();
    assert_eq!(user.login, "jdoe");
    let admin = v1_api::account(&mut conn, &partner, "5001")
        .unwrap()
        .unwrap();
    assert_eq!(admin.login, "reseller");
    // Partner groups read /admins: a customer's user is not there.
    assert_eq!(v1_api::account(&mut conn, &partner, "5002").unwrap(), None);

    let paths: Vec<String> = conn
        .take_exchanges()
        .iter()
        .map(|e| e.url.clone())
        .collect();
    assert_eq!(
        paths
            .iter()
            .filter(|u| u.contains("/api/1/groups/self/children/"))
            .count(),
        1
    );
    assert!(paths.iter().any(|u| u.ends_with("/api/1/groups/33002")));
    assert!(paths.iter().any(|u| u.ends_with("/api/1/admins/5001")));
}
