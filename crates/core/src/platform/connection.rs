//! An authenticated session with one Acronis server: data-centre discovery, tokens, the single
//! re-authentication on 401, and the calls the module needs for servers (versions, root tenant,
//! API-client conversion, root-tenant tagging).

use crate::infra::config_yaml::Config;
use crate::infra::error::{Error, Result};
use crate::infra::hashing::key_of;
use crate::infra::logging::{FileLogger, Level};
use crate::platform::error_answer;
use crate::platform::http::{self, Body, Exchange, HttpOptions, Method, Request, Response};
use crate::platform::retry_policy::Caller;
use crate::platform::server_settings::{Grant, ServerRecord, ServerSettings};
use crate::platform::tags;
use crate::platform::token_cache;
use base64::Engine;
use serde_json::{json, Value};
use std::time::Duration;

/// Lowest platform major version the module supports (the reference's rule).
pub const MIN_PLATFORM_MAJOR: u64 = 8;

/// Credentials of a freshly created API client, and where the server must point now.
#[derive(Clone, PartialEq)]
pub struct ApiClientCredentials {
    pub client_id: String,
    pub client_secret: String,
    pub tenant_id: String,
    /// Host part of the data-centre URL.
    pub hostname: String,
    /// Port of the data-centre URL, when it names one.
    pub port: Option<u16>,
    pub secure: bool,
}

impl std::fmt::Debug for ApiClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClientCredentials")
            .field("client_id", &self.client_id)
            .field("tenant_id", &self.tenant_id)
            .field("hostname", &self.hostname)
            .finish_non_exhaustive()
    }
}

pub struct Connection {
    settings: ServerSettings,
    config: Config,
    http: HttpOptions,
    logger: FileLogger,
    /// Discovered data-centre URL (password grant) or the configured URL.
    base_url: Option<String>,
    token: Option<String>,
    root_tenant_id: Option<String>,
    platform_checked: bool,
    exchanges: Vec<Exchange>,
    /// GET answers already read in this request (docs/behaviour.md §H.2).
    memo: std::collections::HashMap<String, Value>,
}

pub fn http_options(cfg: &Config) -> HttpOptions {
    let c = &cfg.cloud_api;
    HttpOptions {
        connect_timeout: Duration::from_secs(c.connect_timeout),
        timeout: Duration::from_secs(c.timeout),
        ca_file: Some(c.ca_file.trim().to_string()).filter(|s| !s.is_empty()),
        retries: c.retries,
        backoff: Duration::from_millis(c.retry_backoff_ms),
        retry_after_max: Duration::from_secs(c.retry_after_max),
        retry_budget: None,
        allow_plain_http: c.allow_plain_http,
        max_body_bytes: c.max_response_mb.saturating_mul(1 << 20),
        max_download_bytes: cfg.usage_report.max_download_mb.saturating_mul(1 << 20),
    }
}

fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl Connection {
    pub fn new(record: &ServerRecord, config: Config) -> Result<Connection> {
        let settings = record.validate()?;
        let logger = FileLogger::from_config(&config.logger);
        if !config.cloud_api.verify_ssl {
            logger.log(
                Level::Warning,
                "cloud_api.verify_ssl: false is ignored: TLS certificates are always verified (trust a private CA with cloud_api.ca_file)",
            );
        }
        if config.cloud_api.allow_plain_http {
            logger.log(
                Level::Warning,
                "cloud_api.allow_plain_http: true: credentials may be sent over plain HTTP (test set-ups only)",
            );
        }
        Ok(Connection {
            http: http_options(&config),
            settings,
            config,
            logger,
            base_url: None,
            token: None,
            root_tenant_id: None,
            platform_checked: false,
            exchanges: Vec::new(),
            memo: std::collections::HashMap::new(),
        })
    }

    /// A connection for a person at a page (client area, single sign-on, admin pages and API):
    /// [`Connection::new`] with the interactive retry budget.
    pub fn interactive(record: &ServerRecord, config: Config) -> Result<Connection> {
        Connection::new(record, config).map(|c| c.for_caller(Caller::Interactive))
    }

    /// This connection with the retry rules of `caller`: a connection serving a person at a
    /// page gives up quickly (see [`crate::platform::retry_policy`]); background work keeps the
    /// configured retries. Connections start as background.
    pub fn for_caller(mut self, caller: Caller) -> Connection {
        self.http = http_options(&self.config).for_caller(caller);
        self
    }

    pub fn settings(&self) -> &ServerSettings {
        &self.settings
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn logger(&self) -> &FileLogger {
        &self.logger
    }

    /// Exchanges since the last call, for the WHMCS module log (already masked).
    pub fn take_exchanges(&mut self) -> Vec<Exchange> {
        std::mem::take(&mut self.exchanges)
    }

    /// Appends exchanges made by a helper connection so they are logged with this one's.
    pub fn absorb_exchanges(&mut self, mut more: Vec<Exchange>) {
        self.exchanges.append(&mut more);
    }

    fn ttl(&self) -> Duration {
        Duration::from_secs(self.config.cloud_api.access_token_ttl)
    }

    fn discovery_key(&self) -> String {
        key_of(&["dc", &self.settings.base_url(), &self.settings.username])
    }

    fn token_key(&self, base: &str) -> String {
        key_of(&[
            "token",
            base,
            &self.settings.username,
            &crate::infra::hashing::sha256_hex(self.settings.secret().as_bytes()),
        ])
    }

    /// Forgets cached tokens and data-centre URL of these credentials (server saved).
    pub fn forget_cached_credentials(&mut self) {
        token_cache::forget_data_centre(&self.discovery_key());
        let configured = self.settings.base_url();
        token_cache::forget_token(&self.token_key(&configured));
        if let Some(base) = self.base_url.clone() {
            token_cache::forget_token(&self.token_key(&base));
        }
        self.token = None;
    }

    fn raw(&mut self, req: Request) -> Result<Response> {
        self.logger.log(
            Level::Debug,
            &format!("Cloud API request {} {}", req.method.as_str(), req.url),
        );
        let out = http::send(&self.http, &req, &mut self.exchanges);
        if let Some(last) = self.exchanges.last() {
            self.logger.log(
                Level::Debug,
                &format!(
                    "Cloud API response {} {} -> {} in {} ms {}",
                    last.method,
                    last.url,
                    last.status,
                    last.millis,
                    last.error.as_deref().unwrap_or(&last.response_body)
                ),
            );
        }
        out
    }

    fn base_headers() -> Vec<(String, String)> {
        vec![
            ("X-Acronis-API".into(), "1".into()),
            ("Accept".into(), "application/json".into()),
        ]
    }

    /// The data-centre URL: discovered for the password grant, configured otherwise.
    pub fn base_url(&mut self) -> Result<String> {
        if let Some(b) = &self.base_url {
            return Ok(b.clone());
        }
        let configured = self.settings.base_url();
        let base = match self.settings.grant {
            Grant::ClientCredentials => configured,
            Grant::Password => {
                let key = self.discovery_key();
                match token_cache::cached_data_centre(&key) {
                    Some(url) => url,
                    None => {
                        let url = self.discover(&configured)?;
                        token_cache::store_data_centre(&key, &url, self.ttl());
                        url
                    }
                }
            }
        };
        self.base_url = Some(base.clone());
        Ok(base)
    }

    fn discover(&mut self, configured: &str) -> Result<String> {
        let url = format!(
            "{configured}/api/1/accounts?login={}",
            form_encode(&self.settings.username)
        );
        let resp = self.raw(Request {
            method: Method::Get,
            url,
            headers: Self::base_headers(),
            body: Body::None,
            idempotent: true,
        })?;
        let call = "GET /api/1/accounts";
        let v = self.json_of(&resp, call)?;
        let server_url = v
            .get("server_url")
            .and_then(Value::as_str)
            .map(|s| s.trim().trim_end_matches('/').to_string())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid_answer(call, "no server_url in the data-centre lookup"))?;
        match url::Url::parse(&server_url) {
            Ok(u) if (u.scheme() == "https" || u.scheme() == "http") && u.host_str().is_some() => {
                if self.settings.secure && u.scheme() == "http" {
                    return Err(Error::config(format!(
                        "The data-centre lookup for server {} answered an insecure URL ({server_url}); refusing to send credentials over plain HTTP.",
                        self.settings.label()
                    )));
                }
                Ok(server_url)
            }
            _ => Err(invalid_answer(
                call,
                &format!("server_url \"{server_url}\" is not an http(s) URL"),
            )),
        }
    }

    fn json_of(&self, resp: &Response, call: &str) -> Result<Value> {
        if !(200..300).contains(&resp.status) {
            return Err(Error::Api(Box::new(error_answer::from_response(
                resp, call,
            ))));
        }
        if resp.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&resp.body)
            .map_err(|e| invalid_answer(call, &format!("the body is not valid JSON ({e})")))
    }

    /// A token from the cache, or a new one from the token endpoint.
    fn access_token(&mut self, force: bool) -> Result<String> {
        let base = self.base_url()?;
        let key = self.token_key(&base);
        if !force {
            if let Some(t) = &self.token {
                return Ok(t.clone());
            }
            if let Some(t) = token_cache::cached_token(&key) {
                self.token = Some(t.clone());
                return Ok(t);
            }
        }
        token_cache::forget_token(&key);
        let (token, expires_on) = self.request_token(&base)?;
        let lifetime =
            token_cache::token_lifetime(expires_on, chrono::Utc::now().timestamp(), self.ttl());
        token_cache::store_token(&key, &token, lifetime);
        self.token = Some(token.clone());
        Ok(token)
    }

    fn request_token(&mut self, base: &str) -> Result<(String, Option<i64>)> {
        let mut headers = Self::base_headers();
        let form = match self.settings.grant {
            Grant::Password => vec![
                ("grant_type".to_string(), "password".to_string()),
                ("username".to_string(), self.settings.username.clone()),
                ("password".to_string(), self.settings.secret().to_string()),
            ],
            Grant::ClientCredentials => {
                let basic = base64::engine::general_purpose::STANDARD.encode(format!(
                    "{}:{}",
                    self.settings.username,
                    self.settings.secret()
                ));
                headers.push(("Authorization".into(), format!("Basic {basic}")));
                vec![("grant_type".to_string(), "client_credentials".to_string())]
            }
        };
        let resp = self.raw(Request {
            method: Method::Post,
            url: format!("{base}/api/2/idp/token"),
            headers,
            body: Body::Form(form),
            // Asking for a token twice has no side effect worth protecting.
            idempotent: true,
        })?;
        let call = "POST /api/2/idp/token";
        let v = self.json_of(&resp, call)?;
        let token = v
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid_answer(call, "no access_token in the token answer"))?
            .to_string();
        let now = chrono::Utc::now().timestamp();
        let expires_on = v.get("expires_on").and_then(Value::as_i64).or_else(|| {
            v.get("expires_in")
                .and_then(Value::as_i64)
                .map(|secs| now + secs)
        });
        Ok((token, expires_on))
    }

    /// An authenticated call to `path` (below the data-centre URL, e.g. `/api/2/versions`),
    /// re-authenticating exactly once on 401.
    pub fn call(
        &mut self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Result<Value> {
        let base = self.base_url()?;
        let mut url = format!("{base}{path}");
        if !query.is_empty() {
            let q: Vec<String> = query
                .iter()
                .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
                .collect();
            url.push('?');
            url.push_str(&q.join("&"));
        }
        let call = format!("{} {path}", method.as_str());
        let idempotent = matches!(method, Method::Get | Method::Put | Method::Delete);
        let mut forced = false;
        loop {
            let token = self.access_token(forced)?;
            let mut headers = Self::base_headers();
            headers.push(("Authorization".into(), format!("Bearer {token}")));
            let resp = self.raw(Request {
                method,
                url: url.clone(),
                headers,
                body: body.clone().map_or(Body::None, Body::Json),
                idempotent,
            })?;
            if resp.status == 401 && !forced {
                self.logger
                    .log(Level::Info, &format!("{call}: 401, re-authenticating once"));
                forced = true;
                continue;
            }
            return self.json_of(&resp, &call);
        }
    }

    /// Streams the body of an authenticated GET of `path` into `out` (report files: no
    /// `Accept`/`X-Acronis-API`, no decoding), re-authenticating once on 401, with `timeout`
    /// instead of the API timeout. A non-2xx answer is an [`Error::Api`].
    pub fn download(
        &mut self,
        path: &str,
        timeout: Duration,
        out: &mut dyn std::io::Write,
        progress: &mut dyn FnMut(u64),
    ) -> Result<http::Download> {
        let base = self.base_url()?;
        let url = format!("{base}{path}");
        let opts = HttpOptions {
            timeout,
            ..self.http.clone()
        };
        let call = format!("GET {path}");
        let mut forced = false;
        loop {
            let token = self.access_token(forced)?;
            let req = Request {
                method: Method::Get,
                url: url.clone(),
                headers: vec![("Authorization".into(), format!("Bearer {token}"))],
                body: Body::None,
                idempotent: true,
            };
            self.logger
                .log(Level::Debug, &format!("Cloud API download {url}"));
            let d = http::download(&opts, &req, out, progress, &mut self.exchanges)?;
            if d.status == 401 && !forced {
                forced = true;
                continue;
            }
            if !(200..300).contains(&d.status) {
                let resp = Response {
                    status: d.status,
                    headers: d.headers.clone(),
                    body: d.error_body.clone(),
                };
                return Err(Error::Api(Box::new(error_answer::from_response(
                    &resp, &call,
                ))));
            }
            return Ok(d);
        }
    }

    /// A GET answered at most once per connection (one WHMCS request): catalogue-like reads.
    pub fn call_memo(&mut self, path: &str, query: &[(&str, &str)]) -> Result<Value> {
        let key = format!("{path}?{query:?}");
        if let Some(v) = self.memo.get(&key) {
            return Ok(v.clone());
        }
        let v = self.call(Method::Get, path, query, None)?;
        self.memo.insert(key, v.clone());
        Ok(v)
    }

    /// `application.version` of `GET /api/2/versions`.
    pub fn platform_version(&mut self) -> Result<String> {
        let v = self.call(Method::Get, "/api/2/versions", &[], None)?;
        v.pointer("/application/version")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| invalid_answer("GET /api/2/versions", "no application.version"))
    }

    /// Refuses platforms older than 8.0 (checked once per connection).
    pub fn check_platform(&mut self) -> Result<()> {
        if self.platform_checked {
            return Ok(());
        }
        let version = self.platform_version()?;
        let major = version
            .split('.')
            .next()
            .and_then(|m| m.trim().parse::<u64>().ok());
        match major {
            Some(m) if m >= MIN_PLATFORM_MAJOR => {
                self.platform_checked = true;
                Ok(())
            }
            _ => Err(Error::config(format!(
                "The platform version of the server \"{}\" is earlier than the minimum supported version \"8.0\".",
                self.server_display_name()
            ))),
        }
    }

    fn server_display_name(&self) -> String {
        if self.settings.name.is_empty() {
            self.settings.host.clone()
        } else {
            self.settings.name.clone()
        }
    }

    /// Id of the tenant owning the credentials (users/me or clients/{id}).
    pub fn root_tenant_id(&mut self) -> Result<String> {
        if let Some(id) = &self.root_tenant_id {
            return Ok(id.clone());
        }
        self.check_platform()?;
        let (path, call) = match self.settings.grant {
            Grant::Password => ("/api/2/users/me".to_string(), "GET /api/2/users/me"),
            Grant::ClientCredentials => (
                format!("/api/2/clients/{}", form_encode(&self.settings.username)),
                "GET /api/2/clients/{id}",
            ),
        };
        let v = self.call(Method::Get, &path, &[], None)?;
        let id = v
            .get("tenant_id")
            .and_then(Value::as_str)
            .filter(|s| crate::infra::uuid::is_uuid(s))
            .ok_or_else(|| invalid_answer(call, "no valid tenant_id"))?
            .to_string();
        self.root_tenant_id = Some(id.clone());
        Ok(id)
    }

    pub fn tenant(&mut self, id: &str) -> Result<Value> {
        crate::infra::uuid::require(id, "tenant id")?;
        self.call(Method::Get, &format!("/api/2/tenants/{id}"), &[], None)
    }

    pub fn root_tenant(&mut self) -> Result<Value> {
        let id = self.root_tenant_id()?;
        self.tenant(&id)
    }

    /// TestConnection: secure channel, then discovery, token, version gate and root tenant.
    pub fn test_connection(&mut self) -> Result<()> {
        if !self.settings.secure {
            return Err(Error::config(
                "Cannot connect over insecure channel. Please, enable the SSL Mode for Connections bellow.",
            ));
        }
        self.root_tenant_id().map(|_| ())
    }

    /// Creates an API client in the root tenant from login/password credentials and proves it
    /// works (docs/platform-calls.md).
    pub fn create_api_client(&mut self) -> Result<ApiClientCredentials> {
        if self.settings.grant != Grant::Password {
            return Err(Error::validation(
                "The server already uses an API client (client_credentials).",
            ));
        }
        let tenant_id = self.root_tenant_id()?;
        let v = self.call(
            Method::Post,
            "/api/2/clients",
            &[],
            Some(json!({
                "type": "agent",
                "tenant_id": tenant_id,
                "token_endpoint_auth_method": "client_secret_basic",
            })),
        )?;
        let call = "POST /api/2/clients";
        let client_id = required_str(&v, "client_id", call)?;
        let client_secret = required_str(&v, "client_secret", call)?;
        let base = self.base_url()?;
        let url = url::Url::parse(&base)
            .map_err(|_| Error::internal(format!("bad data-centre URL {base}")))?;
        let hostname = url.host_str().unwrap_or_default().to_string();
        let creds = ApiClientCredentials {
            client_id,
            client_secret,
            tenant_id,
            hostname,
            port: url.port(),
            secure: url.scheme() == "https",
        };
        self.probe_api_client(&creds, &base)?;
        Ok(creds)
    }

    /// Step 3 of the API client creation: the new pair must work before the server is
    /// switched to it (the probe's exchanges join this connection's log).
    fn probe_api_client(&mut self, creds: &ApiClientCredentials, base: &str) -> Result<()> {
        let mut probe = Connection::new(
            &ServerRecord {
                id: self.settings.id,
                name: self.settings.name.clone(),
                hostname: base.to_string(),
                port: String::new(),
                secure: creds.secure,
                username: creds.client_id.clone(),
                password: creds.client_secret.clone(),
                accesshash: "client_credentials".into(),
            },
            self.config.clone(),
        )?;
        let probed = probe.access_token(true).map(|_| ());
        self.exchanges.append(&mut probe.take_exchanges());
        probed
    }

    /// Sets/overwrites keys in the root tenant's `internal_tag`, keeping foreign pairs; retries
    /// once on a version conflict.
    pub fn tag_root_tenant(&mut self, set: &[(&str, Option<&str>)], remove: &[&str]) -> Result<()> {
        let id = self.root_tenant_id()?;
        for attempt in 0..2 {
            let t = self.tenant(&id)?;
            let version = t
                .get("version")
                .and_then(Value::as_i64)
                .ok_or_else(|| invalid_answer("GET /api/2/tenants/{id}", "no version"))?;
            let current = t.get("internal_tag").and_then(Value::as_str).unwrap_or("");
            let updated = tags::remove(&tags::merge(current, set), remove);
            if updated == current {
                return Ok(());
            }
            match self.call(
                Method::Put,
                &format!("/api/2/tenants/{id}"),
                &[],
                Some(json!({"version": version, "internal_tag": updated})),
            ) {
                Err(Error::Api(e)) if e.status == 409 && attempt == 0 => continue,
                other => return other.map(|_| ()),
            }
        }
        Ok(())
    }
}

/// A non-empty string field of an answer to `call`.
fn required_str(v: &Value, key: &str, call: &str) -> Result<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| invalid_answer(call, &format!("no {key}")))
}

fn invalid_answer(call: &str, what: &str) -> Error {
    error_answer::unexpected(call, what)
}
