//! `AcronisCloud\AcronisServer`: a connection to one Acronis server, built from a WHMCS server
//! record. Thin: each method forwards to `acroniscloud_core::platform::connection`.

use crate::convert::{server_record, to_zval, Options};
use crate::guard::{contain, guard};
use crate::module_log::ModuleLog;
use acroniscloud_core::infra::i18n::Translator;
use acroniscloud_core::platform::connection::{ApiClientCredentials, Connection};
use acroniscloud_core::{features::server_hooks, platform::http, platform::token_cache, Error};
use ext_php_rs::exception::PhpResult;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use serde_json::{json, Value};

#[php_class]
#[php(name = "AcronisCloud\\AcronisServer")]
pub struct AcronisServer {
    conn: Connection,
    log: ModuleLog,
    whmcs_version: String,
    /// Language of the admin who sees the messages (WHMCS language name or locale code).
    locale: String,
}

fn build(server: &ZendHashTable, options: Option<&ZendHashTable>) -> Result<AcronisServer, Error> {
    let opts = Options::new(options);
    let config = opts.config()?;
    let record = server_record(server)?;
    let conn = Connection::new(&record, config)?;
    Ok(AcronisServer {
        conn,
        log: ModuleLog::from_options(&opts, ""),
        whmcs_version: opts.str("whmcs_version"),
        locale: opts.str("locale"),
    })
}

/// Credentials of a new API client as PHP sees them (the secret is for the WHMCS row only).
fn credentials_json(k: &ApiClientCredentials) -> Value {
    json!({
        "client_id": k.client_id,
        "client_secret": k.client_secret,
        "tenant_id": k.tenant_id,
        "hostname": k.hostname,
        "port": k.port,
        "secure": k.secure,
    })
}

impl AcronisServer {
    /// Runs `f` on the connection and hands the exchanges to the module log, error or not.
    fn with<T>(&mut self, f: impl FnOnce(&mut Connection) -> Result<T, Error>) -> PhpResult<T> {
        let conn = &mut self.conn;
        let result = guard(|| f(conn));
        self.log.write(self.conn.take_exchanges());
        result
    }

    fn test_result(&mut self) -> Zval {
        let r = guard(|| Ok(self.conn.test_connection()));
        self.log.write(self.conn.take_exchanges());
        let v = match r {
            Ok(Ok(())) => json!({"success": true, "error": ""}),
            Ok(Err(e)) => json!({
                "success": false,
                "error": Translator::for_locale(&self.locale).translate_message(&e.to_string()),
            }),
            Err(_) => return Zval::new(),
        };
        to_zval(&v)
    }
}

#[php_impl]
impl AcronisServer {
    /// `$server`: module `$params` or a `tblservers` row with the password decrypted.
    /// `$options`: `config_file`, `module_log`, `module`, `function`, `whmcs_version`.
    pub fn __construct(server: &ZendHashTable, options: Option<&ZendHashTable>) -> PhpResult<Self> {
        guard(|| build(server, options))
    }

    /// WHMCS `MetaData` of the provisioning module.
    pub fn meta_data() -> Zval {
        to_zval(&acroniscloud_core::features::product_settings::meta_data())
    }

    /// Extension version.
    pub fn version() -> String {
        acroniscloud_core::VERSION.to_string()
    }

    /// Data-centre URL used for API calls (discovered for login/password servers).
    pub fn base_url(&mut self) -> PhpResult<String> {
        self.with(|c| c.base_url())
    }

    /// `application.version` reported by the platform.
    pub fn platform_version(&mut self) -> PhpResult<String> {
        self.with(|c| c.platform_version())
    }

    /// Id of the tenant that owns the credentials.
    pub fn root_tenant_id(&mut self) -> PhpResult<String> {
        self.with(|c| c.root_tenant_id())
    }

    /// The root tenant object as the platform returns it.
    pub fn root_tenant(&mut self) -> PhpResult<Zval> {
        self.with(|c| c.root_tenant().map(|v| to_zval(&v)))
    }

    /// WHMCS TestConnection result: `['success' => bool, 'error' => string]`.
    pub fn test_connection(&mut self) -> PhpResult<Zval> {
        let z = self.test_result();
        if z.is_null() {
            return guard(|| Err(Error::internal("test connection failed unexpectedly")));
        }
        Ok(z)
    }

    /// Creates an API client from login/password credentials; returns `client_id`,
    /// `client_secret`, `tenant_id`, `hostname`, `port`, `secure`.
    pub fn create_api_client(&mut self) -> PhpResult<Zval> {
        self.with(|c| Ok(to_zval(&credentials_json(&c.create_api_client()?))))
    }

    /// TestConnection for a WHMCS callback: never throws, bad records included.
    pub fn test_connection_for(server: &ZendHashTable, options: Option<&ZendHashTable>) -> Zval {
        match contain(|| build(server, options)) {
            Ok(mut s) => s.test_result(),
            // A rejected record is reported the WHMCS way instead of throwing.
            Err(e) => to_zval(&json!({
                "success": false,
                "error": Translator::for_locale(&Options::new(options).str("locale"))
                    .translate_message(&e.to_string()),
            })),
        }
    }

    /// ServerAdd/ServerEdit hook body. Returns `['converted' => null|array, 'tagged' => bool,
    /// 'warnings' => string[]]`; the caller stores converted credentials on the server row.
    pub fn server_saved(
        server: &ZendHashTable,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Zval> {
        let mut s = guard(|| build(server, options))?;
        let version = s.whmcs_version.clone();
        let out = s.with(|c| Ok(server_hooks::server_saved(c, &version)))?;
        let converted = out.converted.as_ref().map(credentials_json);
        Ok(to_zval(&json!({
            "converted": converted.unwrap_or(Value::Null),
            "tagged": out.tagged,
            "warnings": out.warnings,
        })))
    }

    /// ServerDelete hook body: removes the module's keys from the root tenant tag.
    /// Returns the warnings.
    pub fn server_deleted(
        server: &ZendHashTable,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Zval> {
        let mut s = guard(|| build(server, options))?;
        let warnings = s.with(|c| Ok(server_hooks::server_deleted(c)))?;
        Ok(to_zval(&json!(warnings)))
    }

    /// Forgets cached tokens and data-centre URLs of this process.
    pub fn clear_caches() {
        token_cache::clear_all();
    }

    /// Process-local cache sizes: `tokens`, `http_clients` (diagnostics and tests).
    pub fn cache_stats() -> Zval {
        to_zval(&json!({
            "tokens": token_cache::cached_token_count(),
            "http_clients": http::cached_clients(),
            "pid": std::process::id(),
        }))
    }
}
