//! Provisioning against the simulator, in process: scenarios L1–L36 and L85 of
//! docs/behaviour.md §L at the level of the core (WHMCS replaced by a recording `Host`),
//! plus resume after a fault injected at every step of `CreateAccount`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![allow(clippy::too_many_lines)] // a scenario test reads top to bottom; production code stays ≤ 60 lines

use acroniscloud_core::features::audit::{Actor, SqlAudit};
use acroniscloud_core::features::provisioning::progress::{ProgressStore, SqlProgress, Step};
use acroniscloud_core::features::provisioning::{
    self, ChangeOutcome, ClientDetails, Context, Host, ServiceFields, ServiceInput,
};
use acroniscloud_core::features::templates::model::{
    ManagementMode, OfferingItem, Status, TemplateData, TenantKind,
};
use acroniscloud_core::features::templates::{SqlTemplates, TemplateStorage};
use acroniscloud_core::infra::config_yaml::Config;
use acroniscloud_core::infra::error::Result;
use acroniscloud_core::infra::storage::sqlite::SqliteDb;
use acroniscloud_core::platform::connection::Connection;
use acroniscloud_core::platform::http::Exchange;
use acroniscloud_core::platform::server_settings::ServerRecord;
use acroniscloud_core::platform::tenants::{self, Contact, NewTenant};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;

const STORAGE: i64 = 107_374_182_400;
const GIB: i64 = 1 << 30;

/// WHMCS as provisioning sees it: custom fields, server rows, the log.
#[derive(Default)]
struct TestHost {
    fields: HashMap<String, String>,
    servers: HashMap<i64, ServerRecord>,
    assigned: Vec<i64>,
    warnings: Vec<String>,
    exchanges: usize,
}

impl Host for TestHost {
    fn server(&mut self, id: i64) -> Result<Option<ServerRecord>> {
        Ok(self.servers.get(&id).cloned())
    }
    fn assign_server(&mut self, id: i64) -> Result<()> {
        self.assigned.push(id);
        Ok(())
    }
    fn save_fields(&mut self, changes: &[(&str, Option<&str>)]) -> Result<()> {
        for (k, v) in changes {
            match v {
                Some(v) => self.fields.insert(k.to_string(), v.to_string()),
                None => self.fields.remove(*k),
            };
        }
        Ok(())
    }
    fn exchanges(&mut self, exchanges: Vec<Exchange>) {
        self.exchanges += exchanges.len();
    }
    fn warn(&mut self, message: &str) {
        self.warnings.push(message.to_string());
    }
}

struct World {
    sim: acronis_sim::RunningSim,
    dir: PathBuf,
    templates: SqlTemplates<'static>,
    progress: SqlProgress<'static>,
    audit: SqlAudit<'static>,
    host: TestHost,
    config: Config,
    root: String,
    ib: String,
    idr: String,
    http: reqwest::blocking::Client,
    /// Service under test (WHMCS side).
    input: ServiceInput,
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn record(sim: &acronis_sim::RunningSim, id: i64) -> ServerRecord {
    let seed = sim.seed_info(0);
    ServerRecord {
        id: Some(id),
        name: "Acronis EU2".into(),
        hostname: sim.http_url(0),
        port: String::new(),
        secure: false,
        username: seed["client"]["client_id"].as_str().unwrap().into(),
        password: seed["client"]["client_secret"].as_str().unwrap().into(),
        accesshash: "client_credentials".into(),
    }
}

fn item(name: &str, unit: &str, infra: Option<&str>, quota: Option<i64>) -> OfferingItem {
    OfferingItem {
        name: name.into(),
        infra_id: infra.map(str::to_string),
        status: Status::Active,
        measurement_unit: unit.into(),
        quota_value: quota,
    }
}

impl World {
    fn new() -> World {
        let sim = acronis_sim::start(acronis_sim::Config {
            dcs: 1,
            ..acronis_sim::Config::default()
        })
        .unwrap();
        let seed = sim.seed_info(0);
        let dir = std::env::temp_dir().join(format!(
            "acroniscloud-prov-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        // The test's WHMCS database; leaked so the stores can borrow it for the World's life.
        let db: &'static SqliteDb =
            Box::leak(Box::new(SqliteDb::open(&dir.join("whmcs.sqlite")).unwrap()));
        let templates = SqlTemplates::open(db).unwrap();
        let progress = SqlProgress::open(db).unwrap();
        let audit = SqlAudit::open(db).unwrap();
        let mut host = TestHost::default();
        host.servers.insert(1, record(&sim, 1));
        host.servers.insert(2, record(&sim, 2));
        let mut config = Config::default();
        config.cloud_api.retry_backoff_ms = 5;
        // The simulator is reached over plain HTTP here.
        config.cloud_api.allow_plain_http = true;
        let infras = seed["infras"].as_array().unwrap();
        let ib = infras[0]["id"].as_str().unwrap().to_string();
        let idr = infras[1]["id"].as_str().unwrap().to_string();
        assert!(infras[0]["capabilities"]
            .as_array()
            .unwrap()
            .contains(&json!("backup")));
        assert!(infras[1]["capabilities"]
            .as_array()
            .unwrap()
            .contains(&json!("disaster_recovery")));
        let mut w = World {
            root: seed["root_tenant_id"].as_str().unwrap().into(),
            sim,
            dir,
            templates,
            progress,
            audit,
            host,
            config,
            ib,
            idr,
            http: reqwest::blocking::Client::new(),
            input: ServiceInput::default(),
        };
        let t7 = w.template(w.fixture_template());
        w.input = ServiceInput {
            service_id: 45,
            client_id: 12,
            product_id: 3,
            server_id: Some(1),
            template_id: t7.to_string(),
            activation: String::new(),
            pay_type: Some("recurring".into()),
            config_options: vec![],
            yes_no_options: vec![],
            config_option_groups: vec![],
            client: ClientDetails {
                firstname: "John".into(),
                lastname: "Smith".into(),
                companyname: "Acme Ltd".into(),
                email: "it@acme.test".into(),
                city: "Berlin".into(),
                postcode: "10115".into(),
                country: "DE".into(),
                phonenumber: "+49.301234".into(),
                locale: "de_DE".into(),
                ..ClientDetails::default()
            },
            fields: ServiceFields::default(),
            whmcs_version: Some("8.10.1".into()),
        };
        w
    }

    /// Template 7 of fixture F.
    fn fixture_template(&self) -> TemplateData {
        TemplateData::builder("PW 100", TenantKind::Customer)
            .application(
                "backup",
                &["per_workload"],
                vec![
                    item("pw_workstations", "quantity", None, Some(10)),
                    item("pw_storage", "bytes", Some(&self.ib), Some(STORAGE)),
                ],
            )
            .build()
    }

    fn template(&self, data: TemplateData) -> i64 {
        self.templates.create(&data).unwrap()
    }

    /// The service as WHMCS passes it now (custom fields re-read).
    fn service(&self) -> ServiceInput {
        let f = |k: &str| self.host.fields.get(k).cloned().unwrap_or_default();
        let mut input = self.input.clone();
        input.fields = ServiceFields {
            tenant_id: f("tenant_id"),
            user_id: f("user_id"),
            cloud_login: f("cloud_login"),
            cloud_password: f("cloud_password"),
        };
        input
    }

    fn ctx_run<T>(
        &mut self,
        f: impl FnOnce(&mut Context<'_>, &ServiceInput) -> Result<T>,
    ) -> Result<T> {
        let input = self.service();
        let mut ctx = Context {
            config: &self.config,
            templates: &self.templates,
            progress: &self.progress,
            host: &mut self.host,
            audit: &self.audit,
            actor: Actor::new("CreateAccount", 0),
        };
        f(&mut ctx, &input)
    }

    fn create(&mut self) -> Result<()> {
        self.ctx_run(provisioning::create_account)
    }
    fn change(&mut self) -> Result<ChangeOutcome> {
        self.ctx_run(provisioning::change_package)
    }
    fn suspend(&mut self) -> Result<()> {
        self.ctx_run(provisioning::suspend)
    }
    fn unsuspend(&mut self) -> Result<()> {
        self.ctx_run(provisioning::unsuspend)
    }
    fn terminate(&mut self) -> Result<()> {
        self.ctx_run(provisioning::terminate)
    }
    fn sync_contact(&mut self) -> Result<()> {
        self.ctx_run(provisioning::sync_contact)
    }

    fn field(&self, k: &str) -> String {
        self.host.fields.get(k).cloned().unwrap_or_default()
    }

    fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/__sim/{path}", self.sim.http_url(0));
        let mut rb = self.http.request(method, url);
        if let Some(b) = body {
            rb = rb
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        let resp = rb.send().unwrap();
        let text = resp.text().unwrap();
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    fn faults(&self, faults: Value) {
        self.control(
            reqwest::Method::PUT,
            "faults",
            Some(json!({ "faults": faults })),
        );
    }
    fn clear_faults(&self) {
        self.control(reqwest::Method::DELETE, "faults", None);
    }
    fn clear_requests(&self) {
        self.control(reqwest::Method::DELETE, "requests", None);
    }
    /// `(method, path, body)` of every API request since the last clear.
    fn requests(&self) -> Vec<(String, String, Value)> {
        let v = self.control(reqwest::Method::GET, "requests", None);
        v["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let body = match &r["body"] {
                    Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
                    other => other.clone(),
                };
                (
                    r["method"].as_str().unwrap_or_default().to_string(),
                    r["path"].as_str().unwrap_or_default().to_string(),
                    body,
                )
            })
            .collect()
    }
    fn bodies(&self, method: &str, path_end: &str) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|(m, p, _)| m == method && p.ends_with(path_end))
            .map(|(_, _, b)| b)
            .collect()
    }
    fn tenant_state(&self, id: &str) -> Value {
        self.control(reqwest::Method::GET, &format!("state/tenants/{id}"), None)
    }
    fn user_state(&self, id: &str) -> Value {
        self.control(reqwest::Method::GET, &format!("state/users/{id}"), None)
    }
    /// Root children (full tenant objects from the state API).
    fn root_children(&self) -> Vec<Value> {
        let root = self.tenant_state(&self.root);
        root["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| self.tenant_state(c.as_str().unwrap()))
            .collect()
    }
    fn connection(&self) -> Connection {
        Connection::new(&record(&self.sim, 1), self.config.clone()).unwrap()
    }
    /// A tenant that is not the service's, made directly on the platform.
    fn foreign_tenant(&self, name: &str, customer_id: &str) -> String {
        let mut conn = self.connection();
        let root = conn.root_tenant_id().unwrap();
        tenants::create(
            &mut conn,
            &NewTenant {
                name: name.into(),
                kind: "customer".into(),
                parent_id: root,
                customer_id: customer_id.into(),
                contact: Contact {
                    email: "x@other.test".into(),
                    ..Contact::default()
                },
                language: "en".into(),
                enhanced_security: false,
            },
        )
        .unwrap()
        .id
    }
    /// Own offering items of a tenant keyed by `name[:infra]`.
    fn items(&self, tenant: &str) -> HashMap<String, Value> {
        let st = self.tenant_state(tenant);
        st["offering_items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let key = match i["infra_id"].as_str() {
                    Some(infra) if !infra.is_empty() => {
                        format!("{}:{infra}", i["name"].as_str().unwrap())
                    }
                    _ => i["name"].as_str().unwrap().to_string(),
                };
                (key, i.clone())
            })
            .collect()
    }
    fn put_items(&self) -> Vec<Value> {
        let puts = self.bodies("PUT", "/offering_items");
        assert_eq!(puts.len(), 1, "one offering-item PUT: {puts:?}");
        puts[0]["offering_items"].as_array().unwrap().clone()
    }
    fn result(r: &Result<()>) -> String {
        provisioning::whmcs_result(r)
    }
}

fn find<'a>(items: &'a [Value], name: &str) -> Option<&'a Value> {
    items.iter().find(|i| i["name"] == name)
}

fn quota(item: &Value) -> (Value, f64, i64) {
    (
        item["quota"]["value"].clone(),
        item["quota"]["overage"].as_f64().unwrap(),
        item["quota"]["version"].as_i64().unwrap(),
    )
}

#[test]
fn l1_new_customer_happy_path() {
    let mut w = World::new();
    w.clear_requests();
    assert_eq!(World::result(&w.create()), "success");
    let tid = w.field("tenant_id");
    let posts = w.bodies("POST", "/api/2/tenants");
    assert_eq!(posts.len(), 1);
    let p = &posts[0];
    assert_eq!(p["kind"], "customer");
    assert_eq!(p["parent_id"], w.root.as_str());
    assert_eq!(p["name"], "Acme Ltd");
    assert_eq!(p["language"], "de_DE");
    assert_eq!(
        p["customer_id"],
        "whmcs-version=8.10.1;whmcs-user-id=12;whmcs-product-id=3;whmcs-service-id=45"
    );
    assert_eq!(p["contact"]["email"], "it@acme.test");
    assert_eq!(p["contact"]["phone"], "+49.301234");
    assert_eq!(p["contact"]["zipcode"], "10115");
    assert_eq!(p["contact"]["city"], "Berlin");
    assert_eq!(p["contact"]["country"], "DE");
    assert!(p.get("enhanced_security").is_none());
    assert!(
        p.get("settings").is_none(),
        "enhanced security off: no settings sent"
    );
    // Backup bound, one PUT with both items.
    let backup = w.sim.seed_info(0)["applications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["type"] == "backup")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        w.bodies("POST", &format!("/bindings/tenants/{tid}")).len(),
        1
    );
    assert!(w.tenant_state(&tid)["applications"]
        .as_array()
        .unwrap()
        .contains(&json!(backup)));
    let items = w.put_items();
    let ws = find(&items, "pw_workstations").unwrap();
    assert_eq!(ws["status"], 1);
    assert_eq!(quota(ws), (json!(10), 0.0, 0));
    let st = find(&items, "pw_storage").unwrap();
    assert_eq!(st["infra_id"], w.ib.as_str());
    assert_eq!(quota(st), (json!(STORAGE), 0.0, 0));
    // Pricing production.
    assert_eq!(w.tenant_state(&tid)["pricing"]["mode"], "production");
    // User with a generated login, activation e-mail, company_admin.
    let users = w.bodies("POST", "/api/2/users");
    assert_eq!(users.len(), 1);
    let login = users[0]["login"].as_str().unwrap().to_string();
    assert!(
        login.len() == 9
            && login.starts_with('W')
            && login[1..]
                .chars()
                .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c)),
        "{login}"
    );
    let mails = w.bodies("POST", "/api/1/actions/mail/activate");
    assert_eq!(
        mails,
        vec![json!({"login": login, "email": "it@acme.test"})]
    );
    let policies = w.bodies("PUT", "/access_policies");
    assert_eq!(policies.len(), 1);
    let pol = policies[0]["items"].as_array().unwrap();
    assert_eq!(pol.len(), 1);
    assert_eq!(pol[0]["role_id"], "company_admin");
    assert_eq!(pol[0]["trustee_type"], "user");
    let uid = w.field("user_id");
    assert_eq!(pol[0]["trustee_id"], uid.as_str());
    assert_eq!(w.field("cloud_login"), login);
    assert_eq!(w.user_state(&uid)["tenant_id"], tid.as_str());
    assert!(w.host.exchanges > 10, "exchanges handed to the module log");
    assert!(
        w.host.assigned.is_empty(),
        "service already on the template's server"
    );
    let rec = w.progress.get(45).unwrap().unwrap();
    assert_eq!(rec.step, Step::Done);
    assert_eq!(rec.tenant_id, tid);
    assert_eq!(rec.user_id, uid);
    assert_eq!(rec.server_id, 1);
}

#[test]
fn l2_tenant_name_deduplication() {
    let mut w = World::new();
    for n in ["Acme Ltd", "acme ltd /2", "Acme Ltd Group"] {
        w.foreign_tenant(n, "");
    }
    w.create().unwrap();
    let t = w.tenant_state(&w.field("tenant_id"));
    assert_eq!(t["name"], "Acme Ltd /3");
}

#[test]
fn l3_name_from_person() {
    let mut w = World::new();
    w.input.client.companyname = String::new();
    w.create().unwrap();
    assert_eq!(w.tenant_state(&w.field("tenant_id"))["name"], "John Smith");
}

#[test]
fn l4_requested_login() {
    let mut w = World::new();
    w.host
        .fields
        .insert("cloud_login".into(), "john.doe@acme".into());
    w.create().unwrap();
    assert_eq!(
        w.bodies("POST", "/api/2/users")[0]["login"],
        "john.doe@acme"
    );
    assert_eq!(w.field("cloud_login"), "john.doe@acme");
}

#[test]
fn l5_invalid_login_creates_nothing() {
    // Issue 4: the requested login is checked before the first write (the reference created
    // the tenant first and left it behind).
    let mut w = World::new();
    w.host
        .fields
        .insert("cloud_login".into(), "john doe".into());
    let r = w.create();
    assert!(World::result(&r)
        .starts_with("The login can consist of uppercase and lowercase Latin letters (a-z, A-Z)"));
    assert_eq!(w.field("tenant_id"), "");
    assert!(w.bodies("POST", "/api/2/tenants").is_empty());
    w.host
        .fields
        .insert("cloud_login".into(), "john.doe".into());
    w.clear_requests();
    w.create().unwrap();
    assert_eq!(w.bodies("POST", "/api/2/tenants").len(), 1);
    let users = w.bodies("POST", "/api/2/users");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["login"], "john.doe");
}

#[test]
fn l6_login_taken() {
    let mut w = World::new();
    let other = w.foreign_tenant("Other Co", "whmcs-service-id=99");
    let mut conn = w.connection();
    acroniscloud_core::platform::users::create(
        &mut conn,
        &other,
        "admin1",
        &Contact {
            email: "a@other.test".into(),
            ..Contact::default()
        },
        "en",
    )
    .unwrap();
    w.host.fields.insert("cloud_login".into(), "admin1".into());
    let r = w.create();
    assert_eq!(
        World::result(&r),
        "The login \"admin1\" is already used for another client."
    );
}

#[test]
fn l7_generated_login_retries() {
    let mut w = World::new();
    w.faults(json!([{"kind": "check_login_taken", "next": 1}]));
    w.clear_requests();
    w.create().unwrap();
    let checks: Vec<_> = w
        .requests()
        .into_iter()
        .filter(|(_, p, _)| p.ends_with("/users/check_login"))
        .collect();
    assert_eq!(checks.len(), 2);

    let mut w = World::new();
    w.faults(json!([{"kind": "check_login_taken", "next": 10}]));
    let r = w.create();
    assert_eq!(World::result(&r), "Cannot generate the login for the user.");
    assert!(!w.field("tenant_id").is_empty());
    assert_eq!(w.field("user_id"), "");
}

#[test]
fn l8_password_activation() {
    let mut w = World::new();
    w.input.activation = "password".into();
    w.host
        .fields
        .insert("cloud_password".into(), "Secret12".into());
    w.clear_requests();
    w.create().unwrap();
    let reqs = w.requests();
    assert!(reqs
        .iter()
        .any(|(m, p, _)| m == "GET" && p == "/api/1/actions/mail/activate"));
    let act: Vec<_> = reqs
        .iter()
        .filter(|(m, p, _)| m == "POST" && p == "/api/1/actions/activate")
        .collect();
    assert_eq!(act.len(), 1);
    assert_eq!(act[0].2, json!({"password": "Secret12"}));
    assert!(!reqs
        .iter()
        .any(|(m, p, _)| m == "POST" && p == "/api/1/actions/mail/activate"));
    assert_eq!(w.field("cloud_password"), "");
    assert_eq!(w.user_state(&w.field("user_id"))["activated"], true);
}

#[test]
fn l9_password_activation_without_password() {
    let mut w = World::new();
    w.input.activation = "password".into();
    let r = w.create();
    assert_eq!(
        World::result(&r),
        "Cannot activate the user without a password."
    );
    // Checked before the first write: nothing exists yet.
    assert_eq!(w.field("tenant_id"), "");
    assert_eq!(w.field("user_id"), "");
    assert!(w.bodies("POST", "/api/2/tenants").is_empty());
    w.host
        .fields
        .insert("cloud_password".into(), "Secret12".into());
    w.create().unwrap();
    let uid = w.field("user_id");
    assert_eq!(w.user_state(&uid)["activated"], true);
}

#[test]
fn interrupted_password_activation_is_finished_by_the_rerun() {
    let mut w = World::new();
    w.input.activation = "password".into();
    w.host
        .fields
        .insert("cloud_password".into(), "Secret12".into());
    w.faults(json!([{"kind": "http_5xx", "method": "POST", "path": "/api/1/actions/activate", "next": 5}]));
    assert!(w.create().is_err());
    let uid = w.field("user_id");
    assert!(!uid.is_empty());
    assert_eq!(w.user_state(&uid)["activated"], false);
    w.clear_faults();
    w.create().unwrap();
    assert_eq!(w.field("user_id"), uid);
    assert_eq!(w.user_state(&uid)["activated"], true);
}

#[test]
fn l10_missing_email() {
    let mut w = World::new();
    w.input.client.email = String::new();
    w.clear_requests();
    let r = w.create();
    assert_eq!(
        World::result(&r),
        "The user email is required for provisioning."
    );
    assert!(w.requests().is_empty());
    assert!(w.host.fields.is_empty());
}

#[test]
fn l11_trial_for_free_products() {
    let mut w = World::new();
    w.input.pay_type = Some("free".into());
    w.clear_requests();
    w.create().unwrap();
    let tid = w.field("tenant_id");
    assert_eq!(w.tenant_state(&tid)["pricing"]["mode"], "trial");
    assert!(w.bodies("PUT", "/pricing").is_empty(), "already trial");
    // A production tenant stays in production (the platform refuses the way back): a re-run
    // with a trial product writes no pricing and succeeds.
    w.input.pay_type = Some("recurring".into());
    w.create().unwrap();
    assert_eq!(w.tenant_state(&tid)["pricing"]["mode"], "production");
    w.input.pay_type = Some("free".into());
    w.clear_requests();
    w.create().unwrap();
    assert!(w.bodies("PUT", "/pricing").is_empty(), "no PUT mode=trial");
    assert_eq!(w.tenant_state(&tid)["pricing"]["mode"], "production");
}

#[test]
fn l12_overage_ratio_for_customers() {
    let mut w = World::new();
    w.config.product.overage_ratio = 1.5;
    w.clear_requests();
    w.create().unwrap();
    let items = w.put_items();
    assert_eq!(
        quota(find(&items, "pw_workstations").unwrap()),
        (json!(10), 5.0, 0)
    );
    assert_eq!(
        quota(find(&items, "pw_storage").unwrap()),
        (json!(STORAGE), (STORAGE / 2) as f64, 0)
    );
}

#[test]
fn l13_no_overage_for_partners_and_clamping() {
    let mut w = World::new();
    w.config.product.overage_ratio = 1.5;
    let mut t = w.fixture_template();
    t.tenant_kind = TenantKind::Partner;
    w.input.template_id = w.template(t).to_string();
    w.clear_requests();
    w.create().unwrap();
    let items = w.put_items();
    assert_eq!(
        quota(find(&items, "pw_workstations").unwrap()),
        (json!(10), 0.0, 0)
    );
    assert_eq!(
        w.bodies("PUT", "/access_policies")[0]["items"][0]["role_id"],
        "partner_admin"
    );

    let mut w = World::new();
    w.config.product.overage_ratio = 0.8;
    w.clear_requests();
    w.create().unwrap();
    let items = w.put_items();
    assert_eq!(
        quota(find(&items, "pw_storage").unwrap()),
        (json!(STORAGE), 0.0, 0)
    );
}

#[test]
fn l14_template_plus_option_quantity() {
    let mut w = World::new();
    w.config.product.overage_ratio = 1.5;
    w.input.config_options = vec![("pw_workstations:quantity:".into(), 5)];
    w.clear_requests();
    w.create().unwrap();
    let items = w.put_items();
    assert_eq!(
        quota(find(&items, "pw_workstations").unwrap()),
        (json!(15), 7.5, 0)
    );
}

#[test]
fn l15_unlimited_wins() {
    let mut w = World::new();
    let mut t = w.fixture_template();
    t.applications[0].offering_items[0].quota_value = None;
    w.input.template_id = w.template(t).to_string();
    w.input.config_options = vec![("pw_workstations:quantity:".into(), 5)];
    w.clear_requests();
    w.create().unwrap();
    let items = w.put_items();
    assert_eq!(
        quota(find(&items, "pw_workstations").unwrap()),
        (Value::Null, 0.0, 0)
    );
}

#[test]
fn l16_option_disabled_removes_item() {
    let mut w = World::new();
    w.input.config_options = vec![("pw_servers:quantity:".into(), 3)];
    w.create().unwrap();
    let tid = w.field("tenant_id");
    assert_eq!(w.items(&tid)["pw_servers"]["status"], 1);
    w.input.config_options = vec![("pw_servers:quantity:".into(), 0)];
    w.clear_requests();
    w.change().unwrap();
    let items = w.put_items();
    let servers = find(&items, "pw_servers").unwrap();
    assert_eq!(servers["status"], 0);
    assert!(servers.get("quota").is_none());
    assert!(
        find(&items, "pw_vms").is_none(),
        "inactive items are left alone"
    );
    assert_eq!(w.items(&tid)["pw_servers"]["status"], 0);
    // Quota versions of the tenant's items are echoed.
    let ws = find(&items, "pw_workstations").unwrap();
    assert!(ws["quota"]["version"].as_i64().unwrap() > 0);
}

#[test]
fn l17_feature_unit_option() {
    let mut w = World::new();
    w.input.config_options = vec![("pw_servers:feature:".into(), 1)];
    w.clear_requests();
    w.create().unwrap();
    let items = w.put_items();
    let servers = find(&items, "pw_servers").unwrap();
    assert_eq!(servers["status"], 1);
    assert!(servers.get("quota").is_none());
}

#[test]
fn l18_storage_option_resolves_template_infra() {
    let mut w = World::new();
    w.input.config_options = vec![("pw_storage:gigabytes:".into(), 50)];
    w.clear_requests();
    w.create().unwrap();
    let items = w.put_items();
    let storages: Vec<_> = items.iter().filter(|i| i["name"] == "pw_storage").collect();
    assert_eq!(storages.len(), 1);
    assert_eq!(storages[0]["infra_id"], w.ib.as_str());
    assert_eq!(storages[0]["quota"]["value"], json!(STORAGE + 50 * GIB));
}

#[test]
fn l19_dr_infra_by_location() {
    let mut w = World::new();
    w.input.config_options = vec![("pw_dr_storage:gigabytes:".into(), 20)];
    w.clear_requests();
    w.create().unwrap();
    let items = w.put_items();
    let dr = find(&items, "pw_dr_storage").unwrap();
    assert_eq!(dr["infra_id"], w.idr.as_str());
    assert_eq!(dr["quota"]["value"], json!(20 * GIB));
}

#[test]
fn l20_partner_storage_option_without_infra() {
    let mut w = World::new();
    let mut t = w.fixture_template();
    t.tenant_kind = TenantKind::Partner;
    w.input.template_id = w.template(t).to_string();
    w.input.config_options = vec![("pw_storage:gigabytes:".into(), 50)];
    let r = w.create();
    assert_eq!(
        World::result(&r),
        "The infrastructure component ID is required for the configurable option \"pw_storage:gigabytes:\". Please specify the ID for the configurable option."
    );
    w.input.config_options = vec![(format!("pw_storage:gigabytes:{}", w.ib), 50)];
    w.clear_requests();
    w.create().unwrap();
    let items = w.put_items();
    let st = find(&items, "pw_storage").unwrap();
    assert_eq!(st["infra_id"], w.ib.as_str());
    assert_eq!(st["quota"]["value"], json!(STORAGE + 50 * GIB));
}

#[test]
fn l21_unsupported_option_item_even_with_zero() {
    let mut w = World::new();
    w.input.config_options = vec![("foo_bar:quantity:".into(), 0)];
    let r = w.create();
    assert_eq!(
        World::result(&r),
        "The unsupported offering item \"foo_bar\" is used for the configurable option \"foo_bar:quantity:\"."
    );
}

#[test]
fn l22_unsupported_option_unit() {
    let mut w = World::new();
    w.input.config_options = vec![("pw_servers:pieces:".into(), 2)];
    let r = w.create();
    assert_eq!(
        World::result(&r),
        "The unsupported measurement unit \"pieces\" is used for the configurable option \"pw_servers:pieces:\"."
    );
}

#[test]
fn l23_quota_on_feature_item() {
    let mut w = World::new();
    w.input.config_options = vec![("pw_o365_mailboxes:quantity:".into(), 3)];
    let r = w.create();
    assert_eq!(
        World::result(&r),
        "Unable to specify any quota for the feature offering item \"pw_o365_mailboxes\". Please change the measurement unit \"quantity\" to \"feature\" for the configurable option \"pw_o365_mailboxes:quantity:\"."
    );
}

#[test]
fn l24_unit_kind_mismatch() {
    let mut w = World::new();
    w.input.config_options = vec![("pw_workstations:gigabytes:".into(), 2)];
    let r = w.create();
    assert_eq!(
        World::result(&r),
        "Unable to convert the configurable option measurement unit \"gigabytes\" to the offering item measurement unit \"quantity\" for the configurable option \"pw_workstations:gigabytes:\"."
    );
}

#[test]
fn l25_child_item_without_parent() {
    let mut w = World::new();
    w.input.config_options = vec![("pw_o365_mailboxes:feature:".into(), 1)];
    w.clear_requests();
    let r = w.create();
    assert_eq!(
        World::result(&r),
        "The selected configurable option(s) belong to one or more offering items that are disabled."
    );
    assert!(w.bodies("PUT", "/offering_items").is_empty());
}

#[test]
fn l27_tenant_kind_change_refused() {
    let mut w = World::new();
    w.create().unwrap();
    let tid = w.field("tenant_id");
    let mut t = w.fixture_template();
    t.tenant_kind = TenantKind::Partner;
    w.input.template_id = w.template(t).to_string();
    w.clear_requests();
    let r = w.change();
    let text = r.unwrap_err().to_string();
    assert!(
        text.starts_with(&format!(
            "Unable to change the tenant type from \"customer\" to \"partner\" for the tenant \"{tid}\". Please use another template for the product."
        )),
        "{text}"
    );
    assert!(
        w.requests().iter().all(|(m, _, _)| m == "GET"),
        "nothing written"
    );
    // A service of the reference module (no progress record) gets T2 as well.
    w.progress.remove(45).unwrap();
    let r = w.change().map(|_| ());
    assert_eq!(
        World::result(&r),
        format!("Unable to change the tenant type from \"customer\" to \"partner\" for the tenant \"{tid}\". Please use another template for the product.")
    );
}

#[test]
fn l28_server_change_refused() {
    let mut w = World::new();
    w.create().unwrap();
    let mut t = w.fixture_template();
    t.server_id = 2;
    w.input.template_id = w.template(t).to_string();
    w.clear_requests();
    let r = w.change().map(|_| ());
    assert!(World::result(&r).starts_with(
        "Product upgrade/downgrade cannot be performed using a different server than the order (order server: 1, used server: 2)."
    ));
    assert!(w.requests().is_empty());
}

#[test]
fn l29_name_kept_on_resync() {
    let mut w = World::new();
    w.foreign_tenant("Acme Ltd", "");
    w.foreign_tenant("Acme Ltd /2", "");
    w.create().unwrap();
    let tid = w.field("tenant_id");
    assert_eq!(w.tenant_state(&tid)["name"], "Acme Ltd /3");
    w.clear_requests();
    let out = w.change().unwrap();
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let puts = w.bodies("PUT", &format!("/api/2/tenants/{tid}"));
    assert_eq!(puts.len(), 1);
    assert_eq!(puts[0]["name"], "Acme Ltd /3");
    assert!(w.bodies("GET", "/children").is_empty());
}

#[test]
fn l32_stored_tenant_vanished() {
    let mut w = World::new();
    w.host.fields.insert(
        "tenant_id".into(),
        "44444444-0000-4000-8000-000000000001".into(),
    );
    let r = w.create();
    assert_eq!(
        World::result(&r),
        "Unable to find the tenant \"44444444-0000-4000-8000-000000000001\" on the server 1. Please check that the correct server is selected. If the tenant has been manually removed, please empty the custom field \"tenant_id\" and continue the operation."
    );
}

#[test]
fn l33_user_of_another_tenant() {
    let mut w = World::new();
    w.create().unwrap();
    let tid = w.field("tenant_id");
    let uid = w.sim.seed_info(0)["admin"]["user_id"]
        .as_str()
        .unwrap()
        .to_string();
    w.host.fields.insert("user_id".into(), uid.clone());
    let r = w.create();
    assert_eq!(
        World::result(&r),
        format!("The user \"{uid}\" does not belong to the tenant \"{tid}\".")
    );
    w.host.fields.insert(
        "user_id".into(),
        "55555555-0000-4000-8000-000000000001".into(),
    );
    let r = w.create();
    assert_eq!(
        World::result(&r),
        "Unable to find the user \"55555555-0000-4000-8000-000000000001\". Please check the user ID or clear the custom field \"user_id\" to create a new account."
    );
}

#[test]
fn l34_suspend() {
    let mut w = World::new();
    w.create().unwrap();
    let tid = w.field("tenant_id");
    let version = w.tenant_state(&tid)["version"].as_i64().unwrap();
    w.clear_requests();
    w.suspend().unwrap();
    assert_eq!(
        w.bodies("PUT", &format!("/api/2/tenants/{tid}")),
        vec![json!({"enabled": false, "version": version})]
    );
    assert_eq!(w.tenant_state(&tid)["enabled"], false);
    w.clear_requests();
    w.suspend().unwrap();
    assert!(w.bodies("PUT", &format!("/api/2/tenants/{tid}")).is_empty());
    w.unsuspend().unwrap();
    assert_eq!(w.tenant_state(&tid)["enabled"], true);
    w.unsuspend().unwrap();
}

#[test]
fn l35_suspend_unsuspend_unprovisioned() {
    let mut w = World::new();
    w.clear_requests();
    w.suspend().unwrap();
    assert!(w.requests().is_empty());
    assert_eq!(
        World::result(&w.unsuspend()),
        "Cannot enable a non-provisioned service."
    );
}

#[test]
fn l36_terminate() {
    let mut w = World::new();
    w.create().unwrap();
    let tid = w.field("tenant_id");
    let login = w.field("cloud_login");
    let version = w.tenant_state(&tid)["version"].as_i64().unwrap();
    w.clear_requests();
    w.terminate().unwrap();
    let reqs = w.requests();
    let put = reqs
        .iter()
        .find(|(m, p, _)| m == "PUT" && p.ends_with(&tid))
        .unwrap();
    assert_eq!(put.2, json!({"enabled": false, "version": version}));
    let del = w.control(reqwest::Method::GET, "requests", None)["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["method"] == "DELETE")
        .cloned()
        .unwrap();
    assert!(del["query"]
        .as_str()
        .unwrap()
        .contains(&format!("version={}", version + 1)));
    assert_eq!(w.field("tenant_id"), "");
    assert_eq!(w.field("user_id"), "");
    assert_eq!(w.field("cloud_login"), login);
    assert_eq!(w.progress.get(45).unwrap(), None);
    // Again, and with the tenant gone while the field is still set: success.
    w.terminate().unwrap();
    w.host.fields.insert("tenant_id".into(), tid.clone());
    w.terminate().unwrap();
    assert_eq!(w.field("tenant_id"), "");
}

#[test]
fn l85_contact_sync() {
    let mut w = World::new();
    w.create().unwrap();
    let tid = w.field("tenant_id");
    let uid = w.field("user_id");
    w.input.client.email = "ops@acme.test".into();
    w.input.whmcs_version = None;
    w.clear_requests();
    w.sync_contact().unwrap();
    let t = w.bodies("PUT", &format!("/api/2/tenants/{tid}"));
    assert_eq!(t.len(), 1);
    assert_eq!(t[0]["contact"]["email"], "ops@acme.test");
    assert_eq!(
        t[0]["customer_id"],
        "whmcs-version=8.10.1;whmcs-user-id=12;whmcs-product-id=3;whmcs-service-id=45",
        "J.2 #22: the stored version is kept"
    );
    let u = w.bodies("PUT", &format!("/api/2/users/{uid}"));
    assert_eq!(u.len(), 1);
    assert_eq!(u[0]["contact"]["email"], "ops@acme.test");
    assert_eq!(u[0]["language"], "de_DE");
    // A second service without ids: skipped with warnings, no call.
    w.host.fields.clear();
    w.input.service_id = 46;
    w.clear_requests();
    w.sync_contact().unwrap();
    assert!(w.requests().is_empty());
    assert_eq!(w.host.warnings.len(), 2);
}

#[test]
fn template_missing_or_deleted_creates_nothing() {
    let mut w = World::new();
    for raw in ["", "abc", "999"] {
        w.input.template_id = raw.into();
        w.clear_requests();
        assert_eq!(
            World::result(&w.create()),
            format!("Template {raw} not found.")
        );
        assert!(w.requests().is_empty());
    }
    let id = w.template(w.fixture_template());
    w.templates.soft_delete(id, &[]).unwrap();
    w.input.template_id = id.to_string();
    assert_eq!(
        World::result(&w.create()),
        format!("Template {id} not found.")
    );
    w.input.template_id = w.template(w.fixture_template()).to_string();
    w.input.pay_type = None;
    assert_eq!(
        World::result(&w.create()),
        "Cannot find the product with the ID 3."
    );
}

#[test]
fn new_service_is_moved_to_the_template_server() {
    let mut w = World::new();
    w.input.server_id = None;
    w.create().unwrap();
    assert_eq!(w.host.assigned, vec![1]);
    // An existing tenant on another server: T3, nothing sent.
    w.input.server_id = Some(2);
    w.clear_requests();
    let r = w.create();
    assert!(World::result(&r).contains("(order server: 2, used server: 1)"));
    assert!(w.requests().is_empty());
}

#[test]
fn template_security_settings_are_applied() {
    let mut w = World::new();
    let mut t = w.fixture_template();
    t.management_mode = ManagementMode::ManagedByServiceProvider;
    t.two_factor_auth = true;
    t.enhanced_security = true;
    w.input.template_id = w.template(t).to_string();
    w.create().unwrap();
    let tid = w.field("tenant_id");
    let st = w.tenant_state(&tid);
    assert_eq!(st["ancestral_access"], true);
    assert_eq!(st["mfa_status"], "enabled");
    assert_eq!(st["settings"]["enhanced_security"], true);
    let post = &w.bodies("POST", "/api/2/tenants")[0];
    assert_eq!(
        post["settings"],
        serde_json::json!({"enhanced_security": true})
    );
    assert!(post.get("enhanced_security").is_none(), "never top-level");
    let mut w2 = World::new();
    w2.create().unwrap();
    let st = w2.tenant_state(&w2.field("tenant_id"));
    assert_eq!(st["ancestral_access"], false, "self-service");
    assert_eq!(st["mfa_status"], "disabled");
    assert_eq!(st["settings"]["enhanced_security"], false);
    // A re-run changes nothing more.
    w.clear_requests();
    w.create().unwrap();
    assert!(w.bodies("PUT", "/mfa/status").is_empty());
}

#[test]
fn reference_module_tenants_keep_their_security_settings() {
    let mut w = World::new();
    let legacy = w.foreign_tenant(
        "Acme Ltd",
        "whmcs-version=8.0.4;whmcs-user-id=12;whmcs-product-id=3;whmcs-service-id=45",
    );
    let mut t = w.fixture_template();
    t.two_factor_auth = true;
    w.input.template_id = w.template(t).to_string();
    w.host.fields.insert("tenant_id".into(), legacy.clone());
    for _ in 0..2 {
        w.clear_requests();
        w.create().unwrap();
        assert!(w.bodies("PUT", "/mfa/status").is_empty());
        assert!(w
            .bodies("PUT", &format!("/api/2/tenants/{legacy}"))
            .iter()
            .all(|b| b.get("ancestral_access").is_none()));
    }
    assert_eq!(w.tenant_state(&legacy)["mfa_status"], "disabled");
    assert!(!w.progress.get(45).unwrap().unwrap().module_tenant);
}

#[test]
fn change_package_refuses_before_writing_and_warns_on_option_groups() {
    let mut w = World::new();
    w.input.config_option_groups = vec![4];
    w.create().unwrap();
    let mut t = w.fixture_template();
    t.two_factor_auth = true;
    let refused = w.template(t);
    let old_template = w.input.template_id.clone();
    w.input.template_id = refused.to_string();
    w.clear_requests();
    let err = w.change().unwrap_err().to_string();
    assert!(err.contains("two-factor"), "{err}");
    assert!(err.ends_with("Nothing was changed in Acronis Cyber Cloud."));
    assert!(w.requests().iter().all(|(m, _, _)| m == "GET"));
    // Same template, other option groups: done, with the manual's warning.
    w.input.template_id = old_template;
    w.input.config_option_groups = vec![5];
    let out = w.change().unwrap();
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert!(out.warnings[0].contains("configurable option groups"));
    assert_eq!(w.progress.get(45).unwrap().unwrap().option_groups, vec![5]);
}

#[test]
fn lifecycle_never_touches_another_services_tenant() {
    let mut w = World::new();
    let other = w.foreign_tenant(
        "Somebody Else",
        "whmcs-version=8;whmcs-user-id=7;whmcs-product-id=3;whmcs-service-id=99",
    );
    w.host.fields.insert("tenant_id".into(), other.clone());
    for r in [w.suspend(), w.terminate()] {
        let text = World::result(&r);
        assert!(text.contains("belongs to the WHMCS service 99"), "{text}");
    }
    let st = w.tenant_state(&other);
    assert_eq!(st["enabled"], true);
    assert_eq!(w.field("tenant_id"), other, "fields untouched");
}

#[test]
fn platform_errors_become_json() {
    let mut w = World::new();
    w.faults(
        json!([{"kind": "http_5xx", "method": "POST", "path": "/api/2/tenants", "status": 400}]),
    );
    let r = w.create();
    let text = World::result(&r);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(v.is_object(), "{text}");
}

/// Faults at each write (and some reads) of `CreateAccount`; after clearing them a re-run
/// must end with one tenant, one user and the ordered quotas.
#[test]
fn create_resumes_after_a_fault_at_every_step() {
    let cases: Vec<Value> = vec![
        json!({"kind": "drop_response_after_commit", "method": "POST", "path": "/api/2/tenants"}),
        json!({"kind": "invalid_json", "method": "POST", "path": "/api/2/tenants"}),
        json!({"kind": "http_5xx", "method": "POST", "path": "/api/2/tenants"}),
        json!({"kind": "rate_limit", "method": "POST", "path": "/api/2/tenants", "retry_after": "none"}),
        json!({"kind": "http_5xx", "method": "GET", "path": "/api/2/tenants/*/children"}),
        json!({"kind": "drop_response_after_commit", "method": "POST", "path": "/api/2/applications/*"}),
        json!({"kind": "http_5xx", "method": "PUT", "path": "/api/2/tenants/*/offering_items"}),
        json!({"kind": "drop_response_after_commit", "method": "PUT", "path": "/api/2/tenants/*/offering_items"}),
        json!({"kind": "version_bump", "method": "PUT", "path": "/api/2/tenants/*/offering_items", "next": 1}),
        json!({"kind": "invalid_json", "method": "GET", "path": "/api/2/tenants/*/pricing"}),
        json!({"kind": "version_bump", "method": "PUT", "path": "/api/2/tenants/*/pricing", "next": 1}),
        json!({"kind": "version_bump", "method": "PUT", "path": "/api/2/tenants/*", "next": 1}),
        json!({"kind": "http_5xx", "method": "PUT", "path": "/api/2/tenants/*/pricing"}),
        json!({"kind": "http_5xx", "method": "GET", "path": "/api/2/users/check_login"}),
        json!({"kind": "drop_response_after_commit", "method": "POST", "path": "/api/2/users"}),
        json!({"kind": "invalid_json", "method": "POST", "path": "/api/2/users"}),
        json!({"kind": "http_5xx", "method": "POST", "path": "/api/2/users"}),
        json!({"kind": "drop_response_after_commit", "method": "POST", "path": "/api/1/actions/mail/activate"}),
        json!({"kind": "http_5xx", "method": "POST", "path": "/api/1/actions/mail/activate"}),
        json!({"kind": "http_5xx", "method": "PUT", "path": "/api/2/users/*/access_policies"}),
        json!({"kind": "connection_reset", "method": "PUT", "path": "/api/2/users/*/access_policies"}),
    ];
    for case in cases {
        let mut w = World::new();
        w.config.cloud_api.retries = 0;
        w.config.product.overage_ratio = 1.5;
        w.input.config_options = vec![("pw_workstations:quantity:".into(), 5)];
        w.faults(json!([case]));
        let first = w.create();
        if case["kind"] != "version_bump" {
            assert!(first.is_err(), "the fault stops the first run: {case}");
        } else {
            assert!(first.is_ok(), "one retry after a version conflict: {case}");
        }
        w.clear_faults();
        w.create()
            .unwrap_or_else(|e| panic!("re-run after {case}: {e} (first: {first:?})"));
        assert_resumed(&w, &case);
        // And a third run is a plain re-sync.
        w.create().unwrap();
        assert_resumed(&w, &case);
    }
}

/// Two orders of the same company at once: another create takes the unique name between the
/// module's listing and its `POST /tenants` (found by `make soak`). The module lists again and
/// takes the next free name instead of failing the order.
#[test]
fn create_takes_the_next_name_when_a_concurrent_create_took_it() {
    let mut w = World::new();
    w.faults(json!([{"kind": "tenant_name_race", "method": "POST", "path": "/api/2/tenants", "next": 1}]));
    w.create()
        .unwrap_or_else(|e| panic!("a name taken at the same moment: {e}"));
    let children = w.root_children();
    assert_eq!(children.len(), 2, "the rival and ours: {children:?}");
    let ours = children
        .iter()
        .find(|t| t["id"] == json!(w.field("tenant_id")))
        .expect("the stored tenant is under the root");
    let rival = children.iter().find(|t| t["id"] != ours["id"]).unwrap();
    assert_ne!(ours["name"], rival["name"], "a unique name");
    assert!(ours["customer_id"]
        .as_str()
        .unwrap_or("")
        .contains("whmcs-service-id="));
}

/// A POST whose answer times out (the platform applied it later) is not repeated.
#[test]
fn create_resumes_after_a_timed_out_tenant_post() {
    let mut w = World::new();
    w.config.cloud_api.retries = 0;
    w.config.cloud_api.timeout = 1;
    w.config.product.overage_ratio = 1.5;
    w.input.config_options = vec![("pw_workstations:quantity:".into(), 5)];
    w.faults(json!([{"kind": "latency", "method": "POST", "path": "/api/2/tenants", "ms": 1500, "next": 1}]));
    assert!(w.create().is_err());
    std::thread::sleep(std::time::Duration::from_millis(1200));
    w.clear_faults();
    w.create().unwrap();
    assert_resumed(&w, &json!("latency"));
}

fn assert_resumed(w: &World, case: &Value) {
    let ours: Vec<Value> = w
        .root_children()
        .into_iter()
        .filter(|t| {
            t["customer_id"]
                .as_str()
                .is_some_and(|c| c.contains("whmcs-service-id=45"))
        })
        .collect();
    assert_eq!(ours.len(), 1, "one tenant after {case}");
    let tid = w.field("tenant_id");
    assert_eq!(ours[0]["id"], tid.as_str(), "{case}");
    let users =
        acroniscloud_core::platform::users::tenant_user_ids(&mut w.connection(), &tid).unwrap();
    let uid = w.field("user_id");
    assert!(!uid.is_empty(), "{case}");
    let user = w.user_state(&uid);
    assert_eq!(user["tenant_id"], tid.as_str(), "{case}");
    assert_eq!(user["login"], w.field("cloud_login").as_str(), "{case}");
    assert_eq!(users, vec![uid.clone()], "one user after {case}");
    let items = w.items(&tid);
    let ws = &items["pw_workstations"];
    assert_eq!(ws["status"], 1, "{case}");
    assert_eq!(ws["quota"]["value"], 15, "{case}");
    assert_eq!(ws["quota"]["overage"].as_f64(), Some(7.5), "{case}");
    let st = &items[&format!("pw_storage:{}", w.ib)];
    assert_eq!(st["quota"]["value"], json!(STORAGE), "{case}");
    assert_eq!(
        w.progress.get(45).unwrap().unwrap().step,
        Step::Done,
        "{case}"
    );
}

/// Issue 13, audit trail: each lifecycle call writes one entry, latest first, with the fields
/// and state it changed; the activation password never reaches the trail.
#[test]
fn audit_trail_records_the_lifecycle_without_secrets() {
    let mut w = World::new();
    w.input.activation = "password".into();
    w.host
        .fields
        .insert("cloud_password".into(), "Secret12".into());
    w.create().unwrap();
    w.suspend().unwrap();
    w.unsuspend().unwrap();
    w.terminate().unwrap();
    let page = w.audit.page(w.input.service_id, 1).unwrap();
    let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["terminate", "unsuspend", "suspend", "create"]);
    let create = &page.entries[3];
    assert_eq!(create.before["tenant_id"], "");
    let tenant = create.after["tenant_id"].as_str().unwrap_or_default();
    assert_eq!(tenant.len(), 36, "the created tenant's id: {tenant:?}");
    assert_eq!(create.after["state"], "active");
    assert_eq!(create.actor, "CreateAccount");
    assert_eq!(page.entries[2].before["state"], "active");
    assert_eq!(page.entries[2].after["state"], "suspended");
    assert_eq!(page.entries[0].after["state"], "terminated");
    assert_eq!(page.entries[0].after["tenant_id"], "");
    let dump = serde_json::to_string(&page).unwrap();
    assert!(!dump.contains("Secret12"), "{dump}");
}
