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

    /// Builds a freshly seeded DC.
    pub fn seeded(
        catalog: Arc<Catalog>,
        idx: usize,
        token_ttl: i64,
        seed: &DcSeed,
        now: i64,
    ) -> DcState {
        let dc = format!("dc{}", idx + 1);
        let sid = |label: &str| stable_uuid(&format!("{dc}:{label}"));
        let mut st = DcState {
            catalog: catalog.clone(),
            dc_name: dc.clone(),
            rng: ChaCha8Rng::seed_from_u64(0xac50_0000 + idx as u64),
            token_serial: 0,
            platform_root: sid("platform-root"),
            integration_roots: vec![sid("integration-root")],
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
        };
        let root_id = st.integration_roots[0].clone();
        let platform_root = st.platform_root.clone();

        // Locations and infras: one platform-owned and one partner-owned location,
        // each with one backup (+files) storage and one DR storage.
        let loc1 = sid("location-1");
        let loc2 = sid("location-2");
        st.locations = vec![
            Location {
                id: loc1.clone(),
                name: format!("{dc}-platform-location"),
                owner_tenant_id: platform_root.clone(),
                platform_owned: true,
            },
            Location {
                id: loc2.clone(),
                name: format!("{dc}-partner-location"),
                owner_tenant_id: root_id.clone(),
                platform_owned: false,
            },
        ];
        let backup_caps = vec!["backup".to_string(), "files_cloud".to_string()];
        st.infras = vec![
            Infra {
                id: sid("infra-backup-1"),
                name: format!("{dc} Acronis Storage"),
                location_id: loc1.clone(),
                capabilities: backup_caps.clone(),
                platform_owned: true,
                owner_tenant_id: platform_root.clone(),
                backend_type: Some("acronis".into()),
            },
            Infra {
                id: sid("infra-dr-1"),
                name: format!("{dc} Disaster Recovery"),
                location_id: loc1,
                capabilities: vec!["disaster_recovery".into()],
                platform_owned: true,
                owner_tenant_id: platform_root.clone(),
                backend_type: None,
            },
            Infra {
                id: sid("infra-backup-2"),
                name: format!("{dc} Partner Storage"),
                location_id: loc2.clone(),
                capabilities: backup_caps,
                platform_owned: false,
                owner_tenant_id: root_id.clone(),
                backend_type: None,
            },
            Infra {
                id: sid("infra-dr-2"),
                name: format!("{dc} Partner Disaster Recovery"),
                location_id: loc2,
                capabilities: vec!["disaster_recovery".into()],
                platform_owned: false,
                owner_tenant_id: root_id.clone(),
                backend_type: None,
            },
        ];
        for (i, def) in catalog.items.iter().enumerate() {
            match (&def.item_type, &def.capability) {
                (ItemType::Infra, Some(cap)) => {
                    for inf in st
                        .infras
                        .iter()
                        .filter(|inf| inf.capabilities.contains(cap))
                    {
                        st.instances.push(Instance {
                            def: i,
                            infra_id: Some(inf.id.clone()),
                        });
                    }
                }
                _ => st.instances.push(Instance {
                    def: i,
                    infra_id: None,
                }),
            }
        }

        let mut proot = st.make_tenant(
            platform_root.clone(),
            "Platform".into(),
            "root".into(),
            None,
            now,
        );
        proot.hidden = true;
        proot.apps = catalog.apps.iter().map(|a| a.id.clone()).collect();
        st.insert_tenant(proot);
        let root_name = seed
            .root_name
            .clone()
            .unwrap_or_else(|| format!("Sim Reseller {}", dc.to_uppercase()));
        let mut root = st.make_tenant(
            root_id.clone(),
            root_name,
            "partner".into(),
            Some(platform_root.clone()),
            now,
        );
        root.apps = catalog.apps.iter().map(|a| a.id.clone()).collect();
        root.contact = default_contact(&format!("admin@{dc}.sim.test"));
        for inst in st.instances.clone() {
            let def = st.def(&inst);
            let quota = Quota {
                value: None,
                overage: None,
                version: if def.item_type == ItemType::Feature {
                    0
                } else {
                    1
                },
            };
            let key = st.key_of(&inst);
            let disabled = seed
                .root_disabled_items
                .iter()
                .any(|d| d.name == key.0 && d.infra_id.as_ref().is_none_or(|i| *i == key.1));
            let status = if disabled { 0 } else { 1 };
            root.items.insert(key, ItemState { status, quota });
        }
        st.insert_tenant(root);

        let (dl, dp) = default_credentials(idx);
        let login = seed.admin_login.clone().unwrap_or(dl);
        let password = seed.admin_password.clone().unwrap_or(dp);
        let admin_id = sid("admin-user");
        let mut admin = st.make_user(
            admin_id.clone(),
            root_id.clone(),
            login.clone(),
            &format!("admin@{dc}.sim.test"),
            now,
        );
        admin.policies = vec![
            json!({"id": sid("admin-policy"), "issuer_id": admin_id, "trustee_id": admin_id,
            "trustee_type": "user", "version": 1, "tenant_id": root_id, "role_id": "partner_admin"}),
        ];
        st.insert_user(admin);
        st.set_password(&admin_id, &password);

        let client_id = seed.client_id.clone().unwrap_or_else(|| sid("api-client"));
        let client_secret = seed
            .client_secret
            .clone()
            .unwrap_or_else(|| stable_hex(&format!("{dc}:api-client-secret"), 32));
        st.clients.insert(
            client_id.clone(),
            ApiClient {
                client_id: client_id.clone(),
                secret: client_secret.clone(),
                tenant_id: root_id.clone(),
                client_type: "api_client".into(),
                data: json!({"client_name": "acronis-sim seed client"}),
                created_at: now,
            },
        );

        for ts in &seed.tenants {
            let id = ts.id.clone().unwrap_or_else(|| st.next_uuid());
            let parent = ts.parent_id.clone().unwrap_or_else(|| root_id.clone());
            let mut t = st.make_tenant(
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
            st.insert_tenant(t);
            if let Some(n) = ts.v1_id {
                st.set_v1_id(&id, n);
            }
        }
        for us in &seed.users {
            let id = us.id.clone().unwrap_or_else(|| st.next_uuid());
            let tid = us.tenant_id.clone().unwrap_or_else(|| root_id.clone());
            let email = us
                .email
                .clone()
                .unwrap_or_else(|| format!("{}@sim.test", us.login));
            let u = st.make_user(id.clone(), tid, us.login.clone(), &email, now);
            st.insert_user(u);
            if let Some(p) = &us.password {
                st.set_password(&id, p);
            }
            if let Some(n) = us.v1_id {
                st.set_v1_id(&id, n);
            }
        }

        st.seed_info = json!({
            "dc": dc,
            "platform_root_id": platform_root,
            "root_tenant_id": root_id,
            "admin": {"login": login, "password": password, "user_id": admin_id},
            "client": {"client_id": client_id, "client_secret": client_secret},
            "applications": catalog.apps.iter().map(|a| json!({"type": a.app_type, "id": a.id})).collect::<Vec<_>>(),
            "locations": st.locations.iter().map(Location::to_json).collect::<Vec<_>>(),
            "infras": st.infras.iter().map(Infra::to_json).collect::<Vec<_>>(),
        });
        st
    }

    /// Creates `count` tenants with usage directly under the integration root
    /// (bypassing validation) for large usage reports. Every 10th is a partner.
    /// Profile `basic`: 5 enabled items each; `billing`: 27 items (quantities of every
    /// per-workload edition, storage, DR storage and compute points, local storage, Files and
    /// Notary) and, for every third tenant, a second storage (the partner-owned one).
    pub fn generate(&mut self, count: usize, seed: u64, now: i64, profile: &str) -> Value {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let root = self.integration_roots[0].clone();
        let backup = crate::catalog::app_id("backup");
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
            (("pw_storage".into(), storage_infra.clone()), true),
            (("pw_compute_points".into(), dr_infra.clone()), false),
        ];
        let billing = profile == "billing";
        if billing {
            for name in [
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
            ] {
                items.push(((name.into(), String::new()), false));
            }
            items.push((("pw_dr_storage".into(), dr_infra.clone()), true));
            items.push((("local_storage".into(), String::new()), true));
        }
        let partner_storage = self.infras.get(2).map(|i| i.id.clone()).unwrap_or_default();
        let mut first = None;
        let mut kids = Vec::with_capacity(count);
        for n in 0..count {
            let id = crate::ids::random_uuid(&mut rng);
            let kind = if n % 10 == 9 { "partner" } else { "customer" };
            let mut t = self.make_tenant(
                id.clone(),
                format!("Generated {kind} {seed}-{n:06}"),
                kind.into(),
                Some(root.clone()),
                now,
            );
            t.apps.push(backup.clone());
            if n % 2 == 0 && kind == "customer" {
                t.pricing.mode = "production".into();
                t.pricing.ever_production = true;
            }
            let second = (billing && n % 3 == 0)
                .then(|| (("pw_storage".to_string(), partner_storage.clone()), true));
            for (key, bytes) in items.iter().chain(second.iter()) {
                t.items.insert(
                    key.clone(),
                    ItemState {
                        status: 1,
                        quota: Quota {
                            value: None,
                            overage: None,
                            version: 1,
                        },
                    },
                );
                let v: f64 = if *bytes {
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
            first.get_or_insert_with(|| id.clone());
            kids.push(id.clone());
            self.tenants.insert(id, t);
        }
        if let Some(r) = self.tenants.get_mut(&root) {
            r.children.extend(kids);
        }
        json!({"created": count, "parent_id": root, "first_id": first, "profile": if billing { "billing" } else { "basic" }})
    }
}
