//! In-memory state of one data centre: tenants, users, credentials,
//! tokens, infra, reports, usage, request log, faults and mailbox.

pub mod seed;

use crate::catalog::{Catalog, ItemDef, ItemType};
use crate::faults::Faults;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Identity of an offering item inside a tenant: (`name`, `infra_id` or "").
pub type ItemKey = (String, String);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quota {
    pub value: Option<f64>,
    pub overage: Option<f64>,
    pub version: i64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItemState {
    pub status: u8,
    pub quota: Quota,
}

impl ItemState {
    /// An enabled item without a quota (what a generated or test tenant gets).
    pub fn enabled_unlimited() -> ItemState {
        ItemState {
            status: 1,
            quota: Quota {
                value: None,
                overage: None,
                version: 1,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct UsageValue {
    pub absolute: f64,
    pub delta: f64,
}

#[derive(Debug, Clone)]
pub struct Pricing {
    pub mode: String,
    pub version: i64,
    pub currency: Option<String>,
    pub production_start_date: Option<String>,
    pub ever_production: bool,
}

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub version: i64,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub enabled: bool,
    pub customer_id: Option<String>,
    pub internal_tag: Option<String>,
    pub contact: Value,
    pub language: String,
    pub customer_type: String,
    pub brand_id: i64,
    pub owner_id: Option<String>,
    pub default_idp_id: String,
    pub update_lock: bool,
    pub ancestral_access: bool,
    /// Two-factor authentication of the tenant (`/tenants/{id}/mfa/status`).
    pub mfa_enabled: bool,
    /// Enhanced security mode (customers only, set at creation) [assumed field].
    pub enhanced_security: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// Hidden platform root: never listed, never addressable by clients.
    pub hidden: bool,
    pub children: Vec<String>,
    pub pricing: Pricing,
    pub apps: Vec<String>,
    pub items: HashMap<ItemKey, ItemState>,
    pub usage: HashMap<ItemKey, UsageValue>,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub version: i64,
    pub tenant_id: String,
    pub login: String,
    pub contact: Value,
    pub activated: bool,
    pub enabled: bool,
    pub language: String,
    pub notifications: Vec<Value>,
    pub business_types: Vec<Value>,
    pub external_id: Option<String>,
    pub idp_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub password_hash: Option<String>,
    pub policies: Vec<Value>,
}

#[derive(Debug, Clone)]
pub struct ApiClient {
    pub client_id: String,
    pub secret: String,
    pub tenant_id: String,
    pub client_type: String,
    pub data: Value,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    User(String),
    Client(String),
}

#[derive(Debug, Clone)]
pub struct Token {
    pub principal: Principal,
    pub tenant_id: String,
    pub expires_at: i64,
    pub uses_left: Option<u64>,
    pub revoked: bool,
}

#[derive(Debug, Clone)]
pub struct Infra {
    pub id: String,
    pub name: String,
    pub location_id: String,
    pub capabilities: Vec<String>,
    pub platform_owned: bool,
    pub owner_tenant_id: String,
    pub backend_type: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Location {
    pub id: String,
    pub name: String,
    pub owner_tenant_id: String,
    pub platform_owned: bool,
}

/// One licensable item instance: a catalogue item, bound to an infra for `infra` items.
#[derive(Debug, Clone)]
pub struct Instance {
    pub def: usize,
    pub infra_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StoredReport {
    pub id: String,
    pub format: String,
    pub status: String,
    pub created_at: i64,
    /// gzip bytes of the file once saved.
    pub gz: Option<Arc<Vec<u8>>>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub id: String,
    pub body: Value,
    pub tenant_id: String,
    pub level: String,
    pub created_at: i64,
    pub polls: u64,
    pub stored: Vec<StoredReport>,
}

#[derive(Debug, Clone)]
pub struct LogEntry {
    pub seq: u64,
    pub time: i64,
    pub request_id: String,
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub status: u16,
    pub fault: Option<String>,
}

pub struct DcState {
    pub catalog: Arc<Catalog>,
    pub dc_name: String,
    pub rng: ChaCha8Rng,
    pub token_serial: u64,
    pub platform_root: String,
    pub integration_roots: Vec<String>,
    pub tenants: HashMap<String, Tenant>,
    pub users: HashMap<String, User>,
    /// Lower-cased login -> user id (logins are unique and case-insensitive).
    pub logins: HashMap<String, String>,
    pub clients: HashMap<String, ApiClient>,
    pub tokens: HashMap<String, Token>,
    pub infras: Vec<Infra>,
    pub locations: Vec<Location>,
    pub instances: Vec<Instance>,
    pub reports: HashMap<String, Report>,
    pub activation_tokens: HashMap<String, (String, i64)>,
    /// One-time login tokens: token -> (user id, expiry).
    pub otts: HashMap<String, (String, i64)>,
    /// Console sessions opened with a one-time token: session id -> user id.
    pub sessions: HashMap<String, String>,
    pub mailbox: Vec<Value>,
    pub log: Vec<LogEntry>,
    pub log_seq: u64,
    pub faults: Faults,
    pub token_ttl: i64,
    /// Stored reports stay `in_progress` for this many polls before `saved` (0 = saved at the first poll).
    pub report_polls: u64,
    pub enforce_hard_quota: bool,
    pub seed_info: Value,
    /// v1 integer ids handed out by the legacy read endpoints.
    pub v1_ids: HashMap<String, i64>,
    pub v1_rev: HashMap<i64, String>,
}

pub fn num(v: Option<f64>) -> Value {
    match v {
        None => Value::Null,
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => json!(x as i64),
        Some(x) => json!(x),
    }
}

impl Tenant {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "version": self.version,
            "name": self.name,
            "kind": self.kind,
            "parent_id": self.parent_id,
            "enabled": self.enabled,
            "customer_id": self.customer_id,
            "internal_tag": self.internal_tag,
            "contact": self.contact,
            "language": self.language,
            "customer_type": self.customer_type,
            "brand_id": self.brand_id,
            "brand_uuid": crate::ids::stable_uuid("brand:1"),
            "owner_id": self.owner_id,
            "has_children": !self.children.is_empty(),
            "default_idp_id": self.default_idp_id,
            "update_lock": {"enabled": self.update_lock, "owner_id": Value::Null},
            "ancestral_access": self.ancestral_access,
            "mfa_status": if self.mfa_enabled { "enabled" } else { "disabled" },
            "settings": {"enhanced_security": self.enhanced_security},
            "pricing_mode": self.pricing.mode,
            "created_at": crate::clock::iso(self.created_at),
            "updated_at": crate::clock::iso(self.updated_at),
            "deleted_at": Value::Null,
        })
    }
    pub fn pricing_json(&self) -> Value {
        json!({"mode": self.pricing.mode, "currency": self.pricing.currency, "version": self.pricing.version,
               "production_start_date": self.pricing.production_start_date})
    }
}

impl User {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "version": self.version,
            "tenant_id": self.tenant_id,
            "login": self.login,
            "contact": self.contact,
            "activated": self.activated,
            "enabled": self.enabled,
            "language": self.language,
            "notifications": self.notifications,
            "business_types": self.business_types,
            "external_id": self.external_id,
            "idp_id": self.idp_id.clone().unwrap_or_else(|| crate::ids::stable_uuid("idp:default")),
            "personal_tenant_id": Value::Null,
            "mfa_status": "disabled",
            "terms_accepted": true,
            "created_at": crate::clock::iso(self.created_at),
            "updated_at": crate::clock::iso(self.updated_at),
            "deleted_at": Value::Null,
        })
    }
}

impl ApiClient {
    pub fn to_json(&self) -> Value {
        json!({"client_id": self.client_id, "type": self.client_type, "tenant_id": self.tenant_id,
               "token_endpoint_auth_method": "client_secret_basic", "data": self.data,
               "client_secret_expires_at": 0, "created_at": crate::clock::iso(self.created_at)})
    }
}

impl Infra {
    pub fn to_json(&self) -> Value {
        json!({"id": self.id, "name": self.name, "location_id": self.location_id,
               "capabilities": self.capabilities, "platform_owned": self.platform_owned,
               "owner_tenant_id": self.owner_tenant_id,
               "url": format!("ostor://{}.storage.sim.invalid", &self.id[..8]),
               "backend_type": self.backend_type, "version": 1, "readonly": false})
    }
}

impl Location {
    pub fn to_json(&self) -> Value {
        json!({"id": self.id, "name": self.name, "owner_tenant_id": self.owner_tenant_id,
               "platform_owned": self.platform_owned, "version": 1, "readonly": false})
    }
}

/// How long a trial lasts before the platform switches the tenant to production (manual 6.1).
pub const TRIAL_SECONDS: i64 = 30 * 24 * 3600;

impl DcState {
    /// The platform's automatic switch: a tenant in trial for [`TRIAL_SECONDS`] since its
    /// creation goes to production, as if an administrator had done it (production start date
    /// set, pricing version bumped, and no way back). Run when the simulator clock moves.
    pub fn end_expired_trials(&mut self, now: i64) {
        for t in self.tenants.values_mut() {
            if t.pricing.mode == "trial" && now.saturating_sub(t.created_at) >= TRIAL_SECONDS {
                t.pricing.mode = "production".into();
                t.pricing.ever_production = true;
                t.pricing.production_start_date = Some(crate::clock::iso(now));
                t.pricing.version += 1;
            }
        }
    }

    pub fn def(&self, inst: &Instance) -> &ItemDef {
        &self.catalog.items[inst.def]
    }

    pub fn key_of(&self, inst: &Instance) -> ItemKey {
        (
            self.catalog.items[inst.def].name.clone(),
            inst.infra_id.clone().unwrap_or_default(),
        )
    }

    /// Whether `key` is enabled (status 1) in tenant `tid`; the hidden root enables everything.
    pub fn item_enabled(&self, tid: &str, key: &ItemKey) -> bool {
        match self.tenants.get(tid) {
            Some(t) if t.hidden => true,
            Some(t) => t.items.get(key).map(|s| s.status == 1).unwrap_or(false),
            None => false,
        }
    }

    /// Instances listed for a tenant: those its parent has enabled (docs/simulator.md,
    /// "Offering items").
    pub fn available_instances(&self, tid: &str) -> Vec<usize> {
        let parent = match self.tenants.get(tid).and_then(|t| t.parent_id.clone()) {
            Some(p) => p,
            None => return (0..self.instances.len()).collect(),
        };
        (0..self.instances.len())
            .filter(|&i| self.item_enabled(&parent, &self.key_of(&self.instances[i])))
            .collect()
    }

    pub fn item_state(&self, tid: &str, key: &ItemKey, def: &ItemDef) -> ItemState {
        let default = ItemState {
            status: 0,
            quota: Quota {
                value: None,
                overage: None,
                version: 0,
            },
        };
        let _ = def;
        self.tenants
            .get(tid)
            .and_then(|t| t.items.get(key).copied())
            .unwrap_or(default)
    }

    pub fn item_json(&self, tid: &str, idx: usize) -> Value {
        let inst = &self.instances[idx];
        let def = self.def(inst);
        let key = self.key_of(inst);
        let st = self.item_state(tid, &key, def);
        let mut m = Map::new();
        m.insert("application_id".into(), json!(def.app_id));
        m.insert("name".into(), json!(def.name));
        m.insert("edition".into(), json!(def.edition));
        m.insert("usage_name".into(), json!(def.usage_name));
        m.insert("tenant_id".into(), json!(tid));
        m.insert("status".into(), json!(st.status));
        m.insert("locked".into(), json!(false));
        m.insert("type".into(), json!(def.item_type.as_str()));
        if let Some(infra) = &inst.infra_id {
            m.insert("infra_id".into(), json!(infra));
        }
        m.insert("measurement_unit".into(), json!(def.unit));
        if def.item_type != ItemType::Feature {
            m.insert(
                "quota".into(),
                json!({"value": num(st.quota.value), "overage": num(st.quota.overage), "version": st.quota.version}),
            );
        }
        Value::Object(m)
    }

    /// Gives `uuid` (tenant or user) the legacy v1 integer id `n`, replacing a previous one.
    pub fn set_v1_id(&mut self, uuid: &str, n: i64) {
        if let Some(old) = self.v1_ids.insert(uuid.to_string(), n) {
            self.v1_rev.remove(&old);
        }
        if let Some(prev) = self.v1_rev.insert(n, uuid.to_string()) {
            if prev != uuid {
                self.v1_ids.remove(&prev);
            }
        }
    }

    /// The v1 id of `uuid`, assigned on first sight above every id handed out or seeded so far
    /// (seeded ids never collide with generated ones).
    pub fn v1_id(&mut self, uuid: &str) -> i64 {
        if let Some(n) = self.v1_ids.get(uuid) {
            return *n;
        }
        let n = self.v1_rev.keys().copied().max().unwrap_or(1000).max(1000) + 1;
        self.set_v1_id(uuid, n);
        n
    }

    /// True when `tid` is `ancestor` or lies below it.
    pub fn in_subtree(&self, ancestor: &str, tid: &str) -> bool {
        let mut cur = Some(tid.to_string());
        let mut guard = 0;
        while let Some(c) = cur {
            if c == ancestor {
                return true;
            }
            guard += 1;
            if guard > 10_000 {
                return false;
            }
            cur = self.tenants.get(&c).and_then(|t| t.parent_id.clone());
        }
        false
    }

    /// True when the tenant or any (non-hidden) ancestor is disabled.
    pub fn effectively_disabled(&self, tid: &str) -> bool {
        let mut cur = Some(tid.to_string());
        while let Some(c) = cur {
            match self.tenants.get(&c) {
                Some(t) if !t.enabled => return true,
                Some(t) => cur = t.parent_id.clone(),
                None => return false,
            }
        }
        false
    }

    /// All tenant ids of the subtree rooted at `tid` (pre-order, including `tid`).
    pub fn subtree(&self, tid: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![tid.to_string()];
        while let Some(t) = stack.pop() {
            if let Some(ten) = self.tenants.get(&t) {
                for c in ten.children.iter().rev() {
                    stack.push(c.clone());
                }
                out.push(t);
            }
        }
        out
    }

    pub fn next_uuid(&mut self) -> String {
        crate::ids::random_uuid(&mut self.rng)
    }

    pub fn infra(&self, id: &str) -> Option<&Infra> {
        self.infras.iter().find(|i| i.id == id)
    }

    /// Infras visible to a tenant (docs/simulator.md, "Infrastructure visibility"): all for
    /// roots, otherwise its own and those of the tenant's enabled `infra` offering items.
    pub fn tenant_infras(&self, tid: &str) -> Vec<String> {
        let is_root = self.integration_roots.iter().any(|r| r == tid)
            || self.tenants.get(tid).map(|t| t.hidden).unwrap_or(false);
        self.infras
            .iter()
            .filter(|inf| {
                is_root
                    || inf.owner_tenant_id == tid
                    || self.instances.iter().any(|inst| {
                        inst.infra_id.as_deref() == Some(inf.id.as_str())
                            && self.item_enabled(tid, &self.key_of(inst))
                    })
            })
            .map(|i| i.id.clone())
            .collect()
    }

    /// Removes a tenant subtree with its users, clients and tokens.
    pub fn delete_subtree(&mut self, tid: &str) {
        let ids = self.subtree(tid);
        if let Some(pid) = self.tenants.get(tid).and_then(|t| t.parent_id.clone()) {
            if let Some(p) = self.tenants.get_mut(&pid) {
                p.children.retain(|c| c != tid);
            }
        }
        let set: std::collections::HashSet<&String> = ids.iter().collect();
        let doomed_users: Vec<String> = self
            .users
            .values()
            .filter(|u| set.contains(&u.tenant_id))
            .map(|u| u.id.clone())
            .collect();
        for uid in &doomed_users {
            if let Some(u) = self.users.remove(uid) {
                self.logins.remove(&u.login.to_lowercase());
            }
        }
        self.clients.retain(|_, c| !set.contains(&c.tenant_id));
        self.tokens.retain(|_, t| !set.contains(&t.tenant_id));
        for id in &ids {
            self.tenants.remove(id);
        }
    }

    /// Resets the state of `key` in all descendants of `tid` (item disabled at `tid`).
    pub fn cascade_disable(&mut self, tid: &str, key: &ItemKey) {
        let ids = self.subtree(tid);
        for id in ids.iter().skip(1) {
            if let Some(t) = self.tenants.get_mut(id) {
                t.items.remove(key);
            }
        }
    }

    pub fn push_log(&mut self, mut e: LogEntry) {
        self.log_seq += 1;
        e.seq = self.log_seq;
        if self.log.len() >= 50_000 {
            self.log.drain(..10_000);
        }
        self.log.push(e);
    }
}
