//! Discovery, token endpoint, versions and API clients (docs/platform-calls.md, "Calls";
//! token errors: docs/simulator.md, "Token endpoint errors").

use super::{basic_credentials, need_uuid, seg, Ctx};
use crate::errors::{oauth_error, ApiError, ApiResult};
use crate::http::{form_pairs, Request, Response};
use crate::ids::{jwt_like, password_hash, random_hex};
use crate::server::Cluster;
use crate::state::{ApiClient, Principal, Token};
use serde_json::{json, Value};

fn oauth(status: u16, error: &str, desc: &str, reason: &str) -> ApiResult<Response> {
    Ok(Response::json(status, &oauth_error(error, desc, reason)))
}

/// `GET /api/1/accounts?login=` — answers with the DC hosting the login, on any DC.
pub fn discovery(cluster: &Cluster, idx: usize, req: &Request) -> ApiResult<Response> {
    let dc = cluster
        .dcs
        .get(idx)
        .ok_or_else(|| ApiError::internal("unknown DC"))?;
    let fault = dc.lock().faults.fire("discovery", "GET", &req.path);
    let login = req.query_param("login").unwrap_or_default();
    if let Some(p) = fault {
        return discovery_fault(cluster, idx, req, &p, &login);
    }
    if login.is_empty() {
        return Err(ApiError::bad_request("`login` query parameter is required"));
    }
    let key = login.to_lowercase();
    let mut url = dc.base_url(req.tls);
    let mut id = 0;
    for (i, other) in cluster.dcs.iter().enumerate() {
        let st = other.lock();
        if st.logins.contains_key(&key) {
            url = other.base_url(req.tls);
            id = i + 1;
            break;
        }
    }
    Ok(account_answer(&url, id, &login))
}

fn account_answer(url: &str, id: usize, login: &str) -> Response {
    Response::json(200, &json!({"server_url": url, "id": id, "login": login}))
}

/// The `discovery` fault's modes: `not_found`, an `error` status, a fixed `url`, or
/// (default) another DC's URL, so the module has to follow the answer.
fn discovery_fault(
    cluster: &Cluster,
    idx: usize,
    req: &Request,
    p: &Value,
    login: &str,
) -> ApiResult<Response> {
    match p.get("mode").and_then(Value::as_str).unwrap_or("other_dc") {
        "404" | "not_found" => Err(ApiError::not_found(format!("Login `{login}` not found"))),
        "5xx" | "error" => {
            let status = p.get("status").and_then(Value::as_u64).unwrap_or(503) as u16;
            Err(ApiError::new(
                status,
                status as i64,
                "Service unavailable",
                "Injected discovery failure",
            ))
        }
        "url" => {
            let url = p
                .get("url")
                .and_then(Value::as_str)
                .unwrap_or("http://127.0.0.1:9");
            Ok(account_answer(url, 0, login))
        }
        _ => {
            let target = p
                .get("dc")
                .and_then(Value::as_u64)
                .map(|n| n as usize)
                .unwrap_or((idx + 1) % cluster.dcs.len().max(1));
            let url = cluster
                .dcs
                .get(target)
                .map(|d| d.base_url(req.tls))
                .unwrap_or_default();
            Ok(account_answer(&url, 0, login))
        }
    }
}

/// One error answer of the token endpoint: HTTP status and the flat OAuth body's fields
/// (see docs/simulator.md, "Token endpoint errors").
struct OAuthError {
    status: u16,
    error: &'static str,
    description: &'static str,
    reason: &'static str,
}

impl OAuthError {
    const fn new(
        status: u16,
        error: &'static str,
        description: &'static str,
        reason: &'static str,
    ) -> Self {
        OAuthError {
            status,
            error,
            description,
            reason,
        }
    }

    fn answer(&self) -> ApiResult<Response> {
        oauth(self.status, self.error, self.description, self.reason)
    }
}

/// The token endpoint's fixed error answers.
#[rustfmt::skip]
impl OAuthError {
    const FORM_REQUIRED: Self = Self::new(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded", "InvalidRequest");
    const GRANT_REQUIRED: Self = Self::new(400, "invalid_request", "grant_type is required", "InvalidRequest");
    const USER_FIELDS_REQUIRED: Self = Self::new(400, "invalid_request", "username and password are required", "InvalidRequest");
    const BAD_PASSWORD: Self = Self::new(401, "invalid_grant", "invalid username or password", "InvalidGrant");
    const USER_DISABLED: Self = Self::new(401, "invalid_grant", "account is disabled", "AccountDisabled");
    const CLIENT_AUTH_REQUIRED: Self = Self::new(401, "invalid_client", "client authentication is required", "InvalidClient");
    const BAD_CLIENT: Self = Self::new(401, "invalid_client", "invalid client credentials", "InvalidClient");
    const CLIENT_DISABLED: Self = Self::new(401, "invalid_client", "client tenant is disabled", "AccountDisabled");
}

/// Who a grant authenticated, and the tenant the token is scoped to.
type Grantee = (Principal, String);

/// `POST /api/2/idp/token` — password and client_credentials grants; OAuth-style errors.
pub fn token(ctx: &mut Ctx) -> ApiResult<Response> {
    if let Some(p) = ctx.fault("token_endpoint_fail") {
        return token_endpoint_failure(&p);
    }
    let ct = ctx
        .req
        .header("content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    if !ct.contains("application/x-www-form-urlencoded") {
        return OAuthError::FORM_REQUIRED.answer();
    }
    let form = form_pairs(&String::from_utf8_lossy(&ctx.req.body));
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let granted = match field("grant_type").as_deref() {
        None | Some("") => Err(OAuthError::GRANT_REQUIRED),
        Some("password") => password_grant(ctx, field("username"), field("password")),
        Some("client_credentials") => {
            let creds = basic_credentials(ctx.req)
                .or_else(|| Some((field("client_id")?, field("client_secret")?)));
            client_grant(ctx, creds)
        }
        Some(g) => {
            return oauth(
                400,
                "unsupported_grant_type",
                &format!("grant type `{g}` is not supported"),
                "UnsupportedGrantType",
            )
        }
    };
    match granted {
        Ok(grantee) => issue_token(ctx, grantee),
        Err(e) => e.answer(),
    }
}

/// The `token_endpoint_fail` fault: an HTML page or an OAuth body with the given status.
fn token_endpoint_failure(p: &Value) -> ApiResult<Response> {
    let status = p.get("status").and_then(Value::as_u64).unwrap_or(401) as u16;
    if p.get("body").and_then(Value::as_str) == Some("html") {
        let mut r = Response::new(status);
        r.headers.push(("Content-Type".into(), "text/html".into()));
        r.body = format!("<html><body><h1>{status}</h1></body></html>").into_bytes();
        return Ok(r);
    }
    let default_err = match status {
        400 => "invalid_request",
        401 => "invalid_client",
        403 => "access_denied",
        _ => "server_error",
    };
    let error = p
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or(default_err);
    let desc = p
        .get("error_description")
        .and_then(Value::as_str)
        .unwrap_or("Injected identity provider failure");
    oauth(status, error, desc, "Injected")
}

/// `grant_type=password`: an activated, enabled user whose tenant chain is enabled.
fn password_grant(
    ctx: &Ctx,
    user: Option<String>,
    pass: Option<String>,
) -> Result<Grantee, OAuthError> {
    let (Some(user), Some(pass)) = (user, pass) else {
        return Err(OAuthError::USER_FIELDS_REQUIRED);
    };
    let uid = ctx.st.logins.get(&user.to_lowercase());
    let u = uid.and_then(|id| ctx.st.users.get(id));
    let Some(u) =
        u.filter(|u| u.password_hash.as_deref() == Some(password_hash(&u.id, &pass).as_str()))
    else {
        return Err(OAuthError::BAD_PASSWORD);
    };
    if !u.enabled || ctx.st.effectively_disabled(&u.tenant_id) {
        return Err(OAuthError::USER_DISABLED);
    }
    Ok((Principal::User(u.id.clone()), u.tenant_id.clone()))
}

/// `grant_type=client_credentials`: credentials by HTTP Basic or in the form; the
/// client's tenant chain must be enabled.
fn client_grant(ctx: &Ctx, creds: Option<(String, String)>) -> Result<Grantee, OAuthError> {
    let Some((id, secret)) = creds else {
        return Err(OAuthError::CLIENT_AUTH_REQUIRED);
    };
    let Some(c) = ctx.st.clients.get(&id).filter(|c| c.secret == secret) else {
        return Err(OAuthError::BAD_CLIENT);
    };
    if ctx.st.effectively_disabled(&c.tenant_id) {
        return Err(OAuthError::CLIENT_DISABLED);
    }
    Ok((Principal::Client(c.client_id.clone()), c.tenant_id.clone()))
}

/// Stores and returns a new access token (plus id and refresh tokens for users). The
/// `token_expiry` fault shortens its life or counts its uses; `clock_skew` moves the
/// announced `expires_on` into the past while the token stays valid.
fn issue_token(ctx: &mut Ctx, (principal, tenant_id): Grantee) -> ApiResult<Response> {
    let now = ctx.now;
    let mut ttl = ctx.st.token_ttl;
    let mut uses = None;
    if let Some(p) = ctx.fault("token_expiry") {
        if let Some(t) = p.get("ttl").and_then(Value::as_i64) {
            ttl = t;
        }
        uses = p.get("uses").and_then(Value::as_u64);
    }
    let mut expires_on = now + ttl;
    if let Some(p) = ctx.fault("clock_skew") {
        expires_on = now - p.get("seconds").and_then(Value::as_i64).unwrap_or(3600);
    }
    ctx.st.token_serial += 1;
    let serial = ctx.st.token_serial;
    let sub = match &principal {
        Principal::User(id) | Principal::Client(id) => id.clone(),
    };
    let access = jwt_like(&mut ctx.st.rng, &sub, now + ttl, serial);
    ctx.st.tokens.insert(
        access.clone(),
        Token {
            principal: principal.clone(),
            tenant_id,
            expires_at: now + ttl,
            uses_left: uses,
            revoked: false,
        },
    );
    let mut body = json!({"access_token": access, "token_type": "bearer", "expires_on": expires_on, "scope": "openid"});
    if matches!(principal, Principal::User(_)) {
        body["id_token"] = json!(jwt_like(&mut ctx.st.rng, &sub, now + ttl, serial));
        body["refresh_token"] = json!(random_hex(&mut ctx.st.rng, 24));
    }
    Ok(Response::json(200, &body).header("Cache-Control", "no-store"))
}

/// `GET /api/2/versions` (authenticated); `old_platform` reports 7.x.
pub fn versions(ctx: &mut Ctx) -> ApiResult<Response> {
    ctx.auth()?;
    let version = match ctx.fault("old_platform") {
        Some(p) => p
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or("7.4.0.123")
            .to_string(),
        None => "9.1.0.1234".to_string(),
    };
    Ok(Response::json(
        200,
        &json!({
            "application": {"name": "Acronis Cyber Cloud", "edition": "standard", "version": version},
            "components": [{"name": "account-server", "version": version}, {"name": "acronis-sim", "version": env!("CARGO_PKG_VERSION")}]
        }),
    ))
}

pub fn create_client(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    let b = ctx.body()?;
    let ctype = match b.get("type").and_then(Value::as_str) {
        Some(t @ ("agent" | "api_client")) => t.to_string(),
        Some(t) => {
            return Err(ApiError::bad_request(format!(
                "Unsupported client type `{t}`"
            )))
        }
        None => return Err(ApiError::bad_request("`type` is required")),
    };
    let tid = need_uuid("tenant_id", b.get("tenant_id"))?;
    match b.get("token_endpoint_auth_method") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == "client_secret_basic" => {}
        Some(_) => {
            return Err(ApiError::bad_request(
                "`token_endpoint_auth_method` must be `client_secret_basic`",
            ))
        }
    }
    let data = match b.get("data") {
        None | Some(Value::Null) => json!({}),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => return Err(ApiError::bad_request("`data` must be an object")),
    };
    ctx.check_tenant(&auth, &tid)?;
    let id = ctx.st.next_uuid();
    let secret = random_hex(&mut ctx.st.rng, 16);
    let client = ApiClient {
        client_id: id.clone(),
        secret: secret.clone(),
        tenant_id: tid.clone(),
        client_type: ctype.clone(),
        data: data.clone(),
        created_at: ctx.now,
    };
    ctx.st.clients.insert(id.clone(), client);
    let base = ctx.base_url();
    Ok(Response::json(
        201,
        &json!({
            "client_id": id, "client_secret": secret, "tenant_id": tid, "type": ctype,
            "token_endpoint_auth_method": "client_secret_basic", "client_secret_expires_at": 0, "data": data,
            "registration_access_token": random_hex(&mut ctx.st.rng, 16),
            "registration_client_uri": format!("{base}/api/2/clients/{id}"),
        }),
    ))
}

fn visible_client(ctx: &mut Ctx) -> ApiResult<ApiClient> {
    let auth = ctx.auth()?;
    let id = seg(ctx, 3);
    let c = ctx
        .st
        .clients
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("Client {id} not found")))?;
    ctx.check_scope(&auth, &c.tenant_id, "Client")?;
    Ok(c)
}

pub fn get_client(ctx: &mut Ctx) -> ApiResult<Response> {
    let c = visible_client(ctx)?;
    Ok(Response::json(200, &c.to_json()))
}

pub fn delete_client(ctx: &mut Ctx) -> ApiResult<Response> {
    let c = visible_client(ctx)?;
    ctx.st.clients.remove(&c.client_id);
    ctx.st
        .tokens
        .retain(|_, t| t.principal != Principal::Client(c.client_id.clone()));
    Ok(Response::empty(204))
}
