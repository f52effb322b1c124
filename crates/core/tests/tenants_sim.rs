//! Tenant operations against the simulator, in process: idempotent suspend/unsuspend and
//! terminate, resume after an interrupted create, version conflicts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use acroniscloud_core::infra::config_yaml::Config;
use acroniscloud_core::platform::connection::Connection;
use acroniscloud_core::platform::server_settings::ServerRecord;
use acroniscloud_core::platform::tenants::{self, Contact, NewTenant};
use serde_json::{json, Value};

struct Sim {
    sim: acronis_sim::RunningSim,
}

impl Sim {
    fn start() -> Sim {
        let sim = acronis_sim::start(acronis_sim::Config {
            dcs: 1,
            ..acronis_sim::Config::default()
        })
        .unwrap();
        Sim { sim }
    }

    fn connection(&self) -> Connection {
        let seed = self.sim.seed_info(0);
        let url = self.sim.http_url(0);
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
        cfg.cloud_api.retry_backoff_ms = 10;
        // The simulator is reached over plain HTTP here.
        cfg.cloud_api.allow_plain_http = true;
        Connection::new(&record, cfg).unwrap()
    }

    fn fault(&self, fault: Value) {
        let url = format!("{}/__sim/faults", self.sim.http_url(0));
        reqwest::blocking::Client::new()
            .put(url)
            .header("Content-Type", "application/json")
            .body(json!({"faults": [fault]}).to_string())
            .send()
            .unwrap();
    }
}

fn new_tenant(conn: &mut Connection, name: &str) -> NewTenant {
    NewTenant {
        name: name.into(),
        kind: "customer".into(),
        parent_id: conn.root_tenant_id().unwrap(),
        customer_id: "whmcs-service-id=1".into(),
        contact: Contact {
            email: "ops@example.test".into(),
            ..Contact::default()
        },
        language: "en".into(),
        enhanced_security: false,
    }
}

#[test]
fn suspend_unsuspend_and_terminate_are_idempotent() {
    let sim = Sim::start();
    let mut conn = sim.connection();
    let wanted = new_tenant(&mut conn, "Widgets Ltd");
    let t = tenants::create(&mut conn, &wanted).unwrap();
    assert!(t.enabled);
    assert!(
        !tenants::set_enabled(&mut conn, &t.id, false)
            .unwrap()
            .enabled
    );
    let again = tenants::set_enabled(&mut conn, &t.id, false).unwrap();
    assert!(!again.enabled, "suspending twice is success");
    assert!(
        tenants::set_enabled(&mut conn, &t.id, true)
            .unwrap()
            .enabled
    );
    tenants::delete(&mut conn, &t.id).unwrap();
    assert_eq!(tenants::get(&mut conn, &t.id).unwrap(), None);
    tenants::delete(&mut conn, &t.id).unwrap();
}

#[test]
fn interrupted_create_is_found_instead_of_duplicated() {
    let sim = Sim::start();
    let mut conn = sim.connection();
    sim.fault(json!({"kind": "drop_response_after_commit", "method": "POST", "path": "/api/2/tenants", "next": 1}));
    let wanted = new_tenant(&mut conn, "Half Built GmbH");
    assert!(
        tenants::create(&mut conn, &wanted).is_err(),
        "the answer was lost"
    );
    let parent = conn.root_tenant_id().unwrap();
    let found = tenants::find_child(&mut conn, &parent, "Half Built GmbH")
        .unwrap()
        .expect("the tenant was created before the connection dropped");
    assert_eq!(found.kind, "customer");
    assert!(tenants::find_child(&mut conn, &parent, "Nobody")
        .unwrap()
        .is_none());
}

#[test]
fn version_conflicts_are_retried_once_with_a_fresh_read() {
    let sim = Sim::start();
    let mut conn = sim.connection();
    let wanted = new_tenant(&mut conn, "Racing Ltd");
    let t = tenants::create(&mut conn, &wanted).unwrap();
    sim.fault(json!({"kind": "version_bump", "method": "PUT", "path": format!("/api/2/tenants/{}", t.id), "next": 1}));
    assert!(
        !tenants::set_enabled(&mut conn, &t.id, false)
            .unwrap()
            .enabled
    );
}

#[test]
fn missing_email_creates_nothing() {
    let sim = Sim::start();
    let mut conn = sim.connection();
    let mut wanted = new_tenant(&mut conn, "No Mail Inc");
    wanted.contact.email.clear();
    let err = tenants::create(&mut conn, &wanted).unwrap_err();
    assert_eq!(
        err.to_string(),
        "The user email is required for provisioning."
    );
    let parent = conn.root_tenant_id().unwrap();
    assert!(tenants::find_child(&mut conn, &parent, "No Mail Inc")
        .unwrap()
        .is_none());
}

#[test]
fn unknown_tenant_reads_as_none_and_suspend_says_what_to_do() {
    let sim = Sim::start();
    let mut conn = sim.connection();
    let id = "00000000-0000-4000-8000-000000000001";
    assert_eq!(tenants::get(&mut conn, id).unwrap(), None);
    let err = tenants::set_enabled(&mut conn, id, false).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "Unable to find the tenant \"{id}\" on the server 1."
        )),
        "{err}"
    );
}

#[test]
fn users_logins_and_roles() {
    use acroniscloud_core::platform::users;
    let sim = Sim::start();
    let mut conn = sim.connection();
    let wanted = new_tenant(&mut conn, "Users Ltd");
    let t = tenants::create(&mut conn, &wanted).unwrap();
    let login = users::choose_login(&mut conn, "", "service-7").unwrap();
    assert!(login.starts_with('W'));
    let contact = Contact {
        email: "ops@example.test".into(),
        ..Contact::default()
    };
    let u = users::create(&mut conn, &t.id, &login, &contact, "en").unwrap();
    assert_eq!(u.tenant_id, t.id);
    assert!(!u.activated);
    users::set_roles(&mut conn, &u, &[users::admin_role("customer").unwrap()]).unwrap();
    // The same login is taken now; the client's own login is checked, not retried.
    let err = users::choose_login(&mut conn, &login, "x").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("The login \"{login}\" is already used for another client.")
    );
    assert_eq!(users::get(&mut conn, &u.id).unwrap().unwrap().login, login);
    // Every candidate taken: a clear error after the reference's 10 attempts.
    sim.fault(json!({"kind": "check_login_taken"}));
    let err = users::choose_login(&mut conn, "", "y").unwrap_err();
    assert_eq!(err.to_string(), "Cannot generate the login for the user.");
}
