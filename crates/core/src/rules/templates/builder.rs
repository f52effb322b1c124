//! A builder for [`TemplateData`], so tests (unit and integration) and the v1 migration state
//! only what they are about instead of repeating the eleven fields of the literal. Defaults: server 1, an
//! administrator user, production mode, self-service management, no two-factor
//! authentication, no enhanced security, no advanced packs, no applications.

use super::model::{
    Application, Edition, ManagementMode, Mode, OfferingItem, Status, TemplateData, TenantKind,
    UserRole,
};

/// Builds a [`TemplateData`]; start with [`TemplateData::builder`].
#[derive(Debug, Clone)]
pub struct TemplateBuilder(TemplateData);

impl TemplateData {
    /// A template named `name` for tenants of `kind`, with the builder's defaults.
    pub fn builder(name: &str, kind: TenantKind) -> TemplateBuilder {
        TemplateBuilder(TemplateData {
            name: name.to_string(),
            description: String::new(),
            server_id: 1,
            tenant_kind: kind,
            user_role: UserRole::Admin,
            mode: Mode::Production,
            management_mode: ManagementMode::SelfService,
            two_factor_auth: false,
            enhanced_security: false,
            advanced_packs: Vec::new(),
            applications: Vec::new(),
        })
    }
}

impl TemplateBuilder {
    pub fn description(mut self, text: &str) -> Self {
        self.0.description = text.to_string();
        self
    }

    pub fn server(mut self, id: i64) -> Self {
        self.0.server_id = id;
        self
    }

    pub fn user_role(mut self, role: UserRole) -> Self {
        self.0.user_role = role;
        self
    }

    pub fn mode(mut self, mode: Mode) -> Self {
        self.0.mode = mode;
        self
    }

    pub fn management_mode(mut self, mode: ManagementMode) -> Self {
        self.0.management_mode = mode;
        self
    }

    pub fn two_factor_auth(mut self, on: bool) -> Self {
        self.0.two_factor_auth = on;
        self
    }

    pub fn advanced_packs(mut self, packs: &[&str]) -> Self {
        self.0.advanced_packs = packs.iter().map(|p| (*p).to_string()).collect();
        self
    }

    /// Adds an active application of `kind` with the `editions` (all active) and `items`.
    pub fn application(mut self, kind: &str, editions: &[&str], items: Vec<OfferingItem>) -> Self {
        self.0.applications.push(Application {
            kind: kind.to_string(),
            editions: editions
                .iter()
                .map(|e| Edition {
                    name: (*e).to_string(),
                    status: Status::Active,
                })
                .collect(),
            status: Status::Active,
            offering_items: items,
        });
        self
    }

    /// Adds an application as given.
    pub fn with_application(mut self, app: Application) -> Self {
        self.0.applications.push(app);
        self
    }

    pub fn build(self) -> TemplateData {
        self.0
    }
}
