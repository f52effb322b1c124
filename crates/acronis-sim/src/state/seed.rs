//! Default seed of a data centre and the large-tenant generator used by benchmarks.

use super::*;
use crate::faults::Faults;
use crate::ids::{password_hash, stable_hex, stable_uuid};
use rand::{Rng, SeedableRng};
use serde::Deserialize;

/// Optional seed overrides for one DC (`--seed-file` holds `{"dcs":[DcSeed,…]}`,
/// `POST /__sim/seed` takes one `DcSeed`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DcSeed {
    pub admin_login: Option<String>,
    pub admin_password: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub root_name: Option<String>,
    pub report_polls: Option<u64>,
    pub tenants: Vec<TenantSeed>,
    pub users: Vec<UserSeed>,
    /// Root offering items seeded disabled (`status: 0`), e.g. to test "the offering item is
    /// not enabled for your root tenant": `{"name": "pw_public_ips", "infra_id": "<uuid>"}`
    /// (`infra_id` absent = every instance of the item).
    pub root_disabled_items: Vec<DisabledItemSeed>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DisabledItemSeed {
    pub name: String,
    pub infra_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TenantSeed {
    pub id: Option<String>,
    pub name: String,
    pub kind: Option<String>,
    /// Parent tenant id; absent = the integration root.
    pub parent_id: Option<String>,
    pub enabled: Option<bool>,
    pub pricing_mode: Option<String>,
    /// Integer id the legacy v1 API (`/api/1/groups/{id}`) shows for this tenant (module-v1
    /// migration fixtures); absent = assigned on first v1 read.
    pub v1_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UserSeed {
    pub id: Option<String>,
    pub login: String,
    pub password: Option<String>,
    /// Tenant id; absent = the integration root.
    pub tenant_id: Option<String>,
    pub email: Option<String>,
    /// Integer id of the legacy v1 API (`/api/1/admins|users/{id}`); absent = on first read.
    pub v1_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SeedDoc {
    pub dcs: Vec<DcSeed>,
}

/// Login/password defaults per DC index (documented in the README).
pub fn default_credentials(idx: usize) -> (String, String) {
    match idx {
        0 => ("reseller-admin".into(), "Sim-Reseller-Pass-1!".into()),
        1 => ("eu2-admin".into(), "Sim-Eu2-Pass-1!".into()),
        n => (
            format!("dc{}-admin", n + 1),
            format!("Sim-Dc{}-Pass-1!", n + 1),
        ),
    }
}

pub fn default_contact(email: &str) -> Value {
    json!({"email": email, "address1": "", "address2": "", "city": "", "state": "", "zipcode": "",
           "country": "", "phone": "", "firstname": "", "lastname": ""})
}

/// A seeded location: stable-id label, name after the DC's name, and its owner.
struct LocationSeed {
    label: &'static str,
    name: &'static str,
    platform_owned: bool,
}

/// A seeded infrastructure component, placed in the location with the label `location`.
struct InfraSeed {
    label: &'static str,
    name: &'static str,
    location: &'static str,
    capabilities: &'static [&'static str],
    platform_owned: bool,
    backend_type: Option<&'static str>,
}

/// One platform-owned and one partner-owned location per DC (the README's "Default seed").
const LOCATION_SEEDS: [LocationSeed; 2] = [
    LocationSeed {
        label: "location-1",
        name: "platform-location",
        platform_owned: true,
    },
    LocationSeed {
        label: "location-2",
        name: "partner-location",
        platform_owned: false,
    },
];

const BACKUP_CAPS: &[&str] = &["backup", "files_cloud"];
const DR_CAPS: &[&str] = &["disaster_recovery"];

/// Each location has one backup (+ files) storage and one DR storage. The order is the one
/// of `infras` in the state: the generator and the tests pick storages by position.
const INFRA_SEEDS: [InfraSeed; 4] = [
    InfraSeed {
        label: "infra-backup-1",
        name: "Acronis Storage",
        location: "location-1",
        capabilities: BACKUP_CAPS,
        platform_owned: true,
        backend_type: Some("acronis"),
    },
    InfraSeed {
        label: "infra-dr-1",
        name: "Disaster Recovery",
        location: "location-1",
        capabilities: DR_CAPS,
        platform_owned: true,
        backend_type: None,
    },
    InfraSeed {
        label: "infra-backup-2",
        name: "Partner Storage",
        location: "location-2",
        capabilities: BACKUP_CAPS,
        platform_owned: false,
        backend_type: None,
    },
    InfraSeed {
        label: "infra-dr-2",
        name: "Partner Disaster Recovery",
        location: "location-2",
        capabilities: DR_CAPS,
        platform_owned: false,
        backend_type: None,
    },
];

/// Count items the `billing` generator profile enables on top of the `basic` five: every
/// per-workload edition's quantities, Files seats and Notary.
const BILLING_COUNT_ITEMS: [&str; 20] = [
    "pw_p_ess_workstations",
    "pw_p_ess_servers",
    "pw_p_ess_vms",
    "pw_p_workstations",
    "pw_p_servers",
    "pw_p_vms",
    "pw_p_web_hosting_servers",
    "pw_p_adv_workstations",
    "pw_p_adv_servers",
    "pw_p_adv_vms",
    "pw_p_adv_web_hosting_servers",
    "pw_web_hosting_servers",
    "pw_mobiles",
    "pw_o365_seats",
    "pw_o365_teams",
    "pw_gsuite_seats",
    "pw_websites",
    "pw_public_ips",
    "fc_seats",
    "notarizations",
];

impl DcState {
    #[allow(clippy::too_many_arguments)]
    pub fn make_tenant(
        &self,
        id: String,
        name: String,
        kind: String,
        parent: Option<String>,
        now: i64,
    ) -> Tenant {
        let customer_like = kind == "customer";
        Tenant {
            id,
            version: 1,
            name,
            kind,
            parent_id: parent,
            enabled: true,
            customer_id: None,
            internal_tag: None,
            contact: default_contact(""),
            language: "en".into(),
            customer_type: "default".into(),
            brand_id: 1,
            owner_id: None,
            default_idp_id: stable_uuid("idp:default"),
            update_lock: false,
            ancestral_access: true,
            mfa_enabled: false,
            enhanced_security: false,
            created_at: now,
            updated_at: now,
            hidden: false,
            children: Vec::new(),
            pricing: Pricing {
                mode: if customer_like {
                    "trial".into()
                } else {
                    "production".into()
                },
                version: 1,
                currency: None,
                production_start_date: None,
                ever_production: !customer_like,
            },
            apps: Vec::new(),
            items: HashMap::new(),
            usage: HashMap::new(),
        }
    }

    pub fn insert_tenant(&mut self, t: Tenant) {
        if let Some(p) = t.parent_id.clone() {
            if let Some(pt) = self.tenants.get_mut(&p) {
                pt.children.push(t.id.clone());
            }
        }
        self.tenants.insert(t.id.clone(), t);
    }

    #[allow(clippy::too_many_arguments)]
    pub fn make_user(
        &mut self,
        id: String,
        tenant_id: String,
        login: String,
        email: &str,
        now: i64,
    ) -> User {
        User {
            id,
            version: 1,
            tenant_id,
            login,
            contact: default_contact(email),
            activated: false,
            enabled: true,
            language: "en".into(),
            notifications: vec![
                json!("quota"),
                json!("reports"),
                json!("backup_daily_report"),
            ],
            business_types: Vec::new(),
            external_id: None,
            idp_id: None,
            created_at: now,
            updated_at: now,
            password_hash: None,
            policies: Vec::new(),
        }
    }

    pub fn insert_user(&mut self, u: User) {
        self.logins.insert(u.login.to_lowercase(), u.id.clone());
        self.users.insert(u.id.clone(), u);
    }

    pub fn set_password(&mut self, uid: &str, password: &str) {
        if let Some(u) = self.users.get_mut(uid) {
            u.password_hash = Some(password_hash(&u.id, password));
            u.activated = true;
        }
    }

    /// Builds a freshly seeded DC. The steps run in a fixed order because the DC's
    /// random generator (seeded per DC index) hands out the ids of seeded tenants and
    /// users: reordering them would change every generated id.
    pub fn seeded(
        catalog: Arc<Catalog>,
        idx: usize,
        token_ttl: i64,
        seed: &DcSeed,
        now: i64,
    ) -> DcState {
        let mut st = DcState::empty(catalog, idx, token_ttl, seed);
        st.seed_topology();
        st.seed_instances();
        st.seed_roots(seed, now);
        let admin = st.seed_admin(idx, seed, now);
        let client = st.seed_client(seed, now);
        st.seed_extra_tenants(&seed.tenants, now);
        st.seed_extra_users(&seed.users, now);
        st.seed_info = st.seed_info_json(admin, client);
        st
    }

    /// Stable id of a seeded object of this DC (`dc1:integration-root`, …), so tests
    /// and the README can name them across restarts.
    fn sid(&self, label: &str) -> String {
        stable_uuid(&format!("{}:{label}", self.dc_name))
    }

    /// The DC with its two roots' ids and nothing else: no tenants, users or infras yet.
    fn empty(catalog: Arc<Catalog>, idx: usize, token_ttl: i64, seed: &DcSeed) -> DcState {
        let dc = format!("dc{}", idx + 1);
        let sid = |label: &str| stable_uuid(&format!("{dc}:{label}"));
        DcState {
            catalog,
            platform_root: sid("platform-root"),
            integration_roots: vec![sid("integration-root")],
            dc_name: dc,
            rng: ChaCha8Rng::seed_from_u64(0xac50_0000 + idx as u64),
            token_serial: 0,
            tenants: HashMap::new(),
            users: HashMap::new(),
            logins: HashMap::new(),
            clients: HashMap::new(),
            tokens: HashMap::new(),
            infras: Vec::new(),
            locations: Vec::new(),
            instances: Vec::new(),
            reports: HashMap::new(),
            activation_tokens: HashMap::new(),
            otts: HashMap::new(),
            sessions: HashMap::new(),
            mailbox: Vec::new(),
            log: Vec::new(),
            log_seq: 0,
            faults: Faults::default(),
            token_ttl,
            report_polls: seed.report_polls.unwrap_or(0),
            enforce_hard_quota: false,
            seed_info: Value::Null,
            v1_ids: HashMap::new(),
            v1_rev: HashMap::new(),
        }
    }

    /// Locations and infras from [`LOCATION_SEEDS`] and [`INFRA_SEEDS`]: platform-owned ones
    /// belong to the hidden platform root, partner-owned ones to the integration root.
    fn seed_topology(&mut self) {
        let owner = |st: &DcState, platform_owned: bool| {
            if platform_owned {
                st.platform_root.clone()
            } else {
                st.integration_roots[0].clone()
            }
        };
        self.locations = LOCATION_SEEDS
            .iter()
            .map(|l| Location {
                id: self.sid(l.label),
                name: format!("{}-{}", self.dc_name, l.name),
                owner_tenant_id: owner(self, l.platform_owned),
                platform_owned: l.platform_owned,
            })
            .collect();
        self.infras = INFRA_SEEDS
            .iter()
            .map(|i| Infra {
                id: self.sid(i.label),
                name: format!("{} {}", self.dc_name, i.name),
                location_id: self.sid(i.location),
                capabilities: i.capabilities.iter().map(|c| c.to_string()).collect(),
                platform_owned: i.platform_owned,
                owner_tenant_id: owner(self, i.platform_owned),
                backend_type: i.backend_type.map(str::to_string),
            })
            .collect();
    }

    /// One instance per catalogue item, except infra items: one per infra offering the
    /// item's capability.
    fn seed_instances(&mut self) {
        let catalog = self.catalog.clone();
        for (i, def) in catalog.items.iter().enumerate() {
            match (&def.item_type, &def.capability) {
                (ItemType::Infra, Some(cap)) => {
                    let infras = self
                        .infras
                        .iter()
                        .filter(|inf| inf.capabilities.contains(cap));
                    let bound: Vec<Instance> = infras
                        .map(|inf| Instance {
                            def: i,
                            infra_id: Some(inf.id.clone()),
                        })
                        .collect();
                    self.instances.extend(bound);
                }
                _ => self.instances.push(Instance {
                    def: i,
                    infra_id: None,
                }),
            }
        }
    }

    /// The hidden platform root and, under it, the integration root (the reseller the
    /// module signs in as) with every application and every item instance enabled,
    /// except those the seed lists in `root_disabled_items`.
    fn seed_roots(&mut self, seed: &DcSeed, now: i64) {
        let dc = self.dc_name.clone();
        let platform_root = self.platform_root.clone();
        let root_id = self.integration_roots[0].clone();
        let all_apps: Vec<String> = self.catalog.apps.iter().map(|a| a.id.clone()).collect();
        let mut proot = self.make_tenant(
            platform_root.clone(),
            "Platform".into(),
            "root".into(),
            None,
            now,
        );
        proot.hidden = true;
        proot.apps = all_apps.clone();
        self.insert_tenant(proot);
        let root_name = seed
            .root_name
            .clone()
            .unwrap_or_else(|| format!("Sim Reseller {}", dc.to_uppercase()));
        let mut root = self.make_tenant(
            root_id,
            root_name,
            "partner".into(),
            Some(platform_root),
            now,
        );
        root.apps = all_apps;
        root.contact = default_contact(&format!("admin@{dc}.sim.test"));
        for inst in self.instances.clone() {
            let (key, state) = self.root_item_state(&inst, seed);
            root.items.insert(key, state);
        }
        self.insert_tenant(root);
    }

    /// The integration root's state of one instance: no quota, enabled unless the seed
    /// disables it (by name, and by infra when `infra_id` is given).
    fn root_item_state(&self, inst: &Instance, seed: &DcSeed) -> (ItemKey, ItemState) {
        let def = self.def(inst);
        let quota = Quota {
            value: None,
            overage: None,
            version: if def.item_type == ItemType::Feature {
                0
            } else {
                1
            },
        };
        let key = self.key_of(inst);
        let disabled = seed
            .root_disabled_items
            .iter()
            .any(|d| d.name == key.0 && d.infra_id.as_ref().is_none_or(|i| *i == key.1));
        let status = if disabled { 0 } else { 1 };
        (key, ItemState { status, quota })
    }

    /// The integration root's administrator (a `partner_admin`), activated with the
    /// seed's or the default password. Returns `(login, password, user id)`.
    fn seed_admin(&mut self, idx: usize, seed: &DcSeed, now: i64) -> (String, String, String) {
        let root_id = self.integration_roots[0].clone();
        let (dl, dp) = default_credentials(idx);
        let login = seed.admin_login.clone().unwrap_or(dl);
        let password = seed.admin_password.clone().unwrap_or(dp);
        let admin_id = self.sid("admin-user");
        let email = format!("admin@{}.sim.test", self.dc_name);
        let mut admin = self.make_user(
            admin_id.clone(),
            root_id.clone(),
            login.clone(),
            &email,
            now,
        );
        admin.policies = vec![
            json!({"id": self.sid("admin-policy"), "issuer_id": admin_id, "trustee_id": admin_id,
            "trustee_type": "user", "version": 1, "tenant_id": root_id, "role_id": "partner_admin"}),
        ];
        self.insert_user(admin);
        self.set_password(&admin_id, &password);
        (login, password, admin_id)
    }

    /// The API client of the integration root. Returns `(client id, secret)`.
    fn seed_client(&mut self, seed: &DcSeed, now: i64) -> (String, String) {
        let client_id = seed
            .client_id
            .clone()
            .unwrap_or_else(|| self.sid("api-client"));
        let client_secret = seed
            .client_secret
            .clone()
            .unwrap_or_else(|| stable_hex(&format!("{}:api-client-secret", self.dc_name), 32));
        self.clients.insert(
            client_id.clone(),
            ApiClient {
                client_id: client_id.clone(),
                secret: client_secret.clone(),
                tenant_id: self.integration_roots[0].clone(),
                client_type: "api_client".into(),
                data: json!({"client_name": "acronis-sim seed client"}),
                created_at: now,
            },
        );
        (client_id, client_secret)
    }

    /// The seed document's own tenants (customers under the integration root unless
    /// it says otherwise); ids the seed leaves out come from the DC's generator.
    fn seed_extra_tenants(&mut self, tenants: &[TenantSeed], now: i64) {
        let root_id = self.integration_roots[0].clone();
        for ts in tenants {
            let id = ts.id.clone().unwrap_or_else(|| self.next_uuid());
            let parent = ts.parent_id.clone().unwrap_or_else(|| root_id.clone());
            let mut t = self.make_tenant(
                id.clone(),
                ts.name.clone(),
                ts.kind.clone().unwrap_or_else(|| "customer".into()),
                Some(parent),
                now,
            );
            t.enabled = ts.enabled.unwrap_or(true);
            if let Some(m) = &ts.pricing_mode {
                t.pricing.mode = m.clone();
                t.pricing.ever_production |= m == "production";
            }
            self.insert_tenant(t);
            if let Some(n) = ts.v1_id {
                self.set_v1_id(&id, n);
            }
        }
    }

    /// The seed document's own users (in the integration root unless it says otherwise);
    /// only those with a password are activated.
    fn seed_extra_users(&mut self, users: &[UserSeed], now: i64) {
        let root_id = self.integration_roots[0].clone();
        for us in users {
            let id = us.id.clone().unwrap_or_else(|| self.next_uuid());
            let tid = us.tenant_id.clone().unwrap_or_else(|| root_id.clone());
            let email = us
                .email
                .clone()
                .unwrap_or_else(|| format!("{}@sim.test", us.login));
            let u = self.make_user(id.clone(), tid, us.login.clone(), &email, now);
            self.insert_user(u);
            if let Some(p) = &us.password {
                self.set_password(&id, p);
            }
            if let Some(n) = us.v1_id {
                self.set_v1_id(&id, n);
            }
        }
    }

    /// What `GET /__sim/seed-info` and `--print-seed` show: the ids and credentials a
    /// test needs to sign in and find the seeded objects.
    fn seed_info_json(&self, admin: (String, String, String), client: (String, String)) -> Value {
        let (login, password, admin_id) = admin;
        let (client_id, client_secret) = client;
        json!({
            "dc": self.dc_name,
            "platform_root_id": self.platform_root,
            "root_tenant_id": self.integration_roots[0],
            "admin": {"login": login, "password": password, "user_id": admin_id},
            "client": {"client_id": client_id, "client_secret": client_secret},
            "applications": self.catalog.apps.iter().map(|a| json!({"type": a.app_type, "id": a.id})).collect::<Vec<_>>(),
            "locations": self.locations.iter().map(Location::to_json).collect::<Vec<_>>(),
            "infras": self.infras.iter().map(Infra::to_json).collect::<Vec<_>>(),
        })
    }

    /// Creates `count` tenants with usage directly under the integration root
    /// (bypassing validation) for large usage reports. Every 10th is a partner.
    /// Profile `basic`: 5 enabled items each; `billing`: 27 items (quantities of every
    /// per-workload edition, storage, DR storage and compute points, local storage, Files and
    /// Notary) and, for every third tenant, a second storage (the partner-owned one).
    pub fn generate(&mut self, count: usize, seed: u64, now: i64, profile: &str) -> Value {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let root = self.integration_roots[0].clone();
        let billing = profile == "billing";
        let items = self.generated_items(billing);
        let partner_storage = self.infras.get(2).map(|i| i.id.clone()).unwrap_or_default();
        let mut first = None;
        let mut kids = Vec::with_capacity(count);
        for n in 0..count {
            let id = crate::ids::random_uuid(&mut rng);
            let mut t = self.generated_tenant(id.clone(), n, seed, &root, now);
            let second = (billing && n % 3 == 0)
                .then(|| (("pw_storage".to_string(), partner_storage.clone()), true));
            for (key, bytes) in items.iter().chain(second.iter()) {
                add_generated_usage(&mut t, key, *bytes, &mut rng);
            }
            first.get_or_insert_with(|| id.clone());
            kids.push(id.clone());
            self.tenants.insert(id, t);
        }
        if let Some(r) = self.tenants.get_mut(&root) {
            r.children.extend(kids);
        }
        json!({"created": count, "parent_id": root, "first_id": first, "profile": if billing { "billing" } else { "basic" }})
    }

    /// The items every generated tenant gets, each with whether its usage is in bytes.
    /// Storage goes to the first seeded infra, DR items to the second.
    fn generated_items(&self, billing: bool) -> Vec<(ItemKey, bool)> {
        let storage_infra = self
            .infras
            .first()
            .map(|i| i.id.clone())
            .unwrap_or_default();
        let dr_infra = self.infras.get(1).map(|i| i.id.clone()).unwrap_or_default();
        let mut items: Vec<(ItemKey, bool)> = vec![
            (("pw_workstations".into(), String::new()), false),
            (("pw_servers".into(), String::new()), false),
            (("pw_vms".into(), String::new()), false),
            (("pw_storage".into(), storage_infra), true),
            (("pw_compute_points".into(), dr_infra.clone()), false),
        ];
        if billing {
            for name in BILLING_COUNT_ITEMS {
                items.push(((name.into(), String::new()), false));
            }
            items.push((("pw_dr_storage".into(), dr_infra), true));
            items.push((("local_storage".into(), String::new()), true));
        }
        items
    }

    /// Generated tenant number `n` under `root`: a partner every 10th, the others
    /// customers with Backup, every second customer in production mode.
    fn generated_tenant(&self, id: String, n: usize, seed: u64, root: &str, now: i64) -> Tenant {
        let kind = if n % 10 == 9 { "partner" } else { "customer" };
        let mut t = self.make_tenant(
            id,
            format!("Generated {kind} {seed}-{n:06}"),
            kind.into(),
            Some(root.to_string()),
            now,
        );
        t.apps.push(crate::catalog::app_id("backup"));
        if n.is_multiple_of(2) && kind == "customer" {
            t.pricing.mode = "production".into();
            t.pricing.ever_production = true;
        }
        t
    }
}

/// Enables one generated item without quota and gives it a random usage: 1–500 GiB for
/// bytes, 0–49 otherwise; the delta is a tenth of it.
fn add_generated_usage(t: &mut Tenant, key: &ItemKey, bytes: bool, rng: &mut ChaCha8Rng) {
    t.items.insert(key.clone(), ItemState::enabled_unlimited());
    let v: f64 = if bytes {
        (rng.gen_range(1..=500u64) as f64) * 1_073_741_824.0
    } else {
        rng.gen_range(0..50u64) as f64
    };
    t.usage.insert(
        key.clone(),
        UsageValue {
            absolute: v,
            delta: (v / 10.0).floor(),
        },
    );
}
