//! Service template model (docs/behaviour.md §C.1 plus the manual's settings, J.1 #10) and
//! its admin-API wire format (§D.3). Input is never deserialized straight into these types:
//! `validate` reads a `serde_json::Value` so a wrong type becomes a validation message.

use serde::{Deserialize, Serialize};

/// Kind of tenant a template provisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantKind {
    Partner,
    Customer,
}

/// Role of the first user: `admin` = company/partner administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    Admin,
    User,
}

/// `active` / `inactive` flag of applications, editions and offering items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Inactive,
}

/// Manual 6.1 "Mode": a customer provisioned in trial switches to production after 30 days.
/// Partners are always `production`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Trial,
    Production,
}

/// Manual 6.1 "Management mode".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManagementMode {
    SelfService,
    ManagedByServiceProvider,
}

macro_rules! str_enum {
    ($t:ty { $($v:ident => $s:literal),+ $(,)? }) => {
        impl $t {
            /// Wire / database spelling.
            pub fn as_str(self) -> &'static str {
                match self { $(<$t>::$v => $s),+ }
            }
            /// Parses the wire / database spelling.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(<$t>::$v),)+ _ => None }
            }
        }
    };
}

str_enum!(TenantKind { Partner => "partner", Customer => "customer" });
str_enum!(UserRole { Admin => "admin", User => "user" });
str_enum!(Status { Active => "active", Inactive => "inactive" });
str_enum!(Mode { Trial => "trial", Production => "production" });
str_enum!(ManagementMode {
    SelfService => "self_service",
    ManagedByServiceProvider => "managed_by_service_provider",
});

/// Advanced protection packs of manual 6.1 (absent from the reference): wire name and the
/// application type that must be active for the pack to be enabled.
pub const ADVANCED_PACKS: &[(&str, &str)] = &[
    ("advanced_backup", "backup"),
    ("advanced_management", "backup"),
    ("advanced_security", "backup"),
    ("advanced_email_security", "backup"),
    ("advanced_disaster_recovery", "backup"),
    ("advanced_files_cloud", "files_cloud"),
];

/// One edition switch of a template application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edition {
    pub name: String,
    pub status: Status,
}

/// An offering item of a template application; `quota_value` is in `measurement_unit`
/// (bytes, seconds, quantity), `None` = unlimited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferingItem {
    pub name: String,
    pub infra_id: Option<String>,
    pub status: Status,
    pub measurement_unit: String,
    pub quota_value: Option<i64>,
}

/// An application (service) switched on or off in a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    #[serde(rename = "type")]
    pub kind: String,
    pub editions: Vec<Edition>,
    pub status: Status,
    pub offering_items: Vec<OfferingItem>,
}

/// Everything a template holds except its id and timestamps: what validation produces and
/// storage writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateData {
    pub name: String,
    pub description: String,
    pub server_id: i64,
    pub tenant_kind: TenantKind,
    pub user_role: UserRole,
    pub mode: Mode,
    pub management_mode: ManagementMode,
    pub two_factor_auth: bool,
    pub enhanced_security: bool,
    /// Names from [`ADVANCED_PACKS`], in that order.
    pub advanced_packs: Vec<String>,
    pub applications: Vec<Application>,
}

/// A stored template. Serializes to the `get_template` JSON (timestamps hidden).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub id: i64,
    #[serde(flatten)]
    pub data: TemplateData,
    #[serde(skip)]
    pub created_at: String,
    #[serde(skip)]
    pub updated_at: String,
}

/// A row of `list_templates`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSummary {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub server_id: i64,
    pub tenant_kind: TenantKind,
    pub user_role: UserRole,
}

impl Template {
    /// The `list_templates` row of this template.
    pub fn summary(&self) -> TemplateSummary {
        TemplateSummary {
            id: self.id,
            name: self.data.name.clone(),
            description: self.data.description.clone(),
            server_id: self.data.server_id,
            tenant_kind: self.data.tenant_kind,
            user_role: self.data.user_role,
        }
    }
}

/// Rows of the reference module's tables (§C.3) for the 2.x upgrade (§I.1). Ids are kept so
/// products (`configoption1` = template id) keep pointing at the same template.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReferenceRows {
    pub templates: Vec<ReferenceTemplate>,
    pub applications: Vec<ReferenceApplication>,
    pub offering_items: Vec<ReferenceOfferingItem>,
}

/// A row of `acroniscloud_service_templates`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReferenceTemplate {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub server_id: i64,
    pub tenant_kind: String,
    pub user_role: String,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub deleted_at: Option<String>,
}

/// A row of `acroniscloud_service_template_applications`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReferenceApplication {
    pub id: i64,
    pub template_id: i64,
    pub kind: String,
    /// JSON text `[{"name":…,"status":…}]` as stored by the reference.
    pub editions: String,
    pub status: String,
}

/// A row of `acroniscloud_service_template_offering_items`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReferenceOfferingItem {
    pub id: i64,
    pub template_application_id: i64,
    pub name: String,
    pub infra_id: Option<String>,
    pub status: String,
    pub measurement_unit: String,
    pub quota_value: Option<i64>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ImportReport {
    /// Template ids written.
    pub imported: Vec<i64>,
    /// Template ids already present (import is idempotent), left untouched.
    pub skipped: Vec<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Template {
        Template {
            id: 1,
            data: TemplateData::builder("Customers PW", TenantKind::Customer)
                .description("d")
                .application(
                    "backup",
                    &["per_workload"],
                    vec![
                        OfferingItem {
                            name: "pw_workstations".into(),
                            infra_id: None,
                            status: Status::Active,
                            measurement_unit: "quantity".into(),
                            quota_value: Some(10),
                        },
                        OfferingItem {
                            name: "pw_storage".into(),
                            infra_id: Some("66d7d7b2-4844-4ebd-b467-d407f7234bb1".into()),
                            status: Status::Active,
                            measurement_unit: "bytes".into(),
                            quota_value: Some(107_374_182_400),
                        },
                    ],
                )
                .build(),
            created_at: "2024-01-01 00:00:00".into(),
            updated_at: "2024-01-01 00:00:00".into(),
        }
    }

    #[test]
    fn wire_format_matches_d3() {
        let v = serde_json::to_value(sample()).unwrap();
        assert_eq!(v["id"], json!(1));
        assert_eq!(v["server_id"], json!(1));
        assert_eq!(v["tenant_kind"], json!("customer"));
        assert_eq!(v["management_mode"], json!("self_service"));
        assert_eq!(v["applications"][0]["type"], json!("backup"));
        assert_eq!(
            v["applications"][0]["offering_items"][0],
            json!({"name":"pw_workstations","infra_id":null,"status":"active",
                   "measurement_unit":"quantity","quota_value":10})
        );
        assert_eq!(
            v["applications"][0]["offering_items"][1]["quota_value"],
            json!(107_374_182_400_i64)
        );
        assert!(v.get("created_at").is_none());
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(
            &keys[..6],
            [
                "id",
                "name",
                "description",
                "server_id",
                "tenant_kind",
                "user_role"
            ]
        );
    }

    #[test]
    fn wire_format_round_trip() {
        let t = sample();
        let text = serde_json::to_string(&t).unwrap();
        let back: Template = serde_json::from_str(&text).unwrap();
        assert_eq!(back.id, t.id);
        assert_eq!(back.data, t.data);
    }

    #[test]
    fn enums_parse_their_spelling() {
        assert_eq!(
            ManagementMode::parse("managed_by_service_provider"),
            Some(ManagementMode::ManagedByServiceProvider)
        );
        assert_eq!(TenantKind::parse("Partner"), None);
        assert_eq!(Mode::Trial.as_str(), "trial");
    }
}
