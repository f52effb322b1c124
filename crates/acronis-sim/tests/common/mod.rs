//! Shared helpers: start an in-process simulator and talk to it with reqwest.
#![allow(dead_code)]

use acronis_sim::{start, Config, RunningSim};
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::{json, Value};

pub struct H {
    pub sim: RunningSim,
    pub c: Client,
    pub base: String,
    pub info: Value,
}

pub const UA: &str = "Acronis-WHMCS-Package-2.2.2-200";

impl H {
    pub fn new() -> H {
        Self::with(Config::default())
    }
    pub fn with(cfg: Config) -> H {
        let sim = start(cfg).expect("start simulator");
        let c = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let base = sim.http_url(0);
        let info = sim.seed_info(0);
        H { sim, c, base, info }
    }
    pub fn root(&self) -> String {
        self.info["root_tenant_id"].as_str().unwrap().to_string()
    }
    pub fn url(&self, p: &str) -> String {
        format!("{}{}", self.base, p)
    }
    fn std(&self, rb: RequestBuilder, tok: &str) -> RequestBuilder {
        rb.header("User-Agent", UA)
            .header("X-Acronis-API", "1")
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .bearer_auth(tok)
    }
    pub fn get(&self, p: &str, tok: &str) -> Response {
        self.std(self.c.get(self.url(p)), tok).send().expect("send")
    }
    pub fn delete(&self, p: &str, tok: &str) -> Response {
        self.std(self.c.delete(self.url(p)), tok)
            .send()
            .expect("send")
    }
    pub fn post(&self, p: &str, tok: &str, body: &Value) -> Response {
        self.std(self.c.post(self.url(p)), tok)
            .body(body.to_string())
            .send()
            .expect("send")
    }
    pub fn put(&self, p: &str, tok: &str, body: &Value) -> Response {
        self.std(self.c.put(self.url(p)), tok)
            .body(body.to_string())
            .send()
            .expect("send")
    }
    pub fn token_raw(&self, base: &str, form: &str, basic: Option<(&str, &str)>) -> Response {
        let mut rb = self
            .c
            .post(format!("{base}/api/2/idp/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("User-Agent", UA)
            .header("X-Acronis-API", "1")
            .body(form.to_string());
        if let Some((u, p)) = basic {
            rb = rb.basic_auth(u, Some(p));
        }
        rb.send().expect("send")
    }
    pub fn password_token(&self) -> String {
        let l = self.info["admin"]["login"].as_str().unwrap();
        let p = self.info["admin"]["password"].as_str().unwrap();
        let r = self.token_raw(
            &self.base,
            &format!(
                "grant_type=password&username={l}&password={}",
                p.replace('!', "%21")
            ),
            None,
        );
        assert_eq!(r.status(), 200);
        r.json::<Value>().unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }
    pub fn client_token(&self) -> String {
        let id = self.info["client"]["client_id"].as_str().unwrap();
        let s = self.info["client"]["client_secret"].as_str().unwrap();
        let r = self.token_raw(&self.base, "grant_type=client_credentials", Some((id, s)));
        assert_eq!(r.status(), 200);
        r.json::<Value>().unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }
    pub fn ctl(&self, method: &str, p: &str, body: Value) -> Value {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let r = self
            .c
            .request(m, self.url(&format!("/__sim{p}")))
            .body(body.to_string())
            .send()
            .expect("ctl");
        assert!(r.status().is_success(), "control {p}: {}", r.status());
        r.json().unwrap()
    }
    pub fn faults(&self, f: Value) {
        self.ctl("PUT", "/faults", json!({"faults": [f]}));
    }
    /// Creates a customer under the root with backup bound; returns (id, version).
    pub fn customer(&self, tok: &str, name: &str) -> Value {
        let r = self.post("/api/2/tenants", tok, &json!({"kind": "customer", "parent_id": self.root(), "name": name,
            "contact": {"email": "ops@example.test", "firstname": "Ada", "lastname": "Byte"}, "language": "en_GB"}));
        assert_eq!(r.status(), 201);
        r.json().unwrap()
    }
    pub fn app_id(&self, t: &str) -> String {
        self.info["applications"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["type"] == t)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
    pub fn infra(&self, i: usize) -> String {
        self.info["infras"][i]["id"].as_str().unwrap().to_string()
    }
}

pub fn err_code(v: &Value) -> Value {
    v["error"]["code"].clone()
}
