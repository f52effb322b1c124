//! Template validation (docs/behaviour.md §C.2): Laravel-style field rules, the staged
//! `applications` rules checked against the root tenant, the manual's extra settings, and the
//! create/update specifics (partner ⇒ admin, immutable fields on update). Input is a raw JSON
//! value so that wrong types become messages instead of parse failures.

use super::model::{
    Application, Edition, ManagementMode, Mode, OfferingItem, Status, Template, TemplateData,
    TenantKind, UserRole, ADVANCED_PACKS,
};
use super::{TemplateError, TemplateResult};
use crate::infra::error::Result;
use crate::platform::catalog::{catalog, Catalog};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

/// An offering item of the root tenant as the Cloud reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RootOfferingItem {
    pub name: String,
    pub infra_id: Option<String>,
    pub edition: Option<String>,
    /// 1 = active, 0 = inactive.
    pub status: i64,
}

/// Platform facts validation needs, fetched from the template's server by the caller.
/// Each method is called at most once per validation and only when a rule needs it.
pub trait PlatformView {
    /// Application types enabled for the root tenant (e.g. `backup`).
    fn enabled_application_types(&self) -> Result<Vec<String>>;
    /// Offering items of the root tenant, every edition.
    fn root_offering_items(&self) -> Result<Vec<RootOfferingItem>>;
    /// Infrastructure component ids of the root tenant.
    fn root_infra_ids(&self) -> Result<Vec<String>>;
    /// Items the root tenant may give a child of this kind; `None` skips that check (the
    /// reference does not make it at save time).
    fn available_for_child(&self, _kind: TenantKind) -> Result<Option<Vec<RootOfferingItem>>> {
        Ok(None)
    }
    /// Name of the platform / server used in messages ("Offering item does not exist in …").
    fn display_name(&self) -> String;
}

/// Prefetched platform facts; implements [`PlatformView`].
#[derive(Debug, Clone, Default)]
pub struct PlatformFacts {
    pub enabled_application_types: Vec<String>,
    pub root_offering_items: Vec<RootOfferingItem>,
    pub root_infra_ids: Vec<String>,
    pub available_for_customer: Option<Vec<RootOfferingItem>>,
    pub available_for_partner: Option<Vec<RootOfferingItem>>,
    pub display_name: String,
}

impl PlatformView for PlatformFacts {
    fn enabled_application_types(&self) -> Result<Vec<String>> {
        Ok(self.enabled_application_types.clone())
    }
    fn root_offering_items(&self) -> Result<Vec<RootOfferingItem>> {
        Ok(self.root_offering_items.clone())
    }
    fn root_infra_ids(&self) -> Result<Vec<String>> {
        Ok(self.root_infra_ids.clone())
    }
    fn available_for_child(&self, kind: TenantKind) -> Result<Option<Vec<RootOfferingItem>>> {
        Ok(match kind {
            TenantKind::Customer => self.available_for_customer.clone(),
            TenantKind::Partner => self.available_for_partner.clone(),
        })
    }
    fn display_name(&self) -> String {
        self.display_name.clone()
    }
}

/// Field → messages, in the order found; serializes as a JSON object (`details.errors`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ValidationErrors(Vec<(String, Vec<String>)>);

impl ValidationErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        let message = message.into();
        match self.0.iter_mut().find(|(f, _)| f == field) {
            Some((_, list)) => list.push(message),
            None => self.0.push((field.to_string(), vec![message])),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Messages of one field (empty when none).
    pub fn get(&self, field: &str) -> &[String] {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_slice())
            .unwrap_or(&[])
    }
    /// Fields with messages, in order.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(f, _)| f.as_str())
    }
}

impl Serialize for ValidationErrors {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (field, messages) in &self.0 {
            map.serialize_entry(field, messages)?;
        }
        map.end()
    }
}

/// What the validated body is for.
pub enum Operation<'a> {
    /// New template: a body `id` is refused; partners are stored as `admin`.
    Create,
    /// Existing template: only name, description, advanced packs and the tree change; the
    /// server changes only when the stored one no longer exists. `id_exists` answers the
    /// "id must exist" rule for an `id` in the body.
    Update {
        stored: &'a Template,
        stored_server_exists: bool,
        id_exists: &'a dyn Fn(i64) -> bool,
    },
}

/// Validates a template body; returns the data to store.
pub fn validate_template(
    input: &Value,
    platform: &dyn PlatformView,
    op: Operation<'_>,
) -> TemplateResult<TemplateData> {
    let cat = catalog()?;
    let mut errors = ValidationErrors::default();
    let Some(body) = input.as_object() else {
        errors.add("name", "The name field is required.");
        return Err(TemplateError::Invalid(errors));
    };
    let field = |k: &str| body.get(k).unwrap_or(&Value::Null);
    id_rule(&op, field("id"), &mut errors)?;
    let scalars = Scalars::read(&field, &mut errors);
    // Rules that depend on the tenant kind use the stored one on update: it is immutable.
    let effective_kind = match &op {
        Operation::Update { stored, .. } => Some(stored.data.tenant_kind),
        Operation::Create => scalars.tenant_kind,
    };
    scalars.partner_rules(effective_kind, &mut errors);
    let staged = Staged {
        cat,
        platform,
        customer: effective_kind == Some(TenantKind::Customer),
        kind: effective_kind,
        enabled: OnceCell::new(),
        items: OnceCell::new(),
        infras: OnceCell::new(),
        available: OnceCell::new(),
    };
    let applications = applications_rule(field("applications"), staged, &mut errors)?;
    let advanced_packs = advanced_packs_rule(
        field("advanced_packs"),
        applications.as_deref(),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(TemplateError::Invalid(errors));
    }
    let data = scalars.into_data(applications, advanced_packs)?;
    Ok(keep_stored(data, op))
}

/// A body `id`: refused on create, must name an existing template on update.
fn id_rule(op: &Operation<'_>, id: &Value, errors: &mut ValidationErrors) -> TemplateResult<()> {
    match (op, id) {
        (_, Value::Null) => {}
        (Operation::Create, _) => return Err(TemplateError::IdOnCreate),
        (Operation::Update { id_exists, .. }, v) => match integer(v) {
            Some(id) if id >= 1 && id_exists(id) => {}
            _ => errors.add("id", "Object with this id does not exist."),
        },
    }
    Ok(())
}

/// The body's scalar fields, each `None` when missing or refused (the reason is in the errors).
struct Scalars {
    name: Option<String>,
    description: Option<String>,
    server_id: Option<i64>,
    tenant_kind: Option<TenantKind>,
    user_role: Option<UserRole>,
    mode: Option<Mode>,
    management_mode: Option<ManagementMode>,
    two_factor_auth: Option<bool>,
    enhanced_security: Option<bool>,
}

impl Scalars {
    fn read<'v>(field: &impl Fn(&str) -> &'v Value, errors: &mut ValidationErrors) -> Self {
        Scalars {
            name: name_rule(field("name"), errors),
            description: description_rule(field("description"), errors),
            server_id: server_id_rule(field("server_id"), errors),
            tenant_kind: enum_rule(
                field("tenant_kind"),
                "tenant kind",
                true,
                TenantKind::parse,
                "partner, customer",
                errors,
            ),
            user_role: enum_rule(
                field("user_role"),
                "user role",
                false,
                UserRole::parse,
                "admin, user",
                errors,
            ),
            mode: enum_rule(
                field("mode"),
                "mode",
                false,
                Mode::parse,
                "trial, production",
                errors,
            ),
            management_mode: enum_rule(
                field("management_mode"),
                "management mode",
                false,
                ManagementMode::parse,
                "self_service, managed_by_service_provider",
                errors,
            ),
            two_factor_auth: bool_rule(field("two_factor_auth"), "two factor auth", errors),
            enhanced_security: bool_rule(field("enhanced_security"), "enhanced security", errors),
        }
    }

    /// Trial mode and enhanced security exist for customers only.
    fn partner_rules(&self, kind: Option<TenantKind>, errors: &mut ValidationErrors) {
        if kind != Some(TenantKind::Partner) {
            return;
        }
        if self.mode == Some(Mode::Trial) {
            errors.add(
                "mode",
                "The trial mode is available only for customer templates.",
            );
        }
        if self.enhanced_security == Some(true) {
            errors.add(
                "enhanced_security",
                "The enhanced security mode is available only for customer templates.",
            );
        }
    }

    /// The data of a valid body, with the defaults of the optional fields.
    fn into_data(
        self,
        applications: Option<Vec<Application>>,
        advanced_packs: Option<Vec<String>>,
    ) -> TemplateResult<TemplateData> {
        let (
            Some(name),
            Some(description),
            Some(server_id),
            Some(tenant_kind),
            Some(applications),
            Some(advanced_packs),
        ) = (
            self.name,
            self.description,
            self.server_id,
            self.tenant_kind,
            applications,
            advanced_packs,
        )
        else {
            return Err(TemplateError::Other(crate::infra::error::Error::internal(
                "template validation passed without a value",
            )));
        };
        Ok(TemplateData {
            name,
            description,
            server_id,
            tenant_kind,
            // Least privilege when the UI sent nothing; partners' users are always admins.
            user_role: if tenant_kind == TenantKind::Partner {
                UserRole::Admin
            } else {
                self.user_role.unwrap_or(UserRole::User)
            },
            mode: self.mode.unwrap_or(Mode::Production),
            management_mode: self.management_mode.unwrap_or(ManagementMode::SelfService),
            two_factor_auth: self.two_factor_auth.unwrap_or(false),
            enhanced_security: self.enhanced_security.unwrap_or(false),
            advanced_packs,
            applications,
        })
    }
}

/// The `applications` tree: required, an array, and valid stage by stage against the catalog
/// and the platform (`Staged`).
fn applications_rule(
    v: &Value,
    mut staged: Staged<'_>,
    errors: &mut ValidationErrors,
) -> TemplateResult<Option<Vec<Application>>> {
    let apps = match v {
        Value::Array(a) if !a.is_empty() => a,
        Value::Null | Value::Array(_) => {
            errors.add("applications", "The applications field is required.");
            return Ok(None);
        }
        _ => {
            errors.add("applications", "The applications must be an array.");
            return Ok(None);
        }
    };
    let messages = staged.run(apps)?;
    for m in &messages {
        errors.add("applications", m.clone());
    }
    Ok(messages.is_empty().then(|| parse_applications(apps)))
}

/// On update, what a template may not change comes from the stored one: the tenant kind, the
/// user's role and the tenant settings, and the server unless the stored one is gone.
fn keep_stored(mut data: TemplateData, op: Operation<'_>) -> TemplateData {
    if let Operation::Update {
        stored,
        stored_server_exists,
        ..
    } = op
    {
        let s = &stored.data;
        data.tenant_kind = s.tenant_kind;
        data.user_role = s.user_role;
        data.mode = s.mode;
        data.management_mode = s.management_mode;
        data.two_factor_auth = s.two_factor_auth;
        data.enhanced_security = s.enhanced_security;
        if stored_server_exists {
            data.server_id = s.server_id;
        }
    }
    data
}

/// Laravel `integer`: a JSON integer or a string of one (`"5"`).
pub(crate) fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let t = s.strip_prefix('+').unwrap_or(s);
            if t.is_empty()
                || !t
                    .trim_start_matches('-')
                    .bytes()
                    .all(|b| b.is_ascii_digit())
            {
                return None;
            }
            t.parse().ok()
        }
        _ => None,
    }
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// `name`: required, string, 3..=255 characters (trimmed).
pub(crate) fn name_rule(v: &Value, errors: &mut ValidationErrors) -> Option<String> {
    if is_blank(v) {
        errors.add("name", "The name field is required.");
        return None;
    }
    let Value::String(s) = v else {
        errors.add("name", "The name must be a string.");
        return None;
    };
    let s = s.trim();
    let len = s.chars().count();
    if len < 3 {
        errors.add("name", "The name must be at least 3 characters.");
        return None;
    }
    if len > 255 {
        errors.add("name", "The name may not be greater than 255 characters.");
        return None;
    }
    Some(s.to_string())
}

fn description_rule(v: &Value, errors: &mut ValidationErrors) -> Option<String> {
    match v {
        Value::Null => Some(String::new()),
        Value::String(s) if s.chars().count() > 1024 => {
            errors.add(
                "description",
                "The description may not be greater than 1024 characters.",
            );
            None
        }
        Value::String(s) => Some(s.trim().to_string()),
        _ => {
            errors.add("description", "The description must be a string.");
            None
        }
    }
}

fn server_id_rule(v: &Value, errors: &mut ValidationErrors) -> Option<i64> {
    if is_blank(v) {
        errors.add("server_id", "The server id field is required.");
        return None;
    }
    match integer(v) {
        None => {
            errors.add("server_id", "The server id must be an integer.");
            None
        }
        Some(n) if n < 1 => {
            errors.add("server_id", "The server id must be at least 1.");
            None
        }
        Some(n) => Some(n),
    }
}

fn enum_rule<T>(
    v: &Value,
    label: &str,
    required: bool,
    parse: fn(&str) -> Option<T>,
    valid: &str,
    errors: &mut ValidationErrors,
) -> Option<T> {
    let key = label.replace(' ', "_");
    if is_blank(v) {
        if required {
            errors.add(&key, format!("The {label} field is required."));
        }
        return None;
    }
    match v.as_str().and_then(parse) {
        Some(x) => Some(x),
        None => {
            errors.add(
                &key,
                format!("The selected {label} is invalid. Valid values: {valid}"),
            );
            None
        }
    }
}

/// Laravel `boolean`: true/false, 0/1, "0"/"1", "true"/"false".
fn bool_rule(v: &Value, label: &str, errors: &mut ValidationErrors) -> Option<bool> {
    let parsed = match v {
        Value::Null => return None,
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.as_str() {
            "0" | "false" => Some(false),
            "1" | "true" => Some(true),
            _ => None,
        },
        _ => None,
    };
    if parsed.is_none() {
        errors.add(
            &label.replace(' ', "_"),
            format!("The {label} field must be true or false."),
        );
    }
    parsed
}

/// Advanced packs (manual 6.1): known names, each needing its application active.
fn advanced_packs_rule(
    v: &Value,
    applications: Option<&[Application]>,
    errors: &mut ValidationErrors,
) -> Option<Vec<String>> {
    let list = match v {
        Value::Null => return Some(Vec::new()),
        Value::Array(a) => a,
        _ => {
            errors.add("advanced_packs", "The advanced packs must be an array.");
            return None;
        }
    };
    let valid: Vec<&str> = ADVANCED_PACKS.iter().map(|(n, _)| *n).collect();
    let mut wanted = HashSet::new();
    for entry in list {
        match entry.as_str().filter(|s| valid.contains(s)) {
            Some(s) => {
                wanted.insert(s);
            }
            None => {
                errors.add(
                    "advanced_packs",
                    format!(
                        "The selected advanced packs is invalid. Valid values: {}",
                        valid.join(", ")
                    ),
                );
                return None;
            }
        }
    }
    let mut out = Vec::new();
    for (pack, app) in ADVANCED_PACKS {
        if !wanted.contains(pack) {
            continue;
        }
        if let Some(apps) = applications {
            let active = apps
                .iter()
                .any(|a| a.kind == *app && a.status == Status::Active);
            if !active {
                errors.add(
                    "advanced_packs",
                    format!(
                        "The advanced pack \"{pack}\" requires the active application \"{app}\"."
                    ),
                );
                continue;
            }
        }
        out.push((*pack).to_string());
    }
    Some(out)
}

/// Staged `applications` rules with lazily fetched platform facts.
struct Staged<'a> {
    cat: &'a Catalog,
    platform: &'a dyn PlatformView,
    customer: bool,
    kind: Option<TenantKind>,
    enabled: OnceCell<Vec<String>>,
    items: OnceCell<Vec<RootOfferingItem>>,
    infras: OnceCell<Vec<String>>,
    available: OnceCell<Option<Vec<RootOfferingItem>>>,
}

fn fetch<T>(cell: &OnceCell<T>, f: impl FnOnce() -> Result<T>) -> Result<&T> {
    if let Some(v) = cell.get() {
        return Ok(v);
    }
    let v = f()?;
    Ok(cell.get_or_init(|| v))
}

fn with_details(message: &str, details: Value) -> String {
    format!("{message} Details: {details}")
}

fn status_of(v: &Value) -> Option<Status> {
    v.as_str().and_then(Status::parse)
}

impl Staged<'_> {
    fn run(&mut self, apps: &[Value]) -> Result<Vec<String>> {
        if let Some(m) = self.stage_applications(apps)? {
            return Ok(vec![m]);
        }
        if let Some(m) = self.stage_editions(apps)? {
            return Ok(vec![m]);
        }
        let mut out = Vec::new();
        for app in apps {
            if let Some(m) = self.stage_items(app)? {
                out.push(m);
            }
        }
        Ok(out)
    }

    fn stage_applications(&self, apps: &[Value]) -> Result<Option<String>> {
        let mut seen = HashSet::new();
        for app in apps {
            let details = json!({ "application": app });
            let obj = app.as_object();
            let has = |k: &str| obj.and_then(|o| o.get(k)).is_some_and(|v| !v.is_null());
            if !["type", "status", "editions", "offering_items"]
                .iter()
                .all(|k| has(k))
            {
                return Ok(Some(with_details(
                    "Application is missing properties. Required: type, status, editions and offering_items",
                    details,
                )));
            }
            let kind = app.get("type").and_then(Value::as_str).unwrap_or("");
            if self.cat.application(kind).is_none() {
                return Ok(Some(with_details(
                    "Invalid application type in applications list (missing meta info)",
                    details,
                )));
            }
            let enabled = fetch(&self.enabled, || self.platform.enabled_application_types())?;
            if !enabled.iter().any(|e| e == kind) {
                return Ok(Some(with_details(
                    "Application type in applications list is not enabled for root tenant",
                    details,
                )));
            }
            if app.get("status").and_then(status_of).is_none() {
                return Ok(Some(with_details(
                    "An application's status is not valid. Allowed values: active, inactive.",
                    details,
                )));
            }
            // Stored with a unique (template, type) key: a duplicate would fail on save.
            if !seen.insert(kind) {
                return Ok(Some(with_details(
                    "Application type appears more than once in applications list.",
                    details,
                )));
            }
        }
        let any_active = apps
            .iter()
            .any(|a| a.get("status").and_then(status_of) == Some(Status::Active));
        if !any_active {
            let summary: Vec<Value> = apps
                .iter()
                .map(|a| json!({"type": a.get("type"), "status": a.get("status")}))
                .collect();
            return Ok(Some(with_details(
                "At least one application must be active.",
                json!({ "application(s)": summary }),
            )));
        }
        Ok(None)
    }

    fn stage_editions(&self, apps: &[Value]) -> Result<Option<String>> {
        let items = fetch(&self.items, || self.platform.root_offering_items())?;
        let valid: HashSet<&str> = items
            .iter()
            .filter(|i| i.status == 1)
            .filter_map(|i| i.edition.as_deref())
            .collect();
        for app in apps {
            let problem = match app.get("editions").and_then(Value::as_array) {
                None => Some("Missing property \"editions\"."),
                Some(editions) => editions
                    .iter()
                    .find_map(|e| Self::edition_problem(e, &valid))
                    .or_else(|| Self::edition_count_problem(app, editions, self.customer)),
            };
            if let Some(m) = problem {
                let kind = app.get("type").cloned().unwrap_or(Value::Null);
                let editions_value = app.get("editions").cloned().unwrap_or(Value::Null);
                return Ok(Some(with_details(
                    m,
                    json!({"application": kind, "edition(s)": editions_value}),
                )));
            }
        }
        Ok(None)
    }

    /// What is wrong with one edition entry: its shape, its name (the root must offer it), or its
    /// status.
    fn edition_problem(e: &Value, valid: &HashSet<&str>) -> Option<&'static str> {
        let ok = e
            .as_object()
            .is_some_and(|o| o.len() == 2 && o.contains_key("name") && o.contains_key("status"));
        if !ok {
            return Some("Incorrect edition format. Edition must have \"name\" and \"status\".");
        }
        if !e
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| valid.contains(n))
        {
            return Some("Edition is not present in cloud.");
        }
        if e.get("status").and_then(status_of).is_none() {
            return Some(
                "Edition has an invalid status. Status must be \"active\" or \"inactive\"",
            );
        }
        None
    }

    /// How many editions may be active: at least one in an active application that has editions
    /// (exactly one for a customer tenant), none in an inactive one.
    fn edition_count_problem(
        app: &Value,
        editions: &[Value],
        customer: bool,
    ) -> Option<&'static str> {
        let active_editions = editions
            .iter()
            .filter(|e| e.get("status").and_then(status_of) == Some(Status::Active))
            .count();
        let app_active = app.get("status").and_then(status_of) == Some(Status::Active);
        if app_active && !editions.is_empty() {
            if active_editions == 0 {
                return Some(
                    "Active application must have at least one active edition (if there are any).",
                );
            }
            if customer && active_editions != 1 {
                return Some(
                    "Applications can have only one edition when the tenant kind is customer.",
                );
            }
        }
        if !app_active && active_editions > 0 {
            return Some("Inactive application cannot have editions which are enabled.");
        }
        None
    }

    /// First failing rule of one application's offering items.
    fn stage_items(&self, app: &Value) -> Result<Option<String>> {
        let app_type = app.get("type").and_then(Value::as_str).unwrap_or("");
        let fail = |m: &str, item: &Value| {
            Some(with_details(
                m,
                json!({"application": app_type, "offering_item": item}),
            ))
        };
        let Some(items) = app.get("offering_items").and_then(Value::as_array) else {
            return Ok(fail(
                "Invalid offering item, required fields: name, measurement_unit, status.",
                app.get("offering_items").unwrap_or(&Value::Null),
            ));
        };
        if self.customer {
            if let Some(item) = second_active_of_a_name(items) {
                return Ok(fail(
                    "Only one infrastructure component can be enabled for a tenant of the \"Customer\" type.",
                    item,
                ));
            }
        }
        let root = fetch(&self.items, || self.platform.root_offering_items())?;
        let view = AppItems {
            app_type,
            active: is_active(app),
            editions: editions_of(app),
            active_root: root
                .iter()
                .filter(|i| i.status == 1)
                .map(|i| i.name.as_str())
                .collect(),
            name_active: names_active(items),
        };
        for item in items {
            if let Some(m) = self.item_rule(&view, item)? {
                return Ok(fail(&m, item));
            }
        }
        Ok(None)
    }

    /// First failing rule of one offering item: its shape, its place in the catalog and the
    /// template, its values, then what the platform offers.
    fn item_rule(&self, view: &AppItems<'_>, item: &Value) -> Result<Option<String>> {
        let s = |k: &str| item.get(k).and_then(Value::as_str);
        let (Some(name), Some(unit), Some(_)) = (
            s("name"),
            s("measurement_unit"),
            item.get("status").filter(|v| !v.is_null()),
        ) else {
            return Ok(Some(
                "Invalid offering item, required fields: name, measurement_unit, status.".into(),
            ));
        };
        if !view.active_root.contains(name) {
            return Ok(Some(format!(
                "Offering item does not exist in {}. Check available offering items in the parent tenant.",
                self.platform.display_name()
            )));
        }
        let Some(meta) = self.cat.offering_item(name) else {
            return Ok(Some("Offering item has no meta information.".into()));
        };
        let active = is_active(item);
        if let Some(m) = placement_rule(view, meta, unit, active) {
            return Ok(Some(m.into()));
        }
        if let Some(m) = self.value_rule(item, meta)? {
            return Ok(Some(m.into()));
        }
        if !active {
            return Ok(None);
        }
        if let Some(parent) = meta.parent_offering_item.as_deref() {
            if view.name_active.get(parent) != Some(&true) {
                return Ok(Some(
                    "Offering item is a child of an offering item that is inactive or missing."
                        .into(),
                ));
            }
        }
        self.availability_rule(item, name)
    }

    /// Quota, status and infrastructure of an item.
    fn value_rule(
        &self,
        item: &Value,
        meta: &crate::platform::catalog::OfferingItem,
    ) -> Result<Option<&'static str>> {
        let quota = item.get("quota_value").unwrap_or(&Value::Null);
        if quota_value(quota).is_err() {
            return Ok(Some(
                "Offering item quota value (if set) must be a positive integer.",
            ));
        }
        if item.get("status").and_then(status_of).is_none() {
            return Ok(Some(
                "Offering item status must be either \"active\" or \"inactive\".",
            ));
        }
        let known_infra = match infra_id(item.get("infra_id").unwrap_or(&Value::Null)) {
            Ok(None) => true,
            Ok(Some(id)) => fetch(&self.infras, || self.platform.root_infra_ids())?
                .iter()
                .any(|i| i.eq_ignore_ascii_case(&id)),
            Err(()) => false,
        };
        if !known_infra {
            return Ok(Some(
                "Offering item has infra id that doesn't exist in Cloud.",
            ));
        }
        if meta.is_feature() && matches!(quota_value(quota), Ok(Some(_))) {
            return Ok(Some(
                "Offering item that is a feature cannot have quota value.",
            ));
        }
        Ok(None)
    }

    /// An active item must be one the root tenant may give to a tenant of the template's kind.
    fn availability_rule(&self, item: &Value, name: &str) -> Result<Option<String>> {
        let Some(kind) = self.kind else {
            return Ok(None);
        };
        let available = fetch(&self.available, || self.platform.available_for_child(kind))?;
        let Some(list) = available else {
            return Ok(None);
        };
        let iid = infra_id(item.get("infra_id").unwrap_or(&Value::Null))
            .ok()
            .flatten();
        let found = list.iter().any(|a| {
            a.name == name
                && (iid.is_none()
                    || a.infra_id.as_deref().map(str::to_ascii_lowercase)
                        == iid.as_deref().map(str::to_ascii_lowercase))
        });
        Ok((!found).then(|| {
            format!(
                "Offering item is not available for a tenant of the \"{}\" type.",
                kind.as_str()
            )
        }))
    }
}

/// What the item rules read of one application.
struct AppItems<'v> {
    app_type: &'v str,
    active: bool,
    /// The application's editions: name and status.
    editions: Vec<(&'v str, Option<Status>)>,
    /// Names of the root tenant's active offering items.
    active_root: HashSet<&'v str>,
    /// Per item name: whether an item of that name is active (a child needs its parent).
    name_active: HashMap<&'v str, bool>,
}

fn is_active(v: &Value) -> bool {
    v.get("status").and_then(status_of) == Some(Status::Active)
}

fn editions_of(app: &Value) -> Vec<(&str, Option<Status>)> {
    app.get("editions")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|e| {
                    (
                        e.get("name").and_then(Value::as_str).unwrap_or(""),
                        e.get("status").and_then(status_of),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn names_active(items: &[Value]) -> HashMap<&str, bool> {
    items
        .iter()
        .filter_map(|i| Some((i.get("name")?.as_str()?, is_active(i))))
        .fold(HashMap::new(), |mut m, (n, a)| {
            let e = m.entry(n).or_insert(false);
            *e = *e || a;
            m
        })
}

/// A customer's tenant gets one infrastructure per item: the second active item of a name.
fn second_active_of_a_name(items: &[Value]) -> Option<&Value> {
    let mut seen = HashSet::new();
    items.iter().filter(|i| is_active(i)).find(|item| {
        item.get("name")
            .and_then(Value::as_str)
            .is_some_and(|name| !seen.insert(name))
    })
}

/// An item's application, unit and edition must match the catalog and the template.
fn placement_rule(
    view: &AppItems<'_>,
    meta: &crate::platform::catalog::OfferingItem,
    unit: &str,
    active: bool,
) -> Option<&'static str> {
    if meta.application != view.app_type {
        return Some(
            "Offering item application type is different than application type in meta info.",
        );
    }
    if meta.measurement_unit != unit {
        return Some("Offering item measurement unit is not the same as in meta info.");
    }
    if active && !view.active {
        return Some("Active offering item cannot belong to inactive application.");
    }
    let edition = meta.edition.as_deref().filter(|_| active)?;
    let edition_active = view
        .editions
        .iter()
        .any(|(n, st)| *n == edition && *st == Some(Status::Active));
    (!view.editions.is_empty() && !edition_active)
        .then_some("Active offering item cannot belong to missing or inactive edition.")
}

/// Quota: null or `""` (J.2 #16) = unlimited; otherwise a non-negative JSON integer.
fn quota_value(v: &Value) -> std::result::Result<Option<i64>, ()> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::Number(n) => n.as_i64().filter(|q| *q >= 0).map(Some).ok_or(()),
        _ => Err(()),
    }
}

/// Infra id: null or `""` = none; otherwise a string.
fn infra_id(v: &Value) -> std::result::Result<Option<String>, ()> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s.trim().to_string())),
        _ => Err(()),
    }
}

/// Builds the typed tree from an `applications` array that passed the staged rules.
fn parse_applications(apps: &[Value]) -> Vec<Application> {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let status = |v: &Value| {
        v.get("status")
            .and_then(status_of)
            .unwrap_or(Status::Inactive)
    };
    apps.iter()
        .map(|a| Application {
            kind: text(a, "type"),
            status: status(a),
            editions: a
                .get("editions")
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .map(|e| Edition {
                            name: text(e, "name"),
                            status: status(e),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            offering_items: a
                .get("offering_items")
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .map(|i| OfferingItem {
                            name: text(i, "name"),
                            infra_id: infra_id(i.get("infra_id").unwrap_or(&Value::Null))
                                .ok()
                                .flatten(),
                            status: status(i),
                            measurement_unit: text(i, "measurement_unit"),
                            quota_value: quota_value(i.get("quota_value").unwrap_or(&Value::Null))
                                .ok()
                                .flatten(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::templates::model::Template;
    use serde_json::json;
    use std::cell::Cell;

    const IB: &str = "66d7d7b2-4844-4ebd-b467-d407f7234bb1";
    const IB2: &str = "11111111-2222-3333-4444-555555555555";

    fn root(name: &str, edition: Option<&str>, infra: Option<&str>) -> RootOfferingItem {
        RootOfferingItem {
            name: name.into(),
            infra_id: infra.map(Into::into),
            edition: edition.map(Into::into),
            status: 1,
        }
    }

    fn facts() -> PlatformFacts {
        PlatformFacts {
            enabled_application_types: vec![
                "platform".into(),
                "backup".into(),
                "files_cloud".into(),
            ],
            root_offering_items: vec![
                root("local_storage", None, None),
                root("pw_workstations", Some("per_workload"), None),
                root("pw_o365_seats", Some("per_workload"), None),
                root("pw_o365_mailboxes", Some("per_workload"), None),
                root("pw_storage", Some("per_workload"), Some(IB)),
                root("pw_storage", Some("per_workload"), Some(IB2)),
                root("pg_storage", Some("per_gigabyte"), Some(IB)),
                root("fc_seats", None, None),
            ],
            root_infra_ids: vec![IB.into(), IB2.into()],
            available_for_customer: None,
            available_for_partner: None,
            display_name: "Acronis EU2".into(),
        }
    }

    fn body(kind: &str) -> Value {
        json!({
            "name": "Customers PW", "description": "desc", "server_id": 1,
            "tenant_kind": kind, "user_role": "admin",
            "applications": [{
                "type": "backup", "status": "active",
                "editions": [{"name": "per_workload", "status": "active"}],
                "offering_items": [
                    {"name": "pw_workstations", "measurement_unit": "quantity",
                     "infra_id": null, "quota_value": 10, "status": "active"},
                    {"name": "pw_storage", "measurement_unit": "bytes",
                     "infra_id": IB, "quota_value": 107374182400u64, "status": "active"}
                ]
            }]
        })
    }

    fn create(v: &Value) -> TemplateResult<TemplateData> {
        validate_template(v, &facts(), Operation::Create)
    }

    fn errors(v: &Value) -> ValidationErrors {
        match create(v) {
            Err(TemplateError::Invalid(e)) => e,
            other => panic!("expected validation errors, got {other:?}"),
        }
    }

    fn field_errors(v: &Value, field: &str) -> Vec<String> {
        errors(v).get(field).to_vec()
    }

    /// First `applications` message, without its details.
    fn app_error(v: &Value) -> String {
        let all = field_errors(v, "applications");
        let first = all.first().cloned().unwrap_or_default();
        first
            .split(" Details: ")
            .next()
            .unwrap_or_default()
            .to_string()
    }

    fn item(v: &mut Value, i: usize) -> &mut Value {
        &mut v["applications"][0]["offering_items"][i]
    }

    #[test]
    fn valid_customer_template() {
        let t = create(&body("customer")).unwrap();
        assert_eq!(t.name, "Customers PW");
        assert_eq!(t.tenant_kind, TenantKind::Customer);
        assert_eq!(t.user_role, UserRole::Admin);
        assert_eq!(t.mode, Mode::Production);
        assert_eq!(t.management_mode, ManagementMode::SelfService);
        assert!(!t.two_factor_auth && !t.enhanced_security);
        let items = &t.applications[0].offering_items;
        assert_eq!(items[1].quota_value, Some(107_374_182_400));
        assert_eq!(items[1].infra_id.as_deref(), Some(IB));
    }

    // ---- field rules (C.2 table) ----

    #[test]
    fn name_required() {
        let mut v = body("customer");
        v["name"] = json!("");
        assert_eq!(field_errors(&v, "name"), ["The name field is required."]);
        v.as_object_mut().unwrap().remove("name");
        assert_eq!(field_errors(&v, "name"), ["The name field is required."]);
    }

    #[test]
    fn name_string() {
        let mut v = body("customer");
        v["name"] = json!(123);
        assert_eq!(field_errors(&v, "name"), ["The name must be a string."]);
    }

    #[test]
    fn name_max_255() {
        let mut v = body("customer");
        v["name"] = json!("x".repeat(256));
        assert_eq!(
            field_errors(&v, "name"),
            ["The name may not be greater than 255 characters."]
        );
        v["name"] = json!("x".repeat(255));
        assert!(create(&v).is_ok());
    }

    #[test]
    fn name_min_3_server_side() {
        let mut v = body("customer");
        v["name"] = json!("ab");
        assert_eq!(
            field_errors(&v, "name"),
            ["The name must be at least 3 characters."]
        );
    }

    #[test]
    fn description_max_1024() {
        let mut v = body("customer");
        v["description"] = json!("d".repeat(1025));
        assert_eq!(
            field_errors(&v, "description"),
            ["The description may not be greater than 1024 characters."]
        );
        v["description"] = json!(null);
        assert_eq!(create(&v).unwrap().description, "");
    }

    #[test]
    fn server_id_integer() {
        let mut v = body("customer");
        v["server_id"] = json!("abc");
        assert_eq!(
            field_errors(&v, "server_id"),
            ["The server id must be an integer."]
        );
        v["server_id"] = json!(1.5);
        assert_eq!(
            field_errors(&v, "server_id"),
            ["The server id must be an integer."]
        );
        v["server_id"] = json!("2");
        assert_eq!(create(&v).unwrap().server_id, 2);
    }

    #[test]
    fn server_id_at_least_1() {
        let mut v = body("customer");
        v["server_id"] = json!(0);
        assert_eq!(
            field_errors(&v, "server_id"),
            ["The server id must be at least 1."]
        );
        v.as_object_mut().unwrap().remove("server_id");
        assert_eq!(
            field_errors(&v, "server_id"),
            ["The server id field is required."]
        );
    }

    #[test]
    fn tenant_kind_in_list() {
        let mut v = body("reseller");
        assert_eq!(
            field_errors(&v, "tenant_kind"),
            ["The selected tenant kind is invalid. Valid values: partner, customer"]
        );
        v.as_object_mut().unwrap().remove("tenant_kind");
        assert_eq!(
            field_errors(&v, "tenant_kind"),
            ["The tenant kind field is required."]
        );
    }

    #[test]
    fn user_role_in_list() {
        let mut v = body("customer");
        v["user_role"] = json!("root");
        assert_eq!(
            field_errors(&v, "user_role"),
            ["The selected user role is invalid. Valid values: admin, user"]
        );
        v.as_object_mut().unwrap().remove("user_role");
        assert_eq!(create(&v).unwrap().user_role, UserRole::User);
    }

    #[test]
    fn id_on_create_is_refused() {
        let mut v = body("customer");
        v["id"] = json!(5);
        let e = create(&v).unwrap_err();
        assert_eq!(e, TemplateError::IdOnCreate);
        assert_eq!(
            e.message(),
            "Cannot create template with set \"id\". Maybe you wanted to update instead?"
        );
    }

    #[test]
    fn id_on_update_must_exist() {
        let stored = stored_customer();
        let mut v = body("customer");
        v["id"] = json!(99);
        let none = |_: i64| false;
        let err = validate_template(
            &v,
            &facts(),
            Operation::Update {
                stored: &stored,
                stored_server_exists: true,
                id_exists: &none,
            },
        )
        .unwrap_err();
        let TemplateError::Invalid(e) = err else {
            panic!()
        };
        assert_eq!(e.get("id"), ["Object with this id does not exist."]);
    }

    #[test]
    fn applications_required_and_array() {
        let mut v = body("customer");
        v["applications"] = json!([]);
        assert_eq!(
            field_errors(&v, "applications"),
            ["The applications field is required."]
        );
        v["applications"] = json!("backup");
        assert_eq!(
            field_errors(&v, "applications"),
            ["The applications must be an array."]
        );
    }

    #[test]
    fn errors_serialize_laravel_style() {
        let mut v = body("customer");
        v["name"] = json!("");
        v["server_id"] = json!("abc");
        let e = serde_json::to_value(errors(&v)).unwrap();
        assert_eq!(
            e,
            json!({"name":["The name field is required."],
                   "server_id":["The server id must be an integer."]})
        );
    }

    // ---- stage 1: applications ----

    #[test]
    fn s1_application_missing_properties() {
        let mut v = body("customer");
        v["applications"][0]
            .as_object_mut()
            .unwrap()
            .remove("editions");
        assert_eq!(
            app_error(&v),
            "Application is missing properties. Required: type, status, editions and offering_items"
        );
        let full = field_errors(&v, "applications");
        assert!(
            full[0].contains(" Details: {\"application\":"),
            "{}",
            full[0]
        );
    }

    #[test]
    fn s1_application_type_without_meta() {
        let mut v = body("customer");
        v["applications"][0]["type"] = json!("fax_service");
        assert_eq!(
            app_error(&v),
            "Invalid application type in applications list (missing meta info)"
        );
    }

    #[test]
    fn s1_application_not_enabled_for_root() {
        let mut v = body("customer");
        v["applications"][0]["type"] = json!("notary");
        assert_eq!(
            app_error(&v),
            "Application type in applications list is not enabled for root tenant"
        );
    }

    #[test]
    fn s1_application_status() {
        let mut v = body("customer");
        v["applications"][0]["status"] = json!("on");
        assert_eq!(
            app_error(&v),
            "An application's status is not valid. Allowed values: active, inactive."
        );
    }

    #[test]
    fn s1_at_least_one_active() {
        let mut v = body("customer");
        v["applications"][0]["status"] = json!("inactive");
        v["applications"][0]["editions"][0]["status"] = json!("inactive");
        assert_eq!(app_error(&v), "At least one application must be active.");
    }

    #[test]
    fn s1_duplicate_application_type() {
        let mut v = body("partner");
        let app = v["applications"][0].clone();
        v["applications"].as_array_mut().unwrap().push(app);
        assert_eq!(
            app_error(&v),
            "Application type appears more than once in applications list."
        );
    }

    // ---- stage 2: editions ----

    #[test]
    fn s2_editions_must_be_array() {
        let mut v = body("customer");
        v["applications"][0]["editions"] = json!("per_workload");
        assert_eq!(app_error(&v), "Missing property \"editions\".");
    }

    #[test]
    fn s2_edition_format() {
        let mut v = body("customer");
        v["applications"][0]["editions"][0]["extra"] = json!(1);
        assert_eq!(
            app_error(&v),
            "Incorrect edition format. Edition must have \"name\" and \"status\"."
        );
    }

    #[test]
    fn s2_edition_present_in_cloud() {
        let mut v = body("customer");
        v["applications"][0]["editions"][0]["name"] = json!("advanced");
        assert_eq!(app_error(&v), "Edition is not present in cloud.");
    }

    #[test]
    fn s2_edition_status() {
        let mut v = body("customer");
        v["applications"][0]["editions"][0]["status"] = json!("yes");
        assert_eq!(
            app_error(&v),
            "Edition has an invalid status. Status must be \"active\" or \"inactive\""
        );
    }

    #[test]
    fn s2_active_application_needs_active_edition() {
        let mut v = body("customer");
        v["applications"][0]["editions"][0]["status"] = json!("inactive");
        assert_eq!(
            app_error(&v),
            "Active application must have at least one active edition (if there are any)."
        );
    }

    #[test]
    fn s2_customer_only_one_edition_l48() {
        let mut v = body("customer");
        v["applications"][0]["editions"] = json!([
            {"name": "per_workload", "status": "active"},
            {"name": "per_gigabyte", "status": "active"}
        ]);
        let msg = &field_errors(&v, "applications")[0];
        assert!(msg.starts_with(
            "Applications can have only one edition when the tenant kind is customer. Details: "
        ));
        let mut p = v.clone();
        p["tenant_kind"] = json!("partner");
        assert!(create(&p).is_ok());
    }

    #[test]
    fn s2_inactive_application_without_active_edition() {
        let mut v = body("partner");
        v["applications"].as_array_mut().unwrap().push(json!({
            "type": "files_cloud", "status": "inactive",
            "editions": [{"name": "per_workload", "status": "active"}],
            "offering_items": []
        }));
        assert_eq!(
            app_error(&v),
            "Inactive application cannot have editions which are enabled."
        );
    }

    // ---- stage 3: offering items ----

    #[test]
    fn s3_customer_one_infra_per_item_l49() {
        let mut v = body("customer");
        v["applications"][0]["offering_items"]
            .as_array_mut()
            .unwrap()
            .push(json!(
                {"name": "pw_storage", "measurement_unit": "bytes", "infra_id": IB2,
                 "quota_value": null, "status": "active"}
            ));
        assert_eq!(
            app_error(&v),
            "Only one infrastructure component can be enabled for a tenant of the \"Customer\" type."
        );
        v["tenant_kind"] = json!("partner");
        assert!(create(&v).is_ok());
    }

    #[test]
    fn s3_item_required_fields() {
        let mut v = body("customer");
        item(&mut v, 0)
            .as_object_mut()
            .unwrap()
            .remove("measurement_unit");
        assert_eq!(
            app_error(&v),
            "Invalid offering item, required fields: name, measurement_unit, status."
        );
    }

    #[test]
    fn s3_item_exists_in_root_with_display_name() {
        let mut v = body("customer");
        item(&mut v, 0)["name"] = json!("pw_servers");
        assert_eq!(
            app_error(&v),
            "Offering item does not exist in Acronis EU2. Check available offering items in the parent tenant."
        );
    }

    #[test]
    fn s3_item_has_meta() {
        let mut f = facts();
        f.root_offering_items
            .push(root("brand_new_item", None, None));
        let mut v = body("customer");
        item(&mut v, 0)["name"] = json!("brand_new_item");
        let Err(TemplateError::Invalid(e)) = validate_template(&v, &f, Operation::Create) else {
            panic!()
        };
        assert!(e.get("applications")[0].starts_with("Offering item has no meta information."));
    }

    #[test]
    fn s3_item_application_matches_meta() {
        let mut v = body("customer");
        item(&mut v, 0)["name"] = json!("fc_seats");
        assert_eq!(
            app_error(&v),
            "Offering item application type is different than application type in meta info."
        );
    }

    #[test]
    fn s3_item_unit_matches_meta() {
        let mut v = body("customer");
        item(&mut v, 1)["measurement_unit"] = json!("gigabytes");
        assert_eq!(
            app_error(&v),
            "Offering item measurement unit is not the same as in meta info."
        );
    }

    #[test]
    fn s3_active_item_needs_active_application() {
        let mut v = body("partner");
        v["applications"].as_array_mut().unwrap().push(json!({
            "type": "files_cloud", "status": "inactive", "editions": [],
            "offering_items": [{"name": "fc_seats", "measurement_unit": "quantity",
                                "status": "active"}]
        }));
        assert_eq!(
            app_error(&v),
            "Active offering item cannot belong to inactive application."
        );
    }

    #[test]
    fn s3_active_item_needs_active_edition() {
        let mut v = body("customer");
        v["applications"][0]["editions"] = json!([
            {"name": "per_workload", "status": "inactive"},
            {"name": "per_gigabyte", "status": "active"}
        ]);
        assert_eq!(
            app_error(&v),
            "Active offering item cannot belong to missing or inactive edition."
        );
    }

    #[test]
    fn s3_quota_positive_integer_l50() {
        for bad in [json!("10"), json!(-1), json!(1.5), json!(true), json!([1])] {
            let mut v = body("customer");
            item(&mut v, 0)["quota_value"] = bad.clone();
            assert_eq!(
                app_error(&v),
                "Offering item quota value (if set) must be a positive integer.",
                "{bad}"
            );
        }
    }

    #[test]
    fn s3_empty_string_quota_is_unlimited_j2_16() {
        let mut v = body("customer");
        item(&mut v, 0)["quota_value"] = json!("");
        let t = create(&v).unwrap();
        assert_eq!(t.applications[0].offering_items[0].quota_value, None);
        item(&mut v, 0)["quota_value"] = json!(0);
        assert_eq!(
            create(&v).unwrap().applications[0].offering_items[0].quota_value,
            Some(0)
        );
    }

    #[test]
    fn s3_item_status() {
        let mut v = body("customer");
        item(&mut v, 0)["status"] = json!("enabled");
        assert_eq!(
            app_error(&v),
            "Offering item status must be either \"active\" or \"inactive\"."
        );
    }

    #[test]
    fn s3_infra_id_exists() {
        let mut v = body("customer");
        item(&mut v, 1)["infra_id"] = json!("99999999-2222-3333-4444-555555555555");
        assert_eq!(
            app_error(&v),
            "Offering item has infra id that doesn't exist in Cloud."
        );
        item(&mut v, 1)["infra_id"] = json!("");
        assert_eq!(
            create(&v).unwrap().applications[0].offering_items[1].infra_id,
            None
        );
    }

    #[test]
    fn s3_feature_without_quota_l50() {
        let mut v = body("customer");
        v["applications"][0]["offering_items"].as_array_mut().unwrap().extend([
            json!({"name": "pw_o365_seats", "measurement_unit": "quantity", "status": "active"}),
            json!({"name": "pw_o365_mailboxes", "measurement_unit": "feature",
                   "quota_value": 5, "status": "active"}),
        ]);
        assert!(field_errors(&v, "applications")[0]
            .starts_with("Offering item that is a feature cannot have quota value."));
    }

    #[test]
    fn s3_child_needs_active_parent_l50() {
        let mut v = body("customer");
        v["applications"][0]["offering_items"].as_array_mut().unwrap().extend([
            json!({"name": "pw_o365_seats", "measurement_unit": "quantity", "status": "inactive"}),
            json!({"name": "pw_o365_mailboxes", "measurement_unit": "feature", "status": "active"}),
        ]);
        assert!(field_errors(&v, "applications")[0].starts_with(
            "Offering item is a child of an offering item that is inactive or missing."
        ));
        v["applications"][0]["offering_items"][2]["status"] = json!("active");
        assert!(create(&v).is_ok());
    }

    #[test]
    fn s3_first_failure_per_application() {
        let mut v = body("partner");
        item(&mut v, 0)["status"] = json!("x");
        item(&mut v, 1)["quota_value"] = json!("y");
        v["applications"].as_array_mut().unwrap().push(json!({
            "type": "files_cloud", "status": "active", "editions": [],
            "offering_items": [{"name": "fc_seats", "measurement_unit": "bytes", "status": "active"}]
        }));
        let msgs = field_errors(&v, "applications");
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(
            msgs[0].starts_with("Offering item status must be"),
            "{}",
            msgs[0]
        );
        assert!(
            msgs[1].starts_with("Offering item measurement unit"),
            "{}",
            msgs[1]
        );
    }

    #[test]
    fn s3_available_for_child_when_known() {
        let mut f = facts();
        f.available_for_customer = Some(vec![root("pw_workstations", None, None)]);
        let Err(TemplateError::Invalid(e)) =
            validate_template(&body("customer"), &f, Operation::Create)
        else {
            panic!()
        };
        assert!(e.get("applications")[0]
            .starts_with("Offering item is not available for a tenant of the \"customer\" type."));
    }

    #[test]
    fn stages_fetch_platform_lazily() {
        struct Counting(Cell<u32>);
        impl PlatformView for Counting {
            fn enabled_application_types(&self) -> Result<Vec<String>> {
                Ok(vec![])
            }
            fn root_offering_items(&self) -> Result<Vec<RootOfferingItem>> {
                self.0.set(self.0.get() + 1);
                Ok(vec![])
            }
            fn root_infra_ids(&self) -> Result<Vec<String>> {
                self.0.set(self.0.get() + 1);
                Ok(vec![])
            }
            fn display_name(&self) -> String {
                String::new()
            }
        }
        let p = Counting(Cell::new(0));
        let r = validate_template(&body("customer"), &p, Operation::Create);
        assert!(matches!(r, Err(TemplateError::Invalid(_))));
        assert_eq!(
            p.0.get(),
            0,
            "stage 1 failed, later facts must not be fetched"
        );
    }

    #[test]
    fn platform_failure_is_not_a_validation_error() {
        struct Down;
        impl PlatformView for Down {
            fn enabled_application_types(&self) -> Result<Vec<String>> {
                Err(crate::infra::error::Error::transport("connection refused"))
            }
            fn root_offering_items(&self) -> Result<Vec<RootOfferingItem>> {
                Ok(vec![])
            }
            fn root_infra_ids(&self) -> Result<Vec<String>> {
                Ok(vec![])
            }
            fn display_name(&self) -> String {
                String::new()
            }
        }
        let r = validate_template(&body("customer"), &Down, Operation::Create);
        assert!(matches!(r, Err(TemplateError::Other(_))), "{r:?}");
    }

    // ---- create / update specifics ----

    #[test]
    fn partner_forced_admin_l46() {
        let mut v = body("partner");
        v["user_role"] = json!("user");
        assert_eq!(create(&v).unwrap().user_role, UserRole::Admin);
    }

    fn stored_customer() -> Template {
        Template {
            id: 7,
            data: create(&body("customer")).unwrap(),
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn update_keeps_immutable_fields_l51() {
        let mut stored = stored_customer();
        stored.data.mode = Mode::Trial;
        stored.data.two_factor_auth = true;
        let mut v = body("partner");
        v["user_role"] = json!("user");
        v["name"] = json!("New name");
        v["server_id"] = json!(2);
        v["mode"] = json!("production");
        v["two_factor_auth"] = json!(false);
        v["management_mode"] = json!("managed_by_service_provider");
        let yes = |_: i64| true;
        let d = validate_template(
            &v,
            &facts(),
            Operation::Update {
                stored: &stored,
                stored_server_exists: true,
                id_exists: &yes,
            },
        )
        .unwrap();
        assert_eq!(d.name, "New name");
        assert_eq!(d.tenant_kind, TenantKind::Customer);
        assert_eq!(d.user_role, UserRole::Admin);
        assert_eq!(d.server_id, 1);
        assert_eq!(d.mode, Mode::Trial);
        assert!(d.two_factor_auth);
        assert_eq!(d.management_mode, ManagementMode::SelfService);
    }

    #[test]
    fn update_replaces_server_only_when_gone() {
        let stored = stored_customer();
        let mut v = body("customer");
        v["server_id"] = json!(2);
        let yes = |_: i64| true;
        let d = validate_template(
            &v,
            &facts(),
            Operation::Update {
                stored: &stored,
                stored_server_exists: false,
                id_exists: &yes,
            },
        )
        .unwrap();
        assert_eq!(d.server_id, 2);
    }

    #[test]
    fn update_uses_stored_tenant_kind_for_rules() {
        let stored = stored_customer();
        let mut v = body("partner");
        v["applications"][0]["editions"] = json!([
            {"name": "per_workload", "status": "active"},
            {"name": "per_gigabyte", "status": "active"}
        ]);
        let yes = |_: i64| true;
        let r = validate_template(
            &v,
            &facts(),
            Operation::Update {
                stored: &stored,
                stored_server_exists: true,
                id_exists: &yes,
            },
        );
        assert!(matches!(r, Err(TemplateError::Invalid(_))));
    }

    // ---- manual-only settings (J.1 #10) ----

    #[test]
    fn manual_settings_accepted() {
        let mut v = body("customer");
        v["mode"] = json!("trial");
        v["management_mode"] = json!("managed_by_service_provider");
        v["two_factor_auth"] = json!(true);
        v["enhanced_security"] = json!("1");
        v["advanced_packs"] = json!(["advanced_security", "advanced_backup", "advanced_backup"]);
        let t = create(&v).unwrap();
        assert_eq!(t.mode, Mode::Trial);
        assert_eq!(t.management_mode, ManagementMode::ManagedByServiceProvider);
        assert!(t.two_factor_auth && t.enhanced_security);
        assert_eq!(t.advanced_packs, ["advanced_backup", "advanced_security"]);
    }

    #[test]
    fn mode_in_list_and_customer_only() {
        let mut v = body("customer");
        v["mode"] = json!("demo");
        assert_eq!(
            field_errors(&v, "mode"),
            ["The selected mode is invalid. Valid values: trial, production"]
        );
        let mut p = body("partner");
        p["mode"] = json!("trial");
        assert_eq!(
            field_errors(&p, "mode"),
            ["The trial mode is available only for customer templates."]
        );
    }

    #[test]
    fn management_mode_in_list() {
        let mut v = body("customer");
        v["management_mode"] = json!("managed");
        assert_eq!(
            field_errors(&v, "management_mode"),
            ["The selected management mode is invalid. Valid values: self_service, managed_by_service_provider"]
        );
    }

    #[test]
    fn security_switches_are_booleans() {
        let mut v = body("customer");
        v["two_factor_auth"] = json!("maybe");
        v["enhanced_security"] = json!(2);
        let e = errors(&v);
        assert_eq!(
            e.get("two_factor_auth"),
            ["The two factor auth field must be true or false."]
        );
        assert_eq!(
            e.get("enhanced_security"),
            ["The enhanced security field must be true or false."]
        );
    }

    #[test]
    fn enhanced_security_customer_only() {
        let mut v = body("partner");
        v["enhanced_security"] = json!(true);
        assert_eq!(
            field_errors(&v, "enhanced_security"),
            ["The enhanced security mode is available only for customer templates."]
        );
    }

    #[test]
    fn advanced_packs_known_and_need_active_application() {
        let mut v = body("customer");
        v["advanced_packs"] = json!(["advanced_magic"]);
        assert!(field_errors(&v, "advanced_packs")[0]
            .starts_with("The selected advanced packs is invalid. Valid values: advanced_backup,"));
        v["advanced_packs"] = json!(["advanced_files_cloud"]);
        assert_eq!(
            field_errors(&v, "advanced_packs"),
            ["The advanced pack \"advanced_files_cloud\" requires the active application \"files_cloud\"."]
        );
        v["advanced_packs"] = json!("advanced_backup");
        assert_eq!(
            field_errors(&v, "advanced_packs"),
            ["The advanced packs must be an array."]
        );
    }
}
