//! What happens when an admin saves or deletes an Acronis server (docs/behaviour.md §A.12).
//! These never fail the admin's save: problems come back as warnings, which the hook logs.

use crate::infra::logging::Level;
use crate::platform::connection::{ApiClientCredentials, Connection};
use crate::platform::server_settings::Grant;

pub const TAG_WHMCS_VERSION: &str = "whmcs-version";
pub const TAG_SERVER_ID: &str = "whmcs-server-id";
pub const TAG_MODULE_VERSION: &str = "whmcs-module-version";

#[derive(Debug, Default)]
pub struct ServerSavedOutcome {
    /// New credentials the server row must be switched to (password grant only).
    pub converted: Option<ApiClientCredentials>,
    pub tagged: bool,
    pub warnings: Vec<String>,
}

/// ServerAdd / ServerEdit: forget cached credentials, convert a login into an API client,
/// then record the WHMCS and module versions in the root tenant's internal tag.
pub fn server_saved(conn: &mut Connection, whmcs_version: &str) -> ServerSavedOutcome {
    let mut out = ServerSavedOutcome::default();
    conn.forget_cached_credentials();
    let label = conn.settings().label();
    if conn.settings().grant == Grant::Password {
        match conn.create_api_client() {
            Ok(creds) => {
                conn.logger().log(
                    Level::Notice,
                    &format!(
                        "Server {label}: login converted to API client {}",
                        creds.client_id
                    ),
                );
                out.converted = Some(creds);
            }
            Err(e) => out.warnings.push(format!(
                "Server {label}: could not convert the login into an API client, keeping username and password: {e}"
            )),
        }
    }
    let server_id = conn.settings().id.map(|i| i.to_string());
    let result = match &out.converted {
        // Tag with the new identity: the login's token may not be valid for long.
        Some(creds) => {
            let record = crate::platform::server_settings::ServerRecord {
                id: conn.settings().id,
                name: conn.settings().name.clone(),
                hostname: creds.hostname.clone(),
                port: creds.port.map(|p| p.to_string()).unwrap_or_default(),
                secure: creds.secure,
                username: creds.client_id.clone(),
                password: creds.client_secret.clone(),
                accesshash: "client_credentials".into(),
            };
            Connection::new(&record, conn.config().clone()).and_then(|mut c| {
                let r = tag(&mut c, whmcs_version, server_id.as_deref());
                conn_absorb(conn, &mut c);
                r
            })
        }
        None => tag(conn, whmcs_version, server_id.as_deref()),
    };
    match result {
        Ok(()) => out.tagged = true,
        Err(e) => out.warnings.push(format!(
            "Server {label}: could not tag the root tenant: {e}"
        )),
    }
    for w in &out.warnings {
        conn.logger().log(Level::Warning, w);
    }
    out
}

fn conn_absorb(into: &mut Connection, from: &mut Connection) {
    into.absorb_exchanges(from.take_exchanges());
}

fn tag(conn: &mut Connection, whmcs_version: &str, server_id: Option<&str>) -> crate::Result<()> {
    conn.tag_root_tenant(
        &[
            (TAG_WHMCS_VERSION, Some(whmcs_version)),
            (TAG_SERVER_ID, server_id),
            (TAG_MODULE_VERSION, Some(crate::VERSION)),
        ],
        &[],
    )
}

/// ServerDelete: remove our keys from the root tenant's internal tag.
pub fn server_deleted(conn: &mut Connection) -> Vec<String> {
    match conn.tag_root_tenant(&[], &[TAG_WHMCS_VERSION, TAG_SERVER_ID, TAG_MODULE_VERSION]) {
        Ok(()) => vec![],
        Err(e) => {
            let w = format!(
                "Server {}: could not clean the root tenant tag: {e}",
                conn.settings().label()
            );
            conn.logger().log(Level::Warning, &w);
            vec![w]
        }
    }
}
