//! Migration of a module-v1 installation ("Acronis Backup Cloud Provisioning Module", server
//! type `AcronisBackupService`) during addon activation (docs/behaviour.md §I.2).
//!
//! The WHMCS side gathers the v1 rows; [`migrate`] checks, reads the Cloud and decides
//! everything before anything is written, so a problem anywhere aborts with nothing changed.
//! Only then are servers converted to API clients and templates stored; the [`Outcome`] lists
//! the WHMCS rows to change, which the PHP glue writes in one database transaction.

pub mod activation;
pub mod legacy_editions;
pub mod legacy_switch;
pub mod options;
pub mod product;
pub mod sqlite_import;
pub mod v1_api;
pub mod version;

#[cfg(test)]
mod tests;

use crate::features::templates::{TemplateData, TemplateStorage};
use crate::infra::config_yaml::Config;
use crate::infra::error::{Error, Result};
use crate::infra::logging::Level;
use crate::platform::connection::Connection;
use crate::platform::http::Exchange;
use crate::platform::root_facts::Platform;
use crate::platform::server_settings::{Grant, ServerRecord};
use options::{OptionRename, V1Option};
use product::V1Product;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// Messages collected on the way; the migration goes on.
pub type Warnings = Vec<String>;

/// WHMCS server type of module v1.
pub const V1_SERVER_TYPE: &str = "AcronisBackupService";
/// Table module v1 kept its settings in; dropped after a migration.
pub const V1_TABLE: &str = "AcronisBackupService_modulevars";
/// v1 product custom fields that held the Cloud ids.
pub const V1_FIELDS: &[&str] = &["GroupID", "AdminID", "Login"];

/// A WHMCS server (`tblservers`, password decrypted): the v1 ones and the servers a product's
/// "Storage" setting may name.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ServerRow {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub hostname: String,
    #[serde(default)]
    pub port: String,
    #[serde(default)]
    pub secure: bool,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub accesshash: String,
}

impl ServerRow {
    fn record(&self) -> ServerRecord {
        ServerRecord {
            id: Some(self.id),
            name: self.name.clone(),
            hostname: self.hostname.clone(),
            port: self.port.clone(),
            secure: self.secure,
            username: self.username.clone(),
            password: self.password.clone(),
            accesshash: self.accesshash.clone(),
        }
    }
}

/// A service of a v1 product with its v1 custom-field values.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct V1Service {
    pub id: i64,
    /// `tblhosting.server`; 0 = the product's server.
    #[serde(default)]
    pub server: i64,
    #[serde(default)]
    pub group_id: String,
    #[serde(default)]
    pub admin_id: String,
}

/// A v1 product with its services, its v1 custom-field definitions and linked options.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProductInput {
    pub product: V1Product,
    #[serde(default)]
    pub services: Vec<V1Service>,
    /// Ids of the product's `GroupID` / `AdminID` / `Login` field definitions.
    #[serde(default)]
    pub v1_field_ids: Vec<i64>,
    #[serde(default)]
    pub options: Vec<V1Option>,
}

/// Everything the WHMCS side knows about the v1 installation.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct V1Input {
    /// Text of `<WHMCS>/includes/Acronis/Vers.ion`; `None` when it cannot be read.
    pub version_file: Option<String>,
    pub version_path: String,
    #[serde(default)]
    pub whmcs_version: String,
    pub servers: Vec<ServerRow>,
    pub products: Vec<ProductInput>,
}

/// New API-client credentials of a converted server.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct NewCredentials {
    pub client_id: String,
    pub client_secret: String,
    pub hostname: String,
    pub port: Option<u16>,
    pub secure: bool,
}

impl std::fmt::Debug for NewCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"*****")
            .finish()
    }
}

/// A v1 server becomes an `acroniscloud` server (with new credentials when converted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerChange {
    pub id: i64,
    pub credentials: Option<NewCredentials>,
}

/// New custom-field values of one service (empty = left empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ServiceValues {
    pub id: i64,
    pub tenant_id: String,
    pub user_id: String,
    pub cloud_login: String,
}

/// A v1 product becomes an `acroniscloud` product using `template_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductChange {
    pub id: i64,
    pub template_id: i64,
    /// v1 field definitions to delete with their values.
    pub v1_field_ids: Vec<i64>,
    pub services: Vec<ServiceValues>,
}

/// What the WHMCS side must write, plus the warnings for the admin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub warnings: Warnings,
    pub servers: Vec<ServerChange>,
    pub products: Vec<ProductChange>,
    pub options: Vec<OptionRename>,
    /// Templates created (to discard if the WHMCS write fails).
    pub templates: Vec<i64>,
}

/// Opens connections on demand, one per WHMCS server, kept for the whole migration so the
/// catalogue-like reads are made once per server.
struct Servers<'a> {
    rows: &'a [ServerRow],
    config: &'a Config,
    open: HashMap<i64, Connection>,
}

impl Servers<'_> {
    fn row(&self, id: i64) -> Option<&ServerRow> {
        self.rows.iter().find(|r| r.id == id)
    }

    fn conn(&mut self, id: i64) -> Result<&mut Connection> {
        if !self.open.contains_key(&id) {
            let row = self
                .row(id)
                .ok_or_else(|| Error::internal(format!("Server {id} was not passed in.")))?;
            let conn = Connection::new(&row.record(), self.config.clone())?;
            self.open.insert(id, conn);
        }
        self.open
            .get_mut(&id)
            .ok_or_else(|| Error::internal("connection vanished"))
    }

    fn exchanges(&mut self) -> Vec<Exchange> {
        self.open
            .values_mut()
            .flat_map(Connection::take_exchanges)
            .collect()
    }
}

/// A product decided but not written yet.
struct Draft {
    id: i64,
    data: TemplateData,
    v1_field_ids: Vec<i64>,
    services: Vec<ServiceValues>,
}

/// Runs the v1 migration (see the module doc). `new_version` names this module in messages.
/// Returns the outcome and the Cloud exchanges made (for the module log), also on error.
pub fn migrate(
    input: &V1Input,
    config: &Config,
    store: &dyn TemplateStorage,
    new_version: &str,
) -> (Result<Outcome>, Vec<Exchange>) {
    let mut servers = Servers {
        rows: &input.servers,
        config,
        open: HashMap::new(),
    };
    let result = run(input, config, store, new_version, &mut servers);
    (result, servers.exchanges())
}

fn run(
    input: &V1Input,
    config: &Config,
    store: &dyn TemplateStorage,
    new_version: &str,
    servers: &mut Servers<'_>,
) -> Result<Outcome> {
    check_preconditions(input, config, new_version)?;
    let mut out = Outcome::default();
    let v1_servers: Vec<&ServerRow> = input
        .servers
        .iter()
        .filter(|s| s.kind == V1_SERVER_TYPE)
        .collect();
    // Servers: valid settings, platform ≥ 8, root tenant known.
    for s in &v1_servers {
        servers.conn(s.id)?.root_tenant_id()?;
    }
    let mut renamed = BTreeSet::new();
    let mut children: HashMap<i64, Vec<v1_api::Group>> = HashMap::new();
    let mut drafts = Vec::new();
    for p in &input.products {
        let mut draft = draft_product(input, p, servers, &mut renamed, &mut out)?;
        for svc in &p.services {
            let values = service_values(
                svc,
                &p.product.name,
                draft.server_id,
                servers,
                &mut children,
                &mut out.warnings,
            )?;
            draft.draft.services.extend(values);
        }
        drafts.push(draft.draft);
    }
    // Everything is decided: now the Cloud side (API clients) and the template store.
    convert_servers(&v1_servers, servers, &input.whmcs_version, &mut out)?;
    store_drafts(drafts, store, &mut out)?;
    Ok(out)
}

/// The installed v1 version can be migrated, and the file log is on (the migration's
/// details go there, so the admin must be able to read them).
fn check_preconditions(input: &V1Input, config: &Config, new_version: &str) -> Result<()> {
    version::check(
        input.version_file.as_deref(),
        &input.version_path,
        new_version,
    )?;
    // A log without a file name writes nothing, so it does not count as enabled.
    if !config.logger.enabled || config.logger.filename.trim().is_empty() {
        return Err(Error::config(
            "Logging is not enabled for the module. To enable it, please refer to the Upgrade section in the module documentation.",
        ));
    }
    Ok(())
}

/// A product's draft and the server its "Storage" setting names.
struct ProductDraft {
    draft: Draft,
    server_id: i64,
}

/// The template of one v1 product (from its settings and its server's facts), its options
/// renamed once each, and the activation warning.
fn draft_product(
    input: &V1Input,
    p: &ProductInput,
    servers: &mut Servers<'_>,
    renamed: &mut BTreeSet<i64>,
    out: &mut Outcome,
) -> Result<ProductDraft> {
    let catalog = crate::platform::catalog::catalog()?;
    let name = p.product.name.as_str();
    let storage = product::parse_storage(&p.product)?;
    let kind = product::tenant_kind(&p.product)?;
    let server = input
        .servers
        .iter()
        .find(|s| s.name == storage.server_name)
        .ok_or_else(|| {
            Error::validation(format!(
                "Cannot find a server with name \"{}\". Please update module setting \"Storage\" in product {name}.",
                storage.server_name
            ))
        })?;
    let facts = product_facts(servers.conn(server.id)?, server.id, kind.as_str())?;
    let data = product::template(
        catalog,
        &p.product,
        &storage,
        kind,
        &facts,
        &mut out.warnings,
    )?;
    for o in &p.options {
        if renamed.contains(&o.id) {
            continue;
        }
        if let Some(r) = options::rename(catalog, o, kind, name, &mut out.warnings) {
            renamed.insert(o.id);
            out.options.push(r);
        }
    }
    if let Some(w) = product::activation_warning(&p.product) {
        out.warnings.push(w);
    }
    Ok(ProductDraft {
        draft: Draft {
            id: p.product.id,
            data,
            v1_field_ids: p.v1_field_ids.clone(),
            services: Vec::new(),
        },
        server_id: server.id,
    })
}

/// What the product's server offers a child tenant of `kind` (read from the platform).
fn product_facts(conn: &mut Connection, server_id: i64, kind: &str) -> Result<product::Facts> {
    let root = conn.root_tenant()?;
    let root_name = root
        .get("name")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut platform = Platform::new(conn);
    Ok(product::Facts {
        server_id,
        root_name,
        available: platform
            .available_for_child(kind)?
            .into_iter()
            .map(|i| (i.name, i.infra_id))
            .collect(),
        backup_infras: platform
            .root_infras()?
            .into_iter()
            .filter(|i| i.capabilities.iter().any(|c| c == "backup"))
            .map(|i| (i.id, i.name))
            .collect(),
    })
}

/// The Cloud ids of one v1 service (its group's tenant, its admin's user and login); `None`
/// with a warning when it has no group id.
fn service_values(
    svc: &V1Service,
    name: &str,
    product_server: i64,
    servers: &mut Servers<'_>,
    children: &mut HashMap<i64, Vec<v1_api::Group>>,
    warnings: &mut Vec<String>,
) -> Result<Option<ServiceValues>> {
    if svc.group_id.trim().is_empty() {
        warnings.push(format!(
            "There is no group ID specified for product {name}."
        ));
        return Ok(None);
    }
    let sid = if servers.row(svc.server).is_some() {
        svc.server
    } else {
        product_server
    };
    let sname = servers.row(sid).map(|r| r.name.clone()).unwrap_or_default();
    let conn = servers.conn(sid)?;
    let known = match children.entry(sid) {
        std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
        std::collections::hash_map::Entry::Vacant(v) => v.insert(v1_api::children(conn)?),
    };
    let gid = svc.group_id.trim();
    let group = v1_api::group(conn, known.as_slice(), gid)?.ok_or_else(|| {
        Error::validation(format!(
            "Cannot find group {gid} at server {sname}. Please check server ID for service {} or empty/update custom field \"GroupID\" if the group was manually deleted.",
            svc.id
        ))
    })?;
    let mut v = ServiceValues {
        id: svc.id,
        tenant_id: group.uuid.clone(),
        ..ServiceValues::default()
    };
    let aid = svc.admin_id.trim();
    if aid.is_empty() {
        warnings.push(format!(
            "There is no admin ID specified for product {name}."
        ));
    } else {
        let account = v1_api::account(conn, &group, aid)?.ok_or_else(|| {
            Error::validation(format!(
                "Cannot find user {aid} at server {sname}. Please check server ID for service {} or empty/update custom field \"AdminID\" if the user was manually deleted.",
                svc.id
            ))
        })?;
        v.user_id = account.uuid;
        v.cloud_login = account.login;
    }
    Ok(Some(v))
}

/// Converts each v1 server's login into an API client (the server hook's work), noting
/// the servers the admin must save again by hand.
fn convert_servers(
    v1_servers: &[&ServerRow],
    servers: &mut Servers<'_>,
    whmcs_version: &str,
    out: &mut Outcome,
) -> Result<()> {
    for s in v1_servers {
        let conn = servers.conn(s.id)?;
        let was_login = conn.settings().grant == Grant::Password;
        let saved = crate::features::server_hooks::server_saved(conn, whmcs_version);
        for w in &saved.warnings {
            conn.logger()
                .log(Level::Warning, &format!("v1 migration: {w}"));
        }
        if was_login && saved.converted.is_none() {
            out.warnings.push(format!(
                "Could not automatically convert the user credentials for the server \"{}\". Open this server and save it again without any changes for converting them to the new format.",
                s.name
            ));
        }
        out.servers.push(ServerChange {
            id: s.id,
            credentials: saved.converted.map(|c| NewCredentials {
                client_id: c.client_id,
                client_secret: c.client_secret,
                hostname: c.hostname,
                port: c.port,
                secure: c.secure,
            }),
        });
    }
    Ok(())
}

/// Stores every drafted template; a failure removes the ones stored so far, so a retried
/// migration starts clean.
fn store_drafts(drafts: Vec<Draft>, store: &dyn TemplateStorage, out: &mut Outcome) -> Result<()> {
    for d in drafts {
        match store.create(&d.data) {
            Ok(id) => {
                out.templates.push(id);
                out.products.push(ProductChange {
                    id: d.id,
                    template_id: id,
                    v1_field_ids: d.v1_field_ids,
                    services: d.services,
                });
            }
            Err(e) => {
                discard(store, &out.templates);
                return Err(Error::internal(e.message()));
            }
        }
    }
    Ok(())
}

/// Soft-deletes templates a failed migration created (the products keep their v1 settings).
pub fn discard(store: &dyn TemplateStorage, ids: &[i64]) {
    for id in ids {
        let _ = store.soft_delete(*id, &[]);
    }
}

/// The admin's message for a finished migration, in the admin's language: warnings are
/// numbered `[1] …  [2] …` (two spaces apart, as the reference).
pub fn summary(warnings: &[String], t: &crate::infra::i18n::Translator) -> String {
    if warnings.is_empty() {
        return t.translate("Module was successfully upgraded.");
    }
    let list: Vec<String> = warnings
        .iter()
        .enumerate()
        .map(|(i, w)| format!("[{}] {}", i + 1, t.translate_message(w)))
        .collect();
    t.tr(
        "Module was successfully upgraded with warnings. Warnings: {0}",
        &[&list.join("  ")],
    )
}
